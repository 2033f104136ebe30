/*
 * dispatch.c — runs planned jobs in child processes, up to N at once.
 * The dataset is shared copy-on-write by fork(); each child loads its own
 * plugin, so a crash, a hang or a failure stays in that child.  The parent
 * multiplexes the children's message pipes with poll(), enforces timeouts,
 * commits complete outputs and discards everything else.  A child's
 * standard error is a pipe too: what a plugin or its libraries print there
 * (libxlsxwriter's "[ERROR]" lines, a sanitizer's report) comes out as the
 * job's warnings, in order with its messages, and never through the
 * progress display.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatch_internal.h"
#include "registry_internal.h"

typedef struct run {
    chronicle_job *job;
    chronicle_job_status status;
    pid_t pid;
    int fd;     /* read end of the message pipe */
    int err_fd; /* read end of the child's standard error, or -1 */
    chronicle_buf inbox;
    chronicle_buf errbox; /* standard error not yet ending in a newline */
    double started;
    int got_done, reported_error, timed_out;
    double term_at; /* when SIGTERM was sent; SIGKILL follows after GRACE */
    uint32_t done_code;
} run;

/* A stopped job gets SIGTERM (host->cancelled() turns true), then SIGKILL. */
#define GRACE 2.0

static volatile sig_atomic_t interrupted;
static chronicle_job *child_job; /* in a child: the job SIGTERM cancels */

static void on_child_term(int sig)
{
    (void)sig;
    if (child_job) child_job->cancel = 1;
}

static void on_signal(int sig)
{
    interrupted = sig;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void say(const chronicle_export_hooks *h, run *r, int is_error, chronicle_log_level lvl,
                const char *text)
{
    if (is_error) r->reported_error = 1;
    if (h->message) h->message(h->ctx, &r->status, is_error, lvl, text);
}

static void sayf(const chronicle_export_hooks *h, run *r, const char *fmt, ...) CHRONICLE_PRINTF(3, 4);
static void sayf(const chronicle_export_hooks *h, run *r, const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    say(h, r, 1, CHRONICLE_LOG_WARN, chronicle_buf_cstr(&b));
    chronicle_buf_free(&b);
}

static void child_main(run *runs, size_t n, run *self, int msg_fd)
{
    struct sigaction sa = {0};
    sa.sa_handler = on_child_term; /* no SA_RESTART: a blocked plugin wakes up */
    sigemptyset(&sa.sa_mask);
    child_job = self->job;
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGINT, SIG_IGN); /* the parent handles Ctrl-C for everyone */
    signal(SIGPIPE, SIG_DFL);
    for (size_t i = 0; i < n; i++) { /* hold no other job's pipe or file */
        if (&runs[i] == self) continue;
        if (runs[i].fd >= 0) close(runs[i].fd);
        if (runs[i].err_fd >= 0) close(runs[i].err_fd);
    }
    chronicle_job *job = self->job;
    job->msg_fd = msg_fd;
    chronicle_status st = job_run_child(job);
    _exit(st == CHRONICLE_OK ? 0 : 1);
}

static int start(run *runs, size_t n, run *r, const chronicle_export_hooks *h)
{
    chronicle_buf why = CHRONICLE_BUF_INIT;
    if (output_prepare(r->job, &why) != CHRONICLE_OK) {
        say(h, r, 1, CHRONICLE_LOG_WARN, chronicle_buf_cstr(&why));
        chronicle_buf_free(&why);
        r->status.state = 3;
        return 0;
    }
    int fds[2], errs[2] = {-1, -1};
    if (pipe(fds) != 0) {
        sayf(h, r, "cannot start: %s", strerror(errno));
        output_discard(r->job);
        r->status.state = 3;
        return 0;
    }
    if (pipe(errs) != 0) errs[0] = errs[1] = -1; /* then the child keeps our stderr */
    fflush(NULL);
    r->pid = fork();
    if (r->pid < 0) {
        sayf(h, r, "cannot start: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        if (errs[0] >= 0) close(errs[0]), close(errs[1]);
        output_discard(r->job);
        r->status.state = 3;
        return 0;
    }
    if (r->pid == 0) {
        close(fds[0]);
        if (errs[0] >= 0) {
            dup2(errs[1], STDERR_FILENO);
            close(errs[0]);
            close(errs[1]);
        }
        child_main(runs, n, r, fds[1]);
    }
    close(fds[1]);
    r->fd = fds[0];
    if (errs[0] >= 0) {
        close(errs[1]);
        /* read without blocking: a process the plugin started may hold it */
        fcntl(errs[0], F_SETFL, fcntl(errs[0], F_GETFL) | O_NONBLOCK);
        r->err_fd = errs[0];
    }
    r->started = now();
    r->status.state = 1;
    return 1;
}

/* Passes on the complete lines of the child's standard error (all of it
 * when the child is gone: at_end) as warnings. */
static void say_err_lines(run *r, const chronicle_export_hooks *h, int at_end)
{
    chronicle_buf *b = &r->errbox;
    size_t at = 0;
    while (at < b->len) {
        const char *nl = memchr(b->ptr + at, '\n', b->len - at);
        if (!nl && !at_end) break;
        size_t end = nl ? (size_t)(nl - b->ptr) : b->len;
        chronicle_buf line = CHRONICLE_BUF_INIT;
        chronicle_buf_puts(&line, "on standard error: ");
        chronicle_buf_append(&line, b->ptr + at, end - at);
        if (end > at) say(h, r, 0, CHRONICLE_LOG_WARN, chronicle_buf_cstr(&line));
        chronicle_buf_free(&line);
        at = nl ? end + 1 : end;
    }
    if (at) {
        memmove(b->ptr, b->ptr + at, b->len - at);
        chronicle_buf_truncate(b, b->len - at);
    }
}

/* Reads what the child's standard error holds now, without waiting. */
static void pump_err(run *r, const chronicle_export_hooks *h, int at_end)
{
    while (r->err_fd >= 0) {
        char chunk[4096];
        ssize_t got = read(r->err_fd, chunk, sizeof chunk);
        if (got > 0) {
            chronicle_buf_append(&r->errbox, chunk, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got == 0) { /* every writer is gone */
            close(r->err_fd);
            r->err_fd = -1;
        }
        break; /* EAGAIN: nothing more for now */
    }
    say_err_lines(r, h, at_end || r->err_fd < 0);
}

/* Handles complete frames in the inbox. */
static void drain(run *r, const chronicle_export_hooks *h)
{
    size_t at = 0;
    chronicle_buf *in = &r->inbox;
    while (in->len - at >= 5) {
        uint32_t len;
        memcpy(&len, in->ptr + at + 1, 4);
        if (in->len - at - 5 < len) break;
        char type = in->ptr[at];
        const char *p = in->ptr + at + 5;
        uint32_t code = 0;
        if (len >= 4) memcpy(&code, p, 4);
        if (type == MSG_ERROR || type == MSG_LOG) {
            chronicle_buf text = CHRONICLE_BUF_INIT;
            chronicle_buf_append(&text, p + 4, len >= 4 ? len - 4 : 0);
            say(h, r, type == MSG_ERROR, (chronicle_log_level)code, chronicle_buf_cstr(&text));
            chronicle_buf_free(&text);
        } else if (type == MSG_PROGRESS && len == 16) {
            memcpy(&r->status.done, p, 8);
            memcpy(&r->status.total, p + 8, 8);
        } else if (type == MSG_DONE && len == 4) {
            r->got_done = 1;
            r->done_code = code;
        }
        at += 5 + len;
    }
    if (at) {
        memmove(in->ptr, in->ptr + at, in->len - at);
        chronicle_buf_truncate(in, in->len - at);
    }
}

/* The child closed its pipe (or was killed): reap it and settle the output. */
static int finish(run *r, const chronicle_export_hooks *h)
{
    int status = 0;
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
    }
    close(r->fd);
    r->fd = -1;
    pump_err(r, h, 1);
    if (r->err_fd >= 0) close(r->err_fd);
    r->err_fd = -1;
    r->status.seconds = now() - r->started;
    int ok = 0;
    if (r->timed_out) {
        sayf(h, r, "did not finish within %.0f s and was stopped; partial output removed, other "
                   "exports unaffected", r->term_at - r->started);
    } else if (WIFSIGNALED(status)) {
        int sig = WTERMSIG(status);
        sayf(h, r, "killed by signal %d (%s); partial output removed, other exports unaffected", sig,
             signal_name(sig));
    } else if (!r->got_done || WEXITSTATUS(status) != 0 || r->done_code != CHRONICLE_OK) {
        if (!r->reported_error)
            sayf(h, r, "failed (exit status %d) without saying why", WEXITSTATUS(status));
    } else {
        chronicle_buf why = CHRONICLE_BUF_INIT;
        ok = output_commit(r->job, &why) == CHRONICLE_OK;
        if (!ok) say(h, r, 1, CHRONICLE_LOG_WARN, chronicle_buf_cstr(&why));
        chronicle_buf_free(&why);
    }
    output_discard(r->job);
    r->status.state = ok ? 2 : 3;
    return ok;
}

static void report_progress(run *runs, size_t n, const chronicle_export_hooks *h)
{
    if (!h->progress) return;
    chronicle_job_status *s = malloc(n * sizeof *s);
    if (!s) return;
    double t = now();
    for (size_t i = 0; i < n; i++) {
        s[i] = runs[i].status;
        if (s[i].state == 1) s[i].seconds = t - runs[i].started;
    }
    h->progress(h->ctx, s, n);
    free(s);
}

/* Asks a job to stop: SIGTERM now, SIGKILL once the grace period is over. */
static void stop(run *r, double t)
{
    if (r->status.state != 1) return;
    if (!r->term_at) {
        kill(r->pid, SIGTERM);
        r->term_at = t;
    } else if (t - r->term_at > GRACE) {
        kill(r->pid, SIGKILL); /* its pipe closes; finish() reports it */
    }
}

/* One round of waiting: read what arrived, enforce timeouts.  Each running
 * job is polled on its message pipe and on its standard error, so a child
 * that fills the error pipe is never left blocked. */
static size_t poll_round(run *runs, size_t n, double timeout, const chronicle_export_hooks *h,
                         size_t *failed)
{
    struct pollfd *pfd = calloc(2 * n, sizeof *pfd);
    size_t *idx = calloc(2 * n, sizeof *idx), k = 0, ended = 0;
    if (!pfd || !idx) {
        free(pfd);
        free(idx);
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        if (runs[i].status.state != 1) continue;
        pfd[k] = (struct pollfd){runs[i].fd, POLLIN, 0}, idx[k++] = i;
        if (runs[i].err_fd >= 0) pfd[k] = (struct pollfd){runs[i].err_fd, POLLIN, 0}, idx[k++] = i;
    }
    if (poll(pfd, k, 100) > 0) {
        for (size_t j = 0; j < k; j++) {
            run *r = &runs[idx[j]];
            if (!pfd[j].revents || r->status.state != 1) continue;
            /* what the child printed before a message comes first */
            pump_err(r, h, 0);
            if (pfd[j].fd != r->fd) continue;
            char chunk[8192];
            ssize_t got = read(r->fd, chunk, sizeof chunk);
            if (got > 0) {
                chronicle_buf_append(&r->inbox, chunk, (size_t)got);
                drain(r, h);
            } else if (got == 0 || errno != EINTR) {
                drain(r, h);
                if (!finish(r, h)) ++*failed;
                ended++;
            }
        }
    }
    double t = now();
    for (size_t i = 0; i < n; i++) {
        run *r = &runs[i];
        if (r->status.state != 1) continue;
        if (timeout > 0 && t - r->started > timeout) r->timed_out = 1;
        if (r->timed_out || interrupted || r->term_at) stop(r, t);
    }
    free(pfd);
    free(idx);
    return ended;
}

chronicle_status dispatch_jobs(chronicle_job **jobs, size_t n, int max_jobs, double timeout,
                               const chronicle_export_hooks *h)
{
    run *runs = calloc(n ? n : 1, sizeof *runs);
    if (!runs) return CHRONICLE_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        runs[i].job = jobs[i];
        runs[i].fd = -1;
        runs[i].err_fd = -1;
        runs[i].status.label = jobs[i]->label;
        runs[i].status.dest = jobs[i]->dest;
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    interrupted = 0;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    size_t next = 0, running = 0, failed = 0;
    double last_report = 0;
    while (next < n || running) {
        while (!interrupted && running < (size_t)max_jobs && next < n) {
            if (start(runs, n, &runs[next++], h))
                running++;
            else
                failed++;
        }
        if (interrupted && next < n) next = n; /* start nothing more */
        if (running) running -= poll_round(runs, n, timeout, h, &failed);
        if (now() - last_report >= 0.1) {
            report_progress(runs, n, h);
            last_report = now();
        }
    }
    report_progress(runs, n, h);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    for (size_t i = 0; i < n; i++) {
        chronicle_buf_free(&runs[i].inbox);
        chronicle_buf_free(&runs[i].errbox);
    }
    free(runs);
    if (interrupted) return CHRONICLE_ERR_CANCELLED;
    return failed ? CHRONICLE_ERR_PLUGIN : CHRONICLE_OK;
}
