/*
 * mock_host.c — the chronicle_host of mock_host.h over two fixed events.
 * The data is static and read-only, like the real host's views; everything
 * a job changes (output, errors, option values) lives in the job, so tests
 * stay independent.  It checks nothing the real host checks: run the
 * plugin under `chronicle` too (see plugins/README.md).
 */
#include "mock_host.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(text) {text, sizeof text - 1}
#define NONE {NULL, 0}

/* ---- the dataset: two sources, two events ---- */

static const chronicle_source sources[] = {
    {sizeof(chronicle_source), S("src-1"), S("Example Post"), S("2023-02-24"), NONE,
     S("example-post.txt"), S("https://example.org/post"), 20230224},
    {sizeof(chronicle_source), S("src-2"), NONE, NONE, NONE, S("undated-note.txt"), NONE, 0},
};
static const chronicle_source *const all_sources[] = {&sources[0], &sources[1]};

static const chronicle_str ev1_organizers[] = {S("Example Ministry"), S("City Museum")};
static const chronicle_str ev1_tags[] = {S("commemoration")};
static const chronicle_participant ev1_p1 = {sizeof ev1_p1, 1, S("Aysel Məmmədova"),
                                             S("Director"), S("City Museum")};
static const chronicle_participant *const ev1_participants[] = {&ev1_p1};
static const chronicle_activity ev1_a1 = {sizeof ev1_a1, S("exhibition"), S("Days of Memory"),
                                          S("Photographs and documents."), NULL, 0};
static const chronicle_activity *const ev1_activities[] = {&ev1_a1};
static const chronicle_statement ev1_s1 = {sizeof ev1_s1, S("Aysel Məmmədova"),
                                           S("Məmmədova said that the *exhibition* [opens] today."),
                                           S("Welcome, everyone"), &sources[0]};
static const chronicle_statement *const ev1_statements[] = {&ev1_s1};
static const chronicle_figure ev1_f1 = {sizeof ev1_f1, S("Photographs shown"), S("photographs"),
                                        NONE, 120, &sources[0]};
static const chronicle_figure *const ev1_figures[] = {&ev1_f1};
static const chronicle_source *const ev1_sources[] = {&sources[0]};

static const chronicle_statement ev2_s1 = {sizeof ev2_s1, S("Report text (no speaker named)"),
                                           S("The note states that the concert was held."), NONE,
                                           &sources[1]};
static const chronicle_statement *const ev2_statements[] = {&ev2_s1};
static const chronicle_figure ev2_f1 = {sizeof ev2_f1, S("Attendees"), S("people"), NONE, 2.5,
                                        &sources[1]};
static const chronicle_figure *const ev2_figures[] = {&ev2_f1};
static const chronicle_source *const ev2_sources[] = {&sources[1]};

static const chronicle_event events[] = {
    {.struct_size = offsetof(chronicle_event, occasion_of_date_ymd), /* 1.1 */
     .date_ymd = 20230224, .anniversary = 31,
     .id = S("baku-2023"), .title = S("Opening of an exhibition, Bakı"), .date = S("2023-02-24"),
     .end_date = NONE, .summary = S("The museum opened an exhibition."), .venue = S("City Museum"),
     .city = S("Bakı"), .country = S("Azerbaijan"), .country_code = S("AZ"),
     .occasion = S("Example occasion"), .occasion_of_date = S("1992-02-25"),
     .organizers = ev1_organizers, .n_organizers = 2, .tags = ev1_tags, .n_tags = 1,
     .participants = ev1_participants, .n_participants = 1, .activities = ev1_activities,
     .n_activities = 1, .statements = ev1_statements, .n_statements = 1, .figures = ev1_figures,
     .n_figures = 1, .sources = ev1_sources, .n_sources = 1},
    {.struct_size = offsetof(chronicle_event, occasion_of_date_ymd),
     .date_ymd = 20240226, .end_date_ymd = 20240227,
     .anniversary = -1, .id = S("paris-2024"), .title = S("Concert, Paris"),
     .date = S("2024-02-26"), .end_date = S("2024-02-27"), .city = S("Paris"),
     .country = S("France"), .country_code = S("FR"), .occasion = S("Example occasion"),
     .statements = ev2_statements, .n_statements = 1, .figures = ev2_figures, .n_figures = 1,
     .sources = ev2_sources, .n_sources = 1},
};
#define N_EVENTS (sizeof events / sizeof events[0])

static const chronicle_count by_year[] = {{S("2023"), S("2023"), 1}, {S("2024"), S("2024"), 1}};
static const chronicle_count by_country[] = {{S("AZ"), S("Azerbaijan"), 1},
                                             {S("FR"), S("France"), 1}};
static const chronicle_summary summary = {
    .struct_size = offsetof(chronicle_summary, first_date_ymd), /* 1.1 */ .n_events = 2, .n_participants = 1, .n_activities = 1,
    .n_statements = 2, .n_figures = 2, .n_sources_cited = 2, .first_date = S("2023-02-24"),
    .last_date = S("2024-02-27"), .by_year = by_year, .n_by_year = 2, .by_country = by_country,
    .n_by_country = 2};
static const chronicle_dataset_info info = {
    sizeof info, S("chronicle/events@1"), S("Mock dataset"), S("Two events for unit tests."),
    S("mock.json"), S("mock"), all_sources, 2, N_EVENTS};

/* ---- the job ---- */

struct chronicle_job {
    const chronicle_plugin *plugin;
    const char **values; /* per declared option, as text */
    const char *group;
    char *out;
    size_t len, cap, fail_after;
    unsigned cancel_after, cancel_calls;
    char *error;
    chronicle_status code;
};

static const char *value_of(const chronicle_job *job, const char *name)
{
    for (size_t i = 0; job->plugin->options && job->plugin->options[i].name; i++)
        if (!strcmp(job->plugin->options[i].name, name)) return job->values[i];
    return NULL;
}

static const chronicle_dataset_info *m_dataset(const chronicle_job *job)
{
    (void)job;
    return &info;
}

static size_t m_event_count(const chronicle_job *job)
{
    (void)job;
    return N_EVENTS;
}

static const chronicle_event *m_event_at(const chronicle_job *job, size_t i)
{
    (void)job;
    return i < N_EVENTS ? &events[i] : NULL;
}

static const chronicle_summary *m_summary(const chronicle_job *job)
{
    (void)job;
    return &summary;
}

static const chronicle_source *m_source_by_id(const chronicle_job *job, const char *id)
{
    (void)job;
    for (size_t i = 0; id && i < 2; i++)
        if (!strcmp(sources[i].id.ptr, id)) return &sources[i];
    return NULL;
}

static int64_t m_timestamp(const chronicle_job *job)
{
    (void)job;
    return 1700000000; /* 2023-11-14T22:13:20Z, like SOURCE_DATE_EPOCH in the e2e tests */
}

static const char *m_group(const chronicle_job *job)
{
    return job->group;
}

/* The host's spellings of true (it also accepts upper case). */
static int m_opt_bool(const chronicle_job *job, const char *name)
{
    const char *v = value_of(job, name);
    return v && (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "on"));
}

static int64_t m_opt_int(const chronicle_job *job, const char *name)
{
    const char *v = value_of(job, name);
    return v ? strtoll(v, NULL, 10) : 0;
}

static double m_opt_double(const chronicle_job *job, const char *name)
{
    const char *v = value_of(job, name);
    return v ? strtod(v, NULL) : 0;
}

static const char *m_opt_string(const chronicle_job *job, const char *name)
{
    return value_of(job, name);
}

static chronicle_status m_write(chronicle_job *job, const void *buf, size_t len)
{
    if (job->len + len > job->fail_after) return CHRONICLE_ERR_IO;
    if (job->len + len + 1 > job->cap) {
        size_t cap = (job->len + len + 1) * 2;
        char *p = realloc(job->out, cap);
        if (!p) return CHRONICLE_ERR_NOMEM;
        job->out = p;
        job->cap = cap;
    }
    memcpy(job->out + job->len, buf, len);
    job->len += len;
    job->out[job->len] = '\0';
    return CHRONICLE_OK;
}

static const char *m_output_path(chronicle_job *job)
{
    (void)job;
    return NULL; /* as when writing to standard output */
}

static const char *m_scratch_dir(chronicle_job *job)
{
    (void)job;
    return "/tmp";
}

static void m_error(chronicle_job *job, chronicle_status code, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);
static void m_error(chronicle_job *job, chronicle_status code, const char *fmt, ...)
{
    if (job->error) return;
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if ((job->error = malloc(strlen(text) + 1))) strcpy(job->error, text);
    job->code = code;
}

static void m_log(chronicle_job *job, chronicle_log_level lvl, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);
static void m_log(chronicle_job *job, chronicle_log_level lvl, const char *fmt, ...)
{
    (void)job, (void)lvl, (void)fmt;
}

static void m_progress(chronicle_job *job, uint64_t done, uint64_t total)
{
    (void)job, (void)done, (void)total;
}

static int m_cancelled(const chronicle_job *job)
{
    chronicle_job *j = (chronicle_job *)job; /* the mock's own bookkeeping */
    return j->cancel_after && ++j->cancel_calls >= j->cancel_after;
}

/* A 1.1 host: it lends none of the 1.2 wording services, so what a plugin
 * writes here is its fallback for older hosts (English, ISO dates).  Run
 * the plugin under `chronicle export --lang` for the host's wording. */
static const chronicle_host host = {
    .struct_size = offsetof(chronicle_host, report), .abi_version = CHRONICLE_ABI(1, 1),
    .host_version = "mock",      .dataset = m_dataset,
    .event_count = m_event_count, .event_at = m_event_at,
    .summary = m_summary,        .source_by_id = m_source_by_id,
    .timestamp = m_timestamp,    .group = m_group,
    .opt_bool = m_opt_bool,      .opt_int = m_opt_int,
    .opt_double = m_opt_double,  .opt_string = m_opt_string,
    .write = m_write,            .output_path = m_output_path,
    .scratch_dir = m_scratch_dir, .error = m_error,
    .log = m_log,                .progress = m_progress,
    .cancelled = m_cancelled,
};

const chronicle_host *mock_host(void)
{
    return &host;
}

chronicle_job *mock_job_new(const chronicle_plugin *plugin)
{
    size_t n = 0;
    while (plugin->options && plugin->options[n].name) n++;
    chronicle_job *job = calloc(1, sizeof *job);
    if (!job || !(job->values = calloc(n + 1, sizeof *job->values))) {
        free(job);
        return NULL;
    }
    job->plugin = plugin;
    job->fail_after = (size_t)-1;
    for (size_t i = 0; i < n; i++) job->values[i] = plugin->options[i].default_value;
    return job;
}

void mock_job_free(chronicle_job *job)
{
    if (!job) return;
    free(job->values);
    free(job->out);
    free(job->error);
    free(job);
}

int mock_job_set(chronicle_job *job, const char *key, const char *value)
{
    for (size_t i = 0; job->plugin->options && job->plugin->options[i].name; i++)
        if (!strcmp(job->plugin->options[i].name, key)) {
            job->values[i] = value;
            return 1;
        }
    return 0;
}

void mock_job_set_group(chronicle_job *job, const char *group)
{
    job->group = group;
}

void mock_job_fail_writes_after(chronicle_job *job, size_t bytes)
{
    job->fail_after = bytes;
}

void mock_job_cancel_after(chronicle_job *job, unsigned calls)
{
    job->cancel_after = calls;
}

const char *mock_job_output(const chronicle_job *job, size_t *len)
{
    if (len) *len = job->len;
    return job->out ? job->out : "";
}

const char *mock_job_error(const chronicle_job *job, chronicle_status *code)
{
    if (code) *code = job->code;
    return job->error;
}
