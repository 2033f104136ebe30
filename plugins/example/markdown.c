/*
 * markdown.c — the SDK's example exporter: a Markdown digest with the title,
 * the period, a table of events by year, then one section per event (date,
 * place, organisers, statements and figures, each with its attribution).
 * It is written as any third-party plugin would be: it includes only
 * <chronicle/plugin.h> and reaches everything through the host table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <chronicle/plugin.h>

static const chronicle_option options[] = {
    {"heading-level", CHRONICLE_OPT_INT, "1", "heading level of the title; events go one below",
     NULL, 1, 4, {0}},
    {"toc", CHRONICLE_OPT_BOOL, "false", "a linked list of the events after the table", NULL, 1,
     0, {0}},
    {0},
};

static chronicle_status export_markdown(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = CHRONICLE_ABI_VERSION,
    .name = "markdown",
    .version = "1.0.0",
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

/* For the short pieces the plugin formats itself (numbers, dates); data
 * goes through put_text, never through a format string. */
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

/* 20230224 as "24 Feb 2023", in English whatever the locale. */
static void put_date(md *m, uint32_t ymd)
{
    static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
    unsigned day = ymd % 100, month = ymd / 100 % 100, year = ymd / 10000;
    if (month >= 1 && month <= 12) put_fmt(m, "%u %.3s %u", day, months + 3 * (month - 1), year);
}

/* "YYYY-MM-DD" as YYYYMMDD; the host has validated every date. */
static uint32_t ymd_of(chronicle_str date)
{
    uint32_t v = 0;
    for (size_t i = 0; i < date.len; i++)
        if (date.ptr[i] != '-') v = v * 10 + (uint32_t)(date.ptr[i] - '0');
    return v;
}

/* The wording every Chronicle report uses: "as reported by Trend, 24 Feb
 * 2023", or "as reported in <document>" when the source names no outlet;
 * no date part when the source has no published date. */
static void put_attribution(md *m, const chronicle_source *src)
{
    put_cstr(m, src->outlet.ptr ? "as reported by " : "as reported in ");
    put_text(m, src->outlet.ptr ? src->outlet : src->document);
    if (src->published_ymd) {
        put_cstr(m, ", ");
        put_date(m, src->published_ymd);
    }
}

/* "# " for the title at heading-level 1, "## " for its events. */
static void put_hashes(md *m, int depth)
{
    put(m, "######", (size_t)(m->level + depth));
    put_cstr(m, " ");
}

static void put_list(md *m, const char *label, const chronicle_str *items, size_t n)
{
    if (!n) return;
    put_fmt(m, "**%s:** ", label);
    for (size_t i = 0; i < n; i++) {
        if (i) put_cstr(m, "; ");
        put_text(m, items[i]);
    }
    put_cstr(m, "\n\n");
}

static void put_head(md *m)
{
    const chronicle_dataset_info *ds = m->host->dataset(m->job);
    const chronicle_summary *sum = m->host->summary(m->job);
    const char *group = m->host->group(m->job);
    put_hashes(m, 0);
    put_text(m, ds->title);
    if (group) {
        put_cstr(m, " \xE2\x80\x94 ");
        put_text(m, (chronicle_str){group, strlen(group)});
    }
    put_cstr(m, "\n\n");
    if (!sum->n_events) {
        put_cstr(m, "No events.\n");
        return;
    }
    put_date(m, ymd_of(sum->first_date));
    if (ymd_of(sum->last_date) != ymd_of(sum->first_date)) {
        put_cstr(m, " \xE2\x80\x93 ");
        put_date(m, ymd_of(sum->last_date));
    }
    put_fmt(m, " \xC2\xB7 %zu event%s\n\n| Year | Events |\n| ---: | ---: |\n", sum->n_events,
            sum->n_events == 1 ? "" : "s");
    for (size_t i = 0; i < sum->n_by_year; i++) {
        put_cstr(m, "| ");
        put_text(m, sum->by_year[i].key);
        put_fmt(m, " | %zu |\n", sum->by_year[i].count);
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

static void put_statements(md *m, const chronicle_event *ev)
{
    if (!ev->n_statements) return;
    put_cstr(m, "**Statements**\n\n");
    for (size_t i = 0; i < ev->n_statements; i++) {
        const chronicle_statement *s = ev->statements[i];
        put_cstr(m, "- **");
        put_text(m, s->speaker);
        put_cstr(m, ":** ");
        put_text(m, s->summary);
        if (s->quote.ptr) {
            put_cstr(m, " \xE2\x80\x9C");
            put_text(m, s->quote);
            put_cstr(m, "\xE2\x80\x9D");
        }
        put_cstr(m, " (");
        put_attribution(m, s->source);
        put_cstr(m, ")\n");
    }
    put_cstr(m, "\n");
}

static void put_figures(md *m, const chronicle_event *ev)
{
    if (!ev->n_figures) return;
    put_cstr(m, "**Figures**\n\n");
    for (size_t i = 0; i < ev->n_figures; i++) {
        const chronicle_figure *f = ev->figures[i];
        put_cstr(m, "- ");
        put_text(m, f->label);
        put_fmt(m, ": %.15g", f->value);
        if (f->unit.ptr) {
            put_cstr(m, " ");
            put_text(m, f->unit);
        }
        put_cstr(m, " (");
        put_attribution(m, f->source);
        put_cstr(m, ")\n");
    }
    put_cstr(m, "\n");
}

static void put_event(md *m, size_t i, const chronicle_event *ev)
{
    if (m->toc) put_fmt(m, "<a id=\"event-%zu\"></a>\n\n", i + 1);
    put_hashes(m, 1);
    put_text(m, ev->title);
    put_cstr(m, "\n\n*");
    put_date(m, ev->date_ymd);
    if (ev->end_date_ymd) {
        put_cstr(m, " \xE2\x80\x93 ");
        put_date(m, ev->end_date_ymd);
    }
    put_cstr(m, "*");
    put_place(m, ev);
    put_cstr(m, "\n\n");
    put_list(m, "Organisers", ev->organizers, ev->n_organizers);
    if (ev->summary.ptr) {
        put_text(m, ev->summary);
        put_cstr(m, "\n\n");
    }
    put_statements(m, ev);
    put_figures(m, ev);
}

static chronicle_status export_markdown(chronicle_job *job, const chronicle_host *host)
{
    md m = {job, host, (int)host->opt_int(job, "heading-level"), host->opt_bool(job, "toc"),
            CHRONICLE_OK};
    size_t n = host->event_count(job);
    put_head(&m);
    if (m.toc && n) put_toc(&m, n);
    for (size_t i = 0; i < n && m.st == CHRONICLE_OK; i++) {
        put_event(&m, i, host->event_at(job, i));
        host->progress(job, i + 1, n);
        if (host->cancelled(job)) return CHRONICLE_ERR_CANCELLED;
    }
    /* a failed write() has already told the host what failed */
    return m.st;
}
