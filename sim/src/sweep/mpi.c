/*
 * The MPI work queue of `mpirun -n N aimcsim sweep` (built with AIMC_WITH_MPI).
 *
 * Rank 0 prepares OUTDIR, runs points on its own children like local mode and,
 * between polls, serves the other ranks: a worker asks for a point whenever it
 * has a free child slot (REQUEST), rank 0 answers with the next pending point
 * or -1 (WORK), the worker runs it as a child exactly as local mode does and
 * reports its wait status and wall time when it ends (REPORT); rank 0 then reads
 * the point's result.json itself and rewrites results.csv. A worker that has
 * been told -1 and whose children have ended says DONE. The queue is dynamic,
 * so a slow point holds up one slot, not a fixed share of the sweep. OUTDIR
 * must be on a file system every rank sees (one machine, or a shared one).
 *
 * MPI starts only when a launcher (mpirun, mpiexec, srun) started the process;
 * otherwise, and with one rank, the sweep runs in local mode. OpenMPI warns
 * about fork() after MPI_Init; the children are started with posix_spawn, so
 * the warning is switched off (OMPI_MCA_mpi_warn_on_fork=0), and idle ranks
 * yield the processor (OMPI_MCA_mpi_yield_when_idle=1) instead of spinning
 * beside the children. A user's own setting of either wins.
 */
#include <mpi.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sweep_internal.h"

enum { TAG_REQUEST = 1, TAG_WORK = 2, TAG_REPORT = 3, TAG_DONE = 4 };
enum { REPORT_POINT = 0, REPORT_WAIT_STATUS = 1, REPORT_WALL = 2, REPORT_LENGTH = 3 };

static int started = 0;  /* this process called MPI_Init */
static int world = 1;    /* ranks */
static int workers_done = 0;

void sweep_mpi_start(int *rank, int *size) {
  *rank = 0;
  *size = 1;
  if (!getenv("OMPI_COMM_WORLD_SIZE") && !getenv("PMI_SIZE") && !getenv("PMIX_RANK")) return;
  setenv("OMPI_MCA_mpi_warn_on_fork", "0", 0);
  setenv("OMPI_MCA_mpi_yield_when_idle", "1", 0);
  if (MPI_Init(NULL, NULL) != MPI_SUCCESS) return;
  started = 1;
  MPI_Comm_rank(MPI_COMM_WORLD, rank);
  MPI_Comm_size(MPI_COMM_WORLD, size);
  world = *size;
}

void sweep_mpi_finish(void) {
  if (started) MPI_Finalize();
  started = 0;
}

void sweep_mpi_broadcast_text(char *text, size_t size) {
  MPI_Bcast(text, (int)size, MPI_CHAR, 0, MPI_COMM_WORLD);
  text[size - 1] = '\0';
}

int sweep_mpi_all(int ok) {
  int mine = ok != 0, all = 0;
  MPI_Allreduce(&mine, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  return all;
}

int sweep_mpi_workers_done(void) { return workers_done == world - 1; }

void sweep_mpi_serve(sweep_run *run) {
  for (;;) {
    int pending = 0;
    MPI_Status probe;
    MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &pending, &probe);
    if (!pending) return;
    int source = probe.MPI_SOURCE;
    if (probe.MPI_TAG == TAG_REQUEST) {
      int unused;
      MPI_Recv(&unused, 1, MPI_INT, source, TAG_REQUEST, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      int point = (int)sweep_next_point(run);
      MPI_Send(&point, 1, MPI_INT, source, TAG_WORK, MPI_COMM_WORLD);
    } else if (probe.MPI_TAG == TAG_REPORT) {
      double report[REPORT_LENGTH];
      MPI_Recv(report, REPORT_LENGTH, MPI_DOUBLE, source, TAG_REPORT, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      double point = report[REPORT_POINT];
      if (point >= 0 && point < (double)run->plan->point_count) {
        sweep_record(run, (size_t)point, (int)report[REPORT_WAIT_STATUS], report[REPORT_WALL]);
        run->remote++;
      }
    } else {
      int unused;
      MPI_Recv(&unused, 1, MPI_INT, source, probe.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (probe.MPI_TAG == TAG_DONE) workers_done++;
    }
  }
}

static void report(size_t point, int wait_status, double wall) {
  double message[REPORT_LENGTH];
  message[REPORT_POINT] = (double)point;
  message[REPORT_WAIT_STATUS] = (double)wait_status;
  message[REPORT_WALL] = wall;
  MPI_Send(message, REPORT_LENGTH, MPI_DOUBLE, 0, TAG_REPORT, MPI_COMM_WORLD);
}

void sweep_mpi_work(const sweep_plan *plan, const char *outdir, const char *exe, int jobs) {
  sweep_children children;
  int no_more = sweep_children_init(&children, jobs) != AIMC_OK;
  if (no_more) fprintf(stderr, "aimcsim sweep: %s\n", aimc_error_message());
  int forwarded = 0;
  for (;;) {
    if (sweep_stop_requested() && !forwarded) {
      sweep_children_signal(&children, SIGTERM);
      forwarded = 1;
    }
    int busy = 0;
    while (!no_more && !sweep_stop_requested() && children.running < jobs) {
      int request = 0, point = -1;
      MPI_Send(&request, 1, MPI_INT, 0, TAG_REQUEST, MPI_COMM_WORLD);
      MPI_Recv(&point, 1, MPI_INT, 0, TAG_WORK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (point < 0) {
        no_more = 1;
      } else if (sweep_child_start(&children, plan, exe, outdir, (size_t)point) != AIMC_OK) {
        fprintf(stderr, "aimcsim sweep: %s\n", aimc_error_message());
        report((size_t)point, -1, 0.0);
      }
      busy = 1;
    }
    size_t point;
    int wait_status;
    double wall;
    while (sweep_child_poll(&children, &point, &wait_status, &wall)) {
      report(point, wait_status, wall);
      busy = 1;
    }
    if ((no_more || sweep_stop_requested()) && children.running == 0) break;
    if (!busy) sweep_pause();
  }
  sweep_children_free(&children);
  int done = 0;
  MPI_Send(&done, 1, MPI_INT, 0, TAG_DONE, MPI_COMM_WORLD);
}
