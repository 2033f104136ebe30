/*
 * host_internal.h — one export job, and the services table lent to plugins.
 *
 * A job is planned in the parent (plugin, events, options, output paths),
 * then runs in a child process: the plugin sees it only through chronicle__host_table.
 * One owner: chronicle__job_new() and chronicle__job_free() (job.c).
 * Messages (errors, logs, progress) travel to the parent over msg_fd.
 */
#ifndef CHRONICLE_HOST_INTERNAL_H
#define CHRONICLE_HOST_INTERNAL_H

#include <signal.h>
#include <stdatomic.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "arena.h"
#include "chronicle/dataset.h"
#include "chronicle/registry.h"
#include "chronicle/strbuf.h"
#include "event_cache.h"
#include "event_cursor.h"
#include "output_internal.h"

extern const chronicle_host chronicle__host_table;

/* Message types on the child-to-parent pipe: type byte, u32 length, payload. */
enum { MSG_ERROR = 'E', MSG_LOG = 'L', MSG_PROGRESS = 'P', MSG_DONE = 'D' };

/* Where a reader's events from the job's cache live, and its packing
 * scratch: one for event_at(), one a cursor (host.c). */
typedef struct event_memory {
    arena a;
    chronicle__cache_batch batch; /* the events this reader packed, not yet in the cache */
} event_memory;

struct chronicle_job {
    /* planned in the parent */
    const chronicle_plugin_info *plugin;
    const chronicle_dataset *ds;
    const chronicle_event **events;
    size_t n_events;
    char *group;                 /* --split-by group, or NULL */
    chronicle_opt_value *values; /* parallel to plugin->options */
    int64_t timestamp;
    char *label;                     /* "pdf", or "pdf [AZ]" */
    chronicle_report report;         /* 1.2: report(); its strings borrow from the plan */
    const struct wording_lang *lang; /* the report's language (wording.h) */
    int logo_fd;                     /* the report's checked logo, shared by every job; -1: none */

    /* the output (output.c): settled in the plan, made at start, committed
     * or discarded after the job's whole process group is gone */
    chronicle_output_kind out_kind;
    char *dest;                 /* shown to people; NULL: standard output */
    char *dest_name;            /* the entry in dir_fd (OUTPUT_FILE, OUTPUT_STREAM on a path) */
    int dir_fd;                 /* the destination's directory, borrowed from the plan; -1: none */
    int scratch_parent_fd;      /* where the scratch directory is made, borrowed */
    const char *scratch_parent; /* ... and its name, for messages */
    dev_t out_dev;              /* the device or FIFO planned, checked again when opened */
    ino_t out_ino;
    mode_t new_mode;    /* a new file's mode: 0666 & ~umask */
    char *scratch;      /* scratch_dir() for the plugin: /proc/self/fd/N, immune to renames */
    char *scratch_real; /* where that is, for messages */
    char *scratch_name; /* its entry in scratch_parent_fd */
    int scratch_fd;     /* the private 0700 directory, flock()ed while the job lives */
    char *tmp;          /* output_path(): the temp file inside the scratch directory */
    int tmp_fd;         /* the temp file, the device or FIFO, or a copy of standard output */

    /* in the child */
    chronicle_summary *summary;
    chronicle__event_cursor *reader; /* indexed dataset: reads events again */
    const chronicle_event **read;    /* ... and keeps them, for a plugin without ONE_EVENT */
    chronicle__event_cache *cache;   /* ... once a job: what every reader read (event_cache.h) */
    event_memory mem;                /* event_at()'s events from the cache */
    chronicle_event unreadable;      /* what event_at() gives when reading fails */
    chronicle__writer *writer;       /* output buffers and their thread (output.c) */
    int msg_fd;
    /* error(), log(), progress() and the cursors are callable from any
     * thread: these three are atomic (lock-free, so the SIGTERM handler may
     * set cancel), and frames reach msg_fd whole under a lock (host.c) */
    _Atomic(chronicle_status) failed; /* the first error() wins */
    _Atomic uint64_t progress_sent_ms;
    atomic_int cancel; /* set by SIGTERM (the parent asks the job to stop) or a failed read */
    unsigned check;    /* plugin-check's host modes (CHECK_*, hostcheck.c); 0 in every export */
};

/* Makes a job of plugin over ds, for group (--split-by; NULL: none) and
 * labelled "pdf" or "pdf [AZ]"; every descriptor -1, the rest zero, to be
 * planned by the caller.  NULL when out of memory.  Free with
 * chronicle__job_free(). */
chronicle_job *chronicle__job_new(const chronicle_plugin_info *plugin, const chronicle_dataset *ds,
                                  const char *group);
/* Frees the job and all that the plan, the output and the child attached
 * to it: an output not committed is discarded.  NULL is a no-op. */
void chronicle__job_free(chronicle_job *job);

/* plugin-check's host modes (hostcheck.c): each event a copy poisoned when
 * the next is read; a cancellation at the plugin's first call, held to one
 * second; event_at() and write() only from export_dataset's thread.  What
 * they find is said in messages starting with CHECK_TAG. */
enum { CHECK_POISON = 1u << 0, CHECK_CANCEL = 1u << 1, CHECK_THREAD = 1u << 2 };
#define CHECK_TAG "plugin-check: "

/* The services a job's plugin gets: chronicle__host_table itself when job->check is 0. */
const chronicle_host *chronicle__check_host(chronicle_job *job);
/* Told what export_dataset returned, before anything else happens. */
void chronicle__check_returned(chronicle_job *job, chronicle_status st);

/* Runs the job's plugin in this (child) process and returns the status to
 * exit with.  Never returns to the caller's loop: call _exit() after. */
chronicle_status chronicle__job_run_child(chronicle_job *job);

#endif
