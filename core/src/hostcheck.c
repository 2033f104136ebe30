/*
 * hostcheck.c — the host as `chronicle plugin-check` runs it (job->check):
 * the real services, some wrapped.  CHECK_POISON hands out each event as a
 * copy poisoned when the next is read (poison.h), per cursor for the
 * cursors of ABI 1.2, which own their events one by one; CHECK_CANCEL
 * cancels the job at the plugin's first event_at(), cursor_event(),
 * write() or progress() and holds it to one second; CHECK_THREAD fails a
 * job that calls event_at() or write() off the thread that entered
 * export_dataset (a cursor may be used on any thread).  An ordinary run never comes
 * here: chronicle__check_host() then returns chronicle__host_table itself.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "host_internal.h"
#include "poison.h"

static chronicle_host check_table;
static chronicle_poison *poison;
static pthread_t export_thread;
static struct timespec cancel_at;
static int cancelled_by_check;
static pthread_mutex_t cancel_lock = PTHREAD_MUTEX_INITIALIZER;
static char late_frame[256]; /* sent by the timer: built before it can fire */
static size_t late_len;
static int late_fd = -1;

static void on_late(int sig)
{
    (void)sig;
    if (late_fd >= 0 && write(late_fd, late_frame, late_len) < 0) {
    }
    _exit(1);
}

static void frame_late(const chronicle_job *job)
{
    static const char text[] =
        CHECK_TAG "cancel: export_dataset did not return within 1 s of the cancellation";
    uint32_t code = CHRONICLE_ERR_CANCELLED, len = (uint32_t)(sizeof code + sizeof text - 1);
    late_frame[0] = MSG_ERROR;
    memcpy(late_frame + 1, &len, 4);
    memcpy(late_frame + 5, &code, 4);
    memcpy(late_frame + 9, text, sizeof text - 1);
    late_len = 9 + sizeof text - 1;
    late_fd = job->msg_fd;
}

/* The first call that shows the plugin at work cancels the job, as
 * SIGTERM does (--timeout, Ctrl-C), and starts the one-second clock. */
static void maybe_cancel(chronicle_job *job)
{
    if (!(job->check & CHECK_CANCEL)) return;
    pthread_mutex_lock(&cancel_lock); /* cursors may be read on several threads */
    if (!cancelled_by_check) {
        cancelled_by_check = 1;
        frame_late(job);
        signal(SIGALRM, on_late);
        struct itimerval one = {{0, 0}, {1, 0}};
        setitimer(ITIMER_REAL, &one, NULL);
        clock_gettime(CLOCK_MONOTONIC, &cancel_at);
        job->cancel = 1;
    }
    pthread_mutex_unlock(&cancel_lock);
}

static int off_thread(chronicle_job *job, const char *what)
{
    if (!(job->check & CHECK_THREAD) || pthread_equal(pthread_self(), export_thread)) return 0;
    chronicle__host_table.error(job, CHRONICLE_ERR_INTERNAL,
                                CHECK_TAG
                                "thread: %s() was called from a thread other than the one that "
                                "entered export_dataset",
                                what);
    return 1;
}

static const chronicle_event *c_event_at(const chronicle_job *cjob, size_t i)
{
    chronicle_job *job = (chronicle_job *)cjob; /* every job is writable; the ABI lends it const */
    if (off_thread(job, "event_at")) return NULL;
    maybe_cancel(job);
    const chronicle_event *e = chronicle__host_table.event_at(cjob, i);
    if (!(job->check & CHECK_POISON) || !poison) return e;
    const chronicle_event *copy = chronicle__poison_next(poison, e);
    return copy || !e ? copy : e;
}

/* A cursor as plugin-check lends it: the host's, with a poison of its
 * own, since ONE_EVENT holds per cursor (an event of one cursor stays valid
 * while another cursor reads).  The plugin sees it as a chronicle_cursor,
 * which is opaque to it, and hands it back to the functions below only. */
typedef struct check_cursor {
    chronicle_cursor *cursor;
    chronicle_job *job;
    chronicle_poison *poison; /* NULL: CHECK_POISON is off */
} check_cursor;

static chronicle_cursor *c_cursor_open(chronicle_job *job)
{
    check_cursor *c = calloc(1, sizeof *c);
    if (!c) {
        chronicle__host_table.error(job, CHRONICLE_ERR_NOMEM, "out of memory for a cursor");
        return NULL;
    }
    c->job = job;
    if (!(c->cursor = chronicle__host_table.cursor_open(job))) { /* the host said why */
        free(c);
        return NULL;
    }
    if ((job->check & CHECK_POISON) && !(c->poison = chronicle__poison_new())) {
        chronicle__host_table.error(job, CHRONICLE_ERR_NOMEM, "out of memory for a cursor");
        chronicle__host_table.cursor_close(c->cursor);
        free(c);
        return NULL;
    }
    return (chronicle_cursor *)c;
}

static const chronicle_event *c_cursor_event(chronicle_cursor *cursor, size_t i)
{
    check_cursor *c = (check_cursor *)cursor;
    if (!c) return NULL;
    maybe_cancel(c->job);
    const chronicle_event *e = chronicle__host_table.cursor_event(c->cursor, i);
    if (!c->poison) return e;
    const chronicle_event *copy = chronicle__poison_next(c->poison, e);
    return copy || !e ? copy : e;
}

static void c_cursor_close(chronicle_cursor *cursor)
{
    check_cursor *c = (check_cursor *)cursor;
    if (!c) return;
    chronicle__host_table.cursor_close(c->cursor);
    chronicle__poison_free(c->poison);
    free(c);
}

static chronicle_status c_write(chronicle_job *job, const void *buf, size_t len)
{
    if (off_thread(job, "write")) return CHRONICLE_ERR_INTERNAL;
    maybe_cancel(job);
    return chronicle__host_table.write(job, buf, len);
}

static void c_progress(chronicle_job *job, uint64_t done, uint64_t total)
{
    maybe_cancel(job);
    chronicle__host_table.progress(job, done, total);
}

const chronicle_host *chronicle__check_host(chronicle_job *job)
{
    if (!job->check) return &chronicle__host_table;
    check_table = chronicle__host_table;
    check_table.event_at = c_event_at;
    check_table.write = c_write;
    check_table.progress = c_progress;
    check_table.cursor_open = c_cursor_open;
    check_table.cursor_event = c_cursor_event;
    check_table.cursor_close = c_cursor_close;
    export_thread = pthread_self();
    if (job->check & CHECK_POISON) poison = chronicle__poison_new();
    return &check_table;
}

void chronicle__check_returned(chronicle_job *job, chronicle_status st)
{
    if (!(job->check & CHECK_CANCEL)) return;
    struct itimerval off = {{0, 0}, {0, 0}};
    setitimer(ITIMER_REAL, &off, NULL);
    if (!cancelled_by_check) {
        chronicle__host_table.log(job, CHRONICLE_LOG_INFO, CHECK_TAG "cancel: not exercised");
        return;
    }
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    double s =
        (double)(t.tv_sec - cancel_at.tv_sec) + (double)(t.tv_nsec - cancel_at.tv_nsec) / 1e9;
    chronicle__host_table.log(job, CHRONICLE_LOG_INFO, CHECK_TAG "cancel: returned %d after %.3f s",
                              (int)st, s);
}
