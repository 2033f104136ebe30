/*
 * summary.c — the Summary sheet, laid out to print on one page: the title,
 * description and note across the top, then two blocks side by side.  Left
 * (A:C): period, dates, headline counts, events by year and by country;
 * right (E:F): the chart of events per year, events by organiser, activities
 * by kind.  Labels and keys sit in A and E, counts in the narrow B and F,
 * country codes centred in C, the period and dates right-aligned across B:C.
 * The blocks are placed first as a list of cells, then written row by row
 * (constant-memory mode takes rows strictly in order), each row as tall as
 * its wrapped text needs.
 */
#include <stdlib.h>
#include <string.h>

#include "chronicle/format.h"
#include "xlsx_internal.h"

#define SUMMARY "Summary"
#define TABLE_MAX 10000 /* rows of one count table; the rest is counted in one line */
#define CHART_ROWS 16   /* rows the chart covers */
#define GAP_MAX 30      /* empty years shown one by one; the briefing's chart closes longer gaps */
#define TITLE_PT 14.0

enum { COL_A, COL_B, COL_C, COL_D, COL_E, COL_F, N_COLS };

typedef enum s_kind { S_TEXT, S_NUMBER, S_DATE, S_DATETIME } s_kind;

typedef struct s_cell {
    lxw_row_t row;
    lxw_col_t col, last; /* last > col: merged across to last */
    s_kind kind;
    lxw_format *fmt;
    const char *text; /* S_TEXT: the host's, or own */
    size_t len;
    char *own;
    double num; /* S_NUMBER; S_DATE: YYYYMMDD; S_DATETIME: Unix seconds */
    size_t seq; /* placing order: sorting keeps it within a row */
} s_cell;

typedef struct summary {
    xlsx_ctx *x;
    const chronicle_summary *sm;
    lxw_worksheet *ws;
    s_cell *cells;
    size_t n, cap;
    double width[N_COLS];
    lxw_row_t years;  /* first row of the year table's data */
    size_t n_years;   /* its rows */
    lxw_row_t chart;  /* the chart's top row */
    double height_pt; /* of all rows, for the page setup */
} summary;

/* A block: rows from row down, keys in column key, counts in value. */
typedef struct flow {
    summary *w;
    lxw_row_t row;
    lxw_col_t key, value;
} flow;

/* ---- placing cells ---- */

static s_cell *place(summary *w, lxw_row_t row, lxw_col_t col, lxw_col_t last, s_kind kind,
                     lxw_format *f)
{
    if (w->x->status != CHRONICLE_OK) return NULL;
    if (w->n == w->cap) {
        size_t cap = w->cap ? w->cap * 2 : 128;
        s_cell *c = realloc(w->cells, cap * sizeof *c);
        if (!c) {
            xlsx_fail(w->x, SUMMARY, row, col, "laying out the sheet",
                      LXW_ERROR_MEMORY_MALLOC_FAILED);
            return NULL;
        }
        w->cells = c;
        w->cap = cap;
    }
    s_cell *c = &w->cells[w->n];
    *c = (s_cell){.row = row, .col = col, .last = last, .kind = kind, .fmt = f, .seq = w->n};
    w->n++;
    return c;
}

static void text_at(summary *w, lxw_row_t row, lxw_col_t col, lxw_col_t last, const char *v,
                    size_t len, lxw_format *f)
{
    s_cell *c = len ? place(w, row, col, last, S_TEXT, f) : NULL;
    if (c) c->text = v, c->len = len;
}

/* Text the summary keeps: x->buf, copied. */
static void buf_at(summary *w, lxw_row_t row, lxw_col_t col, lxw_col_t last, lxw_format *f)
{
    xlsx_ctx *x = w->x;
    char *own = x->buf.len ? chronicle_buf_steal(&x->buf) : NULL;
    s_cell *c = own ? place(w, row, col, last, S_TEXT, f) : NULL;
    if (!c) {
        free(own);
        return;
    }
    c->own = own;
    c->text = own;
    c->len = strlen(own);
}

static void number_at(summary *w, lxw_row_t row, lxw_col_t col, double v, lxw_format *f)
{
    s_cell *c = place(w, row, col, col, S_NUMBER, f);
    if (c) c->num = v;
}

static void label_at(summary *w, lxw_row_t row, lxw_col_t col, const char *label)
{
    text_at(w, row, col, col, label, strlen(label), w->x->fmt.label);
}

/* A buffer append that failed: out of memory, reported once. */
static int wording_ok(summary *w, chronicle_status st, const char *what)
{
    if (st == CHRONICLE_OK) return 1;
    xlsx_fail(w->x, SUMMARY, 0, 0, what, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return 0;
}

/* ---- the blocks ---- */

/* Title across the sheet, then description and note beside their labels. */
static lxw_row_t place_top(summary *w)
{
    xlsx_ctx *x = w->x;
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    const char *group = x->host->group(x->job);
    chronicle_buf_reset(&x->buf);
    chronicle_status st = chronicle_buf_append(&x->buf, di->title.ptr, di->title.len);
    if (st == CHRONICLE_OK && group)
        st = chronicle_buf_appendf(&x->buf, " \xE2\x80\x94 %s", group); /* em dash */
    if (wording_ok(w, st, "wording the title")) buf_at(w, 0, COL_A, COL_F, x->fmt.title);
    lxw_row_t row = 2;
    if (di->description.len) {
        label_at(w, row, COL_A, "Description");
        text_at(w, row++, COL_B, COL_F, di->description.ptr, di->description.len, x->fmt.s_text);
    }
    static const char note[] =
        "Claims made at events are recorded as statements and figures, each attributed to the "
        "source that reports it (see the Attribution columns); the software takes no side.";
    label_at(w, row, COL_A, "Note");
    text_at(w, row++, COL_B, COL_F, note, sizeof note - 1, x->fmt.s_text);
    return row + 1;
}

/* A value of the left block: right-aligned across B:C. */
static void value_date(flow *f, const char *label, chronicle_str iso)
{
    if (!iso.ptr) return;
    summary *w = f->w;
    uint32_t ymd = xlsx_excel_ymd(xlsx_parse_ymd(iso));
    label_at(w, f->row, COL_A, label);
    s_cell *c = ymd ? place(w, f->row, COL_B, COL_C, S_DATE, w->x->fmt.s_date) : NULL;
    if (c)
        c->num = ymd;
    else
        text_at(w, f->row, COL_B, COL_C, iso.ptr, iso.len, w->x->fmt.s_value);
    f->row++;
}

static void place_head(flow *f)
{
    summary *w = f->w;
    xlsx_ctx *x = w->x;
    const char *group = x->host->group(x->job);
    if (group) {
        label_at(w, f->row, COL_A, "Group");
        text_at(w, f->row++, COL_B, COL_C, group, strlen(group), x->fmt.s_value);
    }
    chronicle_buf_reset(&x->buf);
    chronicle_status st =
        chronicle_format_period(&x->buf, xlsx_parse_ymd(w->sm->first_date),
                                xlsx_parse_ymd(w->sm->last_date), CHRONICLE_DATE_SHORT);
    if (!wording_ok(w, st, "wording the period")) return;
    label_at(w, f->row, COL_A, "Period");
    buf_at(w, f->row++, COL_B, COL_C, x->fmt.s_value);
    value_date(f, "First event", w->sm->first_date);
    value_date(f, "Last event", w->sm->last_date);
    label_at(w, f->row, COL_A, "Generated (UTC)");
    s_cell *c = place(w, f->row++, COL_B, COL_C, S_DATETIME, x->fmt.datetime);
    if (c) c->num = (double)x->host->timestamp(x->job);
    f->row++;
}

static void place_counts(flow *f)
{
    summary *w = f->w;
    const chronicle_dataset_info *di = w->x->host->dataset(w->x->job);
    const chronicle_summary *sm = w->sm;
    const struct {
        const char *label;
        size_t n;
    } counts[] = {
        {"Events", sm->n_events},
        {"Events in the dataset", di->n_events_total},
        {"Countries", sm->n_by_country},
        {"Organisers", sm->n_by_organizer},
        {"Participants", sm->n_participants},
        {"Activities", sm->n_activities},
        {"Statements", sm->n_statements},
        {"Figures", sm->n_figures},
        {"Sources cited", w->x->src.n_cited},
    };
    label_at(w, f->row++, COL_A, "Headline counts");
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        label_at(w, f->row, COL_A, counts[i].label);
        number_at(w, f->row++, COL_B, (double)counts[i].n, w->x->fmt.s_number);
    }
    f->row++;
}

/* A titled table: header row, then key | count (| code for countries).
 * Returns the row of the first data row. */
static lxw_row_t table_head(flow *f, const char *title, const char *key, const char *what,
                            int codes)
{
    summary *w = f->w;
    lxw_format *h = w->x->fmt.header;
    label_at(w, f->row++, f->key, title);
    text_at(w, f->row, f->key, f->key, key, strlen(key), h);
    text_at(w, f->row, f->value, f->value, what, strlen(what), h);
    if (codes) text_at(w, f->row, COL_C, COL_C, "Country code", 12, h);
    return ++f->row;
}

/* "… and N more" past TABLE_MAX rows, then the blank row after a table. */
static void table_end(flow *f, size_t shown, size_t n)
{
    summary *w = f->w;
    chronicle_buf_reset(&w->x->buf);
    if (shown < n &&
        wording_ok(w, chronicle_buf_appendf(&w->x->buf, "\xE2\x80\xA6 and %zu more", n - shown),
                   "wording a table"))
        buf_at(w, f->row++, f->key, f->key, w->x->fmt.s_key);
    f->row++;
}

static void count_table(flow *f, const char *title, const char *key, const char *what,
                        const chronicle_count *rows, size_t n, int codes)
{
    summary *w = f->w;
    xlsx_formats *fmt = &w->x->fmt;
    table_head(f, title, key, what, codes);
    size_t shown = n > TABLE_MAX ? TABLE_MAX : n;
    for (size_t i = 0; i < shown; i++, f->row++) {
        const chronicle_count *c = &rows[i];
        text_at(w, f->row, f->key, f->key, c->label.ptr, c->label.len, fmt->s_key);
        number_at(w, f->row, f->value, (double)c->count, fmt->s_number);
        if (codes) text_at(w, f->row, COL_C, COL_C, c->key.ptr, c->key.len, fmt->s_code);
    }
    table_end(f, shown, n);
}

/* One row of the year table, while it has room: a year, or a run of years
 * without events ("1901–2022"). */
static void year_row(flow *f, size_t *total, long from, long to, size_t count)
{
    summary *w = f->w;
    if ((*total)++ >= TABLE_MAX) return;
    if (from == to) {
        number_at(w, f->row, COL_A, (double)from, w->x->fmt.s_key);
    } else {
        chronicle_buf_reset(&w->x->buf);
        if (wording_ok(w, chronicle_buf_appendf(&w->x->buf, "%ld\xE2\x80\x93%ld", from, to),
                       "wording the year table"))
            buf_at(w, f->row, COL_A, COL_A, w->x->fmt.s_key);
    }
    number_at(w, f->row++, COL_B, (double)count, w->x->fmt.s_number);
    w->n_years++;
}

/* Every year from the first to the last, years without events as 0, so the
 * chart drawn from it shows time as it passed; a run of more than GAP_MAX
 * empty years is one row, which the chart shows as one empty column. */
static void year_table(flow *f)
{
    summary *w = f->w;
    const chronicle_summary *sm = w->sm;
    size_t total = 0;
    long prev = 0;
    w->years = table_head(f, "Events by year", "Year", "Events", 0);
    for (size_t k = 0; k < sm->n_by_year; k++) {
        long year = strtol(sm->by_year[k].key.ptr, NULL, 10);
        if (k && year - prev - 1 > GAP_MAX)
            year_row(f, &total, prev + 1, year - 1, 0);
        else
            for (long y = prev + 1; k && y < year; y++)
                year_row(f, &total, y, y, 0);
        year_row(f, &total, year, year, sm->by_year[k].count);
        prev = year;
    }
    table_end(f, w->n_years, total);
}

static void place_all(summary *w)
{
    const chronicle_summary *sm = w->sm;
    lxw_row_t top = place_top(w);
    flow left = {w, top, COL_A, COL_B}, right = {w, top, COL_E, COL_F};
    place_head(&left);
    place_counts(&left);
    year_table(&left);
    count_table(&left, "Events by country", "Country", "Events", sm->by_country, sm->n_by_country,
                1);
    if (sm->n_by_year) {
        w->chart = right.row;
        right.row += CHART_ROWS + 1;
    }
    count_table(&right, "Events by organiser", "Organiser", "Events", sm->by_organizer,
                sm->n_by_organizer, 0);
    count_table(&right, "Activities by kind", "Kind", "Activities", sm->by_activity_kind,
                sm->n_by_activity_kind, 0);
}

/* ---- widths, heights, writing ---- */

static unsigned widest_key(const chronicle_count *rows, size_t n, unsigned w)
{
    for (size_t i = 0; i < n && w <= XLSX_WIDTH_CAP; i++) {
        unsigned k = xlsx_text_width(rows[i].label.ptr, rows[i].label.len, XLSX_WIDTH_CAP);
        if (k > w) w = k;
    }
    return w;
}

static double clamp(unsigned v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* A and E fit their keys within limits (longer ones wrap); B and F hold
 * counts, C the country codes, D keeps the blocks apart. */
static chronicle_status set_widths(summary *w)
{
    const chronicle_summary *sm = w->sm;
    unsigned a = widest_key(sm->by_country, sm->n_by_country, 0);
    unsigned e = widest_key(sm->by_organizer, sm->n_by_organizer, 0);
    e = widest_key(sm->by_activity_kind, sm->n_by_activity_kind, e);
    double widths[N_COLS] = {clamp(a + 2, 24, 34), 12, 13, 3, clamp(e + 2, 24, 40), 12};
    for (lxw_col_t c = 0; c < N_COLS; c++) {
        w->width[c] = widths[c];
        lxw_error err = worksheet_set_column(w->ws, c, c, widths[c], NULL);
        if (err) return xlsx_fail(w->x, SUMMARY, 0, c, "setting the column width", err);
    }
    return CHRONICLE_OK;
}

static int by_row(const void *a, const void *b)
{
    const s_cell *p = a, *q = b;
    if (p->row != q->row) return p->row < q->row ? -1 : 1;
    if (p->col != q->col) return p->col < q->col ? -1 : 1;
    return p->seq < q->seq ? -1 : p->seq > q->seq;
}

static unsigned column_pixels(double width)
{
    return (unsigned)(width * 7 + 0.5) + 5; /* libxlsxwriter's, for Calibri 11 */
}

/* Height of the row cells[0..n) make: the tallest of its wrapped texts. */
static double row_height(const summary *w, const s_cell *cells, size_t n)
{
    const xlsx_formats *f = &w->x->fmt;
    double h = 0;
    for (size_t i = 0; i < n; i++) {
        const s_cell *c = &cells[i];
        if (c->kind != S_TEXT || c->fmt == f->label || c->fmt == f->header || c->fmt == f->s_code)
            continue; /* single lines, narrower than their columns */
        /* merged: the columns' pixels, less one cell's padding, in 7-pixel units */
        unsigned px = 0;
        for (lxw_col_t k = c->col; k <= c->last; k++)
            px += column_pixels(w->width[k]);
        double width = (px - 5) / 7.0;
        double pt = c->fmt == f->title ? TITLE_PT : XLSX_FONT_PT;
        unsigned lines = xlsx_text_lines(c->text, c->len, width, pt, c->fmt == f->title);
        double ch = xlsx_row_height(lines, pt);
        if (ch > h) h = ch;
    }
    return h;
}

static void write_cell(summary *w, const s_cell *c)
{
    xlsx_ctx *x = w->x;
    if (c->last > c->col) {
        lxw_error err = worksheet_merge_range(w->ws, c->row, c->col, c->row, c->last, "", c->fmt);
        if (err) {
            xlsx_fail(x, SUMMARY, c->row, c->col, "merging cells", err);
            return;
        }
    }
    switch (c->kind) {
    case S_TEXT:
        xlsx_put_text(x, w->ws, SUMMARY, c->row, c->col, c->text, c->len, c->fmt);
        break;
    case S_NUMBER:
        xlsx_put_number(x, w->ws, SUMMARY, c->row, c->col, c->num, c->fmt);
        break;
    case S_DATE:
        xlsx_put_date(x, w->ws, SUMMARY, c->row, c->col, (uint32_t)c->num, c->fmt);
        break;
    case S_DATETIME:
        xlsx_put_datetime(x, w->ws, SUMMARY, c->row, c->col, (int64_t)c->num);
        break;
    }
}

/* Row by row, each given its height first. */
static void write_cells(summary *w)
{
    qsort(w->cells, w->n, sizeof *w->cells, by_row);
    lxw_row_t rows = 0;
    for (size_t i = 0, j; i < w->n && w->x->status == CHRONICLE_OK; i = j) {
        lxw_row_t row = w->cells[i].row;
        for (j = i; j < w->n && w->cells[j].row == row;)
            j++;
        double h = row_height(w, &w->cells[i], j - i);
        if (h > 15) {
            lxw_error err = worksheet_set_row(w->ws, row, h, NULL);
            if (err) xlsx_fail(w->x, SUMMARY, row, 0, "setting the row height", err);
        }
        w->height_pt += (h > 15 ? h : 15) + 15.0 * (row - rows); /* and the blank rows above */
        rows = row + 1;
        for (size_t k = i; k < j; k++)
            write_cell(w, &w->cells[k]);
    }
    if (w->chart + CHART_ROWS + 1 > rows && w->n_years)
        w->height_pt += 15.0 * (w->chart + CHART_ROWS + 1 - rows);
}

/* Column-chart steps that are whole numbers: 1, 2, 5, 10, 20, 50... with at
 * most 8 of them up to the tallest column. */
static double axis_step(const chronicle_summary *sm)
{
    size_t most = 0;
    for (size_t i = 0; i < sm->n_by_year; i++)
        if (sm->by_year[i].count > most) most = sm->by_year[i].count;
    static const double mantissa[] = {1, 2, 5};
    for (double scale = 1;; scale *= 10)
        for (size_t i = 0; i < 3; i++)
            if ((double)most / (mantissa[i] * scale) <= 8) return mantissa[i] * scale;
}

static chronicle_status add_chart(summary *w)
{
    xlsx_ctx *x = w->x;
    lxw_chart *chart = workbook_add_chart(x->wb, LXW_CHART_COLUMN);
    lxw_chart_series *series = chart ? chart_add_series(chart, NULL, NULL) : NULL;
    if (!series)
        return xlsx_fail(x, SUMMARY, w->chart, COL_D, "adding the chart",
                         LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_row_t last = w->years + (lxw_row_t)w->n_years - 1;
    chart_series_set_categories(series, SUMMARY, w->years, COL_A, last, COL_A);
    chart_series_set_values(series, SUMMARY, w->years, COL_B, last, COL_B);
    chart_series_set_name(series, "Events");
    chart_title_set_name(chart, "Events per year");
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    chart_axis_set_name(chart->y_axis, "Events");
    chart_axis_set_min(chart->y_axis, 0);
    chart_axis_set_major_unit(chart->y_axis, axis_step(w->sm));
    chart_axis_set_num_format(chart->y_axis, "0");
    /* about 12 year labels at most, so they stay legible */
    chart_axis_set_interval_unit(chart->x_axis, (uint16_t)((w->n_years + 11) / 12));
    unsigned width = column_pixels(w->width[COL_D]) + column_pixels(w->width[COL_E]) +
                     column_pixels(w->width[COL_F]) - 12;
    lxw_chart_options opt = {
        .x_offset = 12, .x_scale = width / 480.0, .y_scale = CHART_ROWS * 20 / 288.0};
    lxw_error err = worksheet_insert_chart_opt(w->ws, w->chart, COL_D, chart, &opt);
    return err ? xlsx_fail(x, SUMMARY, w->chart, COL_D, "inserting the chart", err) : CHRONICLE_OK;
}

chronicle_status xlsx_summary_write(xlsx_ctx *x)
{
    summary w = {
        .x = x, .sm = x->host->summary(x->job), .ws = workbook_add_worksheet(x->wb, SUMMARY)};
    if (!w.ws) {
        x->status = x->constant_memory ? CHRONICLE_ERR_IO : CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "cannot add the sheet '%s'", SUMMARY);
        return x->status;
    }
    if (set_widths(&w) == CHRONICLE_OK) {
        place_all(&w);
        write_cells(&w);
    }
    if (x->status == CHRONICLE_OK && w.n_years) add_chart(&w);
    if (x->status == CHRONICLE_OK) xlsx_print_summary(x, w.ws, w.height_pt);
    for (size_t i = 0; i < w.n; i++)
        free(w.cells[i].own);
    free(w.cells);
    return x->status;
}
