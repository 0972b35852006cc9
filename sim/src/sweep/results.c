/*
 * The outcome of each point and OUTDIR/results.csv.
 *
 * A point's figures come from the result.json its run wrote (parsed with
 * cJSON); a run that wrote none (a config error, a crash) is failed, or
 * interrupted when the sweep is being stopped, with the first line of its log
 * as the error. results.csv has a fixed header for a given sweep file, a row per
 * ended point in point order, numbers in shortest round-trip form, and is
 * rewritten atomically after every point, so it always holds what has run.
 */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "aimc/serial.h"
#include "aimc_sim/commands.h"
#include "aimc_sim/fileio.h"
#include "aimc_sim/sweep.h"
#include "sweep_internal.h"

#define RESULT_MAX_BYTES (1u << 20)
#define LOG_READ_BYTES 65536
#define ERROR_MAX_LENGTH 1000

void sweep_row_clear(sweep_row *row) {
  free(row->error);
  memset(row, 0, sizeof *row);
  row->final_loss = row->final_test_accuracy = row->asymptotic_error = NAN;
  row->energy_per_sample = row->latency_per_sample = row->energy_total = NAN;
  row->simulated_time = row->area = row->wall = NAN;
}

/* Up to `limit` bytes of a file, NUL-terminated; NULL if it cannot be read. */
static char *read_head(const char *path, size_t limit) {
  FILE *file = fopen(path, "rb");
  if (!file) return NULL;
  char *text = malloc(limit + 1);
  size_t n = text ? fread(text, 1, limit, file) : 0;
  fclose(file);
  if (text) text[n] = '\0';
  return text;
}

/* A copy of text on one line (control characters become spaces), bounded. */
static char *one_line(const char *text, size_t length) {
  if (length > ERROR_MAX_LENGTH) length = ERROR_MAX_LENGTH;
  char *line = malloc(length + 1);
  if (!line) return NULL;
  for (size_t i = 0; i < length; ++i) line[i] = (unsigned char)text[i] < 0x20 ? ' ' : text[i];
  line[length] = '\0';
  return line;
}

static double json_number(const cJSON *root, const char *key) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
  return cJSON_IsNumber(item) ? item->valuedouble : NAN;
}

/* The kind of value a result.json key must hold. */
enum { NUMBER, NUMBER_OR_NULL, NULL_ONLY };

/* Whether `key` of root holds what `kind` asks; sets the reason if not. */
static int typed(const cJSON *root, const char *key, int kind) {
  const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
  char quoted[128];
  if (!item)
    return aimc_error_set(AIMC_EFORMAT, "result.json: no \"%s\"", key), 0;
  if (cJSON_IsNumber(item) ? kind == NULL_ONLY : cJSON_IsNull(item) ? kind == NUMBER : 1) {
    char *text = cJSON_PrintUnformatted(item);
    aimc_error_set(AIMC_EFORMAT, "result.json: \"%s\" is %s, not %s", key,
                   aimc_escape(text ? text : "?", SIZE_MAX, quoted, sizeof quoted),
                   kind == NUMBER ? "a number" : kind == NULL_ONLY ? "null" : "a number or null");
    cJSON_free(text);
    return 0;
  }
  return 1;
}

static int regular_file(const char *directory, const char *name) {
  char *path = aimc_path_join(directory, name);
  struct stat info;
  int found = path && stat(path, &info) == 0 && S_ISREG(info.st_mode);
  free(path);
  if (!found) aimc_error_set(AIMC_EFORMAT, "%s is missing", name);
  return found;
}

/* A completed point's result.json against its schema: every figure of the
 * results table present and typed for its workload and algorithm (a number
 * where the run measures it, null where it cannot), and the outputs it
 * promises (metrics.csv, the analog weights) on disk. */
static int completed_result_valid(const cJSON *root, const char *point_directory) {
  const cJSON *version = cJSON_GetObjectItemCaseSensitive(root, "version");
  const cJSON *workload = cJSON_GetObjectItemCaseSensitive(root, "workload");
  const cJSON *algorithm = cJSON_GetObjectItemCaseSensitive(root, "algorithm");
  if (!cJSON_IsNumber(version) || version->valuedouble != 1.0)
    return aimc_error_set(AIMC_EFORMAT, "result.json: no \"version\": 1"), 0;
  if (!cJSON_IsString(workload) || !cJSON_IsString(algorithm))
    return aimc_error_set(AIMC_EFORMAT, "result.json: no \"workload\" or \"algorithm\" string"), 0;
  int least_squares = strcmp(workload->valuestring, "least_squares") == 0;
  int analog = strcmp(algorithm->valuestring, "digital_sgd") != 0;
  const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
  if (!cJSON_IsNull(error)) return aimc_error_set(AIMC_EFORMAT, "result.json: a completed run with an error"), 0;
  struct {
    const char *key;
    int kind;
  } fields[] = {
      {"samples_trained", NUMBER},
      {"final_loss", NUMBER},
      {"final_test_accuracy", least_squares ? NULL_ONLY : NUMBER},
      {"asymptotic_error", least_squares ? NUMBER : NUMBER_OR_NULL},
      {"energy_total_j", analog ? NUMBER : NULL_ONLY},
      {"energy_per_sample_j", analog ? NUMBER : NULL_ONLY},
      {"latency_per_sample_s", analog ? NUMBER_OR_NULL : NULL_ONLY},
      {"simulated_time_s", analog ? NUMBER_OR_NULL : NULL_ONLY},
      {"area_mm2", analog ? NUMBER : NULL_ONLY},
      {"wall_s", NUMBER},
  };
  for (size_t k = 0; k < sizeof fields / sizeof fields[0]; ++k)
    if (!typed(root, fields[k].key, fields[k].kind)) return 0;
  if (!regular_file(point_directory, "metrics.csv")) return 0;
  if (analog && !regular_file(point_directory, "weights/layer0.idx")) return 0;
  return 1;
}

int sweep_row_read(const char *point_directory, sweep_row *row) {
  sweep_row_clear(row);
  char *path = aimc_path_join(point_directory, "result.json");
  char *text = path ? read_head(path, RESULT_MAX_BYTES) : NULL;
  free(path);
  cJSON *root = text ? cJSON_Parse(text) : NULL;
  free(text);
  if (!root) return aimc_error_set(AIMC_EFORMAT, "result.json is missing or not JSON"), 0;
  const cJSON *format = cJSON_GetObjectItemCaseSensitive(root, "format");
  const cJSON *status = cJSON_GetObjectItemCaseSensitive(root, "status");
  const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
  int valid = cJSON_IsString(format) && strcmp(format->valuestring, "aimcsim-run-result") == 0 &&
              cJSON_IsString(status);
  if (!valid) aimc_error_set(AIMC_EFORMAT, "result.json: no \"format\": \"aimcsim-run-result\" or no \"status\"");
  if (valid) {
    const char *s = status->valuestring;
    row->status = strcmp(s, "completed") == 0     ? SWEEP_COMPLETED
                  : strcmp(s, "interrupted") == 0 ? SWEEP_INTERRUPTED
                  : strcmp(s, "failed") == 0      ? SWEEP_FAILED
                                                  : SWEEP_PENDING;
    valid = row->status != SWEEP_PENDING;
    if (!valid) aimc_error_set(AIMC_EFORMAT, "result.json: an unknown \"status\"");
  }
  if (valid && row->status == SWEEP_COMPLETED) valid = completed_result_valid(root, point_directory);
  if (valid) {
    row->final_loss = json_number(root, "final_loss");
    row->final_test_accuracy = json_number(root, "final_test_accuracy");
    row->asymptotic_error = json_number(root, "asymptotic_error");
    row->energy_per_sample = json_number(root, "energy_per_sample_j");
    row->latency_per_sample = json_number(root, "latency_per_sample_s");
    row->energy_total = json_number(root, "energy_total_j");
    row->simulated_time = json_number(root, "simulated_time_s");
    row->area = json_number(root, "area_mm2");
    row->wall = json_number(root, "wall_s");
    if (cJSON_IsString(error)) row->error = one_line(error->valuestring, strlen(error->valuestring));
  }
  cJSON_Delete(root);
  if (!valid) sweep_row_clear(row);
  return valid;
}

/* The first non-empty line of the point's log, or NULL. */
static char *log_message(const sweep_plan *plan, const char *outdir, size_t point) {
  char *path = sweep_point_log(plan, outdir, point);
  char *text = path ? read_head(path, LOG_READ_BYTES) : NULL;
  free(path);
  if (!text) return NULL;
  char *line = NULL;
  for (char *p = text; *p && !line;) {
    size_t length = strcspn(p, "\r\n");
    if (length > 0) line = one_line(p, length);
    p += length;
    p += strspn(p, "\r\n");
  }
  free(text);
  return line;
}

static char *describe_wait_status(int wait_status) {
  char text[128];
  if (wait_status == -1)
    snprintf(text, sizeof text, "the run could not be started or its exit status was lost");
  else if (WIFSIGNALED(wait_status))
    snprintf(text, sizeof text, "the run was killed by signal %d", WTERMSIG(wait_status));
  else
    snprintf(text, sizeof text, "the run ended with exit status %d", WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
  return one_line(text, strlen(text));
}

void sweep_row_collect(const sweep_plan *plan, const char *outdir, size_t point, int wait_status, double wall,
                       int stopping, sweep_row *row) {
  char *directory = sweep_point_directory(plan, outdir, point);
  int have_result = directory && sweep_row_read(directory, row);
  char reason[256];
  snprintf(reason, sizeof reason, "the run wrote no valid result: %s", aimc_error_message());
  free(directory);
  if (!have_result) sweep_row_clear(row);
  int exited_ok = wait_status != -1 && WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == 0;
  int stopped = wait_status != -1 &&
                ((WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == AIMC_EXIT_INTERRUPTED) ||
                 (WIFSIGNALED(wait_status) && (WTERMSIG(wait_status) == SIGINT || WTERMSIG(wait_status) == SIGTERM)));
  if (have_result) {
    if (row->status == SWEEP_COMPLETED && !exited_ok) {
      row->status = SWEEP_FAILED;
      free(row->error);
      row->error = describe_wait_status(wait_status);
    }
  } else {
    row->status = stopping || stopped ? SWEEP_INTERRUPTED : SWEEP_FAILED;
    row->wall = wall;
    if (exited_ok) row->error = one_line(reason, strlen(reason));
  }
  if (row->status != SWEEP_COMPLETED && !row->error) row->error = log_message(plan, outdir, point);
  if (row->status != SWEEP_COMPLETED && !row->error) row->error = describe_wait_status(wait_status);
}

/* Shortest text that reads back as the same double; empty for NaN. */
static void put_number(FILE *out, double value) {
  fputc(',', out);
  if (isnan(value)) return;
  char text[40];
  for (int digits = 15; digits <= 17; ++digits) {
    snprintf(text, sizeof text, "%.*g", digits, value);
    if (strtod(text, NULL) == value) break;
  }
  fputs(text, out);
}

/* A CSV field, quoted when it has to be (always for `quote`). */
static void put_text(FILE *out, const char *text, int quote) {
  if (!quote) quote = text[strcspn(text, ",\"\r\n")] != '\0' || text[0] == ' ' || (text[0] && text[strlen(text) - 1] == ' ');
  if (!quote) {
    fputs(text, out);
    return;
  }
  fputc('"', out);
  for (const char *c = text; *c; ++c) {
    if (*c == '"') fputc('"', out);
    fputc(*c, out);
  }
  fputc('"', out);
}

static const char *status_name(sweep_status status) {
  switch (status) {
    case SWEEP_COMPLETED: return "completed";
    case SWEEP_FAILED: return "failed";
    case SWEEP_INTERRUPTED: return "interrupted";
    default: return "pending";
  }
}

/* The value of objective `objective` for a row. */
static double objective_value(const sweep_row *r, int objective) {
  switch (objective) {
    case AIMC_SWEEP_ERROR: return aimc_sweep_error_objective(r->asymptotic_error, r->final_test_accuracy, r->final_loss);
    case AIMC_SWEEP_ENERGY: return r->energy_per_sample;
    case AIMC_SWEEP_LATENCY: return r->latency_per_sample;
    default: return r->area;
  }
}

static aimc_status mark_front(const sweep_plan *plan, sweep_row *rows) {
  size_t n = plan->point_count, m = plan->objective_count;
  double *objectives = calloc(n * m + 1, sizeof *objectives);
  int *eligible = calloc(n + 1, sizeof *eligible);
  int *front = malloc((n + 1) * sizeof *front);
  aimc_status status = objectives && eligible && front ? AIMC_OK : aimc_error_set(AIMC_ENOMEM, "sweep: out of memory");
  for (size_t i = 0; i < n && status == AIMC_OK; ++i) {
    for (size_t k = 0; k < m; ++k) objectives[m * i + k] = objective_value(&rows[i], plan->objectives[k]);
    eligible[i] = rows[i].status == SWEEP_COMPLETED;
  }
  if (status == AIMC_OK) status = aimc_sweep_pareto_front(n, m, objectives, eligible, front);
  for (size_t i = 0; i < n && status == AIMC_OK; ++i) rows[i].pareto = front[i];
  free(objectives);
  free(eligible);
  free(front);
  return status;
}

aimc_status sweep_results_write(const sweep_plan *plan, const char *outdir, sweep_row *rows) {
  aimc_status status = mark_front(plan, rows);
  if (status != AIMC_OK) return status;
  char *buffer = NULL;
  size_t size = 0;
  FILE *out = open_memstream(&buffer, &size);
  if (!out) return aimc_error_set(AIMC_ENOMEM, "sweep: out of memory");
  fputs("point", out);
  for (size_t p = 0; p < plan->parameter_count; ++p) {
    fputc(',', out);
    put_text(out, plan->parameters[p].key, 0);
  }
  fputs(",status,final_loss,final_test_accuracy,asymptotic_error,energy_per_sample_j,latency_per_sample_s,"
        "energy_total_j,simulated_time_s,area_mm2,wall_s,pareto,error\n",
        out);
  for (size_t i = 0; i < plan->point_count; ++i) {
    const sweep_row *r = &rows[i];
    if (r->status == SWEEP_PENDING) continue;
    fprintf(out, "%zu", i);
    for (size_t p = 0; p < plan->parameter_count; ++p) {
      fputc(',', out);
      put_text(out, plan->parameters[p].labels[sweep_value_index(plan, i, p)], 0);
    }
    fprintf(out, ",%s", status_name(r->status));
    const double figures[] = {r->final_loss,         r->final_test_accuracy, r->asymptotic_error,
                              r->energy_per_sample,  r->latency_per_sample,  r->energy_total,
                              r->simulated_time,     r->area,                r->wall};
    for (size_t k = 0; k < sizeof figures / sizeof figures[0]; ++k) put_number(out, figures[k]);
    fprintf(out, ",%d,", r->pareto);
    if (r->error) put_text(out, r->error, 1);
    fputc('\n', out);
  }
  if (fclose(out) != 0) {
    free(buffer);
    return aimc_error_set(AIMC_ENOMEM, "sweep: out of memory");
  }
  char *path = aimc_path_join(outdir, "results.csv");
  aimc_atomic_file file;
  status = path ? aimc_atomic_open(&file, path) : aimc_error_set(AIMC_ENOMEM, "sweep: out of memory");
  if (status == AIMC_OK) status = aimc_atomic_write(&file, buffer, size);
  if (status == AIMC_OK)
    status = aimc_atomic_commit(&file);
  else if (path)
    aimc_atomic_abort(&file);
  free(path);
  free(buffer);
  return status;
}
