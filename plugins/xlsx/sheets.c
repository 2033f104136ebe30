/*
 * sheets.c — the six data sheets: their columns (formats/workbook.md is the
 * contract) and the functions that emit their rows, plus the index of
 * sources the job cites.  Row functions only call the xlsx_cell_* writers,
 * so the same code measures and writes; it must emit the same rows both times.
 * The five sheets made from events emit one event's rows at a time, so that
 * one pass over the events measures them all (with a large dataset each
 * pass reads every event again from its file).
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlsx_internal.h"

/* ---- sources cited by the job ---- */

static int by_address(const void *a, const void *b)
{
    uintptr_t pa = (uintptr_t)((const xlsx_source_ref *)a)->src;
    uintptr_t pb = (uintptr_t)((const xlsx_source_ref *)b)->src;
    return pa < pb ? -1 : pa > pb;
}

/* Dataset position of src; SIZE_MAX if it is not one of the dataset's. */
static size_t source_pos(const xlsx_sources *src, const chronicle_source *s)
{
    xlsx_source_ref key = {s, 0};
    const xlsx_source_ref *r = bsearch(&key, src->by_addr, src->n, sizeof key, by_address);
    return r ? r->pos : SIZE_MAX;
}

static void count_event_sources(xlsx_sources *src, const chronicle_event *e)
{
    size_t p;
    for (size_t i = 0; i < e->n_sources; i++)
        if ((p = source_pos(src, e->sources[i])) != SIZE_MAX) src->n_events[p]++;
    for (size_t i = 0; i < e->n_statements; i++)
        if ((p = source_pos(src, e->statements[i]->source)) != SIZE_MAX) src->n_statements[p]++;
    for (size_t i = 0; i < e->n_figures; i++)
        if ((p = source_pos(src, e->figures[i]->source)) != SIZE_MAX) src->n_figures[p]++;
}

static int source_cited(const xlsx_sources *src, size_t pos)
{
    return src->n_events[pos] || src->n_statements[pos] || src->n_figures[pos];
}

chronicle_status xlsx_sources_index(xlsx_ctx *x)
{
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    xlsx_sources *src = &x->src;
    size_t n = di->n_sources, alloc = n ? n : 1;
    src->n = n;
    src->by_addr = malloc(alloc * sizeof *src->by_addr);
    src->n_events = calloc(alloc, sizeof *src->n_events);
    src->n_statements = calloc(alloc, sizeof *src->n_statements);
    src->n_figures = calloc(alloc, sizeof *src->n_figures);
    src->attribution = calloc(alloc, sizeof *src->attribution);
    if (!src->by_addr || !src->n_events || !src->n_statements || !src->n_figures ||
        !src->attribution) {
        x->status = CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "out of memory indexing %zu sources", n);
        return x->status;
    }
    for (size_t i = 0; i < n; i++)
        src->by_addr[i] = (xlsx_source_ref){di->sources[i], i};
    qsort(src->by_addr, n, sizeof *src->by_addr, by_address);
    return CHRONICLE_OK;
}

/* ---- measuring on every CPU (ABI 1.2 cursors) ----
 *
 * Nothing else runs while the sheets are measured (the deflating threads
 * start with the first streamed row), and over an index (--memory low)
 * every event is read again from the file: so the events are cut into
 * contiguous shares, each measured by a thread of its own with its own
 * cursor, into a copy of the context with its own scratch, counts and
 * attributions, then added up.  Sums, maxima and flags do not depend on
 * the order they are taken in: the workbook is the one a single thread
 * makes. */

#define SHARE_MIN_EVENTS 2048
#define MAX_SHARES 8

typedef struct share {
    xlsx_ctx x; /* a copy of the export's, with a scratch and counts of its own */
    xlsx_sheet sheets[XLSX_N_DATA_SHEETS];
    size_t from, to;
    pthread_t thread;
} share;

/* Measures events [from, to) of the job into sheets: through a cursor when
 * one is given, else through event_at() (the export's own thread). */
static void measure_events(xlsx_ctx *x, xlsx_sheet *sheets, size_t from, size_t to,
                           chronicle_cursor *cursor, int report)
{
    for (size_t i = from; i < to && x->status == CHRONICLE_OK; i++) {
        const chronicle_event *e =
            cursor ? x->host->cursor_event(cursor, i) : x->host->event_at(x->job, i);
        if (!e) { /* the host has said why */
            x->status = CHRONICLE_ERR_IO;
            break;
        }
        count_event_sources(&x->src, e);
        for (size_t k = 0; k < XLSX_N_DATA_SHEETS; k++) {
            if (!sheets[k].event_rows) continue;
            sheets[k].event_rows(&sheets[k], e);
            if (report) xlsx_event_done(&sheets[k]);
        }
        if (!report && (i & 1023) == 1023 && x->host->cancelled(x->job))
            x->status = CHRONICLE_ERR_CANCELLED;
    }
}

static void *measure_share(void *arg)
{
    share *m = arg;
    chronicle_cursor *c = m->x.host->cursor_open(m->x.job);
    if (!c)
        m->x.status = CHRONICLE_ERR_NOMEM; /* the host has said so */
    else
        measure_events(&m->x, m->sheets, m->from, m->to, c, 0);
    m->x.host->cursor_close(c);
    return NULL;
}

/* A copy of x for a share: what measuring writes is its own. */
static int share_init(share *m, const xlsx_ctx *x, const xlsx_sheet *sheets)
{
    size_t n = x->src.n;
    m->x = *x;
    m->x.buf = (chronicle_buf){0};
    m->x.cut = (chronicle_buf){0};
    m->x.ids = NULL;
    m->x.ids_cap = 0;
    m->x.n_rounded = 0;
    m->x.src.n_events = calloc(n ? n : 1, sizeof(size_t));
    m->x.src.n_statements = calloc(n ? n : 1, sizeof(size_t));
    m->x.src.n_figures = calloc(n ? n : 1, sizeof(size_t));
    m->x.src.attribution = calloc(n ? n : 1, sizeof(char *));
    for (size_t k = 0; k < XLSX_N_DATA_SHEETS; k++) {
        m->sheets[k] = sheets[k];
        m->sheets[k].x = &m->x;
    }
    return m->x.src.n_events && m->x.src.n_statements && m->x.src.n_figures && m->x.src.attribution;
}

static void share_free(share *m)
{
    for (size_t i = 0; m->x.src.attribution && i < m->x.src.n; i++)
        free(m->x.src.attribution[i]);
    free(m->x.src.attribution);
    free(m->x.src.n_events);
    free(m->x.src.n_statements);
    free(m->x.src.n_figures);
    chronicle_buf_free(&m->x.buf);
    chronicle_buf_free(&m->x.cut);
    free(m->x.ids);
}

/* Adds a share's measures and counts to the export's. */
static void share_merge(xlsx_ctx *x, xlsx_sheet *sheets, share *m)
{
    if (m->x.status != CHRONICLE_OK && x->status == CHRONICLE_OK) x->status = m->x.status;
    x->n_rounded += m->x.n_rounded;
    for (size_t i = 0; i < x->src.n; i++) {
        x->src.n_events[i] += m->x.src.n_events[i];
        x->src.n_statements[i] += m->x.src.n_statements[i];
        x->src.n_figures[i] += m->x.src.n_figures[i];
        if (!x->src.attribution[i]) { /* made once, kept */
            x->src.attribution[i] = m->x.src.attribution[i];
            m->x.src.attribution[i] = NULL;
        }
    }
    for (size_t k = 0; k < XLSX_N_DATA_SHEETS; k++) {
        xlsx_sheet *s = &sheets[k], *t = &m->sheets[k];
        if (!s->event_rows) continue;
        s->n_rows += t->n_rows;
        s->xml_bytes += t->xml_bytes;
        for (unsigned c = 0; c < s->n_cols; c++) {
            if (t->width[c] > s->width[c]) s->width[c] = t->width[c];
            s->multiline[c] |= t->multiline[c];
        }
        x->done += (uint64_t)(m->to - m->from); /* the events it visited, for progress */
    }
}

static size_t cpus(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return (size_t)CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* How many shares to measure n events in: one when the host lends no
 * cursors or the job is small. */
static size_t share_count(const xlsx_ctx *x, size_t n)
{
    const chronicle_host *h = x->host;
    if (!CHRONICLE_HAS(h, chronicle_host, cursor_close) || !h->cursor_open || !h->cursor_event ||
        !h->cursor_close)
        return 1;
    size_t k = cpus(), most = n / SHARE_MIN_EVENTS;
    if (k > most) k = most;
    if (k > MAX_SHARES) k = MAX_SHARES;
    return k ? k : 1;
}

chronicle_status xlsx_measure_sheets(xlsx_ctx *x, xlsx_sheet sheets[XLSX_N_DATA_SHEETS])
{
    for (size_t k = 0; k < XLSX_N_DATA_SHEETS; k++)
        if (sheets[k].event_rows) xlsx_sheet_measure_begin(&sheets[k]);
    size_t n = x->host->event_count(x->job), n_shares = share_count(x, n), started = 1;
    share *shares = n_shares > 1 ? calloc(n_shares, sizeof *shares) : NULL;
    if (!shares) n_shares = 1;
    for (; started < n_shares; started++) {
        share *m = &shares[started];
        m->from = n * started / n_shares;
        m->to = n * (started + 1) / n_shares;
        if (!share_init(m, x, sheets) || pthread_create(&m->thread, NULL, measure_share, m) != 0) {
            share_free(m);
            break;
        }
    }
    /* the export's thread measures the first share, and reports progress;
     * a share whose thread could not start is measured here after it */
    measure_events(x, sheets, 0, n / n_shares, NULL, 1);
    if (started < n_shares) measure_events(x, sheets, n * started / n_shares, n, NULL, 1);
    for (size_t i = 1; i < started; i++) {
        pthread_join(shares[i].thread, NULL);
        share_merge(x, sheets, &shares[i]);
        share_free(&shares[i]);
    }
    free(shares);
    for (size_t i = 0; i < x->src.n; i++)
        x->src.n_cited += source_cited(&x->src, i) ? 1 : 0;
    for (size_t k = 0; k < XLSX_N_DATA_SHEETS && x->status == CHRONICLE_OK; k++) {
        if (sheets[k].event_rows)
            xlsx_sheet_measure_end(&sheets[k]);
        else
            xlsx_sheet_measure(&sheets[k]); /* Sources: from the counts just made */
    }
    return x->status;
}

int xlsx_sources_links_plain(const xlsx_ctx *x)
{
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    for (size_t i = 0; i < x->src.n; i++) {
        if (!source_cited(&x->src, i)) continue;
        chronicle_str u = di->sources[i]->url;
        /* libxlsxwriter looks for these anywhere in a URL (strstr) */
        static const char *const kinds[] = {"internal:", "external:", "mailto:"};
        for (size_t k = 0; u.ptr && k < 3; k++) {
            size_t n = strlen(kinds[k]);
            for (size_t j = 0; j + n <= u.len; j++)
                if (u.ptr[j] == kinds[k][0] && !memcmp(u.ptr + j, kinds[k], n)) return 0;
        }
        if (u.ptr && memchr(u.ptr, '\0', u.len)) return 0;
    }
    return 1;
}

void xlsx_sources_free(xlsx_sources *src)
{
    for (size_t i = 0; src->attribution && i < src->n; i++)
        free(src->attribution[i]);
    free(src->attribution);
    free(src->by_addr);
    free(src->n_events);
    free(src->n_statements);
    free(src->n_figures);
    memset(src, 0, sizeof *src);
}

/* "as reported by Trend, 24 Feb 2023", built once per source. */
static const char *attribution(xlsx_ctx *x, const chronicle_source *s)
{
    size_t pos = source_pos(&x->src, s);
    if (pos == SIZE_MAX) return NULL;
    if (!x->src.attribution[pos]) {
        chronicle_buf_reset(&x->buf);
        if (xlsx_words_attribution(x, &x->buf, s) != CHRONICLE_OK ||
            !(x->src.attribution[pos] = chronicle_buf_steal(&x->buf))) {
            if (x->status == CHRONICLE_OK) {
                x->status = CHRONICLE_ERR_NOMEM;
                x->host->error(x->job, x->status, "out of memory wording an attribution");
            }
            return NULL;
        }
    }
    return x->src.attribution[pos];
}

/* ---- Events ---- */

static const xlsx_column event_cols[] = {
    {"label.id", XLSX_TEXT},
    {"label.date", XLSX_DATE},
    {"label.end-date", XLSX_DATE},
    {"label.title", XLSX_TEXT},
    {"label.venue", XLSX_TEXT},
    {"label.city", XLSX_TEXT},
    {"label.country", XLSX_TEXT},
    {"label.country-code", XLSX_TEXT},
    {"label.occasion", XLSX_TEXT},
    {"label.anniversary", XLSX_INT},
    {"label.occasion-date", XLSX_DATE},
    {"label.organizers", XLSX_TEXT},
    {"label.audience", XLSX_TEXT},
    {"label.participants", XLSX_INT},
    {"label.activities", XLSX_INT},
    {"label.statements", XLSX_INT},
    {"label.figures", XLSX_INT},
    {"label.sources", XLSX_TEXT},
    {"label.tags", XLSX_TEXT},
    {"label.summary", XLSX_TEXT},
};

static void cell_source_ids(xlsx_sheet *s, const chronicle_event *e)
{
    xlsx_ctx *x = s->x;
    if (e->n_sources > x->ids_cap) {
        size_t cap = e->n_sources * 2;
        chronicle_str *p = realloc(x->ids, cap * sizeof *p);
        if (!p) {
            xlsx_fail(x, s->name, s->row, s->col++, "listing source ids",
                      LXW_ERROR_MEMORY_MALLOC_FAILED);
            return;
        }
        x->ids = p;
        x->ids_cap = cap;
    }
    for (size_t i = 0; i < e->n_sources; i++)
        x->ids[i] = e->sources[i]->id;
    xlsx_cell_list(s, x->ids, e->n_sources);
}

static chronicle_status rows_event(xlsx_sheet *s, const chronicle_event *e)
{
    xlsx_cell_text(s, e->id);
    xlsx_cell_date(s, e->date_ymd, e->date);
    xlsx_cell_date(s, e->end_date_ymd, e->end_date);
    xlsx_cell_text(s, e->title);
    xlsx_cell_text(s, e->venue);
    xlsx_cell_text(s, e->city);
    xlsx_cell_text(s, e->country);
    xlsx_cell_text(s, e->country_code);
    xlsx_cell_text(s, e->occasion);
    if (e->anniversary >= 0)
        xlsx_cell_int(s, e->anniversary);
    else
        xlsx_cell_blank(s);
    xlsx_cell_date(s, e->occasion_of_date_ymd, e->occasion_of_date);
    xlsx_cell_list(s, e->organizers, e->n_organizers);
    xlsx_cell_list(s, e->audience, e->n_audience);
    xlsx_cell_int(s, (int64_t)e->n_participants);
    xlsx_cell_int(s, (int64_t)e->n_activities);
    xlsx_cell_int(s, (int64_t)e->n_statements);
    xlsx_cell_int(s, (int64_t)e->n_figures);
    cell_source_ids(s, e);
    xlsx_cell_list(s, e->tags, e->n_tags);
    xlsx_cell_text(s, e->summary);
    return xlsx_row_end(s);
}

/* ---- one row per item: every row starts with its event's id, date and the
 * item's position in the event, so a sheet can be joined and filtered alone ---- */

static void cells_event_key(xlsx_sheet *s, const chronicle_event *e, size_t k)
{
    xlsx_cell_text(s, e->id);
    xlsx_cell_date(s, e->date_ymd, e->date);
    xlsx_cell_int(s, (int64_t)k + 1);
}

static const xlsx_column participant_cols[] = {
    {"xlsx.col.event_id", XLSX_TEXT}, {"xlsx.col.event_date", XLSX_DATE},
    {"xlsx.col.number", XLSX_INT},    {"label.name", XLSX_TEXT},
    {"label.role", XLSX_TEXT},        {"label.organization", XLSX_TEXT},
    {"label.spoke", XLSX_BOOL},
};

static chronicle_status rows_participants(xlsx_sheet *s, const chronicle_event *e)
{
    xlsx_ctx *x = s->x;
    for (size_t k = 0; k < e->n_participants; k++) {
        const chronicle_participant *p = e->participants[k];
        cells_event_key(s, e, k);
        xlsx_cell_text(s, p->name);
        xlsx_cell_text(s, p->role);
        xlsx_cell_text(s, p->organization);
        xlsx_cell_bool(s, p->spoke);
        if (xlsx_row_end(s) != CHRONICLE_OK) break;
    }
    return x->status;
}

static const xlsx_column activity_cols[] = {
    {"xlsx.col.event_id", XLSX_TEXT}, {"xlsx.col.event_date", XLSX_DATE},
    {"xlsx.col.number", XLSX_INT},    {"label.kind", XLSX_TEXT},
    {"label.title", XLSX_TEXT},       {"label.description", XLSX_TEXT},
    {"label.performers", XLSX_TEXT},
};

static chronicle_status rows_activities(xlsx_sheet *s, const chronicle_event *e)
{
    xlsx_ctx *x = s->x;
    for (size_t k = 0; k < e->n_activities; k++) {
        const chronicle_activity *a = e->activities[k];
        cells_event_key(s, e, k);
        xlsx_cell_text(s, a->kind);
        xlsx_cell_text(s, a->title);
        xlsx_cell_text(s, a->description);
        xlsx_cell_list(s, a->performers, a->n_performers);
        if (xlsx_row_end(s) != CHRONICLE_OK) break;
    }
    return x->status;
}

static const xlsx_column statement_cols[] = {
    {"xlsx.col.event_id", XLSX_TEXT},  {"xlsx.col.event_date", XLSX_DATE},
    {"xlsx.col.number", XLSX_INT},     {"label.speaker", XLSX_TEXT},
    {"label.summary", XLSX_TEXT},      {"label.quote", XLSX_TEXT},
    {"xlsx.col.source_id", XLSX_TEXT}, {"label.attribution", XLSX_TEXT},
};

static chronicle_status rows_statements(xlsx_sheet *s, const chronicle_event *e)
{
    xlsx_ctx *x = s->x;
    for (size_t k = 0; k < e->n_statements; k++) {
        const chronicle_statement *st = e->statements[k];
        cells_event_key(s, e, k);
        xlsx_cell_text(s, st->speaker);
        xlsx_cell_text(s, st->summary);
        xlsx_cell_text(s, st->quote);
        xlsx_cell_text(s, st->source->id);
        xlsx_cell_cstr(s, attribution(x, st->source));
        if (xlsx_row_end(s) != CHRONICLE_OK) break;
    }
    return x->status;
}

static const xlsx_column figure_cols[] = {
    {"xlsx.col.event_id", XLSX_TEXT}, {"xlsx.col.event_date", XLSX_DATE},
    {"xlsx.col.number", XLSX_INT},    {"label.label", XLSX_TEXT},
    {"label.value", XLSX_NUMBER},     {"label.unit", XLSX_TEXT},
    {"label.note", XLSX_TEXT},        {"xlsx.col.source_id", XLSX_TEXT},
    {"label.attribution", XLSX_TEXT},
};

static chronicle_status rows_figures(xlsx_sheet *s, const chronicle_event *e)
{
    xlsx_ctx *x = s->x;
    for (size_t k = 0; k < e->n_figures; k++) {
        const chronicle_figure *f = e->figures[k];
        cells_event_key(s, e, k);
        xlsx_cell_text(s, f->label);
        xlsx_cell_number(s, f->value);
        xlsx_cell_text(s, f->unit);
        xlsx_cell_text(s, f->note);
        xlsx_cell_text(s, f->source->id);
        xlsx_cell_cstr(s, attribution(x, f->source));
        if (xlsx_row_end(s) != CHRONICLE_OK) break;
    }
    return x->status;
}

/* ---- Sources: those the job's events, statements or figures cite ---- */

static const xlsx_column source_cols[] = {
    {"label.id", XLSX_TEXT},          {"label.outlet", XLSX_TEXT},   {"label.published", XLSX_DATE},
    {"label.dateline", XLSX_TEXT},    {"label.document", XLSX_TEXT}, {"label.url", XLSX_URL},
    {"label.attribution", XLSX_TEXT}, {"label.events", XLSX_INT},    {"label.statements", XLSX_INT},
    {"label.figures", XLSX_INT},
};

static chronicle_status rows_sources(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    const xlsx_sources *src = &x->src;
    for (size_t i = 0; i < src->n && x->status == CHRONICLE_OK; i++) {
        if (!source_cited(src, i)) continue;
        const chronicle_source *so = di->sources[i];
        xlsx_cell_text(s, so->id);
        xlsx_cell_text(s, so->outlet);
        xlsx_cell_date(s, so->published_ymd, so->published);
        xlsx_cell_text(s, so->dateline);
        xlsx_cell_text(s, so->document);
        xlsx_cell_url(s, so->url);
        xlsx_cell_cstr(s, attribution(x, so));
        xlsx_cell_int(s, (int64_t)src->n_events[i]);
        xlsx_cell_int(s, (int64_t)src->n_statements[i]);
        xlsx_cell_int(s, (int64_t)src->n_figures[i]);
        xlsx_row_end(s);
    }
    return x->status;
}

#define N_COLS(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

/* The rows of a sheet made from events: every event's, in order. */
static chronicle_status rows_each_event(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    size_t n = x->host->event_count(x->job);
    for (size_t i = 0; i < n && x->status == CHRONICLE_OK; i++) {
        s->event_rows(s, x->host->event_at(x->job, i));
        xlsx_event_done(s);
    }
    return x->status;
}

/* ---- names in the report's language ---- */

#define NAME_MAX_CHARS 24 /* Excel allows 31: room for " (9999)" on a continuation */

/* A translated sheet name Excel takes: 1 to NAME_MAX_CHARS characters, none
 * of []:*?/\, not starting or ending with an apostrophe. */
static int sheet_name_ok(const char *name)
{
    size_t len = strlen(name), chars = 0;
    for (size_t i = 0; i < len; i++)
        chars += ((unsigned char)name[i] & 0xC0) != 0x80;
    return chars >= 1 && chars <= NAME_MAX_CHARS && !strpbrk(name, "[]:*?/\\") && name[0] != '\'' &&
           name[len - 1] != '\'';
}

/* Excel compares sheet names without case: ASCII is enough to catch two
 * translations that collide (the catalogs' own words). */
static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char ca = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        char cb = *b >= 'A' && *b <= 'Z' ? (char)(*b + 32) : *b;
        if (ca != cb) return 0;
    }
    return *a == *b;
}

/* The seven sheets' names, translated; all English when a translation is
 * not a valid or distinct name (a catalog's mistake must not cost the
 * workbook).  names[0] is the Summary. */
static void name_sheets(xlsx_ctx *x, const char *names[7])
{
    static const char *const ids[7] = {
        "xlsx.sheet.summary", "label.events",  "label.participants", "label.activities",
        "label.statements",   "label.figures", "label.sources"};
    static const char *const english[7] = {"Summary",    "Events",  "Participants", "Activities",
                                           "Statements", "Figures", "Sources"};
    int ok = 1;
    for (size_t i = 0; i < 7; i++) {
        names[i] = xlsx_label(x, ids[i]);
        ok = ok && names[i] && sheet_name_ok(names[i]);
        for (size_t j = 0; ok && j < i; j++)
            ok = !same_name(names[i], names[j]);
    }
    if (ok) return;
    x->host->log(x->job, CHRONICLE_LOG_WARN,
                 "the sheet names in language '%s' are not valid Excel names: English ones used",
                 x->report->lang.ptr ? x->report->lang.ptr : "?");
    for (size_t i = 0; i < 7; i++)
        names[i] = english[i];
}

static xlsx_sheet sheet_of(xlsx_ctx *x, const char *name, const char *table,
                           const xlsx_column *cols, unsigned n, xlsx_event_rows_fn event_rows)
{
    xlsx_sheet s = {.x = x,
                    .name = name,
                    .table = table,
                    .cols = cols,
                    .n_cols = n,
                    .rows = event_rows ? rows_each_event : rows_sources,
                    .event_rows = event_rows};
    for (unsigned c = 0; c < n; c++)
        s.header[c] = xlsx_label(x, cols[c].msgid);
    return s;
}

void xlsx_data_sheets(xlsx_ctx *x, xlsx_sheet sheets[XLSX_N_DATA_SHEETS])
{
    const char *names[7];
    name_sheets(x, names);
    x->summary_name = names[0];
    /* table names are identifiers formulas use: the same in every language */
    sheets[0] = sheet_of(x, names[1], "Events", event_cols, N_COLS(event_cols), rows_event);
    sheets[1] = sheet_of(x, names[2], "Participants", participant_cols, N_COLS(participant_cols),
                         rows_participants);
    sheets[2] =
        sheet_of(x, names[3], "Activities", activity_cols, N_COLS(activity_cols), rows_activities);
    sheets[3] = sheet_of(x, names[4], "Statements", statement_cols, N_COLS(statement_cols),
                         rows_statements);
    sheets[4] = sheet_of(x, names[5], "Figures", figure_cols, N_COLS(figure_cols), rows_figures);
    sheets[5] = sheet_of(x, names[6], "Sources", source_cols, N_COLS(source_cols), NULL);
}
