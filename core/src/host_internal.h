/*
 * host_internal.h — one export job, and the services table lent to plugins.
 *
 * A job is planned in the parent (plugin, events, options, output paths),
 * then runs in a child process: the plugin sees it only through host_table.
 * Messages (errors, logs, progress) travel to the parent over msg_fd.
 */
#ifndef CHRONICLE_HOST_INTERNAL_H
#define CHRONICLE_HOST_INTERNAL_H

#include <signal.h>
#include <sys/types.h>

#include "chronicle/dataset.h"
#include "chronicle/registry.h"
#include "chronicle/strbuf.h"

extern const chronicle_host host_table;

/* Message types on the child-to-parent pipe: type byte, u32 length, payload. */
enum { MSG_ERROR = 'E', MSG_LOG = 'L', MSG_PROGRESS = 'P', MSG_DONE = 'D' };

struct chronicle_job {
    /* planned in the parent */
    const chronicle_plugin_info *plugin;
    const chronicle_dataset *ds;
    const chronicle_event **events;
    size_t n_events;
    char *group;                /* --split-by group, or NULL */
    chronicle_opt_value *values; /* parallel to plugin->options */
    int64_t timestamp;
    char *label; /* "pdf", or "pdf [AZ]" */
    char *dest;  /* final path; NULL: stdout */
    char *tmp;   /* temp file beside dest */
    char *scratch;
    int tmp_fd; /* open on tmp, or 1 for stdout */

    /* in the child */
    chronicle_summary *summary;
    struct event_reader *reader;  /* indexed dataset: reads events again */
    const chronicle_event **read; /* ... and keeps them, for a plugin without ONE_EVENT */
    chronicle_event unreadable;   /* what event_at() gives when reading fails */
    struct out_writer *writer; /* output buffers and their thread (host.c) */
    uint64_t wb_start, wb_pending; /* output bytes handed to writeback, and since */
    int msg_fd;
    chronicle_status failed;
    uint64_t progress_sent_ms;
    volatile sig_atomic_t cancel; /* set by SIGTERM: the parent asks the job to stop */
};

/* Runs the job's plugin in this (child) process and returns the status to
 * exit with.  Never returns to the caller's loop: call _exit() after. */
chronicle_status job_run_child(chronicle_job *job);

/* Output: prepare in the parent before fork; commit or discard after. */
chronicle_status output_prepare(chronicle_job *job, chronicle_buf *why);
chronicle_status output_commit(chronicle_job *job, chronicle_buf *why);
void output_discard(chronicle_job *job);

#endif
