/*
 * dispatch.c — runs planned jobs in child processes, up to N at once.
 * The dataset is shared copy-on-write by fork(); each child loads its own
 * plugin, so a crash, a hang or a failure stays in that child.  The parent
 * multiplexes the children's message pipes with poll(), enforces timeouts,
 * commits complete outputs and discards everything else.  Each job is a
 * process group of its own, ended as a whole before its output is
 * committed.  A child's standard output and error are pipes too: what a
 * plugin or its libraries print there (a stray printf, libxlsxwriter's
 * "[ERROR]" lines, a sanitizer's report) comes out as the job's warnings,
 * in order with its messages; never into a report, never through the
 * progress display.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "child.h"
#include "dispatch_internal.h"
#include "registry_internal.h"

/* A child's standard output or error: read as it comes, said line by line. */
typedef struct stream {
    int fd;                /* read end, or -1 */
    chronicle_buf pending; /* text not yet ending in a newline */
    const char *name;
} stream;

typedef struct run {
    chronicle_job *job;
    chronicle_job_status status;
    pid_t pid; /* the job's child, and its process group */
    int fd;    /* read end of the message pipe, or -1 once it ended */
    stream out, err;
    chronicle_buf inbox;
    double started;
    int got_done, reported_error, timed_out, output_failed;
    double term_at; /* when SIGTERM was sent; SIGKILL follows after GRACE */
    uint32_t done_code;
} run;

/* A stopped job gets SIGTERM (host->cancelled() turns true), then SIGKILL. */
#define GRACE 2.0

static volatile sig_atomic_t interrupted;
static chronicle_job *child_job;    /* in a child: the job SIGTERM cancels */
static int chld_pipe[2] = {-1, -1}; /* SIGCHLD wakes poll() through it */

static void on_child_term(int sig)
{
    (void)sig;
    if (child_job) child_job->cancel = 1;
}

static void on_signal(int sig)
{
    interrupted = sig;
}

static void on_chld(int sig)
{
    (void)sig;
    int saved = errno;
    if (chld_pipe[1] >= 0) (void)!write(chld_pipe[1], "", 1);
    errno = saved;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A job's messages name its scratch directory as the plugin saw it
 * (/proc/self/fd/N); people see where it really is. */
static void unalias(const chronicle_job *job, const char *text, chronicle_buf *out)
{
    size_t alias = job->scratch ? strlen(job->scratch) : 0;
    const char *at;
    while (alias && (at = strstr(text, job->scratch))) {
        chronicle_buf_append(out, text, (size_t)(at - text));
        chronicle_buf_puts(out, job->scratch_real);
        text = at + alias;
    }
    chronicle_buf_puts(out, text);
}

static void say(const chronicle_export_hooks *h, run *r, int is_error, chronicle_log_level lvl,
                const char *text)
{
    if (is_error) r->reported_error = 1;
    if (!h->message) return;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    unalias(r->job, text, &b);
    h->message(h->ctx, &r->status, is_error, lvl, b.ptr ? b.ptr : text);
    chronicle_buf_free(&b);
}

static void sayf(const chronicle_export_hooks *h, run *r, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);
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

/* A committed output's final size; UINT64_MAX when it was written through
 * (standard output, a device) and the size is not known here. */
static uint64_t output_size(const chronicle_job *job)
{
    struct stat sb;
    if (job->out_kind != OUTPUT_FILE || !job->dest_name ||
        fstatat(job->dir_fd, job->dest_name, &sb, AT_SYMLINK_NOFOLLOW) != 0)
        return UINT64_MAX;
    return (uint64_t)sb.st_size;
}

static void close_fd(int *fd)
{
    if (*fd >= 0) close(*fd);
    *fd = -1;
}

static void child_main(run *runs, size_t n, run *self, int msg_fd, pid_t parent)
{
    /* the job dies with chronicle, and is a process group of its own, so
     * the parent can end it with everything it started */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    setpgid(0, 0);
    struct sigaction sa = {0};
    sa.sa_handler = on_child_term; /* no SA_RESTART: a blocked plugin wakes up */
    sigemptyset(&sa.sa_mask);
    child_job = self->job;
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGINT, SIG_IGN); /* the parent handles Ctrl-C for everyone */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    chronicle__child_default_faults();
    for (size_t i = 0; i < n; i++) { /* hold no other job's pipe, output or scratch */
        if (&runs[i] == self) continue;
        close_fd(&runs[i].fd);
        close_fd(&runs[i].out.fd);
        close_fd(&runs[i].err.fd);
        if (runs[i].job->tmp_fd > STDERR_FILENO) close_fd(&runs[i].job->tmp_fd);
        close_fd(&runs[i].job->scratch_fd);
    }
    close_fd(&chld_pipe[0]);
    close_fd(&chld_pipe[1]);
    chronicle_job *job = self->job;
    /* a program the plugin runs may be handed scratch_dir() too */
    fcntl(job->scratch_fd, F_SETFD, 0);
    if (job->logo_fd >= 0) fcntl(job->logo_fd, F_SETFD, 0); /* and report()->logo */
    job->msg_fd = msg_fd;
    chronicle_status st = chronicle__job_run_child(job);
    fflush(stdout); /* what the plugin printf()ed reaches the parent as words */
    fflush(stderr);
    _exit(st == CHRONICLE_OK ? 0 : 1);
}

static void start_failed(run *r, int output, const chronicle_export_hooks *h)
{
    r->status.state = CHRONICLE_JOB_FAILED;
    r->output_failed = output;
    if (h->finished)
        h->finished(h->ctx, &r->status, r->job->plugin->name, r->job->group, UINT64_MAX);
}

/* pipes[0]: messages; [1]: standard output; [2]: standard error. */
static int make_pipes(int pipes[3][2])
{
    for (int i = 0; i < 3; i++)
        pipes[i][0] = pipes[i][1] = -1;
    for (int i = 0; i < 3; i++)
        if (pipe2(pipes[i], O_CLOEXEC) != 0) return 0;
    return 1;
}

static void close_pipes(int pipes[3][2])
{
    for (int i = 0; i < 3; i++)
        close_fd(&pipes[i][0]), close_fd(&pipes[i][1]);
}

static int start(run *runs, size_t n, run *r, const chronicle_export_hooks *h)
{
    chronicle_buf why = CHRONICLE_BUF_INIT;
    if (chronicle__output_prepare(r->job, &why) != CHRONICLE_OK) {
        say(h, r, 1, CHRONICLE_LOG_WARN, chronicle_buf_cstr(&why));
        chronicle_buf_free(&why);
        start_failed(r, 1, h);
        return 0;
    }
    int pipes[3][2];
    pid_t parent = getpid();
    fflush(NULL);
    if (!make_pipes(pipes) || (r->pid = fork()) < 0) {
        sayf(h, r, "cannot start: %s", strerror(errno));
        close_pipes(pipes);
        chronicle__output_discard(r->job);
        start_failed(r, 0, h);
        return 0;
    }
    if (r->pid == 0) {
        int null = open("/dev/null", O_RDONLY | O_CLOEXEC); /* chronicle's input is not the job's */
        if (null >= 0) dup2(null, STDIN_FILENO), close(null);
        dup2(pipes[1][1], STDOUT_FILENO);
        dup2(pipes[2][1], STDERR_FILENO);
        int msg = pipes[0][1];
        pipes[0][1] = -1;
        close_pipes(pipes);
        fcntl(msg, F_SETFD, FD_CLOEXEC);
        child_main(runs, n, r, msg, parent);
    }
    setpgid(r->pid, r->pid); /* also here: whoever runs first, the group exists */
    r->fd = pipes[0][0];
    r->out.fd = pipes[1][0];
    r->err.fd = pipes[2][0];
    pipes[0][0] = pipes[1][0] = pipes[2][0] = -1;
    close_pipes(pipes);
    /* read without blocking: a process the plugin started may hold them */
    int fds[3] = {r->fd, r->out.fd, r->err.fd};
    for (int i = 0; i < 3; i++)
        fcntl(fds[i], F_SETFL, fcntl(fds[i], F_GETFL) | O_NONBLOCK);
    r->started = now();
    r->status.state = CHRONICLE_JOB_RUNNING;
    return 1;
}

/* Passes on the complete lines of a child's stream (all of it at_end) as
 * warnings. */
static void say_lines(run *r, stream *s, const chronicle_export_hooks *h, int at_end)
{
    chronicle_buf *b = &s->pending;
    size_t at = 0;
    while (at < b->len) {
        const char *nl = memchr(b->ptr + at, '\n', b->len - at);
        if (!nl && !at_end) break;
        size_t end = nl ? (size_t)(nl - b->ptr) : b->len;
        chronicle_buf line = CHRONICLE_BUF_INIT;
        chronicle_buf_appendf(&line, "on standard %s: ", s->name);
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

/* Reads what a stream holds now, without waiting. */
static void pump(run *r, stream *s, const chronicle_export_hooks *h, int at_end)
{
    while (s->fd >= 0) {
        char chunk[4096];
        ssize_t got = read(s->fd, chunk, sizeof chunk);
        if (got > 0) {
            chronicle_buf_append(&s->pending, chunk, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got == 0) close_fd(&s->fd); /* every writer is gone */
        break;                          /* EAGAIN: nothing more for now */
    }
    say_lines(r, s, h, at_end || s->fd < 0);
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

/* Reads what the message pipe holds now; 0 once it has ended. */
static int pump_messages(run *r, const chronicle_export_hooks *h)
{
    while (r->fd >= 0) {
        char chunk[8192];
        ssize_t got = read(r->fd, chunk, sizeof chunk);
        if (got > 0) {
            chronicle_buf_append(&r->inbox, chunk, (size_t)got);
            continue;
        }
        if (got < 0 && errno == EINTR) continue;
        if (got == 0) close_fd(&r->fd);
        break;
    }
    drain(r, h);
    return r->fd >= 0;
}

/* The child has exited: end its whole process group, reap it, read what
 * is left of its pipes, and settle the output.  Nothing the job started
 * outlives this, so nothing can write after the commit.  (This process is
 * a subreaper while jobs run: the job's orphans are its children, and
 * waiting for the group waits for them.) */
static void finish(run *r, const chronicle_export_hooks *h)
{
    int status = 0;
    kill(-r->pid, SIGKILL); /* the child is a zombie still: the group id is not reused */
    while (waitpid(r->pid, &status, 0) < 0 && errno == EINTR) {
    }
    while (waitpid(-r->pid, NULL, 0) > 0 || errno == EINTR) {
    }
    pump_messages(r, h);
    pump(r, &r->out, h, 1);
    pump(r, &r->err, h, 1);
    close_fd(&r->fd);
    close_fd(&r->out.fd);
    close_fd(&r->err.fd);
    r->status.seconds = now() - r->started;
    int ok = 0, sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    chronicle_job_state state = CHRONICLE_JOB_FAILED;
    if (r->timed_out) {
        sayf(h, r,
             "did not finish within %.0f s and was stopped; partial output removed, other "
             "exports unaffected",
             r->term_at - r->started);
    } else if (sig == SIGPIPE && r->job->out_kind != OUTPUT_FILE) {
        /* the reader went away (| head): a stop, not a failure; said only
         * when the reader was not ours to know */
        state = CHRONICLE_JOB_CLOSED;
        if (r->job->out_kind == OUTPUT_STREAM)
            sayf(h, r, "the reader of %s went away; stopped", r->job->dest);
    } else if (sig) {
        sayf(h, r, "killed by signal %d (%s); partial output removed, other exports unaffected",
             sig, chronicle__signal_name(sig));
    } else if (!r->got_done || WEXITSTATUS(status) != 0 || r->done_code != CHRONICLE_OK) {
        if (!r->reported_error)
            sayf(h, r, "failed (exit status %d) without saying why", WEXITSTATUS(status));
    } else {
        chronicle_buf why = CHRONICLE_BUF_INIT;
        ok = chronicle__output_commit(r->job, &why) == CHRONICLE_OK;
        if (!ok) say(h, r, 1, CHRONICLE_LOG_WARN, chronicle_buf_cstr(&why));
        chronicle_buf_free(&why);
        r->output_failed = !ok;
        state = ok ? CHRONICLE_JOB_DONE : CHRONICLE_JOB_FAILED;
    }
    r->status.state = state;
    if (h->finished)
        h->finished(h->ctx, &r->status, r->job->plugin->name, r->job->group,
                    ok ? output_size(r->job) : UINT64_MAX);
    chronicle__output_discard(r->job);
}

static void report_progress(run *runs, size_t n, const chronicle_export_hooks *h)
{
    if (!h->progress) return;
    chronicle_job_status *s = malloc(n * sizeof *s);
    if (!s) return;
    double t = now();
    for (size_t i = 0; i < n; i++) {
        s[i] = runs[i].status;
        if (s[i].state == CHRONICLE_JOB_RUNNING) s[i].seconds = t - runs[i].started;
    }
    h->progress(h->ctx, s, n);
    free(s);
}

/* Asks a job to stop: SIGTERM to the plugin now, SIGKILL to its whole
 * group once the grace period is over. */
static void stop(run *r, double t)
{
    if (r->status.state != CHRONICLE_JOB_RUNNING) return;
    if (!r->term_at) {
        kill(r->pid, SIGTERM);
        r->term_at = t;
    } else if (t - r->term_at > GRACE) {
        kill(-r->pid, SIGKILL); /* the child exits; finish() reports it */
    }
}

static int exited(const run *r)
{
    siginfo_t si = {0};
    /* WNOWAIT: the zombie keeps the group id until finish() has killed the group */
    return waitid(P_PID, (id_t)r->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 &&
           si.si_pid == r->pid;
}

/* One round of waiting: read what arrived, settle the jobs that exited,
 * enforce timeouts.  Each running job is polled on its three pipes, so a
 * child that fills one is never left blocked; a job ends when its process
 * exits, not when its pipes close (a process it left may hold them). */
static size_t poll_round(run *runs, size_t n, double timeout, const chronicle_export_hooks *h)
{
    struct pollfd *pfd = calloc(3 * n + 1, sizeof *pfd);
    size_t k = 0, ended = 0;
    if (!pfd) return 0;
    pfd[k++] = (struct pollfd){chld_pipe[0], POLLIN, 0};
    for (size_t i = 0; i < n; i++) {
        run *r = &runs[i];
        if (r->status.state != CHRONICLE_JOB_RUNNING) continue;
        int fds[3] = {r->fd, r->out.fd, r->err.fd};
        for (int j = 0; j < 3; j++)
            if (fds[j] >= 0) pfd[k++] = (struct pollfd){fds[j], POLLIN, 0};
    }
    if (poll(pfd, k, 100) > 0 && (pfd[0].revents & POLLIN)) {
        char sink[64];
        while (read(chld_pipe[0], sink, sizeof sink) > 0) {
        }
    }
    free(pfd);
    for (size_t i = 0; i < n; i++) {
        run *r = &runs[i];
        if (r->status.state != CHRONICLE_JOB_RUNNING) continue;
        /* what the child printed before a message comes first */
        pump(r, &r->out, h, 0);
        pump(r, &r->err, h, 0);
        pump_messages(r, h);
        if (!exited(r)) continue;
        finish(r, h);
        ended++;
    }
    double t = now();
    for (size_t i = 0; i < n; i++) {
        run *r = &runs[i];
        if (r->status.state != CHRONICLE_JOB_RUNNING) continue;
        if (timeout > 0 && t - r->started > timeout) r->timed_out = 1;
        if (r->timed_out || interrupted || r->term_at) stop(r, t);
    }
    return ended;
}

/* The process state dispatch changes, and puts back. */
typedef struct saved_state {
    struct sigaction intr, term, chld;
    int subreaper;
} saved_state;

static int enter(saved_state *saved)
{
    if (pipe2(chld_pipe, O_CLOEXEC | O_NONBLOCK) != 0) return 0;
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = on_signal;
    interrupted = 0;
    sigaction(SIGINT, &sa, &saved->intr);
    sigaction(SIGTERM, &sa, &saved->term);
    sa.sa_handler = on_chld;
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &saved->chld);
    saved->subreaper = 0;
    prctl(PR_GET_CHILD_SUBREAPER, &saved->subreaper);
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    return 1;
}

static void leave(const saved_state *saved)
{
    prctl(PR_SET_CHILD_SUBREAPER, saved->subreaper);
    sigaction(SIGINT, &saved->intr, NULL);
    sigaction(SIGTERM, &saved->term, NULL);
    sigaction(SIGCHLD, &saved->chld, NULL);
    close_fd(&chld_pipe[0]);
    close_fd(&chld_pipe[1]);
}

chronicle_status chronicle__dispatch_jobs(chronicle_job **jobs, size_t n, int max_jobs,
                                          double timeout, const chronicle_export_hooks *h)
{
    saved_state saved;
    run *runs = calloc(n ? n : 1, sizeof *runs);
    if (!runs) return CHRONICLE_ERR_NOMEM;
    if (!enter(&saved)) {
        free(runs);
        return CHRONICLE_ERR_IO;
    }
    for (size_t i = 0; i < n; i++) {
        runs[i].job = jobs[i];
        runs[i].fd = runs[i].out.fd = runs[i].err.fd = -1;
        runs[i].out.name = "output";
        runs[i].err.name = "error";
        runs[i].status.label = jobs[i]->label;
        runs[i].status.dest = jobs[i]->dest;
    }
    size_t next = 0, running = 0;
    double last_report = 0;
    while (next < n || running) {
        while (!interrupted && running < (size_t)max_jobs && next < n) {
            running += start(runs, n, &runs[next++], h);
        }
        if (interrupted && next < n) next = n; /* start nothing more */
        if (running) running -= poll_round(runs, n, timeout, h);
        if (now() - last_report >= 0.1) {
            report_progress(runs, n, h);
            last_report = now();
        }
    }
    report_progress(runs, n, h);
    leave(&saved);
    int export_failed = 0, output_failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].status.state == CHRONICLE_JOB_FAILED) {
            output_failed |= runs[i].output_failed;
            export_failed |= !runs[i].output_failed;
        }
        chronicle_buf_free(&runs[i].inbox);
        chronicle_buf_free(&runs[i].out.pending);
        chronicle_buf_free(&runs[i].err.pending);
    }
    free(runs);
    if (interrupted) return CHRONICLE_ERR_CANCELLED;
    /* an export that failed outweighs an output that could not be made */
    return export_failed ? CHRONICLE_ERR_PLUGIN : output_failed ? CHRONICLE_ERR_IO : CHRONICLE_OK;
}
