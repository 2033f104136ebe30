/*
 * text.c — the plain-text summary exporter (formats/summary.md): the marking,
 * a headline, count tables, one digest per event, the marking again, wrapped
 * by display width.  Every word, date, number and attribution comes from the
 * host's wording services (ABI 1.2), in the report's language.  Every string
 * from the dataset reaches the output through text_wrap() or text_sanitize(),
 * so no control character gets to a terminal; the output leaves in blocks of
 * about 64 KiB through host->write.  The digests are made on every CPU
 * through cursors (ABI 1.2) and written in order: the bytes are those of
 * one thread.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chronicle/plugin.h"
#include "chronicle/strbuf.h"
#include "chronicle/utf8.h"
#include "wrap.h"

#define FLUSH_AT (64 * 1024)
#define LABEL_COLS 15     /* "Sources cited" and two spaces: the least label column */
#define HANGING_MIN 40    /* narrower than this, labels go on a line of their own */
#define TOP_ORGANIZERS 20 /* rows of the organiser table */
#define PROGRESS_EVERY 1000

static const chronicle_option options[] = {
    {"width", CHRONICLE_OPT_INT, "78", "wrap column: display columns per line", NULL, 20, 400, {0}},
    {"ascii", CHRONICLE_OPT_BOOL, "false", "ASCII rules, bullets and quotes", NULL, 1, 0, {0}},
    {"digests", CHRONICLE_OPT_BOOL, "true", "false: headline and tables only", NULL, 1, 0, {0}},
    {0},
};

static chronicle_status export_text(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = CHRONICLE_ABI(1, 2), /* the wording services */
    .name = "text",
    .version = "1.0.0",
    .summary = "Plain-text summary: headline counts, tables, one digest per event",
    .extension = "txt",
    .media_type = "text/plain; charset=utf-8",
    .flags = CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT,
    .options = options,
    .export_dataset = export_text,
};
CHRONICLE_PLUGIN_DEFINE(plugin)

/* The characters the report draws itself; the data is never transliterated. */
typedef struct glyphs {
    const char *rule, *double_rule; /* one column each */
    const char *bullet;             /* four columns */
    const char *dash;               /* between a name and its role */
    const char *lquote, *rquote;
    const char *en_dash; /* replaces the en dash of format_period() */
} glyphs;

static const glyphs unicode_glyphs = {
    "\xE2\x94\x80", "\xE2\x95\x90", "  \xE2\x80\xA2 ", " \xE2\x80\x94 ",
    "\xE2\x80\x9C", "\xE2\x80\x9D", "\xE2\x80\x93",
};
static const glyphs ascii_glyphs = {"-", "=", "  - ", " - ", "\"", "\"", "-"};

#define DATES_CACHED_BITS 8
#define WORDS_CACHED 64  /* a power of two */
#define TEXTS_CACHED 256 /* a power of two */

/* A label's length and columns, by its text's address. */
typedef struct label_slot {
    const char *label;
    size_t len, width;
    int measured;
} label_slot;

#define LABELS_CACHED 16 /* a power of two */

/* A label by its id's address: the ids are string literals. */
typedef struct word_slot {
    const char *id, *text;
} word_slot;

/* Text made once for a key (an id's address and a number, or two
 * numbers), as an offset into writer.cache (len 0: not yet). */
typedef struct text_slot {
    uintptr_t a;
    uint64_t b;
    size_t off, len;
} text_slot;

typedef struct date_slot {
    uint32_t key; /* ymd << 2 | style; 0: empty */
    char text[48];
} date_slot;

typedef struct writer {
    chronicle_job *job;
    const chronicle_host *host;
    const glyphs *g;
    size_t width;
    size_t label_cols; /* the widest field label and two spaces, at least LABEL_COLS */
    int ascii;
    chronicle_buf out;      /* output not yet handed to host->write */
    chronicle_buf para;     /* the paragraph being composed */
    chronicle_buf cells[3]; /* the wrapped cells of a table row */
    chronicle_buf tmp;      /* a formatted date, period or number */
    chronicle_status st;    /* sticky: after a failure every put is a no-op */
    /* Text that repeats from event to event, made once (see cache_source). */
    chronicle_buf cache;
    chronicle_buf digest_rule;     /* "\n" and a rule across the width, "\n" */
    struct cached_source *sources; /* open addressing by pointer */
    size_t n_sources_slots;        /* a power of two, or 0: no cache */
    uint32_t *numbers;             /* NUMBERS_CACHED offsets + 1 into cache, 0: not yet */
    date_slot dates[1 << DATES_CACHED_BITS];
    word_slot words[WORDS_CACHED];
    label_slot labels[LABELS_CACHED];
    text_slot headings[TEXTS_CACHED];  /* put_list_heading(): by id and count */
    text_slot occasions[TEXTS_CACHED]; /* put_occasion()'s ordinal and date: by both */
} writer;

/* The wrapped lines of one source's attribution and of its entry in a
 * digest's source list, as offsets into writer.cache (length 0: not yet). */
typedef struct cached_source {
    const chronicle_source *src;
    size_t attr, attr_len, entry, entry_len;
} cached_source;

#define NUMBERS_CACHED 10000

/* ---- composing ---- */

static void add(writer *t, chronicle_buf *b, const char *s)
{
    if (t->st == CHRONICLE_OK) t->st = text_buf_add(b, s, strlen(s));
}

static void add_str(writer *t, chronicle_buf *b, chronicle_str s)
{
    if (t->st == CHRONICLE_OK && s.ptr) t->st = text_buf_add(b, s.ptr, s.len);
}

/* Appends items joined by sep. */
static void add_list(writer *t, chronicle_buf *b, const chronicle_str *items, size_t n,
                     const char *sep)
{
    for (size_t i = 0; i < n; i++) {
        if (i) add(t, b, sep);
        add_str(t, b, items[i]);
    }
}

/* ---- the host's wording (ABI 1.2) ---- */

/* A fixed word of the report in its language ("label.period"); each is
 * looked up once per writer (a digest asks for a dozen). */
static const char *word(writer *t, const char *id)
{
    word_slot *w = &t->words[((uintptr_t)id >> 3) & (WORDS_CACHED - 1)];
    if (w->id != id) {
        w->id = id;
        w->text = t->host->label(t->job, id);
    }
    return w->text;
}

/* The 1.2 text services write like snprintf.  FORMATTED(t, b, call) runs
 * call (which writes size bytes at `at`, the end of b) and keeps what it
 * wrote; when that was too little room, it makes room for the whole text
 * and runs call again.  spare() makes room and says how much; fits() keeps
 * the text when it fitted. */
static size_t spare(writer *t, chronicle_buf *b, size_t least)
{
    if (t->st == CHRONICLE_OK && (!b->ptr || b->cap - b->len <= least))
        t->st = chronicle_buf_reserve(b, least);
    return t->st == CHRONICLE_OK ? b->cap - b->len : 0;
}

static int fits(writer *t, chronicle_buf *b, size_t n, size_t size)
{
    if (t->st != CHRONICLE_OK) return 1;
    if (n < size) {
        b->len += n;
        return 1;
    }
    t->st = chronicle_buf_reserve(b, n);
    return t->st != CHRONICLE_OK;
}

#define FORMATTED(t, b, call)                                                                      \
    for (int pass_ = 0; pass_ < 2; pass_++) {                                                      \
        size_t size = spare(t, b, 64);                                                             \
        char *at = size ? (b)->ptr + (b)->len : NULL;                                              \
        if (!at || fits(t, b, (call), size)) break;                                                \
    }

static void add_message(writer *t, chronicle_buf *b, const char *id, const char *const *args,
                        size_t n)
{
    FORMATTED(t, b, t->host->format_message(t->job, at, size, id, args, n));
}

/* The message id with one argument, "{1} ..." */
static void add_message1(writer *t, chronicle_buf *b, const char *id, const char *arg)
{
    add_message(t, b, id, &arg, 1);
}

static void add_count(writer *t, chronicle_buf *b, size_t n)
{
    FORMATTED(t, b, t->host->format_number(t->job, at, size, (double)n));
}

/* A figure's value as format_number() writes it; small whole numbers, the
 * usual case, are formatted once per job. */
static void add_number(writer *t, double v)
{
    if (t->st != CHRONICLE_OK) return;
    if (!t->numbers || !(v >= 0 && v < NUMBERS_CACHED) || v != (double)(uint32_t)v ||
        t->cache.len >= UINT32_MAX) {
        FORMATTED(t, &t->para, t->host->format_number(t->job, at, size, v));
        return;
    }
    uint32_t *slot = &t->numbers[(uint32_t)v];
    if (!*slot) {
        size_t off = t->cache.len;
        FORMATTED(t, &t->cache, t->host->format_number(t->job, at, size, v));
        if (t->st == CHRONICLE_OK) t->st = chronicle_buf_putc(&t->cache, '\0');
        if (t->st != CHRONICLE_OK) return;
        *slot = (uint32_t)off + 1;
    }
    add(t, &t->para, t->cache.ptr + *slot - 1);
}

/* A date as format_date() writes it, through a small cache: events come in
 * date order, so the same few dates repeat. */
static void add_date(writer *t, uint32_t ymd, chronicle_date_style style)
{
    if (!ymd || t->st != CHRONICLE_OK) return;
    uint32_t key = ymd << 2 | (uint32_t)style;
    date_slot *d = &t->dates[(key * 2654435761u) >> (32 - DATES_CACHED_BITS)];
    if (d->key != key) {
        size_t n = t->host->format_date(t->job, d->text, sizeof d->text, ymd, style);
        if (n >= sizeof d->text) {
            d->key = 0;
            FORMATTED(t, &t->para, t->host->format_date(t->job, at, size, ymd, style));
            return;
        }
        d->key = key;
    }
    add(t, &t->para, d->text);
}

/* format_period(), with the en dash made ASCII when asked. */
static void add_period(writer *t, uint32_t first, uint32_t last, chronicle_date_style style)
{
    chronicle_buf_reset(&t->tmp);
    FORMATTED(t, &t->tmp, t->host->format_period(t->job, at, size, first, last, style));
    const char *s = chronicle_buf_cstr(&t->tmp), *dash = strstr(s, "\xE2\x80\x93");
    if (!dash || !t->ascii) {
        add(t, &t->para, s);
        return;
    }
    if (t->st == CHRONICLE_OK) t->st = chronicle_buf_append(&t->para, s, (size_t)(dash - s));
    add(t, &t->para, t->g->en_dash);
    add(t, &t->para, dash + 3);
}

/* ---- output ---- */

static void flush(writer *t)
{
    if (t->st == CHRONICLE_OK && t->out.len) t->st = t->host->write(t->job, t->out.ptr, t->out.len);
    chronicle_buf_reset(&t->out);
}

static void put_line(writer *t, const char *s)
{
    add(t, &t->out, s);
    add(t, &t->out, "\n");
}

static void put_rule(writer *t, const char *glyph, size_t cols)
{
    for (size_t i = 0; i < cols; i++)
        add(t, &t->out, glyph);
    add(t, &t->out, "\n");
}

/* Wraps s[0..len) into the output as one paragraph. */
static void put_text(writer *t, const char *lead, size_t indent, const char *s, size_t len)
{
    /* every lead of this file is as wide as the hanging indent under it */
    text_wrap_opts o = {t->width, indent, t->ascii, indent};
    if (t->st == CHRONICLE_OK) t->st = text_wrap(&t->out, lead, s, len, &o);
}

/* Wraps the composed paragraph into the output, then empties it.  A
 * paragraph that is one string of the dataset goes to put_text() without
 * being composed: that copy was a tenth of the digests' time. */
static void put_para(writer *t, const char *lead, size_t indent)
{
    put_text(t, lead, indent, t->para.ptr, t->para.len);
    chronicle_buf_reset(&t->para);
}

/* "Label          value" with a hanging indent, the labels padded to one
 * column; on narrow pages a value too long for the first line goes under
 * its label, indented by two. */
static void put_field_text(writer *t, const char *label, const char *s, size_t len)
{
    /* labels come from word(): the same few addresses, measured once */
    label_slot *l = &t->labels[((uintptr_t)label >> 3) & (LABELS_CACHED - 1)];
    if (l->label != label) *l = (label_slot){label, strlen(label), 0, 0};
    if (!l->measured) l->width = chronicle_utf8_width(label, l->len), l->measured = 1;
    size_t cols = t->label_cols, n = l->len, w = l->width;
    char lead[256];
    if (n + cols >= sizeof lead || w >= cols || cols >= t->width ||
        (t->width < HANGING_MIN && (t->width < cols + 1 || cols > LABEL_COLS ||
                                    chronicle_utf8_width(s, len) > t->width - cols))) {
        put_line(t, label);
        put_text(t, "  ", 2, s, len);
        return;
    }
    memcpy(lead, label, n);
    size_t pad = cols - w;
    memset(lead + n, ' ', pad);
    lead[n + pad] = '\0';
    put_text(t, lead, cols, s, len);
}

/* put_field_text() of the composed paragraph, which it empties. */
static void put_field(writer *t, const char *label)
{
    put_field_text(t, label, t->para.ptr, t->para.len);
    chronicle_buf_reset(&t->para);
}

static void put_count_field(writer *t, const char *id, size_t n)
{
    add_count(t, &t->para, n);
    put_field(t, word(t, id));
}

static size_t widest_line(const char *s, size_t len)
{
    size_t widest = 0;
    while (len) {
        const char *nl = memchr(s, '\n', len);
        size_t n = nl ? (size_t)(nl - s) : len, w = chronicle_utf8_width(s, n);
        if (w > widest) widest = w;
        s += n + (nl != NULL);
        len -= n + (nl != NULL);
    }
    return widest;
}

/* A blank line, the heading (wrapped), and a rule as wide as its widest
 * line. */
static void put_heading(writer *t, const char *title, const char *glyph)
{
    put_line(t, "");
    size_t start = t->out.len;
    add(t, &t->para, title);
    put_para(t, "", 0);
    if (t->st == CHRONICLE_OK)
        put_rule(t, glyph, widest_line(t->out.ptr + start, t->out.len - start));
}

/* ---- headline ---- */

/* The labels of put_field(), in every part of the report: the widest sets
 * the label column. */
static const char *const field_ids[] = {
    "label.organization",
    "label.author",
    "label.group",
    "plain.field.selection",
    "label.period",
    "label.events",
    "label.participants",
    "label.activities",
    "label.statements",
    "label.figures",
    "plain.field.sources-cited",
    "label.generated",
    "label.summary",
    "label.place",
    "label.occasion",
    "label.organizers",
    "label.audience",
    "label.tags",
};

static size_t label_column(writer *t)
{
    size_t cols = LABEL_COLS;
    for (size_t i = 0; i < sizeof field_ids / sizeof *field_ids; i++) {
        const char *label = word(t, field_ids[i]);
        size_t w = chronicle_utf8_width(label, strlen(label)) + 2;
        if (w > cols) cols = w;
    }
    return cols;
}

/* The handling banner, as the author gave it: the first and the last line. */
static void put_marking(writer *t, const chronicle_report *r)
{
    add_str(t, &t->para, r->marking);
    put_para(t, "", 0);
}

/* A field with a value from the report or the dataset, when it has one. */
static void put_str_field(writer *t, const char *id, chronicle_str value)
{
    if (!value.ptr || !value.len) return;
    put_field_text(t, word(t, id), value.ptr, value.len);
}

/* The title (and the group of a --split-by job) over a double rule as wide
 * as its widest line, then the subtitle. */
static void put_title(writer *t, const chronicle_report *r)
{
    const char *group = t->host->group(t->job);
    size_t start = t->out.len;
    add_str(t, &t->para, r->title);
    if (group) {
        add(t, &t->para, t->g->dash);
        add(t, &t->para, group);
    }
    put_para(t, "", 0);
    if (t->st == CHRONICLE_OK)
        put_rule(t, t->g->double_rule, widest_line(t->out.ptr + start, t->out.len - start));
    if (r->subtitle.ptr && r->subtitle.len) {
        add_str(t, &t->para, r->subtitle);
        put_para(t, "", 0);
    }
}

/* "2023-11-14 22:13 UTC": the host's timestamp, the same in every language. */
static void put_generated(writer *t)
{
    int64_t when = t->host->timestamp(t->job), days = when / 86400, secs = when % 86400;
    if (secs < 0) {
        secs += 86400;
        days--;
    }
    uint32_t ymd = t->host->days_to_ymd(days);
    if (!ymd) return;
    add_date(t, ymd, CHRONICLE_DATE_ISO);
    char clock[16];
    snprintf(clock, sizeof clock, " %02d:%02d UTC", (int)(secs / 3600), (int)(secs / 60 % 60));
    add(t, &t->para, clock);
    put_field(t, word(t, "label.generated"));
}

static void put_headline(writer *t, const chronicle_summary *sum)
{
    const chronicle_dataset_info *ds = t->host->dataset(t->job);
    const chronicle_report *r = t->host->report(t->job);
    const char *group = t->host->group(t->job);
    if (r->marking.ptr && r->marking.len) {
        put_marking(t, r);
        put_line(t, "");
    }
    put_title(t, r);
    if (ds->description.ptr) {
        put_line(t, "");
        add_str(t, &t->para, ds->description);
        put_para(t, "", 0);
    }
    put_line(t, "");
    put_str_field(t, "label.organization", r->organization);
    put_str_field(t, "label.author", r->author);
    if (group) put_str_field(t, "label.group", (chronicle_str){group, strlen(group)});
    FORMATTED(t, &t->para, t->host->format_selection(t->job, at, size));
    put_field(t, word(t, "plain.field.selection"));
    add_period(t, sum->first_date_ymd, sum->last_date_ymd, CHRONICLE_DATE_LONG);
    put_field(t, word(t, "label.period"));
    if (sum->n_events != ds->n_events_total) {
        /* "4 (of 40 in the dataset)" */
        char shown[96], total[96];
        t->host->format_number(t->job, shown, sizeof shown, (double)sum->n_events);
        t->host->format_number(t->job, total, sizeof total, (double)ds->n_events_total);
        const char *args[] = {shown, total};
        add_message(t, &t->para, "plain.field.events-of", args, 2);
    } else {
        add_count(t, &t->para, sum->n_events);
    }
    put_field(t, word(t, "label.events"));
    put_count_field(t, "label.participants", sum->n_participants);
    put_count_field(t, "label.activities", sum->n_activities);
    put_count_field(t, "label.statements", sum->n_statements);
    put_count_field(t, "label.figures", sum->n_figures);
    put_count_field(t, "plain.field.sources-cited", sum->n_sources_cited);
    put_generated(t);
}

/* ---- count tables ---- */

typedef struct column {
    const char *head;
    size_t cols;
    int right; /* right-aligned */
} column;

/* Appends text padded to cols (already known to be that narrow or less). */
static void put_cell(writer *t, const char *s, size_t len, size_t cols, int right)
{
    size_t w = chronicle_utf8_width(s, len), pad = w < cols ? cols - w : 0;
    for (size_t i = 0; right && i < pad; i++)
        add(t, &t->out, " ");
    if (t->st == CHRONICLE_OK) t->st = text_sanitize(&t->out, s, len, t->ascii);
    for (size_t i = 0; !right && i < pad; i++)
        add(t, &t->out, " ");
}

/* One table row: each cell wraps within its column (usually only the name
 * does; a column head may too, on a narrow page); the row is as tall as
 * its tallest cell. */
static void put_row(writer *t, const chronicle_str *cells, const column *c, size_t n)
{
    const char *line[3];
    for (size_t k = 0; k < n; k++) {
        text_wrap_opts o = {c[k].cols > 2 ? c[k].cols : 2, 0, t->ascii, 0};
        chronicle_buf_reset(&t->cells[k]);
        if (t->st == CHRONICLE_OK)
            t->st = text_wrap(&t->cells[k], "", cells[k].ptr, cells[k].len, &o);
        line[k] = chronicle_buf_cstr(&t->cells[k]);
    }
    for (int more = 1; t->st == CHRONICLE_OK && more;) {
        size_t line_start = t->out.len;
        add(t, &t->out, "  ");
        more = 0;
        for (size_t k = 0; k < n; k++) {
            if (k) add(t, &t->out, "  ");
            const char *nl = strchr(line[k], '\n');
            size_t len = nl ? (size_t)(nl - line[k]) : strlen(line[k]);
            put_cell(t, line[k], len, c[k].cols, c[k].right);
            line[k] += len + (nl != NULL);
            if (*line[k]) more = 1;
        }
        size_t len = t->out.len;
        while (len > line_start && t->out.ptr[len - 1] == ' ')
            len--;
        chronicle_buf_truncate(&t->out, len);
        add(t, &t->out, "\n");
    }
}

/* The count as text, in t->tmp (valid until the next use of t->tmp). */
static chronicle_str count_text(writer *t, size_t n)
{
    chronicle_buf_reset(&t->tmp);
    add_count(t, &t->tmp, n);
    return (chronicle_str){chronicle_buf_cstr(&t->tmp), t->tmp.len};
}

/* A table of counts: key, then label when label_head is set, then count;
 * the last text column takes the width that is left and wraps. */
static void put_count_table(writer *t, const char *title, const chronicle_count *rows,
                            size_t n_rows, size_t limit, const char *key_head,
                            const char *label_head)
{
    size_t shown = n_rows < limit ? n_rows : limit, n = label_head ? 3 : 2, flex = n - 2;
    const char *events_head = word(t, "label.events");
    column c[3] = {{key_head, chronicle_utf8_width(key_head, strlen(key_head)), 0},
                   {label_head, 0, 0},
                   {events_head, chronicle_utf8_width(events_head, strlen(events_head)), 1}};
    if (label_head) c[1].cols = chronicle_utf8_width(label_head, strlen(label_head));
    c[n - 1] = c[2];
    size_t values[3] = {0, 0, 0}; /* the widest value of each column */
    for (size_t i = 0; i < shown; i++) {
        chronicle_str count = count_text(t, rows[i].count);
        size_t w[3] = {chronicle_utf8_width(rows[i].key.ptr, rows[i].key.len),
                       chronicle_utf8_width(rows[i].label.ptr, rows[i].label.len),
                       chronicle_utf8_width(count.ptr, count.len)};
        w[n - 1] = w[2];
        for (size_t k = 0; k < n; k++)
            if (w[k] > values[k]) values[k] = w[k];
    }
    size_t fixed = 2 + 2 * (n - 1); /* indent and gaps */
    for (size_t k = 0; k < n; k++) {
        if (values[k] > c[k].cols) c[k].cols = values[k];
        if (k != flex) fixed += c[k].cols;
    }
    /* too wide for the page: a column wider than its values for its head's
     * sake gives some back, and the head wraps */
    size_t want = 2; /* the least room of the name column */
    for (size_t k = n; k-- > 0 && fixed + want > t->width;) {
        size_t least = values[k] > 2 ? values[k] : 2;
        size_t cut = c[k].cols > least ? c[k].cols - least : 0;
        if (k == flex || !cut) continue;
        if (cut > fixed + want - t->width) cut = fixed + want - t->width;
        c[k].cols -= cut;
        fixed -= cut;
    }
    size_t room = t->width >= fixed + 2 ? t->width - fixed : 2;
    if (c[flex].cols > room) c[flex].cols = room;

    put_heading(t, title, t->g->rule);
    chronicle_str cells[3];
    for (size_t k = 0; k < n; k++)
        cells[k] = (chronicle_str){c[k].head, strlen(c[k].head)};
    put_row(t, cells, c, n);
    for (size_t i = 0; i < shown; i++) {
        cells[0] = rows[i].key;
        cells[1] = rows[i].label;
        cells[n - 1] = count_text(t, rows[i].count);
        put_row(t, cells, c, n);
    }
    if (n_rows > shown) {
        char more[96];
        const char *arg = more;
        t->host->format_number(t->job, more, sizeof more, (double)(n_rows - shown));
        add_message(t, &t->para, "plain.table.more", &arg, 1);
        put_para(t, "  ", 2);
    }
}

static void put_tables(writer *t, const chronicle_summary *sum)
{
    put_count_table(t, word(t, "plain.heading.by-year"), sum->by_year, sum->n_by_year,
                    sum->n_by_year, word(t, "label.year"), NULL);
    put_count_table(t, word(t, "plain.heading.by-country"), sum->by_country, sum->n_by_country,
                    sum->n_by_country, word(t, "plain.column.code"), word(t, "label.country"));
    put_count_table(t, word(t, "label.organizers"), sum->by_organizer, sum->n_by_organizer,
                    TOP_ORGANIZERS, word(t, "label.organizer"), NULL);
}

/* ---- one digest per event ---- */

/* ---- text made once per writer ---- */

#define CACHE_MAX (8u << 20) /* past this, text is made again each time */

/* The slot of key (a, b) in a table of TEXTS_CACHED, emptied when it held
 * another key; NULL when the cache is full. */
static text_slot *text_slot_of(writer *t, text_slot *table, uintptr_t a, uint64_t b)
{
    uint64_t h = ((uint64_t)a * 0x9E3779B97F4A7C15u ^ b) * 0x9E3779B97F4A7C15u;
    text_slot *c = &table[h >> 56 & (TEXTS_CACHED - 1)];
    if (c->len && c->a == a && c->b == b) return c;
    if (t->cache.len >= CACHE_MAX) return NULL;
    *c = (text_slot){.a = a, .b = b};
    return c;
}

/* Appends the slot's text to b when made; returns 0 when not. */
static int add_cached(writer *t, chronicle_buf *b, const text_slot *c)
{
    if (!c || !c->len) return 0;
    if (t->st == CHRONICLE_OK) t->st = text_buf_add(b, t->cache.ptr + c->off, c->len);
    return 1;
}

/* Keeps b[start..] as the slot's text. */
static void keep_text(writer *t, text_slot *c, const chronicle_buf *b, size_t start)
{
    if (!c || t->st != CHRONICLE_OK || b->len == start) return;
    c->off = t->cache.len;
    t->st = chronicle_buf_append(&t->cache, b->ptr + start, b->len - start);
    c->len = t->st == CHRONICLE_OK ? b->len - start : 0;
}

/* "Participants (3)": the list's name (a message id) and its length. */
static void put_list_heading(writer *t, const char *id, size_t n)
{
    text_slot *c = text_slot_of(t, t->headings, (uintptr_t)id, n);
    if (add_cached(t, &t->out, c)) return;
    size_t start = t->out.len;
    char count[96];
    t->host->format_number(t->job, count, sizeof count, (double)n);
    const char *args[] = {word(t, id), count};
    add_message(t, &t->out, "plain.list.count", args, 2);
    add(t, &t->out, "\n");
    keep_text(t, c, &t->out, start);
}

/* A bullet paragraph, and the lines under it, indented under its text. */
static void put_item(writer *t)
{
    put_para(t, t->g->bullet, 4);
}

static void put_subitem(writer *t)
{
    put_para(t, "    ", 4);
}

/* ---- per-source text, made once ---- */

/* The cache entry of src, or NULL when there is no room (then the text is
 * simply made again each time). */
static cached_source *cache_source(writer *t, const chronicle_source *src)
{
    if (!t->n_sources_slots) return NULL;
    size_t mask = t->n_sources_slots - 1;
    size_t j = (size_t)(((uintptr_t)src >> 4) * 0x9E3779B97F4A7C15ull >> 20) & mask;
    for (size_t probes = 0; probes <= mask; probes++, j = (j + 1) & mask) {
        cached_source *c = &t->sources[j];
        if (c->src == src) return c;
        if (!c->src) {
            c->src = src;
            return c;
        }
    }
    return NULL;
}

/* Writes the text at cache[off..off+len) when made; returns 0 when not. */
static int put_cached(writer *t, size_t off, size_t len)
{
    if (!len) return 0;
    if (t->st == CHRONICLE_OK) t->st = text_buf_add(&t->out, t->cache.ptr + off, len);
    return 1;
}

/* Keeps out[start..] as the cached text at *off, *len. */
static void keep_cached(writer *t, size_t start, size_t *off, size_t *len)
{
    if (t->st != CHRONICLE_OK) return;
    *off = t->cache.len;
    t->st = chronicle_buf_append(&t->cache, t->out.ptr + start, t->out.len - start);
    *len = t->st == CHRONICLE_OK ? t->out.len - start : 0;
}

static void put_attribution(writer *t, const chronicle_source *src)
{
    cached_source *c = cache_source(t, src);
    if (c && put_cached(t, c->attr, c->attr_len)) return;
    size_t start = t->out.len;
    add(t, &t->para, "(");
    FORMATTED(t, &t->para, t->host->format_attribution(t->job, at, size, src));
    add(t, &t->para, ")");
    put_subitem(t);
    if (c) keep_cached(t, start, &c->attr, &c->attr_len);
}

static void put_when_and_where(writer *t, const chronicle_event *e)
{
    int days = e->end_date_ymd && e->end_date_ymd != e->date_ymd;
    if (days) {
        /* "2024-02-26 to 2024-02-27" */
        char first[16], last[16];
        t->host->format_date(t->job, first, sizeof first, e->date_ymd, CHRONICLE_DATE_ISO);
        t->host->format_date(t->job, last, sizeof last, e->end_date_ymd, CHRONICLE_DATE_ISO);
        const char *args[] = {first, last};
        add_message(t, &t->para, "plain.digest.dates", args, 2);
    } else {
        add_date(t, e->date_ymd, CHRONICLE_DATE_ISO);
    }
    add(t, &t->para, " (");
    if (days)
        add_period(t, e->date_ymd, e->end_date_ymd, CHRONICLE_DATE_LONG);
    else
        add_date(t, e->date_ymd, CHRONICLE_DATE_LONG);
    add(t, &t->para, ")");
    put_para(t, "", 0);
    put_text(t, "", 0, e->title.ptr, e->title.len);
    if (e->summary.ptr) put_field_text(t, word(t, "label.summary"), e->summary.ptr, e->summary.len);
    const chronicle_str place[] = {e->venue, e->city, e->country};
    for (size_t i = 0, n = 0; i < 3; i++) {
        if (!place[i].ptr) continue;
        if (n++) add(t, &t->para, ", ");
        add_str(t, &t->para, place[i]);
    }
    add(t, &t->para, " (");
    add_str(t, &t->para, e->country_code);
    add(t, &t->para, ")");
    put_field(t, word(t, "label.place"));
}

/* ", 31st anniversary of 25 February 1992": the same few pairs repeat. */
static void add_occasion_of(writer *t, const chronicle_event *e)
{
    if (e->anniversary < 0 && !e->occasion_of_date_ymd) return;
    text_slot *c =
        text_slot_of(t, t->occasions, (uintptr_t)e->anniversary + 1, e->occasion_of_date_ymd);
    if (add_cached(t, &t->para, c)) return;
    size_t start = t->para.len;
    char anniversary[160] = "", date[96] = "";
    if (e->anniversary >= 0)
        t->host->format_ordinal(t->job, anniversary, sizeof anniversary, (uint64_t)e->anniversary,
                                "ordinal.anniversary");
    if (e->occasion_of_date_ymd)
        t->host->format_date(t->job, date, sizeof date, e->occasion_of_date_ymd,
                             CHRONICLE_DATE_LONG);
    if (*anniversary || *date) add(t, &t->para, ", ");
    if (*anniversary && *date) {
        const char *args[] = {anniversary, date};
        add_message(t, &t->para, "plain.occasion.anniversary-of", args, 2);
    } else if (*anniversary) {
        add(t, &t->para, anniversary);
    } else if (*date) {
        add_message1(t, &t->para, "plain.occasion.of-date", date);
    }
    keep_text(t, c, &t->para, start);
}

static void put_occasion(writer *t, const chronicle_event *e)
{
    /* "Khojaly, 31st anniversary of 25 February 1992" */
    add_str(t, &t->para, e->occasion);
    add_occasion_of(t, e);
    put_field(t, word(t, "label.occasion"));
    const struct {
        const char *id;
        const chronicle_str *items;
        size_t n;
    } lists[] = {{"label.organizers", e->organizers, e->n_organizers},
                 {"label.audience", e->audience, e->n_audience},
                 {"label.tags", e->tags, e->n_tags}};
    for (size_t i = 0; i < sizeof lists / sizeof *lists; i++) {
        if (!lists[i].n) continue;
        add_list(t, &t->para, lists[i].items, lists[i].n, "; ");
        put_field(t, word(t, lists[i].id));
    }
}

static void put_participants(writer *t, const chronicle_event *e)
{
    if (!e->n_participants) return;
    put_list_heading(t, "label.participants", e->n_participants);
    for (size_t i = 0; i < e->n_participants; i++) {
        const chronicle_participant *p = e->participants[i];
        add_str(t, &t->para, p->name);
        if (p->role.ptr || p->organization.ptr) add(t, &t->para, t->g->dash);
        add_str(t, &t->para, p->role);
        if (p->role.ptr && p->organization.ptr) add(t, &t->para, ", ");
        add_str(t, &t->para, p->organization);
        if (p->spoke == 1) {
            add(t, &t->para, " ");
            add(t, &t->para, word(t, "plain.participant.speaker"));
        }
        put_item(t);
    }
}

static void put_programme(writer *t, const chronicle_event *e)
{
    if (!e->n_activities) return;
    put_list_heading(t, "label.programme", e->n_activities);
    for (size_t i = 0; i < e->n_activities; i++) {
        const chronicle_activity *a = e->activities[i];
        add_str(t, &t->para, a->kind);
        if (a->title.ptr) add(t, &t->para, ": ");
        add_str(t, &t->para, a->title);
        if (a->n_performers) {
            add(t, &t->para, t->g->dash);
            chronicle_buf_reset(&t->tmp);
            add_list(t, &t->tmp, a->performers, a->n_performers, ", ");
            add_message1(t, &t->para, "plain.activity.performed-by", chronicle_buf_cstr(&t->tmp));
        }
        put_item(t);
        if (a->description.ptr) put_text(t, "    ", 4, a->description.ptr, a->description.len);
    }
}

static void put_claims(writer *t, const chronicle_event *e)
{
    if (e->n_statements) put_list_heading(t, "label.statements", e->n_statements);
    for (size_t i = 0; i < e->n_statements; i++) {
        const chronicle_statement *s = e->statements[i];
        add_str(t, &t->para, s->speaker);
        add(t, &t->para, ": ");
        add_str(t, &t->para, s->summary);
        put_item(t);
        if (s->quote.ptr) {
            if (t->ascii) {
                add(t, &t->para, t->g->lquote);
                add_str(t, &t->para, s->quote);
                add(t, &t->para, t->g->rquote);
            } else {
                add_message1(t, &t->para, "plain.quote", s->quote.ptr);
            }
            put_subitem(t);
        }
        put_attribution(t, s->source);
    }
    if (e->n_figures) put_list_heading(t, "label.figures", e->n_figures);
    for (size_t i = 0; i < e->n_figures; i++) {
        const chronicle_figure *f = e->figures[i];
        add_str(t, &t->para, f->label);
        add(t, &t->para, ": ");
        add_number(t, f->value);
        if (f->unit.ptr) add(t, &t->para, " ");
        add_str(t, &t->para, f->unit);
        put_item(t);
        if (f->note.ptr) put_text(t, "    ", 4, f->note.ptr, f->note.len);
        put_attribution(t, f->source);
    }
}

static void put_sources(writer *t, const chronicle_event *e)
{
    if (!e->n_sources) return;
    put_list_heading(t, "label.sources", e->n_sources);
    for (size_t i = 0; i < e->n_sources; i++) {
        const chronicle_source *s = e->sources[i];
        cached_source *c = cache_source(t, s);
        if (c && put_cached(t, c->entry, c->entry_len)) continue;
        size_t start = t->out.len;
        add_str(t, &t->para, s->outlet.ptr ? s->outlet : s->document);
        if (s->published_ymd) add(t, &t->para, ", ");
        add_date(t, s->published_ymd, CHRONICLE_DATE_SHORT);
        if (s->dateline.ptr) {
            add(t, &t->para, "; ");
            add_message1(t, &t->para, "plain.source.dateline", s->dateline.ptr);
        }
        put_item(t);
        if (s->url.ptr) {
            add_str(t, &t->para, s->url);
            put_subitem(t);
        }
        if (s->outlet.ptr) {
            add_message1(t, &t->para, "plain.source.document", s->document.ptr);
            put_subitem(t);
        }
        if (c) keep_cached(t, start, &c->entry, &c->entry_len);
    }
}

static void put_digest(writer *t, const chronicle_event *e)
{
    /* the blank line and the full-width rule, made once */
    if (!t->digest_rule.len) {
        add(t, &t->digest_rule, "\n");
        for (size_t i = 0; i < t->width; i++)
            add(t, &t->digest_rule, t->g->rule);
        add(t, &t->digest_rule, "\n");
    }
    add_str(t, &t->out, (chronicle_str){t->digest_rule.ptr, t->digest_rule.len});
    put_when_and_where(t, e);
    put_occasion(t, e);
    put_participants(t, e);
    put_programme(t, e);
    put_claims(t, e);
    put_sources(t, e);
}

/* ---- digests on one thread ---- */

static chronicle_status put_digests_in_turn(writer *t, size_t n)
{
    for (size_t i = 0; i < n && t->st == CHRONICLE_OK; i++) {
        put_digest(t, t->host->event_at(t->job, i));
        if (t->out.len >= FLUSH_AT) flush(t);
        if ((i + 1) % PROGRESS_EVERY == 0 || i + 1 == n) {
            t->host->progress(t->job, i + 1, n);
            if (t->host->cancelled(t->job)) return CHRONICLE_ERR_CANCELLED;
        }
    }
    return t->st;
}

/* ---- digests on every CPU (ABI 1.2 cursors) ----
 *
 * A digest depends on its event alone (the caches only save work), so the
 * events are cut into chunks of CHUNK, each formatted whole by one thread
 * with its own writer and cursor into one of a ring of pieces, and the
 * export's thread writes the pieces in chunk order: the bytes are those of
 * one thread.  A chunk is taken only when its piece is free, so at most
 * n_pieces chunks of text are held at once.  The export's thread formats
 * too when nothing is ready to write. */

#define CHUNK 256
#define MAX_THREADS 16

typedef enum piece_state { PIECE_FREE, PIECE_BUSY, PIECE_DONE } piece_state;

typedef struct piece {
    chronicle_buf out; /* the digests of one chunk */
    size_t chunk;
    piece_state state;
} piece;

typedef struct digests {
    const writer *main;
    size_t n, n_chunks;
    size_t next;    /* the next chunk to take */
    size_t written; /* chunks written, in order */
    piece *pieces;
    size_t n_pieces;
    chronicle_status st; /* the first failure of a formatting thread */
    pthread_mutex_t mu;
    pthread_cond_t cv;
} digests;

/* One formatting thread's state. */
typedef struct worker {
    digests *d;
    writer w;
    chronicle_cursor *cursor;
    pthread_t thread;
} worker;

/* Formats chunk c into p->out; the caller holds no lock. */
static chronicle_status format_chunk(worker *k, size_t c, piece *p)
{
    writer *w = &k->w;
    const chronicle_host *h = w->host;
    size_t end = (c + 1) * CHUNK < k->d->n ? (c + 1) * CHUNK : k->d->n;
    if (!k->cursor && !(k->cursor = h->cursor_open(w->job))) return CHRONICLE_ERR_NOMEM;
    chronicle_buf_reset(&w->out);
    for (size_t i = c * CHUNK; i < end && w->st == CHRONICLE_OK; i++)
        put_digest(w, h->cursor_event(k->cursor, i));
    chronicle_buf spare = p->out;
    p->out = w->out;
    w->out = spare;
    if (w->st == CHRONICLE_OK && h->cancelled(w->job)) return CHRONICLE_ERR_CANCELLED;
    return w->st;
}

/* Takes the next chunk and formats it, if its piece is free; 0 when it
 * cannot (then the caller waits).  Called and returns with d->mu held. */
static int take_chunk(worker *k)
{
    digests *d = k->d;
    if (d->st != CHRONICLE_OK || d->next >= d->n_chunks) return 0;
    piece *p = &d->pieces[d->next % d->n_pieces];
    if (p->state != PIECE_FREE) return 0;
    size_t c = d->next++;
    p->state = PIECE_BUSY;
    p->chunk = c;
    pthread_mutex_unlock(&d->mu);
    chronicle_status st = format_chunk(k, c, p);
    pthread_mutex_lock(&d->mu);
    p->state = PIECE_DONE;
    if (st != CHRONICLE_OK && d->st == CHRONICLE_OK) d->st = st;
    pthread_cond_broadcast(&d->cv);
    return 1;
}

static void *format_chunks(void *arg)
{
    worker *k = arg;
    digests *d = k->d;
    pthread_mutex_lock(&d->mu);
    while (d->st == CHRONICLE_OK && d->next < d->n_chunks)
        if (!take_chunk(k)) pthread_cond_wait(&d->cv, &d->mu);
    pthread_mutex_unlock(&d->mu);
    return NULL;
}

/* The export's thread: writes each piece when its turn comes, formats a
 * chunk when none is ready.  Returns with d->st set on any failure. */
static void write_chunks(worker *self)
{
    digests *d = self->d;
    const writer *t = d->main;
    pthread_mutex_lock(&d->mu);
    while (d->st == CHRONICLE_OK && d->written < d->n_chunks) {
        piece *p = &d->pieces[d->written % d->n_pieces];
        if (p->state != PIECE_DONE || p->chunk != d->written) {
            if (!take_chunk(self)) pthread_cond_wait(&d->cv, &d->mu);
            continue;
        }
        pthread_mutex_unlock(&d->mu);
        chronicle_status st = t->host->write(t->job, p->out.ptr, p->out.len);
        size_t done = (d->written + 1) * CHUNK < d->n ? (d->written + 1) * CHUNK : d->n;
        t->host->progress(t->job, done, d->n);
        if (st == CHRONICLE_OK && t->host->cancelled(t->job)) st = CHRONICLE_ERR_CANCELLED;
        pthread_mutex_lock(&d->mu);
        p->state = PIECE_FREE;
        d->written++;
        if (st != CHRONICLE_OK && d->st == CHRONICLE_OK) d->st = st;
        pthread_cond_broadcast(&d->cv);
    }
    pthread_cond_broadcast(&d->cv); /* a failure stops the others */
    pthread_mutex_unlock(&d->mu);
}

static void writer_init(writer *t, chronicle_job *job, const chronicle_host *host);
static void writer_free(writer *t);

/* The CPUs this process may run on. */
static size_t cpus(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return (size_t)CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (size_t)n : 1;
}

/* The digests of n events on up to threads threads (the export's among
 * them); 0 threads started is not a failure, the export's thread does it
 * all.  t->out must be empty. */
static chronicle_status put_digests_in_parallel(writer *t, size_t n, size_t threads)
{
    digests d = {.main = t, .n = n, .n_chunks = (n + CHUNK - 1) / CHUNK, .n_pieces = 2 * threads};
    worker *k = calloc(threads, sizeof *k);
    if (!k || !(d.pieces = calloc(d.n_pieces, sizeof *d.pieces))) {
        free(k);
        return CHRONICLE_ERR_NOMEM;
    }
    pthread_mutex_init(&d.mu, NULL);
    pthread_cond_init(&d.cv, NULL);
    size_t started = 1;
    k[0] = (worker){.d = &d, .w = *t}; /* the export's thread, with t's caches */
    for (; started < threads; started++) {
        k[started].d = &d;
        writer_init(&k[started].w, t->job, t->host);
        if (pthread_create(&k[started].thread, NULL, format_chunks, &k[started]) != 0) {
            writer_free(&k[started].w);
            break;
        }
    }
    write_chunks(&k[0]);
    for (size_t i = 1; i < started; i++) {
        pthread_join(k[i].thread, NULL);
        t->host->cursor_close(k[i].cursor);
        writer_free(&k[i].w);
    }
    t->host->cursor_close(k[0].cursor);
    *t = k[0].w; /* its buffers may have grown */
    chronicle_buf_reset(&t->out);
    for (size_t i = 0; i < d.n_pieces; i++)
        chronicle_buf_free(&d.pieces[i].out);
    pthread_cond_destroy(&d.cv);
    pthread_mutex_destroy(&d.mu);
    free(d.pieces);
    free(k);
    return d.st;
}

/* ---- the export ---- */

static chronicle_status put_digests(writer *t)
{
    size_t n = t->host->event_count(t->job), threads = cpus();
    if (n) put_heading(t, word(t, "label.events"), t->g->double_rule);
    int cursors = CHRONICLE_HAS(t->host, chronicle_host, cursor_close) && t->host->cursor_open &&
                  t->host->cursor_event && t->host->cursor_close;
    if (threads > MAX_THREADS) threads = MAX_THREADS;
    if (!cursors || threads < 2 || n <= CHUNK) return put_digests_in_turn(t, n);
    flush(t);
    if (t->st != CHRONICLE_OK) return t->st;
    return put_digests_in_parallel(t, n, threads);
}

/* Sets up the writer; the caches are optional (without memory for them,
 * repeated text is simply made again). */
static void writer_init(writer *t, chronicle_job *job, const chronicle_host *host)
{
    t->job = job;
    t->host = host;
    t->width = (size_t)host->opt_int(job, "width");
    t->ascii = host->opt_bool(job, "ascii");
    t->g = t->ascii ? &ascii_glyphs : &unicode_glyphs;
    t->label_cols = label_column(t);
    size_t want = 16, n = host->dataset(job)->n_sources;
    while (want < 2 * n && want < SIZE_MAX / 4)
        want *= 2;
    if ((t->sources = calloc(want, sizeof *t->sources))) t->n_sources_slots = want;
    t->numbers = calloc(NUMBERS_CACHED, sizeof *t->numbers);
}

static void writer_free(writer *t)
{
    chronicle_buf_free(&t->out);
    chronicle_buf_free(&t->para);
    for (size_t k = 0; k < 3; k++)
        chronicle_buf_free(&t->cells[k]);
    chronicle_buf_free(&t->tmp);
    chronicle_buf_free(&t->cache);
    chronicle_buf_free(&t->digest_rule);
    free(t->sources);
    free(t->numbers);
}

static chronicle_status export_text(chronicle_job *job, const chronicle_host *host)
{
    /* A 1.2 host lends every service; one that lends them empty is broken. */
    if (!CHRONICLE_HAS(host, chronicle_host, days_to_ymd) || !host->report || !host->label ||
        !host->format_message || !host->format_date || !host->format_period ||
        !host->format_number || !host->format_count || !host->format_ordinal ||
        !host->format_attribution || !host->format_selection || !host->days_to_ymd) {
        host->error(job, CHRONICLE_ERR_UNSUPPORTED, "this chronicle lends no wording services");
        return CHRONICLE_ERR_UNSUPPORTED;
    }
    writer t = {0};
    writer_init(&t, job, host);
    const chronicle_summary *sum = host->summary(job);
    const chronicle_report *r = host->report(job);
    chronicle_status st = CHRONICLE_OK;

    put_headline(&t, sum);
    if (!host->event_count(job)) {
        put_line(&t, "");
        put_line(&t, word(&t, "plain.text.no-events"));
    } else {
        put_tables(&t, sum);
        if (host->opt_bool(job, "digests")) st = put_digests(&t);
    }
    if (st == CHRONICLE_OK && r->marking.ptr && r->marking.len) {
        put_line(&t, "");
        put_marking(&t, r);
    }
    if (st == CHRONICLE_OK) flush(&t);
    if (st == CHRONICLE_OK) st = t.st;
    /* a failed write has been reported by the host already */
    if (st == CHRONICLE_ERR_NOMEM)
        host->error(job, st, "out of memory while composing the summary");
    else if (st != CHRONICLE_OK && st != CHRONICLE_ERR_IO && st != CHRONICLE_ERR_CANCELLED)
        host->error(job, st, "composing the summary failed");
    writer_free(&t);
    return st;
}
