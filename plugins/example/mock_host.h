/*
 * mock_host.h — a tiny in-process chronicle_host for unit-testing a plugin
 * without the chronicle binary: two fixed events, options given as text,
 * output captured in memory, errors recorded, writes that can be made to
 * fail and a job that can be cancelled.  Copy it next to your plugin.
 */
#ifndef MOCK_HOST_H
#define MOCK_HOST_H

#include <stddef.h>

#include <chronicle/plugin.h>

/* The services table; static, valid for the life of the program. */
const chronicle_host *mock_host(void);

/* A job for `plugin`, its options set to their declared defaults.  Caller
 * owns it; free with mock_job_free().  NULL when out of memory. */
chronicle_job *mock_job_new(const chronicle_plugin *plugin);
void mock_job_free(chronicle_job *job);

/* Like -O NAME.key=value, without the host's checking: 0 if key is not
 * declared.  value is borrowed and must outlive the job. */
int mock_job_set(chronicle_job *job, const char *key, const char *value);
/* Like --split-by: host->group() returns group (borrowed). */
void mock_job_set_group(chronicle_job *job, const char *group);
/* write() fails with CHRONICLE_ERR_IO once `bytes` have been written. */
void mock_job_fail_writes_after(chronicle_job *job, size_t bytes);
/* cancelled() returns 1 from the `calls`-th call on (1: at once). */
void mock_job_cancel_after(chronicle_job *job, unsigned calls);

/* What the plugin wrote, NUL-terminated; owned by the job. */
const char *mock_job_output(const chronicle_job *job, size_t *len);
/* The first error() of the job and its code; NULL / CHRONICLE_OK if none. */
const char *mock_job_error(const chronicle_job *job, chronicle_status *code);

#endif
