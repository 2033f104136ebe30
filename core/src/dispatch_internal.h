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
chronicle_status chronicle__dispatch_jobs(chronicle_job **jobs, size_t n, int max_jobs,
                                          double timeout, const chronicle_export_hooks *hooks);

/* chronicle_export() with plugin-check's host modes (CHECK_*) in every job. */
chronicle_status chronicle__export_run(const chronicle_export_request *req, unsigned check,
                                       chronicle_diag *diag);

#endif
