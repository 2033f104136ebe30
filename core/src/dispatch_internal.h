/*
 * dispatch_internal.h — the process runner behind chronicle_export().
 */
#ifndef CHRONICLE_DISPATCH_INTERNAL_H
#define CHRONICLE_DISPATCH_INTERNAL_H

#include "chronicle/export.h"
#include "host_internal.h"

/* Runs jobs, at most max_jobs at once; OK when all succeeded,
 * CHRONICLE_ERR_PLUGIN when any failed (hooks were told),
 * CHRONICLE_ERR_CANCELLED on SIGINT/SIGTERM. */
chronicle_status dispatch_jobs(chronicle_job **jobs, size_t n, int max_jobs, double timeout,
                               const chronicle_export_hooks *hooks);

#endif
