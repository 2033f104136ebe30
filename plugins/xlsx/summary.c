/*
 * summary.c — the Summary sheet, laid out to print on one page: the report's
 * marking, logo, title, subtitle and organisation, the dataset's description
 * and the note across the top, then two blocks side by side.  Left
 * (A:C): period, selection, dates, headline counts, events by year and by country;
 * right (E:F): the chart of events per year, events by organiser, activities
 * by kind.  Labels and keys sit in A and E, counts in the narrow B and F,
 * country codes centred in C, the period and dates right-aligned across B:C.
 * The blocks are placed first as a list of cells, then written row by row
 * (constant-memory mode takes rows strictly in order), each row as tall as
 * its wrapped text needs.  Every word is the host's, in the report's language.
 */
#include <stdlib.h>
#include <string.h>

#include "xlsx_internal.h"

#define TABLE_MAX 10000 /* rows of one count table; the rest is counted in one line */
#define CHART_ROWS 16   /* rows the chart covers */
#define GAP_MAX 30      /* empty years shown one by one; the briefing's chart closes longer gaps */
#define TITLE_PT 14.0
#define SUBTITLE_PT 12.0 /* the subtitle and the marking */
#define LOGO_PX 64       /* the logo's height on the sheet: 48 pt */
#define LOGO_ROW_PT 54.0 /* its row: the logo and 3 pt above and below */
#define LOGO_SCALE_MAX 4.0

enum { COL_A, COL_B, COL_C, COL_D, COL_E, COL_F, N_COLS };

typedef enum s_kind { S_TEXT, S_NUMBER, S_DATE, S_DATETIME, S_SPACE } s_kind;

typedef struct s_cell {
    lxw_row_t row;
    lxw_col_t col, last; /* last > col: merged across to last */
    s_kind kind;
    lxw_format *fmt;
    const char *text; /* S_TEXT: the host's, or own */
    size_t len;
    char *own;
    double num; /* S_NUMBER; S_DATE: YYYYMMDD; S_DATETIME: Unix seconds; S_SPACE: points */
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
    lxw_row_t logo;   /* the logo's row, when the report has a logo */
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
            xlsx_fail(w->x, w->x->summary_name, row, col, "laying out the sheet",
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

/* A bold label in the report's language, by message id. */
static void label_at(summary *w, lxw_row_t row, lxw_col_t col, const char *msgid)
{
    const char *label = xlsx_label(w->x, msgid);
    text_at(w, row, col, col, label, strlen(label), w->x->fmt.label);
}

/* Text of the report's definition across the sheet (A:F). */
static void across(summary *w, lxw_row_t row, chronicle_str v, lxw_format *f)
{
    text_at(w, row, COL_A, COL_F, v.ptr, v.len, f);
}

/* A buffer append that failed: out of memory, reported once. */
static int wording_ok(summary *w, chronicle_status st, const char *what)
{
    if (st == CHRONICLE_OK) return 1;
    xlsx_fail(w->x, w->x->summary_name, 0, 0, what, LXW_ERROR_MEMORY_MALLOC_FAILED);
    return 0;
}

/* ---- the blocks ---- */

/* The marking first, then the logo's row, the title, subtitle and
 * organisation across the sheet; then description and note beside their
 * labels. */
static lxw_row_t place_top(summary *w)
{
    xlsx_ctx *x = w->x;
    const chronicle_report *rep = x->report;
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    lxw_row_t row = 0;
    if (rep->marking.len) across(w, row++, rep->marking, x->fmt.marking);
    if (rep->logo.len && rep->logo_format != CHRONICLE_IMAGE_NONE) {
        s_cell *c = place(w, w->logo = row++, COL_A, COL_A, S_SPACE, NULL);
        if (c) c->num = LOGO_ROW_PT;
    }
    text_at(w, row++, COL_A, COL_F, x->title, strlen(x->title), x->fmt.title);
    if (rep->subtitle.len) across(w, row++, rep->subtitle, x->fmt.subtitle);
    if (rep->organization.len) across(w, row++, rep->organization, x->fmt.s_text);
    row++;
    if (di->description.len) {
        label_at(w, row, COL_A, "label.description");
        text_at(w, row++, COL_B, COL_F, di->description.ptr, di->description.len, x->fmt.s_text);
    }
    const char *note = xlsx_label(x, "xlsx.summary.note");
    label_at(w, row, COL_A, "label.note");
    text_at(w, row++, COL_B, COL_F, note, strlen(note), x->fmt.s_text);
    return row + 1;
}

/* A value of the left block: right-aligned across B:C. */
static void value_date(flow *f, const char *msgid, uint32_t ymd, chronicle_str iso)
{
    if (!ymd) return;
    summary *w = f->w;
    label_at(w, f->row, COL_A, msgid);
    int shown = xlsx_excel_serial(w->x, ymd) >= 0; /* else its ISO text */
    s_cell *c = shown ? place(w, f->row, COL_B, COL_C, S_DATE, w->x->fmt.s_date) : NULL;
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
        label_at(w, f->row, COL_A, "label.group");
        text_at(w, f->row++, COL_B, COL_C, group, strlen(group), x->fmt.s_value);
    }
    chronicle_buf_reset(&x->buf);
    chronicle_status st =
        xlsx_words_period(x, &x->buf, w->sm->first_date_ymd, w->sm->last_date_ymd);
    if (!wording_ok(w, st, "wording the period")) return;
    label_at(w, f->row, COL_A, "label.period");
    buf_at(w, f->row++, COL_B, COL_C, x->fmt.s_value);
    /* which events, as the briefing's cover says it: "2 of 4 events · country AZ" */
    chronicle_buf_reset(&x->buf);
    if (!wording_ok(w, xlsx_words_selection(x, &x->buf), "wording the selection")) return;
    label_at(w, f->row, COL_A, "xlsx.summary.selection");
    buf_at(w, f->row++, COL_B, COL_C, x->fmt.s_value);
    value_date(f, "xlsx.summary.first_event", w->sm->first_date_ymd, w->sm->first_date);
    value_date(f, "xlsx.summary.last_event", w->sm->last_date_ymd, w->sm->last_date);
    label_at(w, f->row, COL_A, "xlsx.summary.generated");
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
        {"label.events", sm->n_events},
        {"xlsx.summary.events_total", di->n_events_total},
        {"xlsx.summary.countries", sm->n_by_country},
        {"xlsx.summary.organizers", sm->n_by_organizer},
        {"label.participants", sm->n_participants},
        {"label.activities", sm->n_activities},
        {"label.statements", sm->n_statements},
        {"label.figures", sm->n_figures},
        {"xlsx.summary.sources_cited", w->x->src.n_cited},
    };
    label_at(w, f->row++, COL_A, "xlsx.summary.headline");
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
        label_at(w, f->row, COL_A, counts[i].label);
        number_at(w, f->row++, COL_B, (double)counts[i].n, w->x->fmt.s_number);
    }
    f->row++;
}

/* A header cell of a table, by message id. */
static void head_at(summary *w, lxw_row_t row, lxw_col_t col, const char *msgid)
{
    const char *head = xlsx_label(w->x, msgid);
    text_at(w, row, col, col, head, strlen(head), w->x->fmt.header);
}

/* A titled table: header row, then key | count (| code for countries).
 * Titles and heads are message ids.  Returns the row of the first data row. */
static lxw_row_t table_head(flow *f, const char *title, const char *key, const char *what,
                            int codes)
{
    summary *w = f->w;
    label_at(w, f->row++, f->key, title);
    head_at(w, f->row, f->key, key);
    head_at(w, f->row, f->value, what);
    if (codes) head_at(w, f->row, COL_C, "label.country-code");
    return ++f->row;
}

/* "… and N more" past TABLE_MAX rows, then the blank row after a table. */
static void table_end(flow *f, size_t shown, size_t n)
{
    summary *w = f->w;
    xlsx_ctx *x = w->x;
    if (shown < n) {
        chronicle_buf count = CHRONICLE_BUF_INIT;
        chronicle_status st = xlsx_words_number(x, &count, (double)(n - shown));
        const char *args[] = {chronicle_buf_cstr(&count)};
        chronicle_buf_reset(&x->buf);
        if (st == CHRONICLE_OK) st = xlsx_words_message(x, &x->buf, "xlsx.summary.more", args, 1);
        chronicle_buf_free(&count);
        if (wording_ok(w, st, "wording a table")) buf_at(w, f->row++, f->key, f->key, x->fmt.s_key);
    }
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
    w->years = table_head(f, "xlsx.summary.by_year", "label.year", "label.events", 0);
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
    count_table(&left, "xlsx.summary.by_country", "label.country", "label.events", sm->by_country,
                sm->n_by_country, 1);
    if (sm->n_by_year) {
        w->chart = right.row;
        right.row += CHART_ROWS + 1;
    }
    count_table(&right, "xlsx.summary.by_organizer", "label.organizer", "label.events",
                sm->by_organizer, sm->n_by_organizer, 0);
    count_table(&right, "xlsx.summary.by_kind", "label.kind", "label.activities",
                sm->by_activity_kind, sm->n_by_activity_kind, 0);
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

/* Display width of the widest bold label beside a value in A, in the
 * report's language: bold text is a little wider, and a label does not
 * wrap ("Événements du jeu de données"). */
static unsigned widest_label(const summary *w)
{
    static const char *const ids[] = {"label.group",
                                      "label.period",
                                      "xlsx.summary.selection",
                                      "xlsx.summary.first_event",
                                      "xlsx.summary.last_event",
                                      "xlsx.summary.generated",
                                      "label.events",
                                      "xlsx.summary.events_total",
                                      "xlsx.summary.countries",
                                      "xlsx.summary.organizers",
                                      "label.participants",
                                      "label.activities",
                                      "label.statements",
                                      "label.figures",
                                      "xlsx.summary.sources_cited"};
    unsigned widest = 0;
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        const char *label = xlsx_label(w->x, ids[i]);
        unsigned k = xlsx_text_width(label, strlen(label), XLSX_WIDTH_CAP);
        k += k / 20;
        if (k > widest) widest = k;
    }
    return widest;
}

/* A and E fit their keys within limits (longer ones wrap), A its labels too;
 * B and F hold counts, C the country codes, D keeps the blocks apart. */
static chronicle_status set_widths(summary *w)
{
    const chronicle_summary *sm = w->sm;
    unsigned a = widest_key(sm->by_country, sm->n_by_country, widest_label(w));
    unsigned e = widest_key(sm->by_organizer, sm->n_by_organizer, 0);
    e = widest_key(sm->by_activity_kind, sm->n_by_activity_kind, e);
    double widths[N_COLS] = {clamp(a + 2, 24, 34), 12, 13, 3, clamp(e + 2, 24, 40), 12};
    for (lxw_col_t c = 0; c < N_COLS; c++) {
        w->width[c] = widths[c];
        lxw_error err = worksheet_set_column(w->ws, c, c, widths[c], NULL);
        if (err) return xlsx_fail(w->x, w->x->summary_name, 0, c, "setting the column width", err);
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
        if (c->kind == S_SPACE && c->num > h) h = c->num;
        if (c->kind != S_TEXT || c->fmt == f->label || c->fmt == f->header || c->fmt == f->s_code)
            continue; /* single lines, narrower than their columns */
        /* merged: the columns' pixels, less one cell's padding, in 7-pixel units */
        unsigned px = 0;
        for (lxw_col_t k = c->col; k <= c->last; k++)
            px += column_pixels(w->width[k]);
        double width = (px - 5) / 7.0;
        int bold = c->fmt == f->title || c->fmt == f->marking;
        double pt = c->fmt == f->title                              ? TITLE_PT
                    : c->fmt == f->subtitle || c->fmt == f->marking ? SUBTITLE_PT
                                                                    : XLSX_FONT_PT;
        unsigned lines = xlsx_text_lines(c->text, c->len, width, pt, bold);
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
            xlsx_fail(x, x->summary_name, c->row, c->col, "merging cells", err);
            return;
        }
    }
    switch (c->kind) {
    case S_TEXT:
        xlsx_put_text(x, w->ws, x->summary_name, c->row, c->col, c->text, c->len, c->fmt);
        break;
    case S_NUMBER:
        xlsx_put_number(x, w->ws, x->summary_name, c->row, c->col, c->num, c->fmt);
        break;
    case S_DATE:
        xlsx_put_date(x, w->ws, x->summary_name, c->row, c->col, (uint32_t)c->num, c->fmt);
        break;
    case S_DATETIME:
        xlsx_put_datetime(x, w->ws, x->summary_name, c->row, c->col, (int64_t)c->num);
        break;
    case S_SPACE: /* a row kept for the logo */
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
            if (err) xlsx_fail(w->x, w->x->summary_name, row, 0, "setting the row height", err);
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
        return xlsx_fail(x, x->summary_name, w->chart, COL_D, "adding the chart",
                         LXW_ERROR_MEMORY_MALLOC_FAILED);
    lxw_row_t last = w->years + (lxw_row_t)w->n_years - 1;
    chart_series_set_categories(series, x->summary_name, w->years, COL_A, last, COL_A);
    chart_series_set_values(series, x->summary_name, w->years, COL_B, last, COL_B);
    chart_series_set_name(series, xlsx_label(x, "xlsx.chart.axis"));
    chart_title_set_name(chart, xlsx_label(x, "xlsx.chart.title"));
    chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
    chart_axis_set_name(chart->y_axis, xlsx_label(x, "xlsx.chart.axis"));
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
    return err ? xlsx_fail(x, x->summary_name, w->chart, COL_D, "inserting the chart", err)
               : CHRONICLE_OK;
}

/* The report's logo (a PNG or JPEG the host has checked) at the top left,
 * LOGO_PX tall and no wider than the sheet's columns; its alternative text
 * is a word, never the file's name.  libxlsxwriter reads the image's size
 * and resolution when it is inserted and lays it out when the workbook is
 * closed, so the scale is set on its record of the image just inserted:
 * the one place the plugin reads libxlsxwriter's image properties. */
static chronicle_status add_logo(summary *w)
{
    xlsx_ctx *x = w->x;
    lxw_image_options opt = {.y_offset = 4,
                             .object_position = LXW_OBJECT_MOVE_DONT_SIZE,
                             .description = (char *)xlsx_label(x, "xlsx.logo")};
    lxw_error err = worksheet_insert_image_opt(w->ws, w->logo, COL_A, x->report->logo.ptr, &opt);
    if (err) return xlsx_fail(x, x->summary_name, w->logo, COL_A, "inserting the logo", err);
    lxw_object_properties *img = NULL, *p;
    STAILQ_FOREACH(p, w->ws->image_props, list_pointers)
    img = p;
    if (!img || img->width <= 0 || img->height <= 0 || img->x_dpi <= 0 || img->y_dpi <= 0)
        return xlsx_fail(x, x->summary_name, w->logo, COL_A, "sizing the logo",
                         LXW_ERROR_IMAGE_DIMENSIONS);
    double width = img->width * 96.0 / img->x_dpi, height = img->height * 96.0 / img->y_dpi;
    unsigned room = 0;
    for (lxw_col_t c = COL_A; c <= COL_F; c++)
        room += column_pixels(w->width[c]);
    double scale = LOGO_PX / height;
    if (width * scale > room - 10) scale = (room - 10) / width;
    if (scale > LOGO_SCALE_MAX) scale = LOGO_SCALE_MAX;
    img->x_scale = img->y_scale = scale;
    return CHRONICLE_OK;
}

chronicle_status xlsx_summary_write(xlsx_ctx *x)
{
    summary w = {.x = x,
                 .sm = x->host->summary(x->job),
                 .ws = workbook_add_worksheet(x->wb, x->summary_name)};
    if (!w.ws) {
        x->status = x->constant_memory ? CHRONICLE_ERR_IO : CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "cannot add the sheet '%s'", x->summary_name);
        return x->status;
    }
    if (set_widths(&w) == CHRONICLE_OK) {
        place_all(&w);
        write_cells(&w);
    }
    if (x->status == CHRONICLE_OK && w.n_years) add_chart(&w);
    if (x->status == CHRONICLE_OK && x->report->logo.len &&
        x->report->logo_format != CHRONICLE_IMAGE_NONE)
        add_logo(&w);
    if (x->status == CHRONICLE_OK) xlsx_print_summary(x, w.ws, w.height_pt);
    for (size_t i = 0; i < w.n; i++)
        free(w.cells[i].own);
    free(w.cells);
    return x->status;
}
