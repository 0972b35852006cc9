/*
 * The child processes of a sweep: one `aimcsim run` per point.
 *
 * SystemC elaborates only once per process, so every point is a process of its
 * own, started with posix_spawn (no code runs between fork and exec, which is
 * also what an MPI library running in the parent needs). Its standard output
 * and error go to OUTDIR/points/NNNN.log, its standard input is /dev/null. The
 * loops poll the children with waitpid(WNOHANG) and a short sleep rather than
 * waiting on any child: a library in the process (MPI) may have children of
 * its own, which are not the sweep's to reap.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sweep_internal.h"

extern char **environ;

double sweep_now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

void sweep_pause(void) {
  /* 10 ms: far below a point's run time, far above the cost of polling. */
  struct timespec t = {0, 10 * 1000 * 1000};
  nanosleep(&t, NULL);
}

aimc_status sweep_children_init(sweep_children *children, int capacity) {
  children->slots = calloc((size_t)capacity, sizeof *children->slots);
  children->capacity = children->slots ? capacity : 0;
  children->running = 0;
  return children->slots ? AIMC_OK : aimc_error_set(AIMC_ENOMEM, "sweep: out of memory");
}

void sweep_children_free(sweep_children *children) {
  free(children->slots);
  children->slots = NULL;
  children->capacity = children->running = 0;
}

aimc_status sweep_child_start(sweep_children *children, const sweep_plan *plan, const char *exe, const char *outdir,
                              size_t point) {
  sweep_child *slot = NULL;
  for (int k = 0; k < children->capacity && !slot; ++k)
    if (children->slots[k].pid == 0) slot = &children->slots[k];
  if (!slot) return aimc_error_set(AIMC_EINVAL, "sweep: no free slot for point %zu", point);
  char **argv = NULL;
  aimc_status status = sweep_point_arguments(plan, point, exe, outdir, &argv);
  if (status != AIMC_OK) return status;
  char *log = sweep_point_log(plan, outdir, point);
  posix_spawn_file_actions_t actions;
  int error = log ? posix_spawn_file_actions_init(&actions) : ENOMEM;
  if (error == 0) {
    error = posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (error == 0)
      error = posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log, O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (error == 0) error = posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = 0;
    double start = sweep_now();
    if (error == 0) error = posix_spawn(&pid, exe, &actions, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    if (error == 0) {
      slot->pid = pid;
      slot->point = point;
      slot->start = start;
      children->running++;
    }
  }
  if (error != 0) status = aimc_error_set(AIMC_EIO, "cannot start %s for point %zu: %s", exe, point, strerror(error));
  free(log);
  sweep_free_strings(argv);
  return status;
}

int sweep_child_poll(sweep_children *children, size_t *point, int *wait_status, double *wall) {
  for (int k = 0; k < children->capacity; ++k) {
    sweep_child *slot = &children->slots[k];
    if (slot->pid == 0) continue;
    int status = 0;
    pid_t pid = waitpid(slot->pid, &status, WNOHANG);
    if (pid == 0 || (pid < 0 && errno == EINTR)) continue;
    /* pid < 0 otherwise: the child is gone without a status (ECHILD); count it as failed. */
    *point = slot->point;
    *wait_status = pid == slot->pid ? status : -1;
    *wall = sweep_now() - slot->start;
    slot->pid = 0;
    children->running--;
    return 1;
  }
  return 0;
}

void sweep_children_signal(const sweep_children *children, int signal_number) {
  for (int k = 0; k < children->capacity; ++k)
    if (children->slots[k].pid > 0) kill(children->slots[k].pid, signal_number);
}
