/*
 * markdown.c — the SDK's example exporter: a Markdown digest with the
 * marking, the title, what the report covers, a table of events by year,
 * then one section per event (date, place, organisers, statements and
 * figures, each with its attribution), and the marking again.
 * It is written as any third-party plugin would be: it includes only
 * <chronicle/plugin.h> and reaches everything through the host table.  Its
 * words, dates and numbers come from the host's wording services (ABI 1.2)
 * in the report's language; in an older host it writes English, with ISO
 * dates, so it keeps loading wherever it did.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <chronicle/plugin.h>

static const chronicle_option options[] = {
    {"heading-level",
     CHRONICLE_OPT_INT,
     "1",
     "heading level of the title; events go one below",
     NULL,
     1,
     4,
     {0}},
    {"toc",
     CHRONICLE_OPT_BOOL,
     "false",
     "a linked list of the events after the table",
     NULL,
     1,
     0,
     {0}},
    {0},
};

static chronicle_status export_markdown(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    /* The lowest host it needs: 1.0.  The 1.2 services are tested for with
     * CHRONICLE_HAS, and ONE_EVENT is a 1.1 promise that a 1.0 host ignores. */
    .abi_version = CHRONICLE_ABI(1, 0),
    .name = "markdown",
    .version = "1.1.0",
    .summary = "Markdown digest: period, events by year, one section per event",
    .extension = "md",
    .media_type = "text/markdown; charset=utf-8",
    .flags = CHRONICLE_PLUGIN_STDOUT_OK | CHRONICLE_PLUGIN_ONE_EVENT,
    .options = options,
    .export_dataset = export_markdown,
};
CHRONICLE_PLUGIN_DEFINE(plugin)

/* One export.  st is sticky: after a failed write every put is a no-op, so
 * the code below checks it once per event instead of after every call. */
typedef struct md {
    chronicle_job *job;
    const chronicle_host *host;
    int words; /* the host lends the 1.2 wording services */
    int level; /* heading level of the title */
    int toc;   /* contents list and anchors */
    chronicle_status st;
} md;

static void put(md *m, const char *s, size_t len)
{
    if (m->st == CHRONICLE_OK && len) m->st = m->host->write(m->job, s, len);
}

static void put_cstr(md *m, const char *s)
{
    put(m, s, strlen(s));
}

/* For the short pieces the plugin writes itself (anchors, English numbers
 * in an older host); data goes through put_text, never through a format. */
static void put_fmt(md *m, const char *fmt, ...) CHRONICLE_PRINTF(2, 3);
static void put_fmt(md *m, const char *fmt, ...)
{
    char piece[128];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);
    if (n > 0) put(m, piece, (size_t)n < sizeof piece ? (size_t)n : sizeof piece - 1);
}

/* Data is text, not markup: escape what Markdown would interpret, and turn
 * line breaks and tabs into spaces so a value stays on its line. */
static void put_text(md *m, chronicle_str s)
{
    size_t from = 0;
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        int blank = c == '\n' || c == '\t';
        if (!blank && !strchr("\\`*_[]<>|#", c)) continue;
        put(m, s.ptr + from, i - from);
        put(m, blank ? " " : "\\", 1);
        from = blank ? i + 1 : i;
    }
    put(m, s.ptr + from, s.len - from);
}

static void put_ctext(md *m, const char *s)
{
    put_text(m, (chronicle_str){s, strlen(s)});
}

/* ---- the host's wording, with English for an older host ---- */

/* Members are appended in ABI order, so a host that has the last wording
 * service (and fills it) has them all. */
static int has_wording(const chronicle_host *h)
{
    return CHRONICLE_HAS(h, chronicle_host, days_to_ymd) && h->days_to_ymd;
}

/* A fixed word in the report's language (message ids: formats/messages.md).
 * The host gives an id it does not know back as itself: then English. */
static const char *word(const md *m, const char *id, const char *english)
{
    if (!m->words) return english;
    const char *s = m->host->label(m->job, id);
    return strcmp(s, id) ? s : english;
}

/* A message with one argument around data: the text before {1}, the data
 * escaped as Markdown, the text after ("**{1}:**", "“{1}”"). */
static void put_around(md *m, const char *id, const char *english, chronicle_str data)
{
    const char *t = word(m, id, english), *at = strstr(t, "{1}");
    if (!at) at = strstr(t = english, "{1}");
    put(m, t, (size_t)(at - t));
    put_text(m, data);
    put_cstr(m, at + 3);
}

/* Puts, escaped, what a 1.2 text service writes: `call` is the service's
 * call on (buf, size).  The services write like snprintf and return the
 * whole length, so a text too long for the stack is written again into
 * memory of its size. */
#define PUT_FORMATTED(m, call)                                                                     \
    do {                                                                                           \
        char piece_[256], *buf = piece_;                                                           \
        size_t size = sizeof piece_, n_ = (call);                                                  \
        if (n_ >= size) {                                                                          \
            if (!(buf = malloc(n_ + 1))) {                                                         \
                (m)->st = CHRONICLE_ERR_NOMEM;                                                     \
                break;                                                                             \
            }                                                                                      \
            size = n_ + 1;                                                                         \
            n_ = (call);                                                                           \
        }                                                                                          \
        put_text((m), (chronicle_str){buf, n_ < size ? n_ : size - 1});                            \
        if (buf != piece_) free(buf);                                                              \
    } while (0)

/* From first to last, or one date when they are the same. */
static void put_period(md *m, uint32_t first, chronicle_str first_iso, uint32_t last,
                       chronicle_str last_iso)
{
    if (m->words) {
        PUT_FORMATTED(m,
                      m->host->format_period(m->job, buf, size, first, last, CHRONICLE_DATE_SHORT));
        return;
    }
    put_text(m, first_iso);
    if (last_iso.ptr && (last_iso.len != first_iso.len ||
                         memcmp(last_iso.ptr, first_iso.ptr, first_iso.len) != 0)) {
        put_cstr(m, " \xE2\x80\x93 ");
        put_text(m, last_iso);
    }
}

static void put_number(md *m, double v)
{
    if (m->words)
        PUT_FORMATTED(m, m->host->format_number(m->job, buf, size, v));
    else
        put_fmt(m, "%.15g", v);
}

/* "as reported by Trend, 24 Feb 2023", or "as reported in <document>" when
 * the source names no outlet; no date part when the source has none. */
static void put_attribution(md *m, const chronicle_source *src)
{
    if (m->words) {
        PUT_FORMATTED(m, m->host->format_attribution(m->job, buf, size, src));
        return;
    }
    put_cstr(m, src->outlet.ptr ? "as reported by " : "as reported in ");
    put_text(m, src->outlet.ptr ? src->outlet : src->document);
    if (src->published.ptr) {
        put_cstr(m, ", ");
        put_text(m, src->published);
    }
}

/* ---- the digest ---- */

/* "# " for the title at heading-level 1, "## " for its events. */
static void put_hashes(md *m, int depth)
{
    put(m, "######", (size_t)(m->level + depth));
    put_cstr(m, " ");
}

static void put_list(md *m, const char *id, const char *english, const chronicle_str *items,
                     size_t n)
{
    if (!n) return;
    const char *label = word(m, id, english);
    put_cstr(m, "**");
    put_around(m, "plain.colon", "{1}:", (chronicle_str){label, strlen(label)});
    put_cstr(m, "** ");
    for (size_t i = 0; i < n; i++) {
        if (i) put_cstr(m, "; ");
        put_text(m, items[i]);
    }
    put_cstr(m, "\n\n");
}

/* The handling banner, as the author gave it: the first and the last line. */
static void put_marking(md *m, const chronicle_report *r)
{
    put_cstr(m, "**");
    put_text(m, r->marking);
    put_cstr(m, "**\n");
}

/* The title, the subtitle, then who made the report: "Organisation · Author". */
static void put_title(md *m, const chronicle_report *r)
{
    const char *group = m->host->group(m->job);
    put_hashes(m, 0);
    put_text(m, r ? r->title : m->host->dataset(m->job)->title);
    if (group) {
        put_cstr(m, " \xE2\x80\x94 ");
        put_ctext(m, group);
    }
    put_cstr(m, "\n\n");
    if (!r) return;
    if (r->subtitle.len) {
        put_cstr(m, "*");
        put_text(m, r->subtitle);
        put_cstr(m, "*\n\n");
    }
    put_text(m, r->organization);
    if (r->organization.len && r->author.len) put_cstr(m, " \xC2\xB7 ");
    put_text(m, r->author);
    if (r->organization.len || r->author.len) put_cstr(m, "\n\n");
}

/* "26 Feb 2019 – 26 Feb 2024 · all 4 events": the period and what the
 * report covers; in an older host, the number of events. */
static void put_coverage(md *m, const chronicle_summary *sum)
{
    int ymd = CHRONICLE_HAS(sum, chronicle_summary, last_date_ymd);
    put_period(m, ymd ? sum->first_date_ymd : 0, sum->first_date, ymd ? sum->last_date_ymd : 0,
               sum->last_date);
    put_cstr(m, " \xC2\xB7 ");
    if (m->words)
        PUT_FORMATTED(m, m->host->format_selection(m->job, buf, size));
    else
        put_fmt(m, "%zu event%s", sum->n_events, sum->n_events == 1 ? "" : "s");
    put_cstr(m, "\n\n");
}

static void put_head(md *m, const chronicle_report *r)
{
    const chronicle_summary *sum = m->host->summary(m->job);
    if (r && r->marking.len) {
        put_marking(m, r);
        put_cstr(m, "\n");
    }
    put_title(m, r);
    if (!sum->n_events) {
        if (m->words) {
            PUT_FORMATTED(m, m->host->format_selection(m->job, buf, size));
            put_cstr(m, "\n\n");
        }
        put_ctext(m, word(m, "plain.markdown.no-events", "No events."));
        put_cstr(m, "\n");
        return;
    }
    put_coverage(m, sum);
    put_cstr(m, "| ");
    put_ctext(m, word(m, "label.year", "Year"));
    put_cstr(m, " | ");
    put_ctext(m, word(m, "label.events", "Events"));
    put_cstr(m, " |\n| ---: | ---: |\n");
    for (size_t i = 0; i < sum->n_by_year; i++) {
        put_cstr(m, "| ");
        put_text(m, sum->by_year[i].key);
        put_cstr(m, " | ");
        put_number(m, (double)sum->by_year[i].count);
        put_cstr(m, " |\n");
    }
    put_cstr(m, "\n");
}

static void put_toc(md *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put_cstr(m, "- [");
        put_text(m, m->host->event_at(m->job, i)->title);
        put_fmt(m, "](#event-%zu)\n", i + 1);
    }
    put_cstr(m, "\n");
}

static void put_place(md *m, const chronicle_event *ev)
{
    const chronicle_str parts[] = {ev->venue, ev->city, ev->country};
    int first = 1;
    for (size_t i = 0; i < 3; i++) {
        if (!parts[i].ptr) continue;
        put_cstr(m, first ? " \xC2\xB7 " : ", ");
        put_text(m, parts[i]);
        first = 0;
    }
}

/* A claim's attribution, in parentheses. */
static void put_source_of(md *m, const chronicle_source *src)
{
    put_cstr(m, " (");
    put_attribution(m, src);
    put_cstr(m, ")\n");
}

static void put_statements(md *m, const chronicle_event *ev)
{
    if (!ev->n_statements) return;
    put_cstr(m, "**");
    put_ctext(m, word(m, "label.statements", "Statements"));
    put_cstr(m, "**\n\n");
    for (size_t i = 0; i < ev->n_statements; i++) {
        const chronicle_statement *s = ev->statements[i];
        put_cstr(m, "- **");
        put_text(m, s->speaker);
        put_cstr(m, ":** ");
        put_text(m, s->summary);
        if (s->quote.ptr) {
            put_cstr(m, " ");
            put_around(m, "plain.quote", "\xE2\x80\x9C{1}\xE2\x80\x9D", s->quote);
        }
        put_source_of(m, s->source);
    }
    put_cstr(m, "\n");
}

static void put_figures(md *m, const chronicle_event *ev)
{
    if (!ev->n_figures) return;
    put_cstr(m, "**");
    put_ctext(m, word(m, "label.figures", "Figures"));
    put_cstr(m, "**\n\n");
    for (size_t i = 0; i < ev->n_figures; i++) {
        const chronicle_figure *f = ev->figures[i];
        put_cstr(m, "- ");
        put_text(m, f->label);
        put_cstr(m, ": ");
        put_number(m, f->value);
        if (f->unit.ptr) {
            put_cstr(m, " ");
            put_text(m, f->unit);
        }
        put_source_of(m, f->source);
    }
    put_cstr(m, "\n");
}

static void put_event(md *m, size_t i, const chronicle_event *ev)
{
    if (m->toc) put_fmt(m, "<a id=\"event-%zu\"></a>\n\n", i + 1);
    put_hashes(m, 1);
    put_text(m, ev->title);
    put_cstr(m, "\n\n*");
    put_period(m, ev->date_ymd, ev->date, ev->end_date_ymd ? ev->end_date_ymd : ev->date_ymd,
               ev->end_date);
    put_cstr(m, "*");
    put_place(m, ev);
    put_cstr(m, "\n\n");
    put_list(m, "label.organizers", "Organisers", ev->organizers, ev->n_organizers);
    if (ev->summary.ptr) {
        put_text(m, ev->summary);
        put_cstr(m, "\n\n");
    }
    put_statements(m, ev);
    put_figures(m, ev);
}

static chronicle_status export_markdown(chronicle_job *job, const chronicle_host *host)
{
    md m = {job,
            host,
            has_wording(host),
            (int)host->opt_int(job, "heading-level"),
            host->opt_bool(job, "toc"),
            CHRONICLE_OK};
    const chronicle_report *r = m.words ? host->report(job) : NULL;
    size_t n = host->event_count(job);
    put_head(&m, r);
    if (m.toc && n) put_toc(&m, n);
    for (size_t i = 0; i < n && m.st == CHRONICLE_OK; i++) {
        put_event(&m, i, host->event_at(job, i));
        host->progress(job, i + 1, n);
        if (host->cancelled(job)) return CHRONICLE_ERR_CANCELLED;
    }
    if (r && r->marking.len) {
        if (!n) put_cstr(&m, "\n"); /* each event ends with a blank line already */
        put_marking(&m, r);
    }
    /* a failed write() has already told the host what failed */
    return m.st;
}
