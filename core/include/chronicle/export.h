/*
 * chronicle/export.h — planning and running exports.
 *
 * chronicle_export() checks everything that can be checked before work
 * starts (formats, options, output paths), then runs each job — one
 * (format, group) pair — in its own child process, up to `jobs` at once.
 * A job that fails, crashes or hangs fails alone: its temp file is removed,
 * the other jobs finish, and an existing output is only ever replaced by a
 * complete one.
 */
#ifndef CHRONICLE_EXPORT_H
#define CHRONICLE_EXPORT_H

#include <stdint.h>

#include "dataset.h"
#include "diag.h"
#include "registry.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A job's state.  The values are part of the ABI (bindings mirror them):
 * never renumbered, new states appended. */
typedef enum chronicle_job_state {
    CHRONICLE_JOB_WAITING = 0,
    CHRONICLE_JOB_RUNNING = 1,
    CHRONICLE_JOB_DONE = 2,
    CHRONICLE_JOB_FAILED = 3,
    /* standard output's reader went away (`| head`): the job was stopped
     * quietly; a command-line tool ends as if killed by SIGPIPE */
    CHRONICLE_JOB_CLOSED = 4
} chronicle_job_state;

/* What the caller sees of a job while it runs.  Filled by the library and
 * lent to the hooks; members are only ever appended. */
typedef struct chronicle_job_status {
    const char *label; /* "pdf", or "pdf [AZ]" */
    const char *dest;  /* final path, or NULL for standard output */
    chronicle_job_state state;
    uint64_t done, total; /* last progress report */
    double seconds;       /* run time so far */
} chronicle_job_status;

/* Callbacks of a run, called on the caller's thread (the one in
 * chronicle_export()), never at the same time.  Embedded in
 * chronicle_export_request, so its layout is frozen once released: a
 * callback added later is appended to the request instead. */
typedef struct chronicle_export_hooks {
    void *ctx;
    /* A message from or about a job: an error (is_error) or a log line. */
    void (*message)(void *ctx, const chronicle_job_status *job, int is_error,
                    chronicle_log_level level, const char *text);
    /* Called at most ten times a second while jobs run, and once at the end. */
    void (*progress)(void *ctx, const chronicle_job_status *jobs, size_t n);
    /* Appended; may be NULL.  Called once for each job tried, when it has
     * ended (or failed to start), after its messages.  job->state is
     * CHRONICLE_JOB_DONE (its output is complete: a file renamed into place,
     * bytes its final size; or written through to standard output, job->dest
     * NULL, or to a device: bytes UINT64_MAX, not known), CHRONICLE_JOB_FAILED
     * (message() said why) or CHRONICLE_JOB_CLOSED.  format: the plugin's
     * name; group: the --split-by group, or NULL. */
    void (*finished)(void *ctx, const chronicle_job_status *job, const char *format,
                     const char *group, uint64_t bytes);
} chronicle_export_hooks;

/*
 * What to export.  Caller-filled: zero-initialise, then set what you need.
 * struct_size 0 means the 1.0 layout (the members up to and including
 * struct_size), which is what `= {0}` gives; to use a member added after
 * 1.0, set struct_size = sizeof(chronicle_export_request).  Members are only
 * appended.  Everything it points to is borrowed for the call.
 */
typedef struct chronicle_export_request {
    const chronicle_dataset *ds;
    chronicle_registry *registry;
    const char *const *formats; /* plugin names */
    size_t n_formats;
    const char *output;         /* NULL (current directory), "-" (stdout), a file or a directory */
    const char *const *options; /* "FORMAT.KEY=VALUE" */
    size_t n_options;
    const chronicle_filter *filter; /* NULL: every event */
    chronicle_split_key split;
    int jobs;       /* parallel children; <= 0: the number of CPUs */
    double timeout; /* seconds per job; 0: none */
    int64_t timestamp;
    chronicle_export_hooks hooks;
    /* Files never written, whatever the outputs are named: every input of
     * the run (the dataset's own file is always kept). */
    const char *const *keep;
    size_t n_keep;
    /* Run only share `shard` (counted from 0) of n_shards; n_shards 0: every
     * job.  The shares are contiguous blocks of the planned order (groups in
     * their sorted order, each group's formats as given), whose sizes differ
     * by at most one: the first n_jobs % n_shards take one job more.  Every
     * job of the whole run is still planned and checked, so an output's name
     * and a refusal never depend on the shard; a shard with no job runs
     * nothing and succeeds. */
    unsigned shard, n_shards;
    /* 1.2: the report's definition (chronicle/report.h), borrowed; NULL:
     * the dataset's title, English, no branding.  What the request leaves
     * unset comes from it: the formats when n_formats is 0, each filter
     * field left 0 or empty, the split when CHRONICLE_SPLIT_NONE.  Its
     * options for the formats exported are applied first, then `options`,
     * which override them key by key.  Checked as
     * chronicle_report_def_check() does, before any job. */
    const chronicle_report_def *report;
    size_t struct_size; /* 0: the 1.0 layout; else sizeof as the caller compiled it */
} chronicle_export_request;

/*
 * Returns CHRONICLE_OK when every job succeeded.  Before any job starts:
 * CHRONICLE_ERR_OPTION (unknown format, bad option, stdout refused, an
 * output that is an input), CHRONICLE_ERR_UNSUPPORTED (a plugin was
 * refused: diag says why), CHRONICLE_ERR_IO (an output cannot be created:
 * a missing directory, a symlink, a block device).  After:
 * CHRONICLE_ERR_PLUGIN when at least one job failed (hooks said which),
 * else CHRONICLE_ERR_IO when an output could not be made or replaced,
 * CHRONICLE_ERR_CANCELLED on SIGINT/SIGTERM.
 *
 * The output contract: a regular file is replaced atomically, keeping its
 * mode (a new one gets 0666 & ~umask); a character device or FIFO is
 * written through, never replaced; a symlink is not followed.  Warnings
 * (stale scratch directories removed) are added to diag.
 *
 * Process state: while it runs, chronicle_export() installs its own
 * SIGINT, SIGTERM and SIGCHLD handlers and makes the process a child
 * subreaper (PR_SET_CHILD_SUBREAPER), and restores all of it before it
 * returns; it waits only for its own children.  So one export at a time
 * per process.  req is borrowed for the call.
 */
chronicle_status chronicle_export(const chronicle_export_request *req, chronicle_diag *diag);

/* One job of a plan: what chronicle_export() would run.  Filled by the
 * library; members are only ever appended. */
typedef struct chronicle_planned_job {
    const char *format; /* plugin name */
    const char *group;  /* the --split-by group, or NULL */
    const char *output; /* the path written, as the run names it; NULL: standard output */
    size_t n_events;
    size_t index; /* position in the whole run's plan, from 0, whatever the shard */
} chronicle_planned_job;

/* Opaque; made by chronicle_export_plan_new(). */
typedef struct chronicle_export_plan chronicle_export_plan;

/*
 * Plans req exactly as chronicle_export() would (the same checks, names
 * and shard) and runs nothing: no directory or file is created, no stale
 * scratch swept.  An output directory that does not exist yet is taken as
 * empty.  Returns the errors chronicle_export() returns before any job
 * starts.  Caller owns *out; free with chronicle_export_plan_free().
 */
chronicle_status chronicle_export_plan_new(const chronicle_export_request *req,
                                           chronicle_export_plan **out, chronicle_diag *diag);

/* The jobs of req's shard (all of them without one), in the order they run. */
size_t chronicle_export_plan_count(const chronicle_export_plan *plan);

/* Job i (0 <= i < chronicle_export_plan_count()), or NULL when out of
 * range.  A view owned by the plan; valid until chronicle_export_plan_free(). */
const chronicle_planned_job *chronicle_export_plan_job(const chronicle_export_plan *plan, size_t i);

/* Frees a plan and its views.  NULL is a no-op. */
void chronicle_export_plan_free(chronicle_export_plan *plan);

#ifdef __cplusplus
}
#endif

#endif
