/*
 * csv.c — RFC 4180 CSV (formats/csv.md): one table per export, chosen with
 * -O csv.table; UTF-8, CRLF, a field quoted only when it must be, and text
 * cells a spreadsheet would run as a formula neutralised with a leading '.
 * Third-party style: it includes only <chronicle/plugin.h>, and <chronicle/utf8.h>
 * for the one shared cleaner: a bidirectional control in data is written
 * as "<U+202E>", so it cannot reorder a cell in a spreadsheet.  Rows stream out
 * through host->write in blocks of about 64 KiB.  The columns are for
 * programs: names, ISO dates and numbers as the dataset has them, in every
 * language; only the attribution, text for people, follows --lang.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chronicle/plugin.h>
#include <chronicle/utf8.h>

#define FLUSH_AT (64 * 1024)
#define PROGRESS_EVERY 1000

static const char *const tables[] = {"events",  "participants", "activities", "statements",
                                     "figures", "sources",      NULL};

static const chronicle_option options[] = {
    {"table",
     CHRONICLE_OPT_ENUM,
     "events",
     "which table to write (one per file)",
     tables,
     1,
     0,
     {0}},
    {"bom",
     CHRONICLE_OPT_BOOL,
     "false",
     "start with a UTF-8 byte order mark (Excel needs it to read UTF-8)",
     NULL,
     1,
     0,
     {0}},
    {"header", CHRONICLE_OPT_BOOL, "true", "first row: the column names", NULL, 1, 0, {0}},
    {0},
};

static chronicle_status export_csv(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = CHRONICLE_ABI(1, 2), /* format_attribution() */
    .name = "csv",
    .version = "1.0.0",
    .summary = "CSV (RFC 4180): events, participants, activities, statements, figures or sources",
    .extension = "csv",
    .media_type = "text/csv; charset=utf-8; header=present",
    .flags = CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT,
    .options = options,
    .export_dataset = export_csv,
};
CHRONICLE_PLUGIN_DEFINE(plugin)

/* ---- a growable byte buffer (this plugin shares nothing with core) ---- */

typedef struct bytes {
    char *ptr;
    size_t len, cap;
} bytes;

/* Makes room for n more bytes. */
static int bytes_room(bytes *b, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n)
            cap *= 2;
        char *p = realloc(b->ptr, cap);
        if (!p) return 0;
        b->ptr = p;
        b->cap = cap;
    }
    return 1;
}

static int bytes_add(bytes *b, const char *s, size_t n)
{
    if (!bytes_room(b, n)) return 0;
    if (n) memcpy(b->ptr + b->len, s, n);
    b->len += n;
    return 1;
}

/* ---- cells and rows ---- */

/* One export.  st is sticky: once a write or an allocation fails, every
 * later call is a no-op and the status is returned at the end. */
typedef struct csv {
    chronicle_job *job;
    const chronicle_host *host;
    bytes out;  /* rows not yet handed to host->write */
    bytes cell; /* the value of the cell being built */
    int row_open;
    chronicle_status st;
} csv;

static void emit(csv *c, const char *s, size_t n)
{
    if (c->st == CHRONICLE_OK && !bytes_add(&c->out, s, n)) c->st = CHRONICLE_ERR_NOMEM;
}

static void flush(csv *c)
{
    if (c->st == CHRONICLE_OK && c->out.len) c->st = c->host->write(c->job, c->out.ptr, c->out.len);
    c->out.len = 0;
}

static void add_raw(csv *c, const char *s, size_t n)
{
    if (c->st == CHRONICLE_OK && !bytes_add(&c->cell, s, n)) c->st = CHRONICLE_ERR_NOMEM;
}

/* Everything a cell holds comes through here: each bidirectional control
 * shown as "<U+202E>" (formats/csv.md), right-to-left letters as they are. */
static void add(csv *c, const char *s, size_t n)
{
    for (;;) {
        uint32_t cp;
        size_t k, at = chronicle_utf8_find_bidi(s, n, &cp, &k);
        add_raw(c, s, at);
        if (at == n) return;
        char shown[CHRONICLE_BIDI_VISIBLE_LEN + 1];
        add_raw(c, shown, chronicle_bidi_visible(cp, shown));
        s += at + k;
        n -= at + k;
    }
}

static void add_str(csv *c, chronicle_str s)
{
    add(c, s.ptr, s.len);
}

static void add_cstr(csv *c, const char *s)
{
    add(c, s, strlen(s));
}

/* Ends the cell built in c->cell.  A text cell starting with = + - @ TAB or
 * CR gets a leading ' so that no spreadsheet evaluates it (formula
 * injection); numbers are never text cells.  Then RFC 4180 quoting. */
static void end_cell(csv *c, int text)
{
    const char *v = c->cell.ptr ? c->cell.ptr : "";
    size_t n = c->cell.len;
    if (c->row_open) emit(c, ",", 1);
    c->row_open = 1;
    int neutralise = text && n && strchr("=+-@\t\r", v[0]);
    int quote = 0;
    for (size_t i = 0; i < n && !quote; i++)
        quote = v[i] == ',' || v[i] == '"' || v[i] == '\r' || v[i] == '\n';
    if (quote) emit(c, "\"", 1);
    if (neutralise) emit(c, "'", 1);
    size_t from = 0;
    for (size_t i = 0; quote && i < n; i++) {
        if (v[i] != '"') continue;
        emit(c, v + from, i + 1 - from); /* up to this quote, which the next piece repeats */
        from = i;
    }
    emit(c, v + from, n - from);
    if (quote) emit(c, "\"", 1);
    c->cell.len = 0;
}

static void text(csv *c, chronicle_str s)
{
    add_str(c, s);
    end_cell(c, 1);
}

static void text_list(csv *c, const chronicle_str *items, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i) add(c, "; ", 2);
        add_str(c, items[i]);
    }
    end_cell(c, 1);
}

/* Whole numbers as integers (613, not 6.13e+02); others as the shortest
 * decimal that reads back as the same double. */
static void number(csv *c, double v)
{
    char s[40];
    if (v > -1e15 && v < 1e15 && v == (double)(long long)v)
        snprintf(s, sizeof s, "%lld", (long long)v);
    else
        for (int prec = 1; prec <= 17; prec++) {
            snprintf(s, sizeof s, "%.*g", prec, v);
            if (strtod(s, NULL) == v) break;
        }
    add_cstr(c, s);
    end_cell(c, 0);
}

static void count(csv *c, size_t n)
{
    char s[24];
    snprintf(s, sizeof s, "%zu", n);
    add_cstr(c, s);
    end_cell(c, 0);
}

static void end_row(csv *c)
{
    emit(c, "\r\n", 2);
    c->row_open = 0;
    if (c->out.len >= FLUSH_AT) flush(c);
}

static void header(csv *c, const char *const *names)
{
    for (; *names; names++) {
        add_cstr(c, *names);
        end_cell(c, 1);
    }
    end_row(c);
}

/* "as reported by Trend, 24 Feb 2023" in the report's language, in the
 * host's words.  format_attribution() writes like snprintf: a text longer
 * than the room is written again into room of its length. */
static void attribution(csv *c, const chronicle_source *src)
{
    size_t room = 128, n = room;
    for (int pass = 0; pass < 2 && n >= room && c->st == CHRONICLE_OK; pass++) {
        room = n + 1;
        if (!bytes_room(&c->cell, room)) {
            c->st = CHRONICLE_ERR_NOMEM;
            break;
        }
        n = c->host->format_attribution(c->job, c->cell.ptr + c->cell.len, room, src);
    }
    if (c->st == CHRONICLE_OK && n < room) c->cell.len += n;
    end_cell(c, 1);
}

/* ---- the tables: one function per table, columns as in formats/csv.md,
 * which follow the workbook's sheets (formats/workbook.md) ---- */

static const char *const event_columns[] = {
    "id",       "date",         "end_date",   "title",       "venue",         "city",
    "country",  "country_code", "occasion",   "anniversary", "occasion_date", "organizers",
    "audience", "participants", "activities", "statements",  "figures",       "sources",
    "tags",     "summary",      NULL};

static void event_rows(csv *c, const chronicle_event *ev)
{
    text(c, ev->id);
    text(c, ev->date);
    text(c, ev->end_date);
    text(c, ev->title);
    text(c, ev->venue);
    text(c, ev->city);
    text(c, ev->country);
    text(c, ev->country_code);
    text(c, ev->occasion);
    if (ev->anniversary >= 0)
        count(c, (size_t)ev->anniversary);
    else
        end_cell(c, 0);
    text(c, ev->occasion_of_date);
    text_list(c, ev->organizers, ev->n_organizers);
    text_list(c, ev->audience, ev->n_audience);
    count(c, ev->n_participants);
    count(c, ev->n_activities);
    count(c, ev->n_statements);
    count(c, ev->n_figures);
    for (size_t i = 0; i < ev->n_sources; i++) {
        if (i) add(c, "; ", 2);
        add_str(c, ev->sources[i]->id);
    }
    end_cell(c, 1);
    text_list(c, ev->tags, ev->n_tags);
    text(c, ev->summary);
    end_row(c);
}

/* The first columns of every per-item table: which event, and where in it. */
static void item_key(csv *c, const chronicle_event *ev, size_t i)
{
    text(c, ev->id);
    text(c, ev->date);
    count(c, i + 1);
}

static const char *const participant_columns[] = {"event_id", "event_date",   "position", "name",
                                                  "role",     "organization", "spoke",    NULL};

static void participant_rows(csv *c, const chronicle_event *ev)
{
    for (size_t i = 0; i < ev->n_participants; i++) {
        const chronicle_participant *p = ev->participants[i];
        item_key(c, ev, i);
        text(c, p->name);
        text(c, p->role);
        text(c, p->organization);
        add_cstr(c, p->spoke < 0 ? "" : p->spoke ? "true" : "false");
        end_cell(c, 0);
        end_row(c);
    }
}

static const char *const activity_columns[] = {"event_id", "event_date",  "position",   "kind",
                                               "title",    "description", "performers", NULL};

static void activity_rows(csv *c, const chronicle_event *ev)
{
    for (size_t i = 0; i < ev->n_activities; i++) {
        const chronicle_activity *a = ev->activities[i];
        item_key(c, ev, i);
        text(c, a->kind);
        text(c, a->title);
        text(c, a->description);
        text_list(c, a->performers, a->n_performers);
        end_row(c);
    }
}

static const char *const statement_columns[] = {"event_id", "event_date",  "position",
                                                "speaker",  "summary",     "quote",
                                                "source",   "attribution", NULL};

static void statement_rows(csv *c, const chronicle_event *ev)
{
    for (size_t i = 0; i < ev->n_statements; i++) {
        const chronicle_statement *s = ev->statements[i];
        item_key(c, ev, i);
        text(c, s->speaker);
        text(c, s->summary);
        text(c, s->quote);
        text(c, s->source->id);
        attribution(c, s->source);
        end_row(c);
    }
}

static const char *const figure_columns[] = {"event_id",    "event_date", "position", "label",
                                             "value",       "unit",       "note",     "source",
                                             "attribution", NULL};

static void figure_rows(csv *c, const chronicle_event *ev)
{
    for (size_t i = 0; i < ev->n_figures; i++) {
        const chronicle_figure *f = ev->figures[i];
        item_key(c, ev, i);
        text(c, f->label);
        number(c, f->value);
        text(c, f->unit);
        text(c, f->note);
        text(c, f->source->id);
        attribution(c, f->source);
        end_row(c);
    }
}

/* ---- the sources table: the sources this job's events cite, with counts ---- */

static const char *const source_columns[] = {"id",         "outlet",  "published",   "dateline",
                                             "document",   "url",     "attribution", "events",
                                             "statements", "figures", NULL};

typedef struct cited {
    const chronicle_source *src;
    size_t order; /* position in the dataset's sources */
    size_t events, statements, figures;
} cited;

static int by_address(const void *a, const void *b)
{
    const chronicle_source *x = ((const cited *)a)->src, *y = ((const cited *)b)->src;
    return x < y ? -1 : x > y;
}

static int by_order(const void *a, const void *b)
{
    size_t x = ((const cited *)a)->order, y = ((const cited *)b)->order;
    return x < y ? -1 : x > y;
}

static cited *find_cited(cited *list, size_t n, const chronicle_source *src)
{
    cited key = {src, 0, 0, 0, 0};
    return bsearch(&key, list, n, sizeof *list, by_address);
}

static void count_citations(csv *c, cited *list, size_t n)
{
    size_t n_events = c->host->event_count(c->job);
    for (size_t i = 0; i < n_events; i++) {
        const chronicle_event *ev = c->host->event_at(c->job, i);
        cited *hit;
        for (size_t k = 0; k < ev->n_sources; k++)
            if ((hit = find_cited(list, n, ev->sources[k]))) hit->events++;
        for (size_t k = 0; k < ev->n_statements; k++)
            if ((hit = find_cited(list, n, ev->statements[k]->source))) hit->statements++;
        for (size_t k = 0; k < ev->n_figures; k++)
            if ((hit = find_cited(list, n, ev->figures[k]->source))) hit->figures++;
    }
}

static void source_rows(csv *c)
{
    const chronicle_dataset_info *ds = c->host->dataset(c->job);
    size_t n = ds->n_sources;
    cited *list = calloc(n ? n : 1, sizeof *list);
    if (!list) {
        c->st = CHRONICLE_ERR_NOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++)
        list[i] = (cited){ds->sources[i], i, 0, 0, 0};
    qsort(list, n, sizeof *list, by_address); /* for find_cited */
    count_citations(c, list, n);
    qsort(list, n, sizeof *list, by_order);
    for (size_t i = 0; i < n && c->st == CHRONICLE_OK; i++) {
        const chronicle_source *s = list[i].src;
        if (!list[i].events && !list[i].statements && !list[i].figures) continue;
        text(c, s->id);
        text(c, s->outlet);
        text(c, s->published);
        text(c, s->dateline);
        text(c, s->document);
        text(c, s->url);
        attribution(c, s);
        count(c, list[i].events);
        count(c, list[i].statements);
        count(c, list[i].figures);
        end_row(c);
    }
    free(list);
}

typedef struct table {
    const char *name;
    const char *const *columns;
    void (*rows)(csv *c, const chronicle_event *ev); /* NULL: the sources table */
} table;

static const table table_list[] = {
    {"events", event_columns, event_rows},
    {"participants", participant_columns, participant_rows},
    {"activities", activity_columns, activity_rows},
    {"statements", statement_columns, statement_rows},
    {"figures", figure_columns, figure_rows},
    {"sources", source_columns, NULL},
};

static const table *find_table(const char *name)
{
    for (size_t i = 0; name && i < sizeof table_list / sizeof table_list[0]; i++)
        if (!strcmp(table_list[i].name, name)) return &table_list[i];
    return NULL;
}

static chronicle_status write_table(csv *c, const table *t)
{
    if (c->host->opt_bool(c->job, "bom")) emit(c, "\xEF\xBB\xBF", 3);
    if (c->host->opt_bool(c->job, "header")) header(c, t->columns);
    if (!t->rows) {
        source_rows(c);
        return c->st;
    }
    size_t n = c->host->event_count(c->job);
    for (size_t i = 0; i < n && c->st == CHRONICLE_OK; i++) {
        t->rows(c, c->host->event_at(c->job, i));
        if ((i + 1) % PROGRESS_EVERY == 0 || i + 1 == n) {
            c->host->progress(c->job, i + 1, n);
            if (c->host->cancelled(c->job)) return CHRONICLE_ERR_CANCELLED;
        }
    }
    return c->st;
}

static chronicle_status export_csv(chronicle_job *job, const chronicle_host *host)
{
    csv c = {.job = job, .host = host, .st = CHRONICLE_OK};
    const char *name = host->opt_string(job, "table");
    const table *t = find_table(name);
    if (!t) { /* the host checked the value against `tables`: a bug if reached */
        host->error(job, CHRONICLE_ERR_INTERNAL, "no table named \"%s\"", name ? name : "(none)");
        return CHRONICLE_ERR_INTERNAL;
    }
    chronicle_status st = write_table(&c, t);
    if (st == CHRONICLE_OK) flush(&c);
    if (st == CHRONICLE_OK) st = c.st;
    free(c.out.ptr);
    free(c.cell.ptr);
    return st;
}
