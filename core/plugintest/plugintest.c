/*
 * plugintest.c — the mock host of chronicle/plugintest.h.  The dataset is
 * loaded, selected, split and summarised by the core's own code; wording
 * is the host's (wording.c); everything a job changes lives in the job, so
 * tests stay independent.  The services a plugin may call from any thread
 * (error, log, progress, cancelled, wording, cursors) are safe here too;
 * the others note a call from another thread as a violation.
 */
#include "chronicle/plugintest.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chronicle/dataset.h"
#include "chronicle/registry.h"
#include "chronicle/strbuf.h"
#include "config.h"
#include "poison.h"
#include "wording.h"

struct chronicle_job {
    const chronicle_plugin *plugin;
    chronicle_dataset *ds;
    const chronicle_event **all, **events;
    size_t n_all, n_events;
    chronicle_group *groups;
    size_t n_groups;
    char *group;
    uint32_t since, until;
    chronicle_summary *summary;
    chronicle_option_info *infos; /* the descriptor's options, for chronicle_opt_parse */
    chronicle_opt_value *values;
    char **texts; /* the values' text, owned */
    size_t n_options;
    chronicle_report report;
    char *report_text[6];
    const wording_lang *lang;
    int64_t timestamp;
    size_t fail_after;
    unsigned cancel_after, cancel_calls;
    int poison_on;
    chronicle_poison *poison;
    char *scratch, *out_path;
    pthread_t thread;
    pthread_mutex_t mu;
    chronicle_buf out;
    char *error;
    chronicle_status code;
    char **logs;
    chronicle_log_level *levels;
    size_t n_logs;
    size_t n_progress;
    uint64_t done, total;
    size_t n_violations;
    char violation[128];
};

struct chronicle_cursor {
    chronicle_job *job;
    chronicle_poison *poison;
};

/* ---- the thread rule ---- */

static void off_thread(const chronicle_job *cjob, const char *what)
{
    chronicle_job *job = (chronicle_job *)cjob; /* the mock's own bookkeeping */
    if (pthread_equal(pthread_self(), job->thread)) return;
    pthread_mutex_lock(&job->mu);
    if (!job->n_violations++)
        snprintf(job->violation, sizeof job->violation, "%s() from another thread", what);
    pthread_mutex_unlock(&job->mu);
}

/* ---- dataset ---- */

static const chronicle_dataset_info *m_dataset(const chronicle_job *job)
{
    off_thread(job, "dataset");
    return chronicle_dataset_get_info(job->ds);
}

static size_t m_event_count(const chronicle_job *job)
{
    off_thread(job, "event_count");
    return job->n_events;
}

static const chronicle_event *m_event_at(const chronicle_job *cjob, size_t i)
{
    off_thread(cjob, "event_at");
    chronicle_job *job = (chronicle_job *)cjob;
    const chronicle_event *e = i < job->n_events ? job->events[i] : NULL;
    if (!job->poison) return e;
    const chronicle_event *copy = chronicle__poison_next(job->poison, e);
    return copy || !e ? copy : e;
}

static const chronicle_summary *m_summary(const chronicle_job *job)
{
    off_thread(job, "summary");
    return job->summary;
}

static const chronicle_source *m_source_by_id(const chronicle_job *job, const char *id)
{
    off_thread(job, "source_by_id");
    return id ? chronicle_dataset_source(job->ds, id) : NULL;
}

static int64_t m_timestamp(const chronicle_job *job)
{
    off_thread(job, "timestamp");
    return job->timestamp;
}

static const char *m_group(const chronicle_job *job)
{
    off_thread(job, "group");
    return job->group;
}

/* ---- options ---- */

static const chronicle_opt_value *find(const chronicle_job *job, const char *name,
                                       chronicle_opt_type want, const char *what)
{
    off_thread(job, what);
    for (size_t i = 0; name && i < job->n_options; i++) {
        if (strcmp(job->infos[i].name, name)) continue;
        chronicle_opt_type t = job->infos[i].type;
        int text =
            want == CHRONICLE_OPT_STRING &&
            (t == CHRONICLE_OPT_STRING || t == CHRONICLE_OPT_ENUM || t == CHRONICLE_OPT_PATH);
        int number = want == CHRONICLE_OPT_DOUBLE && t == CHRONICLE_OPT_INT;
        return t == want || text || number ? &job->values[i] : NULL;
    }
    return NULL;
}

static int m_opt_bool(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find(job, name, CHRONICLE_OPT_BOOL, "opt_bool");
    return v && v->set ? v->b : 0;
}

static int64_t m_opt_int(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find(job, name, CHRONICLE_OPT_INT, "opt_int");
    return v && v->set ? v->i : 0;
}

static double m_opt_double(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find(job, name, CHRONICLE_OPT_DOUBLE, "opt_double");
    return v && v->set ? v->d : 0;
}

static const char *m_opt_string(const chronicle_job *job, const char *name)
{
    const chronicle_opt_value *v = find(job, name, CHRONICLE_OPT_STRING, "opt_string");
    return v && v->set ? v->s : NULL;
}

/* ---- output ---- */

static chronicle_status m_write(chronicle_job *job, const void *buf, size_t len)
{
    off_thread(job, "write");
    if (job->out.len + len > job->fail_after) return CHRONICLE_ERR_IO;
    return chronicle_buf_append(&job->out, buf, len);
}

static const char *m_output_path(chronicle_job *job)
{
    off_thread(job, "output_path");
    return job->out_path;
}

static const char *m_scratch_dir(chronicle_job *job)
{
    off_thread(job, "scratch_dir");
    return job->scratch;
}

/* ---- diagnostics ---- */

static void m_error(chronicle_job *job, chronicle_status code, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);
static void m_error(chronicle_job *job, chronicle_status code, const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&job->mu);
    if (!job->error) {
        job->error = chronicle_buf_steal(&b);
        job->code = code ? code : CHRONICLE_ERR_INTERNAL;
    }
    pthread_mutex_unlock(&job->mu);
    chronicle_buf_free(&b);
}

static void m_log(chronicle_job *job, chronicle_log_level lvl, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);
static void m_log(chronicle_job *job, chronicle_log_level lvl, const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&job->mu);
    char **logs = realloc(job->logs, (job->n_logs + 1) * sizeof *logs);
    chronicle_log_level *levels =
        logs ? realloc(job->levels, (job->n_logs + 1) * sizeof *levels) : NULL;
    if (logs) job->logs = logs;
    if (levels) {
        job->levels = levels;
        levels[job->n_logs] = lvl;
        logs[job->n_logs++] = chronicle_buf_steal(&b);
    }
    pthread_mutex_unlock(&job->mu);
    chronicle_buf_free(&b);
}

static void m_progress(chronicle_job *job, uint64_t done, uint64_t total)
{
    pthread_mutex_lock(&job->mu);
    job->n_progress++;
    job->done = done;
    job->total = total;
    pthread_mutex_unlock(&job->mu);
}

static int m_cancelled(const chronicle_job *cjob)
{
    chronicle_job *job = (chronicle_job *)cjob;
    pthread_mutex_lock(&job->mu);
    int yes = job->cancel_after && ++job->cancel_calls >= job->cancel_after;
    pthread_mutex_unlock(&job->mu);
    return yes;
}

/* ---- 1.2: the report and its wording ---- */

static const chronicle_report *m_report(const chronicle_job *job)
{
    off_thread(job, "report");
    return &job->report;
}

static const char *m_label(const chronicle_job *job, const char *msgid)
{
    return chronicle__wording_label(job->lang, msgid);
}

static size_t m_format_message(const chronicle_job *job, char *buf, size_t size, const char *msgid,
                               const char *const *args, size_t n_args)
{
    return chronicle__wording_message(job->lang, buf, size, msgid, args, n_args);
}

static size_t m_format_date(const chronicle_job *job, char *buf, size_t size, uint32_t ymd,
                            chronicle_date_style style)
{
    return chronicle__wording_date(job->lang, buf, size, ymd, style);
}

static size_t m_format_period(const chronicle_job *job, char *buf, size_t size, uint32_t first,
                              uint32_t last, chronicle_date_style style)
{
    return chronicle__wording_period(job->lang, buf, size, first, last, style);
}

static size_t m_format_number(const chronicle_job *job, char *buf, size_t size, double value)
{
    return chronicle__wording_number(job->lang, buf, size, value);
}

static size_t m_format_count(const chronicle_job *job, char *buf, size_t size, uint64_t n,
                             const char *msgid)
{
    return chronicle__wording_count(job->lang, buf, size, n, msgid);
}

static size_t m_format_ordinal(const chronicle_job *job, char *buf, size_t size, uint64_t n,
                               const char *msgid)
{
    return chronicle__wording_ordinal(job->lang, buf, size, n, msgid);
}

static size_t m_format_attribution(const chronicle_job *job, char *buf, size_t size,
                                   const chronicle_source *src)
{
    return chronicle__wording_attribution(job->lang, buf, size, src);
}

static size_t m_format_selection(const chronicle_job *job, char *buf, size_t size)
{
    return chronicle__wording_selection(job->lang, buf, size, &job->report, job->n_events,
                                        job->n_all);
}

static chronicle_cursor *m_cursor_open(chronicle_job *job)
{
    chronicle_cursor *c = calloc(1, sizeof *c);
    if (c && job->poison_on && (job->plugin->flags & CHRONICLE_PLUGIN_ONE_EVENT) &&
        !(c->poison = chronicle__poison_new())) {
        free(c);
        c = NULL;
    }
    if (!c) {
        m_error(job, CHRONICLE_ERR_NOMEM, "out of memory for a cursor");
        return NULL;
    }
    c->job = job;
    return c;
}

static const chronicle_event *m_cursor_event(chronicle_cursor *c, size_t i)
{
    const chronicle_event *e = c && i < c->job->n_events ? c->job->events[i] : NULL;
    if (!c || !c->poison) return e;
    const chronicle_event *copy = chronicle__poison_next(c->poison, e);
    return copy || !e ? copy : e;
}

static void m_cursor_close(chronicle_cursor *c)
{
    if (!c) return;
    chronicle__poison_free(c->poison);
    free(c);
}

static const chronicle_host host = {
    .struct_size = sizeof host,
    .abi_version = CHRONICLE_ABI_VERSION,
    .host_version = "plugintest " CHRONICLE_VERSION,
    .dataset = m_dataset,
    .event_count = m_event_count,
    .event_at = m_event_at,
    .summary = m_summary,
    .source_by_id = m_source_by_id,
    .timestamp = m_timestamp,
    .group = m_group,
    .opt_bool = m_opt_bool,
    .opt_int = m_opt_int,
    .opt_double = m_opt_double,
    .opt_string = m_opt_string,
    .write = m_write,
    .output_path = m_output_path,
    .scratch_dir = m_scratch_dir,
    .error = m_error,
    .log = m_log,
    .progress = m_progress,
    .cancelled = m_cancelled,
    .report = m_report,
    .label = m_label,
    .format_message = m_format_message,
    .format_date = m_format_date,
    .format_period = m_format_period,
    .format_number = m_format_number,
    .format_count = m_format_count,
    .format_ordinal = m_format_ordinal,
    .format_attribution = m_format_attribution,
    .format_selection = m_format_selection,
    .ymd_to_days = chronicle__wording_ymd_to_days,
    .days_to_ymd = chronicle__wording_days_to_ymd,
    .cursor_open = m_cursor_open,
    .cursor_event = m_cursor_event,
    .cursor_close = m_cursor_close,
};

static chronicle_host older[2];

const chronicle_host *chronicle_mock_host(void)
{
    return &host;
}

const chronicle_host *chronicle_mock_host_abi(uint32_t minor)
{
    if (minor >= CHRONICLE_ABI_MINOR) return &host;
    chronicle_host *h = &older[minor ? 1 : 0];
    *h = host;
    /* 1.0 and 1.1 hosts end where 1.2 added report() */
    h->struct_size = (uint32_t)offsetof(chronicle_host, report);
    memset((char *)h + h->struct_size, 0, sizeof *h - h->struct_size); /* as if not there */
    h->abi_version = CHRONICLE_ABI(1, minor);
    return h;
}

/* ---- fixtures ---- */

static char *readable(const char *dir, size_t len, const char *name)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%.*s/%s", (int)len, dir, name);
    if (b.ptr && access(b.ptr, R_OK) == 0) return chronicle_buf_steal(&b);
    chronicle_buf_free(&b);
    return NULL;
}

char *chronicle_mock_fixture(const char *name)
{
    const char *dirs = getenv("CHRONICLE_PLUGINTEST_DATA");
    char *found = NULL;
    while (dirs && *dirs && !found) {
        size_t n = strcspn(dirs, ":");
        if (n) found = readable(dirs, n, name);
        dirs += n + (dirs[n] == ':');
    }
    return found ? found : readable(CHRONICLE_DATADIR, strlen(CHRONICLE_DATADIR), name);
}

/* ---- jobs ---- */

static char *say(const char *fmt, ...) CHRONICLE_PRINTF(1, 2);
static char *say(const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    return chronicle_buf_steal(&b);
}

/* The descriptor's options, as the host reads them, at their defaults. */
static chronicle_status take_options(chronicle_job *job)
{
    const chronicle_option *o = job->plugin->options;
    while (o && o[job->n_options].name)
        job->n_options++;
    size_t n = job->n_options ? job->n_options : 1;
    job->infos = calloc(n, sizeof *job->infos);
    job->values = calloc(n, sizeof *job->values);
    job->texts = calloc(n, sizeof *job->texts);
    if (!job->infos || !job->values || !job->texts) return CHRONICLE_ERR_NOMEM;
    for (size_t i = 0; i < job->n_options; i++) {
        chronicle_option_info *in = &job->infos[i];
        *in = (chronicle_option_info){(char *)o[i].name,
                                      o[i].type,
                                      (char *)o[i].default_value,
                                      (char *)o[i].help,
                                      (char **)o[i].choices,
                                      o[i].min,
                                      o[i].max};
        if (in->default_value) {
            chronicle_buf why = CHRONICLE_BUF_INIT;
            chronicle_opt_parse(in, in->default_value, &job->values[i], &why);
            chronicle_buf_free(&why);
        }
    }
    return CHRONICLE_OK;
}

/* The events of the range and group, and their summary. */
static chronicle_status select_events(chronicle_job *job)
{
    chronicle_filter f = {.since = job->since, .until = job->until};
    const chronicle_event **ev = NULL;
    size_t n = 0;
    chronicle_status st = chronicle_dataset_select(job->ds, &f, &ev, &n);
    if (st != CHRONICLE_OK) return st;
    free((void *)job->all);
    job->all = ev;
    job->events = ev;
    job->n_events = n;
    if (!job->n_all) job->n_all = n;
    return CHRONICLE_OK;
}

static chronicle_status summarise(chronicle_job *job)
{
    chronicle_summary_free(job->summary);
    job->summary = NULL;
    return chronicle_summary_build(job->events, job->n_events, &job->summary);
}

chronicle_status chronicle_mock_job_new(const chronicle_plugin *plugin, const char *path,
                                        chronicle_job **out, char **why)
{
    chronicle_job *job = calloc(1, sizeof *job);
    chronicle_diag *d = chronicle_diag_new(5);
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    char *reason = NULL;
    *out = NULL;
    if (!job || !d) goto out;
    pthread_mutex_init(&job->mu, NULL);
    job->plugin = plugin;
    job->timestamp = 1700000000;
    job->fail_after = (size_t)-1;
    job->poison_on = 1;
    job->lang = chronicle__wording_english();
    chronicle_load_opts lo = {0};
    if ((st = chronicle_dataset_load(path, &lo, &job->ds, d)) != CHRONICLE_OK) {
        chronicle_buf line = CHRONICLE_BUF_INIT;
        if (chronicle_diag_count(d)) chronicle_diag_format(chronicle_diag_at(d, 0), &line);
        reason = say("cannot load %s: %s", path, line.ptr ? line.ptr : chronicle_strerror(st));
        chronicle_buf_free(&line);
        goto out;
    }
    if ((st = take_options(job)) != CHRONICLE_OK || (st = select_events(job)) != CHRONICLE_OK ||
        (st = summarise(job)) != CHRONICLE_OK)
        goto out;
    const chronicle_dataset_info *di = chronicle_dataset_get_info(job->ds);
    job->report = (chronicle_report){.struct_size = sizeof job->report, .title = di->title};
    job->report.lang = (chronicle_str){chronicle__wording_tag(job->lang),
                                       strlen(chronicle__wording_tag(job->lang))};
    *out = job;
    job = NULL;
out:
    if (st != CHRONICLE_OK && !reason) reason = say("%s", chronicle_strerror(st));
    if (why)
        *why = reason;
    else
        free(reason);
    chronicle_diag_free(d);
    chronicle_mock_job_free(job);
    return st;
}

static void remove_scratch(chronicle_job *job)
{
    if (job->out_path) unlink(job->out_path);
    if (job->scratch) rmdir(job->scratch);
    free(job->out_path);
    free(job->scratch);
    job->out_path = job->scratch = NULL;
}

void chronicle_mock_job_free(chronicle_job *job)
{
    if (!job) return;
    remove_scratch(job);
    for (size_t i = 0; i < job->n_options && job->texts; i++)
        free(job->texts[i]);
    free(job->texts);
    free(job->values);
    free(job->infos);
    for (size_t i = 0; i < 6; i++)
        free(job->report_text[i]);
    for (size_t i = 0; i < job->n_logs; i++)
        free(job->logs[i]);
    free(job->logs);
    free(job->levels);
    free(job->error);
    free(job->group);
    free((void *)job->all);
    chronicle_groups_free(job->groups, job->n_groups);
    chronicle_summary_free(job->summary);
    chronicle__poison_free(job->poison);
    chronicle_buf_free(&job->out);
    chronicle_dataset_free(job->ds);
    pthread_mutex_destroy(&job->mu);
    free(job);
}

chronicle_status chronicle_mock_set(chronicle_job *job, const char *key, const char *value)
{
    for (size_t i = 0; key && value && i < job->n_options; i++) {
        if (strcmp(job->infos[i].name, key)) continue;
        char *copy = strdup(value);
        chronicle_opt_value v = {0};
        chronicle_buf why = CHRONICLE_BUF_INIT;
        chronicle_status st =
            copy ? chronicle_opt_parse(&job->infos[i], copy, &v, &why) : CHRONICLE_ERR_NOMEM;
        chronicle_buf_free(&why);
        if (st != CHRONICLE_OK) {
            free(copy);
            return st;
        }
        free(job->texts[i]);
        job->texts[i] = copy;
        v.s = copy;
        job->values[i] = v;
        return CHRONICLE_OK;
    }
    return CHRONICLE_ERR_OPTION;
}

chronicle_status chronicle_mock_set_report(chronicle_job *job, const char *field, const char *value)
{
    static const char *const fields[] = {"title",  "subtitle", "organization",
                                         "author", "marking",  "lang"};
    chronicle_report *r = &job->report;
    chronicle_str *slots[] = {&r->title,  &r->subtitle, &r->organization,
                              &r->author, &r->marking,  &r->lang};
    for (size_t i = 0; field && value && i < 6; i++) {
        if (strcmp(field, fields[i])) continue;
        if (i == 5) {
            const wording_lang *l = chronicle__wording_find(value);
            if (!l) return CHRONICLE_ERR_OPTION;
            job->lang = l;
            r->direction = (uint32_t)chronicle__wording_direction(l);
            value = chronicle__wording_tag(l);
        }
        char *copy = strdup(value);
        if (!copy) return CHRONICLE_ERR_NOMEM;
        free(job->report_text[i]);
        job->report_text[i] = copy;
        *slots[i] = (chronicle_str){copy, strlen(copy)};
        return CHRONICLE_OK;
    }
    return CHRONICLE_ERR_OPTION;
}

chronicle_status chronicle_mock_set_group(chronicle_job *job, const char *key, const char *group)
{
    chronicle_split_key k = key ? chronicle_split_key_parse(key) : CHRONICLE_SPLIT_NONE;
    if (!k || !group) return CHRONICLE_ERR_OPTION;
    chronicle_status st = select_events(job);
    chronicle_groups_free(job->groups, job->n_groups);
    job->groups = NULL;
    job->n_groups = 0;
    if (st == CHRONICLE_OK)
        st = chronicle_split(job->all, job->n_events, k, &job->groups, &job->n_groups);
    if (st != CHRONICLE_OK) return st;
    job->n_events = 0;
    for (size_t i = 0; i < job->n_groups; i++)
        if (!strcmp(job->groups[i].name, group)) {
            job->events = job->groups[i].events;
            job->n_events = job->groups[i].n_events;
        }
    free(job->group);
    if (!(job->group = strdup(group))) return CHRONICLE_ERR_NOMEM;
    static const char *const keys[] = {"", "country", "year", "organizer", "tag"};
    const char *name = (size_t)k < sizeof keys / sizeof keys[0] ? keys[k] : "";
    job->report.split_by = (chronicle_str){name, strlen(name)}; /* static: outlives key */
    return summarise(job);
}

void chronicle_mock_set_range(chronicle_job *job, uint32_t since, uint32_t until)
{
    job->since = since;
    job->until = until;
    job->report.since_ymd = since;
    job->report.until_ymd = until;
    if (select_events(job) == CHRONICLE_OK) summarise(job);
}

void chronicle_mock_set_timestamp(chronicle_job *job, int64_t seconds)
{
    job->timestamp = seconds;
}

void chronicle_mock_fail_writes_after(chronicle_job *job, size_t bytes)
{
    job->fail_after = bytes;
}

void chronicle_mock_cancel_after(chronicle_job *job, unsigned calls)
{
    job->cancel_after = calls;
}

void chronicle_mock_set_poison(chronicle_job *job, int on)
{
    job->poison_on = on;
}

/* A NEEDS_PATH plugin fills a file: make it in a private directory. */
static chronicle_status make_output_file(chronicle_job *job)
{
    const char *tmp = getenv("TMPDIR");
    job->scratch = say("%s/chronicle-plugintest-XXXXXX", tmp && *tmp == '/' ? tmp : "/tmp");
    if (!job->scratch || !mkdtemp(job->scratch)) return CHRONICLE_ERR_IO;
    job->out_path = say("%s/output.%s", job->scratch, job->plugin->extension);
    return job->out_path ? CHRONICLE_OK : CHRONICLE_ERR_NOMEM;
}

static void read_output_file(chronicle_job *job)
{
    FILE *f = fopen(job->out_path, "rb");
    char chunk[65536];
    size_t n;
    chronicle_buf_reset(&job->out);
    while (f && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
        chronicle_buf_append(&job->out, chunk, n);
    if (f) fclose(f);
}

chronicle_status chronicle_mock_run(chronicle_job *job, const chronicle_host *h)
{
    job->thread = pthread_self();
    if (job->poison_on && (job->plugin->flags & CHRONICLE_PLUGIN_ONE_EVENT) && !job->poison &&
        !(job->poison = chronicle__poison_new()))
        return CHRONICLE_ERR_NOMEM;
    if ((job->plugin->flags & CHRONICLE_PLUGIN_NEEDS_PATH) && !job->out_path) {
        chronicle_status st = make_output_file(job);
        if (st != CHRONICLE_OK) return st;
    }
    chronicle_status st = job->plugin->export_dataset(job, h ? h : &host);
    if (job->out_path) read_output_file(job);
    return st;
}

const char *chronicle_mock_output(const chronicle_job *job, size_t *len)
{
    if (len) *len = job->out.len;
    return job->out.ptr ? job->out.ptr : "";
}

const char *chronicle_mock_error(const chronicle_job *job, chronicle_status *code)
{
    if (code) *code = job->code;
    return job->error;
}

size_t chronicle_mock_log_count(const chronicle_job *job)
{
    return job->n_logs;
}

const char *chronicle_mock_log_at(const chronicle_job *job, size_t i, chronicle_log_level *level)
{
    if (i >= job->n_logs) return NULL;
    if (level) *level = job->levels[i];
    return job->logs[i];
}

size_t chronicle_mock_progress(const chronicle_job *job, uint64_t *done, uint64_t *total)
{
    if (done) *done = job->done;
    if (total) *total = job->total;
    return job->n_progress;
}

size_t chronicle_mock_thread_violations(const chronicle_job *job, const char **first)
{
    if (first) *first = job->n_violations ? job->violation : NULL;
    return job->n_violations;
}

size_t chronicle_mock_event_count(const chronicle_job *job)
{
    return job->n_events;
}
