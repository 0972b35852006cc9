/*
 * Status codes of the aimcsim C core. Library functions never print and never
 * exit: they return a status and leave a one-line message, readable with
 * aimc_error_message(), in thread-local storage.
 */
#ifndef AIMC_ERROR_H
#define AIMC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum aimc_status {
  AIMC_OK = 0,
  AIMC_EINVAL = 1,   /* a parameter is out of its documented range or not finite */
  AIMC_ENOMEM = 2,   /* an allocation failed */
  AIMC_ENUMERIC = 3, /* a NaN or Inf appeared in data handed to a kernel */
  AIMC_EIO = 4,      /* a file could not be read or written */
  AIMC_EFORMAT = 5,  /* a file's content is malformed */
  AIMC_EBUSY = 6     /* a resource (an output directory) is held by another process */
} aimc_status;

/* The message of the last failure on this thread ("" if none). */
const char *aimc_error_message(void);

/* Records a printf-style message for this thread and returns status. */
aimc_status aimc_error_set(aimc_status status, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

/* Short name of a status ("invalid argument", ...). */
const char *aimc_status_name(aimc_status status);

#ifdef __cplusplus
}
#endif
#endif
