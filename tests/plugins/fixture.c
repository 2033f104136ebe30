/*
 * fixture.c — misbehaving and well-behaved plugins for the registry and
 * dispatch and memory tests, one source compiled once per behaviour
 * (-DFIXTURE_xxx).
 * Each build's file name is its FIXTURE_NAME, as the ABI requires.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <chronicle/plugin.h>

#ifndef FIXTURE_NAME
#error "define FIXTURE_NAME"
#endif

static const char *const colours[] = {"red", "green", NULL};

static const chronicle_option options[] = {
    {"count", CHRONICLE_OPT_INT, "3", "lines of padding", NULL, 0, 1000, {0}},
    {"colour", CHRONICLE_OPT_ENUM, "red", "a colour", colours, 1, 0, {0}},
    {"loud", CHRONICLE_OPT_BOOL, "false", "upper-case output", NULL, 1, 0, {0}},
    {"ratio", CHRONICLE_OPT_DOUBLE, "0.5", "a ratio", NULL, 0, 1, {0}},
#ifdef FIXTURE_BAD_OPTIONS
    {"count", CHRONICLE_OPT_INT, "x", "declared twice, bad default", NULL, 0, 10, {0}},
#endif
    {0}};

static chronicle_status put(chronicle_job *job, const chronicle_host *h, const char *s)
{
    return h->write(job, s, strlen(s));
}

/* Writes one line per event and the option values: what the tests read back. */
static chronicle_status write_report(chronicle_job *job, const chronicle_host *h, size_t upto)
{
    char line[512];
    size_t n = h->event_count(job);
    snprintf(line, sizeof line, "events=%zu group=%s ts=%lld count=%lld colour=%s loud=%d ratio=%g\n", n,
             h->group(job) ? h->group(job) : "-", (long long)h->timestamp(job),
             (long long)h->opt_int(job, "count"), h->opt_string(job, "colour"),
             h->opt_bool(job, "loud"), h->opt_double(job, "ratio"));
    if (put(job, h, line) != CHRONICLE_OK) return CHRONICLE_ERR_IO;
    for (size_t i = 0; i < n && i < upto; i++) {
        const chronicle_event *e = h->event_at(job, i);
        snprintf(line, sizeof line, "%s %s %s\n", e->date.ptr, e->id.ptr, e->country_code.ptr);
        if (put(job, h, line) != CHRONICLE_OK) return CHRONICLE_ERR_IO;
        h->progress(job, i + 1, n);
    }
    return CHRONICLE_OK;
}

#if defined(FIXTURE_EDIT_FIRST) || defined(FIXTURE_EDIT_LAST)
/* Edits the dataset file in place, keeping its size: every "id" member
 * becomes "ID", as a user saving the file during an export might. */
static chronicle_status edit_dataset(chronicle_job *job, const chronicle_host *h)
{
    const char *path = h->dataset(job)->path.ptr;
    int fd = open(path, O_RDWR);
    off_t size = fd < 0 ? -1 : lseek(fd, 0, SEEK_END);
    char *buf = size > 0 ? malloc((size_t)size) : NULL;
    int ok = buf && pread(fd, buf, (size_t)size, 0) == size;
    for (char *p = buf; ok && (p = memmem(p, (size_t)(buf + size - p), "\"id\"", 4)); p += 4)
        memcpy(p, "\"ID\"", 4);
    ok = ok && pwrite(fd, buf, (size_t)size, 0) == size;
    free(buf);
    if (fd >= 0) close(fd);
    if (ok) return CHRONICLE_OK;
    h->error(job, CHRONICLE_ERR_IO, "the fixture could not edit %s", path);
    return CHRONICLE_ERR_IO;
}
#endif

static chronicle_status run(chronicle_job *job, const chronicle_host *h)
{
#if defined(FIXTURE_CRASH)
    (void)write_report(job, h, 1);
    raise(SIGSEGV);
    return CHRONICLE_ERR_INTERNAL;
#elif defined(FIXTURE_HANG)
    (void)write_report(job, h, 1);
    while (!h->cancelled(job)) pause();
    return CHRONICLE_ERR_CANCELLED;
#elif defined(FIXTURE_HALF)
    (void)write_report(job, h, 1);
    h->error(job, CHRONICLE_ERR_DATA, "gave up half-way, as this fixture always does");
    return CHRONICLE_ERR_DATA;
#elif defined(FIXTURE_NOISY)
    /* 2,000 numbered lines on standard error (more than a pipe holds), the
     * last without its newline, then the report as usual */
    for (int i = 1; i <= 2000; i++)
        fprintf(stderr, i < 2000 ? "noise %d of 2000 from a library\n" : "noise %d of 2000 from a library", i);
    fflush(stderr);
    return write_report(job, h, (size_t)-1);
#elif defined(FIXTURE_NEEDS_PATH)
    (void)write_report;
    FILE *f = fopen(h->output_path(job), "wb");
    if (!f) {
        h->error(job, CHRONICLE_ERR_IO, "cannot open %s", h->output_path(job));
        return CHRONICLE_ERR_IO;
    }
    fprintf(f, "events=%zu scratch=%d\n", h->event_count(job), access(h->scratch_dir(job), W_OK) == 0);
    return fclose(f) == 0 ? CHRONICLE_OK : CHRONICLE_ERR_IO;
#elif defined(FIXTURE_EDIT_FIRST)
    if (edit_dataset(job, h) != CHRONICLE_OK) return CHRONICLE_ERR_IO;
    chronicle_status st = write_report(job, h, (size_t)-1);
    return h->cancelled(job) ? CHRONICLE_ERR_CANCELLED : st;
#elif defined(FIXTURE_EDIT_LAST)
    chronicle_status st = write_report(job, h, (size_t)-1);
    return st == CHRONICLE_OK ? edit_dataset(job, h) : st;
#else
    return write_report(job, h, (size_t)-1);
#endif
}

#ifdef FIXTURE_CRASH_ON_LOAD
__attribute__((constructor)) static void explode(void)
{
    raise(SIGSEGV);
}
#endif

#ifndef FIXTURE_ABI
#define FIXTURE_ABI CHRONICLE_ABI_VERSION
#endif
#ifndef FIXTURE_DECLARED_NAME
#define FIXTURE_DECLARED_NAME FIXTURE_NAME
#endif
#ifdef FIXTURE_NEEDS_PATH
#define FIXTURE_FLAGS CHRONICLE_PLUGIN_NEEDS_PATH
#elif defined(FIXTURE_EDIT_FIRST)
#define FIXTURE_FLAGS (CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT)
#else
#define FIXTURE_FLAGS CHRONICLE_PLUGIN_STDOUT_OK
#endif

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = FIXTURE_ABI,
    .name = FIXTURE_DECLARED_NAME,
    .version = "0.0.1",
    .summary = "test fixture (" FIXTURE_NAME ")",
    .extension = "fix",
    .media_type = "text/plain",
    .flags = FIXTURE_FLAGS,
    .options = options,
    .export_dataset = run,
};

#if defined(FIXTURE_NO_SYMBOL)
CHRONICLE_EXPORT const chronicle_plugin *not_the_entry(void);
const chronicle_plugin *not_the_entry(void)
{
    return &plugin;
}
#elif defined(FIXTURE_V2_SYMBOL)
CHRONICLE_EXPORT const chronicle_plugin *chronicle_plugin_v2(const chronicle_host *h);
const chronicle_plugin *chronicle_plugin_v2(const chronicle_host *h)
{
    (void)h;
    return &plugin;
}
#elif defined(FIXTURE_REFUSE)
CHRONICLE_EXPORT const chronicle_plugin *chronicle_plugin_v1(const chronicle_host *h);
const chronicle_plugin *chronicle_plugin_v1(const chronicle_host *h)
{
    (void)h;
    return NULL;
}
#else
CHRONICLE_PLUGIN_DEFINE(plugin)
#endif
