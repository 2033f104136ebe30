/*
 * plugincheck.c — the conformance suite of chronicle/plugincheck.h.
 * The plugin is found and probed as `chronicle plugins` does; every other
 * check is a child process of this one that exports through chronicle__export_run()
 * (registry, chronicle__plugin_load, dispatcher: the real path, with plugin-check's
 * host modes where a check needs them) and sends one report back.  The
 * child is a subreaper, so a process the plugin left behind, even one that
 * left its process group, is found, named and killed there.
 */
#define _GNU_SOURCE /* pipe2, strsignal-free signal names via chronicle__signal_name() */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "chronicle/dataset.h"
#include "chronicle/plugincheck.h"
#include "dispatch_internal.h"
#include "generate.h"
#include "registry_internal.h"
#include "struct_size.h"

static const struct {
    const char *id, *summary;
} checks[] = {
    {"load", "found and loaded under the directory and file rules"},
    {"descriptor", "descriptor and option table well formed"},
    {"options", "every option's default and bounds accepted; out-of-range values refused"},
    {"export-default", "exports the default dataset"},
    {"export-empty", "exports an empty selection"},
    {"export-split", "exports each group of --split-by country"},
    {"export-generated", "exports a generated dataset (10,000 events unless --events)"},
    {"export-unicode", "exports the Unicode torture set"},
    {"deterministic", "two runs under one SOURCE_DATE_EPOCH give identical bytes"},
    {"cancel", "a cancellation is honoured within a second"},
    {"one-event", "with ONE_EVENT, keeps no event past the next event_at()"},
    {"quiet", "prints nothing on standard output or error outside log() and error()"},
    {"processes", "leaves no process behind"},
};
#define N_CHECKS (sizeof checks / sizeof checks[0])

size_t chronicle_plugin_check_count(void)
{
    return N_CHECKS;
}

const char *chronicle_plugin_check_id(size_t i)
{
    return i < N_CHECKS ? checks[i].id : NULL;
}

const char *chronicle_plugin_check_summary(size_t i)
{
    return i < N_CHECKS ? checks[i].summary : NULL;
}

/* ---- what a check child sends back: plain data, one write ---- */

typedef struct report {
    chronicle_check_outcome outcome;
    char reason[1024], fix[1024];
    double seconds;
    long n_events;
    size_t n_noise;     /* lines printed on standard output or error */
    char noise[512];    /* the first of them, with the run it came from */
    size_t n_leftover;  /* processes left behind */
    char leftover[256]; /* the first one's name */
} report;

typedef struct suite {
    const chronicle_check_request *req;
    char *scratch; /* private directory, removed at the end */
    char *dir;     /* the plugin's directory, for --plugin-path */
    char *name;    /* NAME of NAME.so */
    chronicle_registry *reg;
    chronicle_plugin_info *info;
    char *generated; /* the generated dataset, made when first needed */
    size_t n_generated;
    size_t n_runs; /* output directories made so far */
    size_t n_failed;
    report total; /* noise and leftovers over every check */
} suite;

static void sayf(char *buf, size_t size, const char *fmt, ...) CHRONICLE_PRINTF(3, 4);
static void sayf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, size, fmt, ap);
    va_end(ap);
}

#define SAY(field, ...) sayf((field), sizeof(field), __VA_ARGS__)

static void emit(suite *s, const char *id, chronicle_check_outcome o, const char *reason,
                 const char *fix, double seconds, long peak_kib, long n_events)
{
    if (o == CHRONICLE_CHECK_FAIL) s->n_failed++;
    chronicle_check_result r = {id,      o,        reason,  o == CHRONICLE_CHECK_FAIL ? fix : NULL,
                                seconds, peak_kib, n_events};
    if (s->req->result) s->req->result(s->req->ctx, &r);
}

/* ---- one export, in the check child ---- */

typedef struct run {
    const char *dataset_label; /* "the default dataset" */
    char error[512];           /* the job's first error, or a refusal before it ran */
    char tag[256];             /* the first CHECK_TAG message */
    char noise[512];
    size_t n_noise;
    int crashed, timed_out;
    double seconds;
    long n_events;
} run;

static void on_message(void *ctx, const chronicle_job_status *job, int is_error,
                       chronicle_log_level level, const char *text)
{
    run *r = ctx;
    (void)job, (void)level;
    if (!strncmp(text, CHECK_TAG, strlen(CHECK_TAG))) {
        if (!r->tag[0]) SAY(r->tag, "%s", text + strlen(CHECK_TAG));
        if (!is_error) return;
    }
    if (!is_error &&
        (!strncmp(text, "on standard output: ", 20) || !strncmp(text, "on standard error: ", 19))) {
        if (!r->n_noise++) SAY(r->noise, "%s", text);
        return;
    }
    if (!is_error) return;
    if (strstr(text, "killed by signal")) r->crashed = 1;
    if (strstr(text, "did not finish within")) r->timed_out = 1;
    /* a crash outranks the "failed without saying why" that may come first */
    if (!r->error[0] || r->crashed || r->timed_out) SAY(r->error, "%s", text);
}

static void on_progress(void *ctx, const chronicle_job_status *jobs, size_t n)
{
    run *r = ctx;
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += jobs[i].seconds;
    r->seconds = total;
}

/* A fresh output directory under the scratch area. */
static char *out_dir(suite *s, const char *what)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%s/%02zu-%s/", s->scratch, ++s->n_runs, what);
    return chronicle_buf_steal(&b);
}

typedef struct run_opts {
    const char *dataset;
    const chronicle_filter *filter;
    chronicle_split_key split;
    const char *const *options;
    size_t n_options;
    unsigned check; /* CHECK_* */
    const char *out;
} run_opts;

static chronicle_status export_once(suite *s, const run_opts *o, run *r)
{
    chronicle_diag *d = chronicle_diag_new(20);
    chronicle_dataset *ds = NULL;
    chronicle_load_opts lo = {0};
    chronicle_status st = chronicle_dataset_load(o->dataset, &lo, &ds, d);
    if (st != CHRONICLE_OK) {
        chronicle_buf line = CHRONICLE_BUF_INIT;
        if (chronicle_diag_count(d)) chronicle_diag_format(chronicle_diag_at(d, 0), &line);
        SAY(r->error, "cannot load %s: %s", o->dataset, chronicle_buf_cstr(&line));
        chronicle_buf_free(&line);
        chronicle_diag_free(d);
        return st;
    }
    const char *formats[] = {s->name};
    chronicle_export_request req = {.ds = ds,
                                    .registry = s->reg,
                                    .formats = formats,
                                    .n_formats = 1,
                                    .output = o->out,
                                    .options = o->options,
                                    .n_options = o->n_options,
                                    .filter = o->filter,
                                    .split = o->split,
                                    .jobs = 1,
                                    .timeout = s->req->timeout > 0 ? s->req->timeout : 60,
                                    .timestamp = s->req->timestamp,
                                    .hooks = {r, on_message, on_progress}};
    const chronicle_event **ev = NULL;
    size_t n = 0;
    if (chronicle__dataset_select(ds, o->filter, &ev, &n) == CHRONICLE_OK) r->n_events = (long)n;
    free((void *)ev);
    st = chronicle__export_run(&req, o->check | CHECK_THREAD, d);
    if (st != CHRONICLE_OK && !r->error[0] && chronicle_diag_count(d)) {
        chronicle_buf line = CHRONICLE_BUF_INIT;
        chronicle_diag_format(chronicle_diag_at(d, 0), &line);
        SAY(r->error, "%s", chronicle_buf_cstr(&line));
        chronicle_buf_free(&line);
    }
    chronicle_dataset_free(ds);
    chronicle_diag_free(d);
    return st;
}

/* Names, kills and reaps what the plugin left behind: this process is a
 * subreaper, so even a process that left its group is a child of ours. */
static void sweep_leftovers(report *rep)
{
    while (waitpid(-1, NULL, WNOHANG) > 0) {
    }
    DIR *d = opendir("/proc");
    struct dirent *e;
    pid_t self = getpid();
    while (d && (e = readdir(d))) {
        char path[300], stat[512];
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        FILE *f = fopen(path, "r");
        size_t len = f ? fread(stat, 1, sizeof stat - 1, f) : 0;
        if (f) fclose(f);
        stat[len] = '\0';
        char *close_paren = strrchr(stat, ')'), *open_paren = strchr(stat, '(');
        int ppid = 0;
        char state = 0;
        if (!close_paren || !open_paren || sscanf(close_paren + 2, "%c %d", &state, &ppid) != 2)
            continue;
        if (ppid != self || state == 'Z') continue;
        if (!rep->n_leftover++)
            SAY(rep->leftover, "pid %s, named %.*s", e->d_name, (int)(close_paren - open_paren - 1),
                open_paren + 1);
        kill((pid_t)atoi(e->d_name), SIGKILL);
    }
    if (d) closedir(d);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }
}

static const char *fix_for(const suite *s, const run *r, const char *dataset)
{
    static char fix[1024];
    if (r->crashed)
        SAY(fix,
            "reproduce it under a debugger or AddressSanitizer: chronicle export -f %s "
            "--plugin-path %s -o /tmp/out %s",
            s->name, s->dir, dataset);
    else if (r->timed_out)
        SAY(fix, "find what is slow (chronicle export -v shows progress), and check "
                 "host->cancelled() in long loops so that --timeout can stop it");
    else if (strstr(r->tag, "thread:") || strstr(r->error, "thread:"))
        SAY(fix, "call event_at() and write() only from the thread that entered export_dataset "
                 "(another thread reads events through its own cursor_open(), ABI 1.2)");
    else
        SAY(fix,
            "this dataset is valid (formats/events-v1.md): export it, or log() a warning "
            "about what your format cannot hold and carry on; reproduce with: chronicle "
            "export -f %s --plugin-path %s -o /tmp/out %s",
            s->name, s->dir, dataset);
    return fix;
}

/* The common verdict of one export that must succeed. */
static void judge(suite *s, const run_opts *o, const run *r, chronicle_status st, report *rep)
{
    rep->seconds = r->seconds;
    rep->n_events = r->n_events;
    rep->n_noise = r->n_noise;
    SAY(rep->noise, "%s", r->noise);
    if (st == CHRONICLE_OK) {
        rep->outcome = CHRONICLE_CHECK_PASS;
        SAY(rep->reason, "%ld event%s exported from %s", r->n_events, r->n_events == 1 ? "" : "s",
            r->dataset_label);
        return;
    }
    rep->outcome = CHRONICLE_CHECK_FAIL;
    SAY(rep->reason, "%s: %s", r->dataset_label, r->error[0] ? r->error : chronicle_strerror(st));
    SAY(rep->fix, "%s", fix_for(s, r, o->dataset));
}

/* ---- the checks that export (each runs in a child) ---- */

typedef void (*check_fn)(suite *s, report *rep);

static void export_check(suite *s, report *rep, const char *dataset, const char *label,
                         const chronicle_filter *filter, chronicle_split_key split)
{
    char *out = out_dir(s, "export");
    run r = {.dataset_label = label};
    run_opts o = {.dataset = dataset, .filter = filter, .split = split, .out = out};
    chronicle_status st = export_once(s, &o, &r);
    judge(s, &o, &r, st, rep);
    free(out);
}

static void check_default(suite *s, report *rep)
{
    export_check(s, rep, s->req->dataset, "the default dataset", NULL, CHRONICLE_SPLIT_NONE);
}

static void check_empty(suite *s, report *rep)
{
    chronicle_filter none = {.since = 99991231}; /* nothing happens after 9999-12-31 */
    export_check(s, rep, s->req->dataset, "an empty selection (--since 9999-12-31)", &none,
                 CHRONICLE_SPLIT_NONE);
}

static void check_split(suite *s, report *rep)
{
    export_check(s, rep, s->req->dataset, "the default dataset, --split-by country", NULL,
                 CHRONICLE_SPLIT_COUNTRY);
}

static void check_generated(suite *s, report *rep)
{
    char label[64];
    SAY(label, "a generated dataset of %zu events", s->n_generated);
    export_check(s, rep, s->generated, label, NULL, CHRONICLE_SPLIT_NONE);
}

static void check_unicode(suite *s, report *rep)
{
    export_check(s, rep, s->req->unicode_dataset, "the Unicode torture set", NULL,
                 CHRONICLE_SPLIT_NONE);
}

/* ---- options: every declared value that must pass, and a few that must not ---- */

typedef struct trial {
    char arg[300]; /* NAME.key=value */
    int must_pass;
} trial;

static size_t add_trial(trial *t, size_t n, size_t cap, const suite *s, const char *key,
                        const char *value, int must_pass)
{
    if (n >= cap) return n;
    SAY(t[n].arg, "%s.%s=%s", s->name, key, value);
    t[n].must_pass = must_pass;
    return n + 1;
}

static size_t plan_trials(const suite *s, trial *t, size_t cap)
{
    size_t n = 0;
    for (size_t i = 0; i < s->info->n_options; i++) {
        const chronicle_option_info *o = &s->info->options[i];
        char v[64];
        int bounded = o->min <= o->max && fabs(o->max) < 9e15 && fabs(o->min) < 9e15;
        switch (o->type) {
        case CHRONICLE_OPT_BOOL:
            n = add_trial(t, n, cap, s, o->name, "true", 1);
            n = add_trial(t, n, cap, s, o->name, "false", 1);
            n = add_trial(t, n, cap, s, o->name, "maybe", 0);
            break;
        case CHRONICLE_OPT_INT:
        case CHRONICLE_OPT_DOUBLE:
            if (!bounded) break;
            SAY(v, "%.17g", o->min);
            n = add_trial(t, n, cap, s, o->name, v, 1);
            SAY(v, "%.17g", o->max);
            if (o->max != o->min) n = add_trial(t, n, cap, s, o->name, v, 1);
            SAY(v, "%.17g", o->max + fabs(o->max) + 1);
            n = add_trial(t, n, cap, s, o->name, v, 0);
            SAY(v, "%.17g", o->min - fabs(o->min) - 1);
            n = add_trial(t, n, cap, s, o->name, v, 0);
            break;
        case CHRONICLE_OPT_ENUM:
            for (char **c = o->choices; c && *c; c++)
                n = add_trial(t, n, cap, s, o->name, *c, 1);
            n = add_trial(t, n, cap, s, o->name, "no-such-choice", 0);
            break;
        default: /* STRING, PATH: the default, run by every other check */
            break;
        }
    }
    return n;
}

static void check_options(suite *s, report *rep)
{
    enum { CAP = 200 };
    trial *t = calloc(CAP, sizeof *t);
    size_t n = t ? plan_trials(s, t, CAP) : 0, passed = 0, refused = 0;
    rep->outcome = CHRONICLE_CHECK_PASS;
    for (size_t i = 0; i < n && rep->outcome == CHRONICLE_CHECK_PASS; i++) {
        const char *opts[] = {t[i].arg};
        char *out = out_dir(s, "option");
        char label[400];
        SAY(label, "the default dataset with -O %s", t[i].arg);
        run r = {.dataset_label = label};
        run_opts o = {.dataset = s->req->dataset, .options = opts, .n_options = 1, .out = out};
        chronicle_status st = export_once(s, &o, &r);
        rep->seconds += r.seconds;
        if (!rep->n_noise && r.n_noise) SAY(rep->noise, "%s", r.noise);
        rep->n_noise += r.n_noise;
        if (t[i].must_pass && st != CHRONICLE_OK) {
            judge(s, &o, &r, st, rep);
            if (st == CHRONICLE_ERR_OPTION)
                SAY(rep->fix, "the host refused a value the option table declares valid: "
                              "check the declared bounds and choices");
        } else if (!t[i].must_pass && st != CHRONICLE_ERR_OPTION) {
            rep->outcome = CHRONICLE_CHECK_FAIL;
            SAY(rep->reason, "-O %s was not refused before the export ran (%s)", t[i].arg,
                st == CHRONICLE_OK ? "it ran" : chronicle_strerror(st));
            SAY(rep->fix, "declare the option's type, bounds (min <= max) and choices so the "
                          "host can check values for you");
        } else {
            t[i].must_pass ? passed++ : refused++;
        }
        free(out);
    }
    if (rep->outcome == CHRONICLE_CHECK_PASS)
        SAY(rep->reason,
            "%zu option%s: %zu declared value%s exported, %zu out-of-range value%s "
            "refused",
            s->info->n_options, s->info->n_options == 1 ? "" : "s", passed, passed == 1 ? "" : "s",
            refused, refused == 1 ? "" : "s");
    rep->n_events = -1;
    free(t);
}

/* ---- determinism: two runs in different wall-clock seconds ---- */

static int read_file(const char *path, chronicle_buf *b)
{
    FILE *f = fopen(path, "rb");
    char chunk[65536];
    size_t n;
    if (!f) return 0;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        chronicle_buf_append(b, chunk, n);
    int ok = !ferror(f);
    fclose(f);
    return ok;
}

/* The first output file in dir (an export writes one): its name into name. */
static int only_file(const char *dir, char *name, size_t size)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    int found = 0;
    while (d && (e = readdir(d)))
        if (e->d_name[0] != '.' && !found) found = (snprintf(name, size, "%s", e->d_name), 1);
    if (d) closedir(d);
    return found;
}

static size_t first_difference(const chronicle_buf *a, const chronicle_buf *b)
{
    size_t n = a->len < b->len ? a->len : b->len, i = 0;
    while (i < n && a->ptr[i] == b->ptr[i])
        i++;
    return i;
}

static void check_deterministic(suite *s, report *rep)
{
    char *dirs[2] = {out_dir(s, "again"), out_dir(s, "again")};
    chronicle_buf bytes[2] = {CHRONICLE_BUF_INIT, CHRONICLE_BUF_INIT};
    char names[2][256] = {"", ""};
    for (int k = 0; k < 2; k++) {
        if (k) { /* the next wall-clock second, so time() differs */
            struct timespec now;
            clock_gettime(CLOCK_REALTIME, &now);
            struct timespec nap = {0, 1000000000L - now.tv_nsec + 20000000L};
            if (nap.tv_nsec >= 1000000000L) nap.tv_sec = 1, nap.tv_nsec -= 1000000000L;
            nanosleep(&nap, NULL);
        }
        run r = {.dataset_label = "the default dataset"};
        run_opts o = {.dataset = s->req->dataset, .out = dirs[k]};
        chronicle_status st = export_once(s, &o, &r);
        rep->seconds = r.seconds;
        if (!rep->n_noise && r.n_noise) SAY(rep->noise, "%s", r.noise);
        rep->n_noise += r.n_noise;
        if (st != CHRONICLE_OK) {
            judge(s, &o, &r, st, rep);
            goto out;
        }
        char path[4096];
        if (!only_file(dirs[k], names[k], sizeof names[k])) continue;
        snprintf(path, sizeof path, "%s%s", dirs[k], names[k]);
        read_file(path, &bytes[k]);
    }
    size_t at = first_difference(&bytes[0], &bytes[1]);
    if (bytes[0].len == bytes[1].len && at == bytes[0].len) {
        rep->outcome = CHRONICLE_CHECK_PASS;
        SAY(rep->reason, "two runs a second apart wrote the same %zu bytes", bytes[0].len);
    } else {
        rep->outcome = CHRONICLE_CHECK_FAIL;
        size_t from = at > 16 ? at - 16 : 0, len = 40;
        chronicle_buf ctx = CHRONICLE_BUF_INIT;
        for (size_t i = from; i < from + len && i < bytes[0].len; i++) {
            unsigned char c = (unsigned char)bytes[0].ptr[i];
            chronicle_buf_appendf(&ctx, c >= 0x20 && c < 0x7f && c != '\\' ? "%c" : "\\x%02x", c);
        }
        SAY(rep->reason,
            "two runs under SOURCE_DATE_EPOCH=%lld differ at byte %zu of %zu/%zu "
            "(first run: \"%s\")",
            (long long)s->req->timestamp, at, bytes[0].len, bytes[1].len, chronicle_buf_cstr(&ctx));
        SAY(rep->fix, "take the date from host->timestamp(), never time() or the clock; leave "
                      "out anything else that changes between runs (process ids, temporary names, "
                      "addresses, hash order)");
        chronicle_buf_free(&ctx);
    }
out:
    rep->n_events = -1;
    for (int k = 0; k < 2; k++)
        free(dirs[k]), chronicle_buf_free(&bytes[k]);
}

/* ---- cancellation and ONE_EVENT: the host's check modes ---- */

static void check_cancel(suite *s, report *rep)
{
    char *out = out_dir(s, "cancel");
    run r = {.dataset_label = "the generated dataset"};
    run_opts o = {.dataset = s->generated, .check = CHECK_CANCEL, .out = out};
    export_once(s, &o, &r);
    rep->n_noise = r.n_noise;
    SAY(rep->noise, "%s", r.noise);
    rep->n_events = -1;
    int st_code = 0;
    double secs = 0;
    if (sscanf(r.tag, "cancel: returned %d after %lf s", &st_code, &secs) == 2) {
        rep->outcome = CHRONICLE_CHECK_PASS;
        SAY(rep->reason,
            "cancelled at the first event_at(), cursor_event(), write() or progress(): "
            "export_dataset "
            "returned %s %.3f s later",
            st_code == CHRONICLE_ERR_CANCELLED ? "CHRONICLE_ERR_CANCELLED"
                                               : chronicle_strerror((chronicle_status)st_code),
            secs);
    } else if (!strcmp(r.tag, "cancel: not exercised")) {
        rep->outcome = CHRONICLE_CHECK_SKIP;
        SAY(rep->reason,
            "not exercised: the plugin called none of event_at(), cursor_event(), write() and "
            "progress()");
    } else if (strstr(r.tag, "did not return within 1 s") || strstr(r.error, "did not return")) {
        rep->outcome = CHRONICLE_CHECK_FAIL;
        SAY(rep->reason, "export_dataset went on for more than 1 s after cancelled() turned "
                         "true (it was stopped)");
        SAY(rep->fix, "check host->cancelled() in every loop (after each event is fine) and "
                      "return CHRONICLE_ERR_CANCELLED when it is non-zero; a blocking call "
                      "returns EINTR on SIGTERM, so do not retry it after a cancellation");
    } else {
        judge(s, &o, &r, CHRONICLE_ERR_PLUGIN, rep);
    }
    free(out);
}

static void check_one_event(suite *s, report *rep)
{
    char *out = out_dir(s, "one-event");
    run r = {.dataset_label = "the generated dataset, each event poisoned when the next is read"};
    run_opts o = {.dataset = s->generated, .check = CHECK_POISON, .out = out};
    chronicle_status st = export_once(s, &o, &r);
    judge(s, &o, &r, st, rep);
    if (rep->outcome == CHRONICLE_CHECK_PASS) {
        SAY(rep->reason,
            "%ld events read, each poisoned when the next was read (per cursor); "
            "nothing read one after its time",
            r.n_events);
    } else if (r.crashed) {
        SAY(rep->reason,
            "declares CHRONICLE_PLUGIN_ONE_EVENT but read an event after the next "
            "event_at() (or the next cursor_event() of its cursor): %s",
            r.error);
        SAY(rep->fix, "copy what you keep from an event (a title for a contents list, a tag) "
                      "before the next event_at() or, for an event of a cursor, that cursor's "
                      "next cursor_event(), or drop CHRONICLE_PLUGIN_ONE_EVENT from flags; "
                      "the test kit (chronicle-plugintest) crashes at the very line that reads it");
    }
    free(out);
}

/* ---- running a check in a child ---- */

static int read_report(int fd, pid_t pid, report *rep, struct rusage *ru)
{
    size_t got = 0;
    int status = 0, reaped = 0;
    while (!reaped) {
        struct pollfd p = {fd, POLLIN, 0};
        poll(&p, 1, 100);
        for (;;) {
            ssize_t n = got < sizeof *rep ? read(fd, (char *)rep + got, sizeof *rep - got) : 0;
            if (n > 0) {
                got += (size_t)n;
                continue;
            }
            break;
        }
        pid_t w = wait4(pid, &status, WNOHANG, ru);
        reaped = w == pid;
    }
    for (ssize_t n; got < sizeof *rep && (n = read(fd, (char *)rep + got, sizeof *rep - got)) > 0;)
        got += (size_t)n;
    if (got == sizeof *rep) return 1;
    memset(rep, 0, sizeof *rep);
    rep->outcome = CHRONICLE_CHECK_FAIL;
    if (WIFSIGNALED(status))
        SAY(rep->reason, "the check's own process died (%s)",
            chronicle__signal_name(WTERMSIG(status)));
    else
        SAY(rep->reason, "the check's own process ended without a report");
    SAY(rep->fix, "this is a bug in plugin-check; please report it");
    return 0;
}

static void run_check(suite *s, size_t index, check_fn fn)
{
    report rep;
    memset(&rep, 0, sizeof rep);
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    int fds[2];
    pid_t pid = -1;
    fflush(NULL);
    if (pipe2(fds, O_CLOEXEC) == 0 && (pid = fork()) == 0) {
        close(fds[0]);
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        prctl(PR_SET_CHILD_SUBREAPER, 1);
        fn(s, &rep);
        sweep_leftovers(&rep);
        ssize_t n = write(fds[1], &rep, sizeof rep);
        _exit(n == (ssize_t)sizeof rep ? 0 : 1);
    }
    if (pid < 0) {
        rep.outcome = CHRONICLE_CHECK_FAIL;
        SAY(rep.reason, "cannot start the check: %s", strerror(errno));
        SAY(rep.fix, "free some memory or processes and run plugin-check again");
    } else {
        close(fds[1]);
        fcntl(fds[0], F_SETFL, O_NONBLOCK);
        read_report(fds[0], pid, &rep, &ru);
        close(fds[0]);
    }
    if (rep.n_noise && !s->total.n_noise)
        SAY(s->total.noise, "%s: %s", checks[index].id, rep.noise);
    s->total.n_noise += rep.n_noise;
    if (rep.n_leftover && !s->total.n_leftover)
        SAY(s->total.leftover, "%s, after %s", rep.leftover, checks[index].id);
    s->total.n_leftover += rep.n_leftover;
    int measured = rep.n_events >= 0;
    emit(s, checks[index].id, rep.outcome, rep.reason, rep.fix, measured ? rep.seconds : -1,
         measured ? ru.ru_maxrss : -1, rep.n_events);
}

/* ---- load and descriptor: the probe ---- */

static int name_ok(const char *s, size_t n)
{
    if (!n) return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return 0;
    return 1;
}

static int is_descriptor_reason(const char *why)
{
    return !strncmp(why, "malformed", 9) || !strncmp(why, "declares the name", 17);
}

/* Lint beyond what the host refuses: what makes `chronicle plugins` useful. */
static void lint_descriptor(const chronicle_plugin_info *p, char *why, size_t size)
{
    why[0] = '\0';
    if (!p->summary || !*p->summary)
        sayf(why, size, "the summary is empty (it is what `chronicle plugins` lists)");
    else if (!p->media_type || !*p->media_type)
        sayf(why, size, "no media_type (shown by `chronicle plugins %s`)", p->name);
    else if (!(p->flags & (CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_NEEDS_PATH)))
        sayf(why, size,
             "flags name no output route (STDOUT_OK for write(), NEEDS_PATH for "
             "output_path())");
    for (size_t i = 0; !why[0] && i < p->n_options; i++)
        if (!p->options[i].help || !*p->options[i].help)
            sayf(why, size, "option \"%s\" has no help text", p->options[i].name);
}

static int check_load(suite *s)
{
    const char *path = s->req->plugin, *slash = strrchr(path, '/');
    const char *base = slash ? slash + 1 : path;
    size_t blen = strlen(base);
    char why[1024];
    if (blen < 4 || strcmp(base + blen - 3, ".so") || !name_ok(base, blen - 3)) {
        SAY(why, "%s is not named NAME.so with NAME of a-z, 0-9, _ and -", base);
        emit(s, "load", CHRONICLE_CHECK_FAIL, why,
             "rename the file after the plugin: its name is the file's base name", -1, -1, -1);
        return 0;
    }
    s->name = strndup(base, blen - 3);
    s->dir =
        slash ? strndup(path, (size_t)(slash - path) ? (size_t)(slash - path) : 1) : strdup(".");
    const char *dirs[] = {s->dir};
    chronicle_registry_opts ro = {.dirs = dirs, .n_dirs = 1, .no_env = 1};
    if (!s->name || !s->dir || chronicle_registry_new(&ro, &s->reg) != CHRONICLE_OK) return -1;
    s->info = chronicle_registry_find(s->reg, s->name);
    if (!s->info || strcmp(chronicle_registry_dir(s->reg, 0), s->dir) != 0) {
        /* the registry resolves the directory; the first one found must be ours */
    }
    if (!s->info) {
        SAY(why, "%s is not found in %s", base, s->dir);
        emit(s, "load", CHRONICLE_CHECK_FAIL, why, "give the path of an existing NAME.so file", -1,
             -1, -1);
        return 0;
    }
    chronicle_registry_probe(s->reg, s->info);
    if (s->info->load_output) {
        s->total.n_noise++;
        SAY(s->total.noise, "while loading: %s", s->info->load_output);
    }
    if (s->info->broken && !is_descriptor_reason(s->info->reason)) {
        emit(s, "load", CHRONICLE_CHECK_FAIL, s->info->reason,
             "the message says what to change; see \"Refusals and errors\" in the plugin guide "
             "(chronicle-plugin(7))",
             -1, -1, -1);
        return 0;
    }
    SAY(why, "%s loads from %s (plugin ABI %u.%u)", s->name, s->info->path,
        CHRONICLE_ABI_MAJOR_OF(s->info->abi_version), CHRONICLE_ABI_MINOR_OF(s->info->abi_version));
    emit(s, "load", CHRONICLE_CHECK_PASS, s->info->broken ? "the file loads" : why, NULL, -1, -1,
         -1);
    if (s->info->broken) {
        emit(s, "descriptor", CHRONICLE_CHECK_FAIL, s->info->reason,
             "fix the descriptor or option table as the message says (plugin.h documents every "
             "member)",
             -1, -1, -1);
        return 0;
    }
    lint_descriptor(s->info, why, sizeof why);
    if (why[0]) {
        emit(s, "descriptor", CHRONICLE_CHECK_FAIL, why,
             "fill it in: users see it in `chronicle plugins`", -1, -1, -1);
    } else {
        SAY(why, "%s %s, .%s, %zu option%s, flags%s%s%s", s->info->name, s->info->version,
            s->info->extension, s->info->n_options, s->info->n_options == 1 ? "" : "s",
            s->info->flags & CHRONICLE_PLUGIN_STDOUT_OK ? " stdout" : "",
            s->info->flags & CHRONICLE_PLUGIN_NEEDS_PATH ? " needs-path" : "",
            s->info->flags & CHRONICLE_PLUGIN_ONE_EVENT ? " one-event" : "");
        emit(s, "descriptor", CHRONICLE_CHECK_PASS, why, NULL, -1, -1, -1);
    }
    return 1;
}

/* ---- the suite ---- */

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)flag, (void)ftw;
    remove(path);
    return 0;
}

static chronicle_status make_generated(suite *s)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%s/generated.json", s->scratch);
    if (!(s->generated = chronicle_buf_steal(&b))) return CHRONICLE_ERR_NOMEM;
    FILE *f = fopen(s->generated, "wb");
    chronicle_status st = f ? chronicle__generate_dataset(f, s->n_generated, 1) : CHRONICLE_ERR_IO;
    if (f && fclose(f) != 0) st = CHRONICLE_ERR_IO;
    return st;
}

static void skip_rest(suite *s, size_t from, const char *why)
{
    for (size_t i = from; i < N_CHECKS; i++)
        emit(s, checks[i].id, CHRONICLE_CHECK_SKIP, why, NULL, -1, -1, -1);
}

static void aggregate(suite *s)
{
    char why[1024];
    if (s->total.n_noise) {
        SAY(why, "%zu line%s on standard output or error, the first from %s", s->total.n_noise,
            s->total.n_noise == 1 ? "" : "s", s->total.noise);
        emit(s, "quiet", CHRONICLE_CHECK_FAIL, why,
             "say it with host->log() or host->error(); silence libraries that print (most have "
             "an error callback or a quiet flag), and never printf() in a plugin",
             -1, -1, -1);
    } else {
        emit(s, "quiet", CHRONICLE_CHECK_PASS,
             "nothing printed on standard output or error in any run", NULL, -1, -1, -1);
    }
}

static void processes(suite *s)
{
    char why[512];
    if (s->total.n_leftover) {
        SAY(why, "%zu process%s outlived the export, the first %s", s->total.n_leftover,
            s->total.n_leftover == 1 ? "" : "es", s->total.leftover);
        emit(s, "processes", CHRONICLE_CHECK_FAIL, why,
             "wait for every process you start before export_dataset returns, and never "
             "setsid() or daemonise: the host ends a job's process group, not what left it",
             -1, -1, -1);
    } else {
        emit(s, "processes", CHRONICLE_CHECK_PASS, "no process outlived any export", NULL, -1, -1,
             -1);
    }
}

chronicle_status chronicle_plugin_check(const chronicle_check_request *req, size_t *n_failed,
                                        chronicle_diag *diag)
{
    chronicle_check_request own;
    CHRONICLE__STRUCT_READ(chronicle_check_request, &own, req);
    req = &own;
    suite s = {.req = req, .n_generated = req->n_generated ? req->n_generated : 10000};
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    *n_failed = 0;
    const char *tmp = getenv("TMPDIR");
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%s/chronicle-check-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    if (!(s.scratch = chronicle_buf_steal(&b))) goto out;
    if (!mkdtemp(s.scratch)) {
        chronicle_diag_add_coded(diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, NULL, 0, 0, NULL,
                                 "cannot make a scratch directory %s: %s", s.scratch,
                                 strerror(errno));
        free(s.scratch);
        s.scratch = NULL;
        st = CHRONICLE_ERR_IO;
        goto out;
    }
    int loaded = check_load(&s);
    if (loaded < 0) goto out;
    if (!loaded) {
        skip_rest(&s, s.n_failed && !s.info ? 1 : 2, "skipped: the plugin does not load");
        st = CHRONICLE_OK;
        goto out;
    }
    if ((st = make_generated(&s)) != CHRONICLE_OK) {
        chronicle_diag_add_coded(diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, NULL, 0, 0, NULL,
                                 "cannot write the generated dataset %s", s.generated);
        goto out;
    }
    static const check_fn fns[] = {check_options, check_default,   check_empty,
                                   check_split,   check_generated, check_unicode};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        if (fns[i] == check_unicode && !req->unicode_dataset)
            emit(&s, "export-unicode", CHRONICLE_CHECK_SKIP, "no Unicode torture set installed",
                 NULL, -1, -1, -1);
        else
            run_check(&s, 2 + i, fns[i]);
    }
    run_check(&s, 8, check_deterministic);
    run_check(&s, 9, check_cancel);
    if (s.info->flags & CHRONICLE_PLUGIN_ONE_EVENT)
        run_check(&s, 10, check_one_event);
    else
        emit(&s, "one-event", CHRONICLE_CHECK_SKIP,
             "not declared: the plugin keeps events (no CHRONICLE_PLUGIN_ONE_EVENT)", NULL, -1, -1,
             -1);
    aggregate(&s);
    processes(&s);
    st = CHRONICLE_OK;
out:
    *n_failed = s.n_failed;
    if (s.scratch) nftw(s.scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(s.scratch);
    free(s.generated);
    free(s.dir);
    free(s.name);
    chronicle_registry_free(s.reg);
    return st;
}
