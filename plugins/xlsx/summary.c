/*
 * summary.c — the Summary sheet: title, description, period and headline
 * counts as label/value rows, then four count tables (events by year, by
 * country, by organiser, activities by kind) and a column chart of events
 * per year drawn from the year table.  Rows are written strictly top to
 * bottom and widths are set first, as constant-memory mode requires.
 */
#include <stdlib.h>
#include <string.h>

#include "chronicle/format.h"
#include "xlsx_internal.h"

#define SUMMARY "Summary"
#define TABLE_MAX 10000 /* rows of one count table; the rest is counted in one line */

typedef struct summary {
    xlsx_ctx *x;
    lxw_worksheet *ws;
    lxw_row_t row;
    lxw_format *key_fmt; /* keys of the count tables: wrapped when column A wraps */
} summary;

static void put_label(summary *w, const char *label)
{
    xlsx_put_text(w->x, w->ws, SUMMARY, w->row, 0, label, strlen(label), w->x->fmt.label);
}

static void kv_text(summary *w, const char *label, const char *v, size_t len, lxw_format *f)
{
    put_label(w, label);
    xlsx_put_text(w->x, w->ws, SUMMARY, w->row++, 1, v, len, f);
}

static void kv_count(summary *w, const char *label, size_t n)
{
    put_label(w, label);
    xlsx_put_number(w->x, w->ws, SUMMARY, w->row++, 1, (double)n, w->x->fmt.number);
}

static void kv_date(summary *w, const char *label, chronicle_str iso)
{
    if (!iso.ptr) return;
    uint32_t ymd = xlsx_excel_ymd(xlsx_parse_ymd(iso));
    put_label(w, label);
    if (ymd)
        xlsx_put_date(w->x, w->ws, SUMMARY, w->row++, 1, ymd, w->x->fmt.date);
    else
        xlsx_put_text(w->x, w->ws, SUMMARY, w->row++, 1, iso.ptr, iso.len, w->x->fmt.text);
}

/* A buffer append that failed: out of memory, reported once. */
static int wording_ok(summary *w, chronicle_status st, const char *what)
{
    if (st == CHRONICLE_OK) return 1;
    xlsx_fail(w->x, SUMMARY, w->row, 0, what, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return 0;
}

/* A titled table: header row, then key | count (| code for countries).
 * Returns the row of the first data row. */
static lxw_row_t count_table(summary *w, const char *title, const char *key, const char *what,
                             const chronicle_count *rows, size_t n, int numeric_keys, int codes)
{
    xlsx_ctx *x = w->x;
    put_label(w, title);
    w->row++;
    xlsx_put_text(x, w->ws, SUMMARY, w->row, 0, key, strlen(key), x->fmt.header);
    xlsx_put_text(x, w->ws, SUMMARY, w->row, 1, what, strlen(what), x->fmt.header);
    if (codes) xlsx_put_text(x, w->ws, SUMMARY, w->row, 2, "Country code", 12, x->fmt.header);
    lxw_row_t first = ++w->row;
    size_t shown = n > TABLE_MAX ? TABLE_MAX : n;
    for (size_t i = 0; i < shown && x->status == CHRONICLE_OK; i++, w->row++) {
        const chronicle_count *c = &rows[i];
        if (numeric_keys) /* years: numbers, so the chart's axis and filters sort them */
            xlsx_put_number(x, w->ws, SUMMARY, w->row, 0, strtod(c->key.ptr, NULL), x->fmt.number);
        else
            xlsx_put_text(x, w->ws, SUMMARY, w->row, 0, c->label.ptr, c->label.len, w->key_fmt);
        xlsx_put_number(x, w->ws, SUMMARY, w->row, 1, (double)c->count, x->fmt.number);
        if (codes) xlsx_put_text(x, w->ws, SUMMARY, w->row, 2, c->key.ptr, c->key.len, x->fmt.text);
    }
    chronicle_buf_reset(&x->buf);
    if (shown < n &&
        wording_ok(w, chronicle_buf_appendf(&x->buf, "\xE2\x80\xA6 and %zu more", n - shown),
                   "wording a table"))
        xlsx_put_text(x, w->ws, SUMMARY, w->row++, 0, chronicle_buf_cstr(&x->buf), x->buf.len,
                      x->fmt.text);
    w->row++; /* a blank row after each table */
    return first;
}

static unsigned widest_key(const chronicle_count *rows, size_t n, unsigned w)
{
    for (size_t i = 0; i < n && w <= XLSX_WIDTH_CAP; i++) {
        unsigned k = xlsx_text_width(rows[i].label.ptr, rows[i].label.len, XLSX_WIDTH_CAP);
        if (k > w) w = k;
    }
    return w;
}

/* Column A holds labels and table keys; B values (long text wraps in it). */
static chronicle_status set_widths(summary *w, const chronicle_summary *sm)
{
    unsigned a = (unsigned)strlen("Events in the dataset");
    a = widest_key(sm->by_country, sm->n_by_country, a);
    a = widest_key(sm->by_organizer, sm->n_by_organizer, a);
    a = widest_key(sm->by_activity_kind, sm->n_by_activity_kind, a);
    w->key_fmt = a > XLSX_WIDTH_CAP ? w->x->fmt.wrap : w->x->fmt.text;
    const double widths[] = {xlsx_column_width("", a), XLSX_WIDTH_CAP + 2, 14};
    for (lxw_col_t c = 0; c < 3; c++) {
        lxw_error err = worksheet_set_column(w->ws, c, c, widths[c], NULL);
        if (err) return xlsx_fail(w->x, SUMMARY, 0, c, "setting the column width", err);
    }
    return CHRONICLE_OK;
}

static void write_head(summary *w, const chronicle_summary *sm)
{
    xlsx_ctx *x = w->x;
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    const char *group = x->host->group(x->job);
    chronicle_buf_reset(&x->buf);
    chronicle_status st = chronicle_buf_append(&x->buf, di->title.ptr, di->title.len);
    if (st == CHRONICLE_OK && group)
        st = chronicle_buf_appendf(&x->buf, " \xE2\x80\x94 %s", group); /* em dash */
    if (!wording_ok(w, st, "wording the title")) return;
    xlsx_put_text(x, w->ws, SUMMARY, w->row++, 0, chronicle_buf_cstr(&x->buf), x->buf.len,
                  x->fmt.title);
    w->row++;
    if (di->description.len)
        kv_text(w, "Description", di->description.ptr, di->description.len, x->fmt.wrap);
    if (group) kv_text(w, "Group", group, strlen(group), x->fmt.text);
    chronicle_buf_reset(&x->buf);
    st = chronicle_format_period(&x->buf, xlsx_parse_ymd(sm->first_date),
                                 xlsx_parse_ymd(sm->last_date), CHRONICLE_DATE_SHORT);
    if (!wording_ok(w, st, "wording the period")) return;
    kv_text(w, "Period", chronicle_buf_cstr(&x->buf), x->buf.len, x->fmt.text);
    kv_date(w, "First event", sm->first_date);
    kv_date(w, "Last event", sm->last_date);
    put_label(w, "Generated (UTC)");
    xlsx_put_datetime(x, w->ws, SUMMARY, w->row++, 1, x->host->timestamp(x->job));
    w->row++;
}

static void write_counts(summary *w, const chronicle_summary *sm)
{
    const chronicle_dataset_info *di = w->x->host->dataset(w->x->job);
    put_label(w, "Headline counts");
    w->row++;
    kv_count(w, "Events", sm->n_events);
    kv_count(w, "Events in the dataset", di->n_events_total);
    kv_count(w, "Countries", sm->n_by_country);
    kv_count(w, "Organisers", sm->n_by_organizer);
    kv_count(w, "Participants", sm->n_participants);
    kv_count(w, "Activities", sm->n_activities);
    kv_count(w, "Statements", sm->n_statements);
    kv_count(w, "Figures", sm->n_figures);
    kv_count(w, "Sources cited", w->x->src.n_cited);
    static const char note[] =
        "Claims made at events are recorded as statements and figures, each attributed to the "
        "source that reports it (see the Attribution columns); the software takes no side.";
    kv_text(w, "Note", note, sizeof note - 1, w->x->fmt.wrap);
    w->row++;
}

static chronicle_status add_chart(summary *w, lxw_row_t first, size_t n)
{
    xlsx_ctx *x = w->x;
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    lxw_chart_series *series = chart ? chart_add_series(chart, NULL, NULL) : NULL;
    if (!series)
        return xlsx_fail(x, SUMMARY, 0, 3, "adding the chart", LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_row_t last = first + (lxw_row_t)n - 1;
    chart_series_set_categories(series, SUMMARY, first, 0, last, 0);
    chart_series_set_values(series, SUMMARY, first, 1, last, 1);
    chart_series_set_name(series, "Events");
    chart_title_set_name(chart, "Events per year");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    chart_axis_set_name(chart->y_axis, "Events");
    lxw_error err = worksheet_insert_chart(w->ws, 1, 3, chart);
    return err ? xlsx_fail(x, SUMMARY, 1, 3, "inserting the chart", err) : CHRONICLE_OK;
}

chronicle_status xlsx_summary_write(xlsx_ctx *x)
{
    const chronicle_summary *sm = x->host->summary(x->job);
    summary w = {x, workbook_add_worksheet(x->wb, SUMMARY), 0, NULL};
    if (!w.ws) {
        x->status = x->constant_memory ? CHRONICLE_ERR_IO : CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "cannot add the sheet '%s'", SUMMARY);
        return x->status;
    }
    if (set_widths(&w, sm) != CHRONICLE_OK) return x->status;
    write_head(&w, sm);
    write_counts(&w, sm);
    lxw_row_t years =
        count_table(&w, "Events by year", "Year", "Events", sm->by_year, sm->n_by_year, 1, 0);
    count_table(&w, "Events by country", "Country", "Events", sm->by_country, sm->n_by_country, 0,
                1);
    count_table(&w, "Events by organiser", "Organiser", "Events", sm->by_organizer,
                sm->n_by_organizer, 0, 0);
    count_table(&w, "Activities by kind", "Kind", "Activities", sm->by_activity_kind,
                sm->n_by_activity_kind, 0, 0);
    if (x->status == CHRONICLE_OK && sm->n_by_year) add_chart(&w, years, sm->n_by_year);
    if (x->status == CHRONICLE_OK) xlsx_print_summary(x, w.ws, 15.0 * w.row);
    return x->status;
}
