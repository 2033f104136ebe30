/*
 * fixture.c — misbehaving and well-behaved plugins for the registry and
 * dispatch and memory tests, one source compiled once per behaviour
 * (-DFIXTURE_xxx).  The hostile ones play the attacker: they print from a
 * constructor or from export, leave a grandchild behind, or carry escape
 * sequences in their descriptor (tests/e2e/security).
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
#ifdef FIXTURE_ESCAPES
    /* a terminal hyperlink (OSC 8) and a bell */
    {"style",
     CHRONICLE_OPT_STRING,
     "plain",
     "see \033]8;;http://x\033\\link\033]8;;\033\\ now\x07!",
     NULL,
     1,
     0,
     {0}},
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
    snprintf(line, sizeof line,
             "events=%zu group=%s ts=%lld count=%lld colour=%s loud=%d ratio=%g\n", n,
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

#ifdef FIXTURE_GRANDCHILD
/* Writes the report, then forks a grandchild that keeps every inherited
 * descriptor, appends "LATE" to the output after 2 s and lingers 30 s more;
 * the export itself returns at once. */
static chronicle_status leave_grandchild(chronicle_job *job, const chronicle_host *h)
{
    (void)write_report;
    char path[4096];
    snprintf(path, sizeof path, "%s", h->output_path(job));
    FILE *f = fopen(path, "wb");
    if (!f) {
        h->error(job, CHRONICLE_ERR_IO, "cannot open %s", path);
        return CHRONICLE_ERR_IO;
    }
    fprintf(f, "events=%zu scratch=%d\n", h->event_count(job),
            access(h->scratch_dir(job), W_OK) == 0);
    if (fclose(f) != 0) return CHRONICLE_ERR_IO;
    fflush(NULL);
    if (fork() == 0) {
        sleep(2);
        int fd = open(path, O_WRONLY | O_APPEND);
        if (fd >= 0 && write(fd, "LATE\n", 5) == 5) close(fd);
        sleep(30);
        _exit(0);
    }
    return CHRONICLE_OK;
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
    while (!h->cancelled(job))
        pause();
    return CHRONICLE_ERR_CANCELLED;
#elif defined(FIXTURE_HALF)
    (void)write_report(job, h, 1);
    h->error(job, CHRONICLE_ERR_DATA, "gave up half-way, as this fixture always does");
    return CHRONICLE_ERR_DATA;
#elif defined(FIXTURE_NOISY)
    /* 2,000 numbered lines on standard error (more than a pipe holds), the
     * last without its newline, then the report as usual */
    for (int i = 1; i <= 2000; i++)
        fprintf(stderr,
                i < 2000 ? "noise %d of 2000 from a library\n" : "noise %d of 2000 from a library",
                i);
    fflush(stderr);
    return write_report(job, h, (size_t)-1);
#elif defined(FIXTURE_NEEDS_PATH)
    (void)write_report;
    FILE *f = fopen(h->output_path(job), "wb");
    if (!f) {
        h->error(job, CHRONICLE_ERR_IO, "cannot open %s", h->output_path(job));
        return CHRONICLE_ERR_IO;
    }
    fprintf(f, "events=%zu scratch=%d\n", h->event_count(job),
            access(h->scratch_dir(job), W_OK) == 0);
    return fclose(f) == 0 ? CHRONICLE_OK : CHRONICLE_ERR_IO;
#elif defined(FIXTURE_GRANDCHILD)
    return leave_grandchild(job, h);
#elif defined(FIXTURE_EXPORT_PRINT)
    /* a library that prints: a line, a line left in stdio's buffer, and one
     * on standard error, then the report as usual */
    printf("EXPORT-STDOUT\n");
    fputs("UNFLUSHED-STDOUT", stdout);
    fprintf(stderr, "EXPORT-STDERR\n");
    return write_report(job, h, (size_t)-1);
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

#ifdef FIXTURE_CTOR_PRINT
/* a library that greets the world when it is loaded */
__attribute__((constructor)) static void greet(void)
{
    printf("CTOR-STDOUT\n");
    fprintf(stderr, "CTOR-STDERR\n");
}
#endif

#ifdef FIXTURE_CTOR_FORK
/* leaves a process behind at load time, holding every inherited descriptor;
 * its pid goes to $CHRONICLE_TEST_PIDFILE when that is set */
__attribute__((constructor)) static void spawn(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        sleep(30);
        _exit(0);
    }
    const char *file = getenv("CHRONICLE_TEST_PIDFILE");
    FILE *f = pid > 0 && file ? fopen(file, "w") : NULL;
    if (f) {
        fprintf(f, "%ld\n", (long)pid);
        fclose(f);
    }
}
#endif

#ifdef FIXTURE_PLANTED
/* another user's code: if it is ever loaded it leaves a mark, at the path
 * in $CHRONICLE_TEST_ATTACK_MARKER */
__attribute__((constructor)) static void leave_mark(void)
{
    const char *marker = getenv("CHRONICLE_TEST_ATTACK_MARKER");
    int fd = marker ? open(marker, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    if (fd >= 0) close(fd);
}
#endif

#ifndef FIXTURE_ABI
#define FIXTURE_ABI CHRONICLE_ABI_VERSION
#endif
#ifndef FIXTURE_DECLARED_NAME
#define FIXTURE_DECLARED_NAME FIXTURE_NAME
#endif
#if defined(FIXTURE_NEEDS_PATH) || defined(FIXTURE_GRANDCHILD)
#define FIXTURE_FLAGS CHRONICLE_PLUGIN_NEEDS_PATH
#elif defined(FIXTURE_EDIT_FIRST)
#define FIXTURE_FLAGS (CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT)
#else
#define FIXTURE_FLAGS CHRONICLE_PLUGIN_STDOUT_OK
#endif

#ifdef FIXTURE_ESCAPES
/* clears the screen, forges a line, reverses the rest; paints what follows red */
#define FIXTURE_SUMMARY "\033[2J\033[HFORGED\r\nline \xe2\x80\xae reversed"
#define FIXTURE_VERSION "1.0\033[31m"
#else
#define FIXTURE_SUMMARY "test fixture (" FIXTURE_NAME ")"
#define FIXTURE_VERSION "0.0.1"
#endif

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = FIXTURE_ABI,
    .name = FIXTURE_DECLARED_NAME,
    .version = FIXTURE_VERSION,
    .summary = FIXTURE_SUMMARY,
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
