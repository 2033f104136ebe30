/*
 * host.c — the services table a plugin receives (chronicle_host), running
 * inside the job's child process.  Output goes through the output layer's
 * writer (output.c); diagnostics are framed onto the pipe to the parent.
 * Invariant: nothing here exits or prints; failures become job->failed.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chronicle/sanitize.h"
#include "config.h"
#include "event_index.h"
#include "host_internal.h"
#include "registry_internal.h"
#include "summary_internal.h"
#include "wording.h"

/* Frames reach the parent one at a time: a frame longer than PIPE_BUF
 * takes several write()s, which another thread's frame must not split.
 * One lock for the process is enough: a job's child runs one job. */
static pthread_mutex_t msg_lock = PTHREAD_MUTEX_INITIALIZER;

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "job->cancel is set in a signal handler");

/* The caller holds msg_lock. */
static void send_frame(const chronicle_job *job, char type, const void *a, size_t na, const void *b,
                       size_t nb)
{
    if (job->msg_fd < 0) return;
    char head[5];
    uint32_t len = (uint32_t)(na + nb);
    head[0] = type;
    memcpy(head + 1, &len, 4);
    chronicle_buf frame = CHRONICLE_BUF_INIT;
    if (chronicle_buf_append(&frame, head, 5) == CHRONICLE_OK &&
        chronicle_buf_append(&frame, a, na) == CHRONICLE_OK &&
        chronicle_buf_append(&frame, b, nb) == CHRONICLE_OK)
        chronicle__write_all(job->msg_fd, frame.ptr, frame.len);
    chronicle_buf_free(&frame);
}

static void send_msg(const chronicle_job *job, char type, const void *a, size_t na, const void *b,
                     size_t nb)
{
    pthread_mutex_lock(&msg_lock);
    send_frame(job, type, a, na, b, nb);
    pthread_mutex_unlock(&msg_lock);
}

/* ---- dataset ---- */

static const chronicle_dataset_info *h_dataset(const chronicle_job *job)
{
    return chronicle_dataset_get_info(job->ds);
}

static size_t h_event_count(const chronicle_job *job)
{
    return job->n_events;
}

static void h_error(chronicle_job *job, chronicle_status code, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);

/* An indexed dataset's events are index entries (event_index.h): the
 * whole event i of the job, behind entry stub, is unpacked from the job's
 * cache into m, or read again from the file with r (and then cached).
 * keep 0: the memory of the event read before is reused.  When it cannot
 * be read, the job fails and is cancelled, and u, filled from the entry,
 * stands in.  Any thread may call this, each with its own r, m and u. */
static const chronicle_event *read_whole(chronicle_job *job, chronicle__event_cursor *r, size_t i,
                                         int keep, event_memory *m, chronicle_event *u)
{
    const chronicle_event *stub = job->events[i];
    /* under AddressSanitizer the memory is given back, so a view kept too
     * long is a use after free there, not a quiet read of the next event */
    if (!keep && CHRONICLE_UNDER_ASAN) chronicle__arena_free(&m->a);
    if (!keep && !CHRONICLE_UNDER_ASAN) chronicle__arena_reset(&m->a);
    const chronicle_event *e =
        job->failed ? NULL : chronicle__event_cache_get(job->cache, i, &m->a);
    if (!e && !job->failed && m->batch.n && chronicle__event_cache_pending(job->cache, i)) {
        /* perhaps packed by this reader and waiting in its batch */
        chronicle__event_cache_flush(job->cache, &m->batch);
        e = chronicle__event_cache_get(job->cache, i, &m->a);
    }
    if (e) return e;
    chronicle_buf why = CHRONICLE_BUF_INIT;
    e = job->failed ? NULL : chronicle__event_cursor_read(r, stub, keep, &why);
    if (e && !keep) chronicle__event_cache_put(job->cache, i, e, &m->batch);
    if (e) return e;
    if (!job->failed) h_error(job, CHRONICLE_ERR_IO, "%s", chronicle_buf_cstr(&why));
    chronicle_buf_free(&why);
    job->cancel = 1;
    /* every member a valid event must have, so no plugin trips on a NULL */
    event_keys k = chronicle__event_keys(stub);
    *u = (chronicle_event){.struct_size = sizeof *u,
                           .date_ymd = k.date_ymd,
                           .anniversary = -1,
                           .id = k.id,
                           .date = k.date,
                           .title = {"", 0},
                           .country = k.country,
                           .country_code = k.country_code,
                           .occasion = {"", 0}};
    return u;
}

/* An exporter reads the model's events in order, and each is a struct and
 * a dozen strings and lists spread over the arena: reading them was bound by
 * memory latency (the first look at an event was a sixth of the text
 * digests' composing).  Each read asks the CPU for the struct two events on
 * and for the first lines of what the next event points at. */
static void prefetch_after(const chronicle_job *job, size_t i)
{
    if (i + 2 < job->n_events) __builtin_prefetch(job->events[i + 2]);
    if (i + 1 >= job->n_events) return;
    const chronicle_event *e = job->events[i + 1];
    const void *at[] = {
        e->title.ptr,    e->summary.ptr, e->summary.len > 64 ? e->summary.ptr + 64 : NULL,
        e->occasion.ptr, e->organizers,  e->participants,
        e->activities,   e->statements,  e->figures,
        e->sources,      e->venue.ptr,   e->city.ptr};
    for (size_t k = 0; k < sizeof at / sizeof *at; k++)
        __builtin_prefetch(at[k]);
}

/* A plugin that keeps views (no CHRONICLE_PLUGIN_ONE_EVENT) gets each
 * event read once and kept; one that does not shares one event's memory
 * with the next. */
static const chronicle_event *h_event_at(const chronicle_job *cjob, size_t i)
{
    if (i >= cjob->n_events) return NULL;
    const chronicle_event *stub = cjob->events[i];
    if (!cjob->reader) {
        prefetch_after(cjob, i);
        return stub;
    }
    if (cjob->read && cjob->read[i]) return cjob->read[i];
    chronicle_job *job =
        (chronicle_job *)cjob; /* every job is made writable; the ABI lends it const */
    const chronicle_event *e =
        read_whole(job, job->reader, i, job->read != NULL, &job->mem, &job->unreadable);
    if (job->read && e != &job->unreadable) job->read[i] = e;
    return e;
}

/* ---- cursors (1.2) ---- */

/* event_at() for one thread.  Over an indexed dataset a cursor has its own
 * event cursor (event_cursor.h: its own memory; the dataset and its file
 * are only read), so cursors on different threads share nothing that
 * changes but the job's failure, which is atomic. */
struct chronicle_cursor {
    chronicle_job *job;
    chronicle__event_cursor *reader; /* NULL: the model's events are whole */
    event_memory mem;
    chronicle_event unreadable;
};

static chronicle_cursor *h_cursor_open(chronicle_job *job)
{
    chronicle_cursor *c = calloc(1, sizeof *c);
    if (c && chronicle_dataset_indexed(job->ds) &&
        !(c->reader = chronicle__event_cursor_open(job->ds))) {
        free(c);
        c = NULL;
    }
    if (!c) {
        h_error(job, CHRONICLE_ERR_NOMEM, "out of memory for a cursor");
        return NULL;
    }
    c->job = job;
    return c;
}

static const chronicle_event *h_cursor_event(chronicle_cursor *c, size_t i)
{
    if (!c || i >= c->job->n_events) return NULL;
    if (c->reader) return read_whole(c->job, c->reader, i, 0, &c->mem, &c->unreadable);
    prefetch_after(c->job, i);
    return c->job->events[i];
}

static void h_cursor_close(chronicle_cursor *c)
{
    if (!c) return;
    chronicle__event_cache_flush(c->job->cache, &c->mem.batch); /* for the job's other readers */
    chronicle__cache_batch_free(&c->mem.batch);
    chronicle__event_cursor_close(c->reader);
    chronicle__arena_free(&c->mem.a);
    free(c);
}

static const chronicle_summary *h_summary(const chronicle_job *job)
{
    return job->summary;
}

static const chronicle_source *h_source_by_id(const chronicle_job *job, const char *id)
{
    return id ? chronicle_dataset_source(job->ds, id) : NULL;
}

static int64_t h_timestamp(const chronicle_job *job)
{
    return job->timestamp;
}

static const char *h_group(const chronicle_job *job)
{
    return job->group;
}

/* ---- options ---- */

static const chronicle_opt_value *find_value(const chronicle_job *job, const char *name,
                                             chronicle_opt_type want)
{
    const chronicle_plugin_info *p = job->plugin;
    for (size_t i = 0; name && i < p->n_options; i++) {
        if (strcmp(p->options[i].name, name)) continue;
        chronicle_opt_type t = p->options[i].type;
        int text =
            want == CHRONICLE_OPT_STRING &&
            (t == CHRONICLE_OPT_STRING || t == CHRONICLE_OPT_ENUM || t == CHRONICLE_OPT_PATH);
        int number = want == CHRONICLE_OPT_DOUBLE && t == CHRONICLE_OPT_INT;
        return t == want || text || number ? &job->values[i] : NULL;
    }
    return NULL;
}

static int h_opt_bool(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find_value(job, name, CHRONICLE_OPT_BOOL);
    return v && v->set ? v->b : 0;
}

static int64_t h_opt_int(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find_value(job, name, CHRONICLE_OPT_INT);
    return v && v->set ? v->i : 0;
}

static double h_opt_double(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find_value(job, name, CHRONICLE_OPT_DOUBLE);
    return v && v->set ? v->d : 0;
}

static const char *h_opt_string(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find_value(job, name, CHRONICLE_OPT_STRING);
    return v && v->set ? v->s : NULL;
}

/* ---- output ---- */

static chronicle_status write_failed(chronicle_job *job, int err)
{
    if (err == EPIPE && job->out_kind != OUTPUT_FILE) {
        /* the reader went away: end as SIGPIPE would have, even if the
         * plugin ignores it; the parent stops the job quietly */
        signal(SIGPIPE, SIG_DFL);
        raise(SIGPIPE);
    }
    if (job->failed != CHRONICLE_ERR_IO)
        h_error(job, CHRONICLE_ERR_IO, "writing %s: %s", job->dest ? job->dest : "standard output",
                strerror(err));
    return CHRONICLE_ERR_IO;
}

/* The plugin's bytes go through the output layer's writer (output.c),
 * made at the first write(). */
static chronicle_status h_write(chronicle_job *job, const void *buf, size_t len)
{
    if (job->failed == CHRONICLE_ERR_IO) return CHRONICLE_ERR_IO;
    if (!job->writer &&
        !(job->writer = chronicle__writer_new(job->tmp_fd, job->out_kind == OUTPUT_FILE))) {
        h_error(job, CHRONICLE_ERR_NOMEM, "out of memory for the output buffers");
        return CHRONICLE_ERR_NOMEM;
    }
    int err = chronicle__writer_write(job->writer, buf, len);
    return err ? write_failed(job, err) : CHRONICLE_OK;
}

/* Writes what the writer holds, and lets it go. */
static chronicle_status flush_out(chronicle_job *job)
{
    if (!job->writer) return CHRONICLE_OK;
    int err = chronicle__writer_flush(job->writer);
    chronicle__writer_free(job->writer);
    job->writer = NULL;
    return err ? write_failed(job, err) : CHRONICLE_OK;
}

static const char *h_output_path(chronicle_job *job)
{
    return job->out_kind == OUTPUT_FILE ? job->tmp : NULL;
}

static const char *h_scratch_dir(chronicle_job *job)
{
    return job->scratch;
}

/* ---- diagnostics ---- */

static void vreport(chronicle_job *job, char type, uint32_t code, const char *fmt, va_list ap)
{
    chronicle_buf text = CHRONICLE_BUF_INIT;
    if (chronicle_buf_vappendf(&text, fmt, ap) != CHRONICLE_OK) chronicle_buf_puts(&text, fmt);
    send_msg(job, type, &code, sizeof code, chronicle_buf_cstr(&text), text.len);
    chronicle_buf_free(&text);
}

static void h_error(chronicle_job *job, chronicle_status code, const char *fmt, ...)
{
    chronicle_status none = CHRONICLE_OK;
    atomic_compare_exchange_strong(&job->failed, &none, code ? code : CHRONICLE_ERR_INTERNAL);
    va_list ap;
    va_start(ap, fmt);
    vreport(job, MSG_ERROR, (uint32_t)job->failed, fmt, ap);
    va_end(ap);
}

static void h_log(chronicle_job *job, chronicle_log_level lvl, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vreport(job, MSG_LOG, (uint32_t)lvl, fmt, ap);
    va_end(ap);
}

static uint64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void h_progress(chronicle_job *job, uint64_t done, uint64_t total)
{
    /* at most ten updates a second reach the parent, plus the last one.
     * Most calls stop at the first test, without the lock; under it the
     * clock is read again, so the times kept only grow and the updates
     * sent are in the order of their times. */
    int last = done >= total;
    if (!last &&
        now_ms() < atomic_load_explicit(&job->progress_sent_ms, memory_order_relaxed) + 100)
        return;
    pthread_mutex_lock(&msg_lock);
    uint64_t t = now_ms();
    if (last || t >= atomic_load_explicit(&job->progress_sent_ms, memory_order_relaxed) + 100) {
        atomic_store_explicit(&job->progress_sent_ms, t, memory_order_relaxed);
        uint64_t v[2] = {done, total};
        send_frame(job, MSG_PROGRESS, v, sizeof v, NULL, 0);
    }
    pthread_mutex_unlock(&msg_lock);
}

static int h_cancelled(const chronicle_job *job)
{
    return job->cancel;
}

/* ---- wording (1.2): the report's language, wording.c ---- */

/* Until the plan fills job->report (--report, -M, --lang), a report is
 * English and titled as the dataset is. */
static void settle_report(chronicle_job *job)
{
    chronicle_report *r = &job->report;
    if (!r->struct_size) {
        const chronicle_dataset_info *info = chronicle_dataset_get_info(job->ds);
        r->struct_size = sizeof *r;
        r->title = info->title.ptr  ? info->title
                   : info->stem.ptr ? info->stem
                                    : (chronicle_str){"", 0};
    }
    if (!job->lang) job->lang = r->lang.ptr ? chronicle__wording_find(r->lang.ptr) : NULL;
    if (!job->lang) job->lang = chronicle__wording_english();
    r->lang = (chronicle_str){chronicle__wording_tag(job->lang),
                              strlen(chronicle__wording_tag(job->lang))};
    r->direction = (uint32_t)chronicle__wording_direction(job->lang);
}

static const chronicle_report *h_report(const chronicle_job *job)
{
    return &job->report;
}

static const char *h_label(const chronicle_job *job, const char *msgid)
{
    return chronicle__wording_label(job->lang, msgid);
}

static size_t h_format_message(const chronicle_job *job, char *buf, size_t size, const char *msgid,
                               const char *const *args, size_t n_args)
{
    return chronicle__wording_message(job->lang, buf, size, msgid, args, n_args);
}

static size_t h_format_date(const chronicle_job *job, char *buf, size_t size, uint32_t ymd,
                            chronicle_date_style style)
{
    return chronicle__wording_date(job->lang, buf, size, ymd, style);
}

static size_t h_format_period(const chronicle_job *job, char *buf, size_t size, uint32_t first,
                              uint32_t last, chronicle_date_style style)
{
    return chronicle__wording_period(job->lang, buf, size, first, last, style);
}

static size_t h_format_number(const chronicle_job *job, char *buf, size_t size, double value)
{
    return chronicle__wording_number(job->lang, buf, size, value);
}

static size_t h_format_count(const chronicle_job *job, char *buf, size_t size, uint64_t n,
                             const char *msgid)
{
    return chronicle__wording_count(job->lang, buf, size, n, msgid);
}

static size_t h_format_ordinal(const chronicle_job *job, char *buf, size_t size, uint64_t n,
                               const char *msgid)
{
    return chronicle__wording_ordinal(job->lang, buf, size, n, msgid);
}

static size_t h_format_attribution(const chronicle_job *job, char *buf, size_t size,
                                   const chronicle_source *src)
{
    return chronicle__wording_attribution(job->lang, buf, size, src);
}

static size_t h_format_selection(const chronicle_job *job, char *buf, size_t size)
{
    const chronicle_dataset_info *info = chronicle_dataset_get_info(job->ds);
    return chronicle__wording_selection(job->lang, buf, size, &job->report, job->n_events,
                                        info->n_events_total);
}

const chronicle_host chronicle__host_table = {
    .struct_size = sizeof(chronicle_host),
    .abi_version = CHRONICLE_ABI_VERSION,
    .host_version = CHRONICLE_VERSION,
    .dataset = h_dataset,
    .event_count = h_event_count,
    .event_at = h_event_at,
    .summary = h_summary,
    .source_by_id = h_source_by_id,
    .timestamp = h_timestamp,
    .group = h_group,
    .opt_bool = h_opt_bool,
    .opt_int = h_opt_int,
    .opt_double = h_opt_double,
    .opt_string = h_opt_string,
    .write = h_write,
    .output_path = h_output_path,
    .scratch_dir = h_scratch_dir,
    .error = h_error,
    .log = h_log,
    .progress = h_progress,
    .cancelled = h_cancelled,
    .report = h_report,
    .label = h_label,
    .format_message = h_format_message,
    .format_date = h_format_date,
    .format_period = h_format_period,
    .format_number = h_format_number,
    .format_count = h_format_count,
    .format_ordinal = h_format_ordinal,
    .format_attribution = h_format_attribution,
    .format_selection = h_format_selection,
    .ymd_to_days = chronicle__wording_ymd_to_days,
    .days_to_ymd = chronicle__wording_days_to_ymd,
    .cursor_open = h_cursor_open,
    .cursor_event = h_cursor_event,
    .cursor_close = h_cursor_close,
};

/* An indexed dataset: a reader for this job, and the file must be as loaded. */
static chronicle_status open_reader(chronicle_job *job, uint32_t flags)
{
    if (!chronicle_dataset_indexed(job->ds)) return CHRONICLE_OK;
    chronicle_buf why = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    if (!chronicle__dataset_file_unchanged(job->ds, &why)) {
        h_error(job, CHRONICLE_ERR_IO, "%s", chronicle_buf_cstr(&why));
        st = CHRONICLE_ERR_IO;
    } else if (!(job->reader = chronicle__event_cursor_open(job->ds)) ||
               (!(flags & CHRONICLE_PLUGIN_ONE_EVENT) && job->n_events &&
                !(job->read = calloc(job->n_events, sizeof *job->read)))) {
        h_error(job, CHRONICLE_ERR_NOMEM, "out of memory");
        st = CHRONICLE_ERR_NOMEM;
    }
    chronicle_buf_free(&why);
    /* without a cache (no file for it) every read parses: slower, the same events */
    if (st == CHRONICLE_OK) job->cache = chronicle__event_cache_new(job->n_events, job->scratch_fd);
    return st;
}

chronicle_status chronicle__job_run_child(chronicle_job *job)
{
    chronicle_plugin copy;
    char *why = NULL;
    const chronicle_host *host =
        chronicle__check_host(job); /* chronicle__host_table, unless plugin-check runs */
    const chronicle_plugin *p = chronicle__plugin_load(job->plugin->path, host, &copy, &why);
    chronicle_status st;
    if (p && (st = open_reader(job, p->flags)) != CHRONICLE_OK) {
        /* said */
    } else if (!p) {
        h_error(job, CHRONICLE_ERR_PLUGIN, "%s", why ? why : "cannot load");
        free(why);
        st = CHRONICLE_ERR_PLUGIN;
    } else if ((st = chronicle__summary_build_own(job->events, job->n_events, &job->summary)) !=
               CHRONICLE_OK) {
        h_error(job, st, "cannot summarise the dataset: %s", chronicle_strerror(st));
    } else {
        settle_report(job);
        st = p->export_dataset(job, host);
        chronicle__check_returned(job, st);
        if (job->failed) st = job->failed; /* error() marks failure, and may have cancelled */
        chronicle_buf changed = CHRONICLE_BUF_INIT;
        if (st == CHRONICLE_OK && job->reader &&
            !chronicle__dataset_file_unchanged(job->ds, &changed)) {
            h_error(job, CHRONICLE_ERR_IO, "%s",
                    chronicle_buf_cstr(&changed)); /* read while it changed */
            st = CHRONICLE_ERR_IO;
        }
        chronicle_buf_free(&changed);
        if (st == CHRONICLE_OK) st = flush_out(job);
        chronicle__writer_free(
            job->writer); /* a failed or cancelled job: nothing more is written */
        job->writer = NULL;
        /* a job stopped on request needs no message of its own: the parent says why */
        if (st != CHRONICLE_OK && !job->failed && !(st == CHRONICLE_ERR_CANCELLED && job->cancel))
            h_error(job, st, "export failed: %s", chronicle_strerror(st));
    }
    uint32_t code = (uint32_t)st;
    send_msg(job, MSG_DONE, &code, sizeof code, NULL, 0);
    return st;
}
