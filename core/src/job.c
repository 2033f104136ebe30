/*
 * job.c — the one owner of struct chronicle_job (host_internal.h).  A job is
 * made here, planned by export.c, given its output by output.c, run by
 * host.c in a child process, and freed here with everything those layers
 * attached to it.  Invariant: every descriptor member is -1 until opened.
 */
#include <stdlib.h>
#include <string.h>

#include "host_internal.h"

chronicle_job *chronicle__job_new(const chronicle_plugin_info *plugin, const chronicle_dataset *ds,
                                  const char *group)
{
    chronicle_job *job = calloc(1, sizeof *job);
    if (!job) return NULL;
    job->plugin = plugin;
    job->ds = ds;
    job->logo_fd = job->msg_fd = job->tmp_fd = job->scratch_fd = -1;
    job->dir_fd = job->scratch_parent_fd = -1;
    chronicle_buf label = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&label, plugin ? plugin->name : "job");
    if (group) {
        job->group = strdup(group);
        chronicle_buf_appendf(&label, " [%s]", group);
    }
    job->label = chronicle_buf_steal(&label);
    if (!job->label || (group && !job->group)) {
        chronicle__job_free(job);
        return NULL;
    }
    return job;
}

void chronicle__job_free(chronicle_job *job)
{
    if (!job) return;
    chronicle__output_discard(job);
    chronicle__writer_free(job->writer);
    chronicle__event_cursor_close(job->reader);
    chronicle__event_cache_free(job->cache);
    chronicle__arena_free(&job->mem.a);
    chronicle__cache_batch_free(&job->mem.batch);
    free((void *)job->read);
    chronicle_summary_free(job->summary);
    free(job->group);
    free(job->label);
    free(job->dest);
    free(job->dest_name);
    free(job);
}
