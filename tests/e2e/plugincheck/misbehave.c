/*
 * misbehave.c — plugins that plugin-check must fail, one source built once
 * per fault (-DPC_xxx), each otherwise a well-behaved one-line-per-event
 * exporter: it crashes, prints on standard output, keeps an event past
 * the next under ONE_EVENT (through event_at() or, -DPC_CURSORS, a cursor),
 * ignores cancellation, embeds the wall-clock time, or leaves a process
 * behind; pc_good and pc_cursors are the well-behaved ones.
 * tests/e2e/plugincheck/test_plugincheck.py checks that each fails on its own check, with a fix.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <chronicle/plugin.h>

#ifndef PC_NAME
#error "define PC_NAME"
#endif

static chronicle_status put(chronicle_job *job, const chronicle_host *h, const char *s)
{
    return h->write(job, s, strlen(s));
}

#ifndef PC_CURSORS
static chronicle_status export_lines(chronicle_job *job, const chronicle_host *h)
{
    char line[256];
    size_t n = h->event_count(job);
#ifdef PC_CLOCK
    snprintf(line, sizeof line, "generated at %lld\n", (long long)time(NULL)); /* the fault */
#else
    snprintf(line, sizeof line, "generated at %lld\n", (long long)h->timestamp(job));
#endif
    chronicle_status st = put(job, h, line);
#ifdef PC_KEEPER
    const chronicle_event *first = n ? h->event_at(job, 0) : NULL; /* kept: the fault */
#endif
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = h->event_at(job, i);
#ifdef PC_CRASH
        if (i == 1) raise(SIGSEGV);
#endif
#ifdef PC_STDOUT
        if (i == 0) printf("debug: first event %s\n", e->id.ptr);
#endif
#ifdef PC_NOCANCEL
        /* 1 ms an event past the 100th, never asking cancelled(), and
         * retrying the sleep when a signal cuts it short */
        struct timespec nap = {0, 1000000};
        while (i >= 100 && nanosleep(&nap, &nap) != 0) {
        }
#endif
        snprintf(line, sizeof line, "%.10s %.200s\n", e->date.ptr, e->title.ptr);
        st = put(job, h, line);
        h->progress(job, i + 1, n);
#ifndef PC_NOCANCEL
        if (h->cancelled(job)) return CHRONICLE_ERR_CANCELLED;
#endif
    }
#ifdef PC_KEEPER
    if (first && st == CHRONICLE_OK) {
        snprintf(line, sizeof line, "first: %.200s\n", first->title.ptr);
        st = put(job, h, line);
    }
#endif
#ifdef PC_ORPHAN
    if (fork() == 0) { /* out of the job's process group, and lingering */
        setsid();
        sleep(30);
        _exit(0);
    }
#endif
    return st;
}
#endif

#ifdef PC_CURSORS
/* The same lines read through two cursors (ABI 1.2): the titles from
 * cursor a, one event at a time, beside the id of cursor b's first event,
 * held throughout — which ONE_EVENT allows, since each cursor owns its
 * events.  PC_CURSOR_KEEPER holds a's first event instead, past a's next
 * read: the fault. */
static chronicle_status export_cursors(chronicle_job *job, const chronicle_host *h)
{
    char line[256];
    size_t n = h->event_count(job);
    chronicle_cursor *a = h->cursor_open(job), *b = h->cursor_open(job);
    chronicle_status st = a && b ? CHRONICLE_OK : CHRONICLE_ERR_NOMEM;
#ifdef PC_CURSOR_KEEPER
    const chronicle_event *held = n && a ? h->cursor_event(a, 0) : NULL;
#else
    const chronicle_event *held = n && b ? h->cursor_event(b, 0) : NULL;
#endif
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = h->cursor_event(a, i);
        snprintf(line, sizeof line, "%.10s %.200s | %.40s\n", e->date.ptr, e->title.ptr,
                 held->id.ptr);
        st = put(job, h, line);
        h->progress(job, i + 1, n);
        if (h->cancelled(job)) st = CHRONICLE_ERR_CANCELLED;
    }
    h->cursor_close(a);
    h->cursor_close(b);
    return st;
}
#endif

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
#ifdef PC_CURSORS
    .abi_version = CHRONICLE_ABI(1, 2), /* the cursors */
#else
    .abi_version = CHRONICLE_ABI(1, 1),
#endif
    .name = PC_NAME,
    .version = "1.0.0",
    .summary = "a plugin-check fixture",
    .extension = "txt",
    .media_type = "text/plain",
#ifdef PC_NOCANCEL
    .flags = CHRONICLE_PLUGIN_STDOUT_OK, /* the poisoned run would take as long again */
#else
    .flags = CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT,
#endif
    .options = NULL,
#ifdef PC_CURSORS
    .export_dataset = export_cursors,
#else
    .export_dataset = export_lines,
#endif
};
CHRONICLE_PLUGIN_DEFINE(plugin)
