/*
 * compat.c — plugins built the way other SDK versions would build them, for
 * the ABI compatibility tests (test_compat.py).  One source, one behaviour
 * per build (-DCOMPAT_xxx); each build's file name is its COMPAT_NAME.
 *   old layout:   struct_size set to the 1.0 layout by hand (the smallest
 *                 descriptor a 1.0 host accepts) — must load and run;
 *   bigger:       a descriptor with a member from a future 1.x appended, but
 *                 needing only ABI 1.0 — must load and run;
 *   newer minor, next major, v2 symbol, too small — must be refused;
 *   abi10, abi11: built against the 1.0 and 1.1 headers themselves
 *                 (tests/e2e/sdk/abi/), so the host table, event and summary
 *                 they know are smaller than this host's — must load and run,
 *                 and say so (COMPAT_SIZES).
 */
#include <stdio.h>
#include <string.h>

#include <chronicle/plugin.h>

#ifndef COMPAT_NAME
#error "define COMPAT_NAME"
#endif
#ifndef COMPAT_ABI
#define COMPAT_ABI CHRONICLE_ABI(1, 0)
#endif

static chronicle_status put(chronicle_job *job, const chronicle_host *h, const char *s, size_t n)
{
    return h->write(job, s, n);
}

/* One line per event: "id date", after a line naming the plugin; and a
 * guarded call of a host member, as a plugin needing 1.0 would make it. */
static chronicle_status run(chronicle_job *job, const chronicle_host *h)
{
    static const char head[] = COMPAT_NAME " ran\n";
    if (put(job, h, head, sizeof head - 1) != CHRONICLE_OK) return CHRONICLE_ERR_IO;
    if (CHRONICLE_HAS(h, chronicle_host, cancelled) && h->cancelled(job))
        return CHRONICLE_ERR_CANCELLED;
#if defined(COMPAT_SIZES)
    /* the host's structs are bigger than the ones this plugin was built with */
    const chronicle_event *first = h->event_count(job) ? h->event_at(job, 0) : NULL;
    char line[160];
    int n = snprintf(line, sizeof line, "ABI %u.%u, smaller: host %s, event %s, summary %s\n",
                     (unsigned)CHRONICLE_ABI_MAJOR, (unsigned)CHRONICLE_ABI_MINOR,
                     sizeof(chronicle_host) < h->struct_size ? "yes" : "no",
                     first && sizeof(chronicle_event) < first->struct_size ? "yes" : "no",
                     sizeof(chronicle_summary) < h->summary(job)->struct_size ? "yes" : "no");
    if (put(job, h, line, (size_t)n) != CHRONICLE_OK) return CHRONICLE_ERR_IO;
#endif
    for (size_t i = 0; i < h->event_count(job); i++) {
        const chronicle_event *e = h->event_at(job, i);
        if (put(job, h, e->id.ptr, e->id.len) != CHRONICLE_OK ||
            put(job, h, " ", 1) != CHRONICLE_OK ||
            put(job, h, e->date.ptr, e->date.len) != CHRONICLE_OK ||
            put(job, h, "\n", 1) != CHRONICLE_OK)
            return CHRONICLE_ERR_IO;
    }
    return CHRONICLE_OK;
}

#define DESCRIPTOR_FIELDS(size)                                                                    \
    .struct_size = (size), .abi_version = COMPAT_ABI, .name = COMPAT_NAME, .version = "0.0.1",     \
    .summary = "ABI compatibility fixture (" COMPAT_NAME ")", .extension = "txt",                  \
    .media_type = "text/plain", .flags = CHRONICLE_PLUGIN_STDOUT_OK, .options = NULL,              \
    .export_dataset = run

#if defined(COMPAT_BIGGER)
/* What a plugin compiled against a later 1.x header looks like to this host. */
static const struct {
    chronicle_plugin base;
    const void *future_member;
} desc = {{DESCRIPTOR_FIELDS(sizeof desc)}, NULL};
#define DESC desc.base
#else
#if defined(COMPAT_TOO_SMALL)
#define COMPAT_SIZE offsetof(chronicle_plugin, export_dataset)
#else /* the 1.0 layout: everything up to and including export_dataset */
#define COMPAT_SIZE (offsetof(chronicle_plugin, export_dataset) + sizeof(void *))
#endif
static const chronicle_plugin desc = {DESCRIPTOR_FIELDS(COMPAT_SIZE)};
#define DESC desc
#endif

#if defined(COMPAT_V2_ONLY)
CHRONICLE_EXPORT const chronicle_plugin *chronicle_plugin_v2(const chronicle_host *h);
const chronicle_plugin *chronicle_plugin_v2(const chronicle_host *h)
{
    (void)h;
    return &DESC;
}
#else
CHRONICLE_PLUGIN_DEFINE(DESC)
#endif
