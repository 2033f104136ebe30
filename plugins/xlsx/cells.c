/*
 * cells.c — the data-sheet writer: sheet parts ("Name", "Name (2)"...),
 * header row, frozen pane, table or autofilter, and typed cells that keep
 * within Excel's limits (32,767 characters per cell, 2,079-character URLs,
 * 65,530 hyperlinks per sheet, dates from 1900-03-01).  Text is only ever
 * written with worksheet_write_string, which never creates a formula, so a
 * value such as "=1+1" or "@x" stays the text it is.
 * Every lxw_error is turned into a host error naming sheet, cell and action.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_internal.h"

/* Estimated XML bytes, for the free-space check and the zip64 decision. */
enum { XML_ROW = 40, XML_TEXT_CELL = 56, XML_NUMBER_CELL = 40, XML_LINK = 160 };

static int is_hex(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* ---- failures ---- */

chronicle_status xlsx_status_of(lxw_error err)
{
    switch (err) {
    case LXW_ERROR_MEMORY_MALLOC_FAILED:
        return CHRONICLE_ERR_NOMEM;
    case LXW_ERROR_CREATING_XLSX_FILE:
    case LXW_ERROR_CREATING_TMPFILE:
    case LXW_ERROR_READING_TMPFILE:
    case LXW_ERROR_ZIP_FILE_OPERATION:
    case LXW_ERROR_ZIP_PARAMETER_ERROR:
    case LXW_ERROR_ZIP_BAD_ZIP_FILE:
    case LXW_ERROR_ZIP_INTERNAL_ERROR:
    case LXW_ERROR_ZIP_FILE_ADD:
    case LXW_ERROR_ZIP_CLOSE:
        return CHRONICLE_ERR_IO;
    default:
        return CHRONICLE_ERR_INTERNAL;
    }
}

chronicle_status xlsx_fail(xlsx_ctx *x, const char *sheet, lxw_row_t row, lxw_col_t col,
                           const char *what, lxw_error err)
{
    if (x->status != CHRONICLE_OK) return x->status;
    char cell[LXW_MAX_CELL_NAME_LENGTH + 2];
    lxw_rowcol_to_cell(cell, row, col);
    x->status = xlsx_status_of(err);
    x->host->error(x->job, x->status, "sheet '%s', cell %s: %s failed: %s", sheet, cell, what,
                   lxw_strerror(err));
    return x->status;
}

/* ---- low-level puts ---- */

/* Bytes of the longest prefix of s that fits in max UTF-16 units (Excel's
 * characters), cut at a character boundary; *whole says whether all of s fits. */
static size_t utf16_prefix(const char *s, size_t len, size_t max, int *whole)
{
    size_t i = 0, units = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
        size_t u = n == 4 ? 2 : 1; /* outside the BMP: a surrogate pair */
        if (n > len - i) n = len - i;
        if (units + u > max) break;
        units += u;
        i += n;
    }
    *whole = i == len;
    return i;
}

static void note_truncation(xlsx_ctx *x, const char *sheet, lxw_row_t row, lxw_col_t col)
{
    if (!x->n_truncated++) {
        char cell[LXW_MAX_CELL_NAME_LENGTH + 2];
        lxw_rowcol_to_cell(cell, row, col);
        snprintf(x->first_truncated, sizeof x->first_truncated, "'%s'!%s", sheet, cell);
    }
}

/* "_xHHHH_" is how OOXML escapes characters, and Excel decodes it in every
 * string: a literal one is kept by escaping its underscore ("_x005F_xHHHH_"),
 * as XlsxWriter does (libxlsxwriter 1.1.4 does not). */
static int is_escape_at(const char *s, size_t len, size_t i)
{
    if (len - i < 7 || s[i + 1] != 'x' || s[i + 6] != '_') return 0;
    return is_hex(s[i + 2]) && is_hex(s[i + 3]) && is_hex(s[i + 4]) && is_hex(s[i + 5]);
}

static size_t count_escapes(const char *s, size_t len)
{
    size_t n = 0;
    const char *p = s, *end = s + len;
    while ((p = memchr(p, '_', (size_t)(end - p)))) {
        int esc = is_escape_at(s, len, (size_t)(p - s));
        n += esc ? 1 : 0;
        p += esc ? 7 : 1;
    }
    return n;
}

static chronicle_status append_escaped(chronicle_buf *b, const char *s, size_t len)
{
    size_t from = 0;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < len && st == CHRONICLE_OK; i++) {
        if (s[i] != '_' || !is_escape_at(s, len, i)) continue;
        st = chronicle_buf_append(b, s + from, i - from);
        if (st == CHRONICLE_OK) st = chronicle_buf_puts(b, "_x005F");
        from = i;
        i += 6;
    }
    return st == CHRONICLE_OK ? chronicle_buf_append(b, s + from, len - from) : st;
}

/* Fills x->cut with v escaped and, past Excel's 32,767 characters, cut at a
 * character boundary and ended with "…".  Room is kept for the 6 characters
 * each escape adds (an escaped prefix is at most twice as long). */
static chronicle_status fit_text(xlsx_ctx *x, const char *v, size_t len, size_t escapes,
                                 const char *sheet, lxw_row_t row, lxw_col_t col)
{
    size_t budget =
        6 * escapes >= XLSX_CELL_MAX / 2 ? XLSX_CELL_MAX / 2 : XLSX_CELL_MAX - 6 * escapes;
    int whole = 1;
    size_t keep = len;
    /* a UTF-16 unit takes at least one byte: only long byte strings can overflow */
    if (len > budget) keep = utf16_prefix(v, len, budget, &whole);
    if (!whole) {
        int unused; /* one unit less: room for the ellipsis */
        keep = utf16_prefix(v, len, budget - 1, &unused);
    }
    chronicle_buf_reset(&x->cut);
    chronicle_status st = append_escaped(&x->cut, v, keep);
    if (st == CHRONICLE_OK && !whole) st = chronicle_buf_puts(&x->cut, "\xE2\x80\xA6"); /* … */
    if (st != CHRONICLE_OK)
        return xlsx_fail(x, sheet, row, col, "preparing a long text",
                         LXW_ERROR_MEMORY_MALLOC_FAILED);
    if (!whole) note_truncation(x, sheet, row, col);
    return CHRONICLE_OK;
}

/* Text as a cell holds it: v itself, or in x->cut with literal "_xHHHH_"
 * escaped and past Excel's length cut.  *out, *out_len: what to write. */
static chronicle_status cell_text(xlsx_ctx *x, const char *v, size_t len, const char *sheet,
                                  lxw_row_t row, lxw_col_t col, const char **out, size_t *out_len)
{
    *out = v;
    *out_len = len;
    size_t escapes = memchr(v, '_', len) ? count_escapes(v, len) : 0;
    if (!escapes && len <= XLSX_CELL_MAX) return CHRONICLE_OK;
    if (fit_text(x, v, len, escapes, sheet, row, col) != CHRONICLE_OK) return x->status;
    *out = chronicle_buf_cstr(&x->cut);
    *out_len = x->cut.len;
    return CHRONICLE_OK;
}

chronicle_status xlsx_put_text(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                               lxw_col_t col, const char *v, size_t len, lxw_format *f)
{
    if (x->status != CHRONICLE_OK || !len) return x->status;
    const char *out;
    if (cell_text(x, v, len, sheet, row, col, &out, &len) != CHRONICLE_OK) return x->status;
    lxw_error err = worksheet_write_string(ws, row, col, out, f);
    return err ? xlsx_fail(x, sheet, row, col, "writing text", err) : CHRONICLE_OK;
}

chronicle_status xlsx_put_number(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                                 lxw_col_t col, double v, lxw_format *f)
{
    if (x->status != CHRONICLE_OK) return x->status;
    lxw_error err = worksheet_write_number(ws, row, col, v, f);
    return err ? xlsx_fail(x, sheet, row, col, "writing a number", err) : CHRONICLE_OK;
}

/* A date is its serial day number in a cell with a date format: what
 * worksheet_write_datetime() would write, without its calendar code. */
chronicle_status xlsx_put_date(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                               lxw_col_t col, uint32_t ymd, lxw_format *f)
{
    if (x->status != CHRONICLE_OK) return x->status;
    int64_t serial = xlsx_excel_serial(x, ymd);
    if (serial < 0) /* callers check */
        return xlsx_fail(x, sheet, row, col, "writing a date", LXW_ERROR_PARAMETER_VALIDATION);
    lxw_error err = worksheet_write_number(ws, row, col, (double)serial, f);
    return err ? xlsx_fail(x, sheet, row, col, "writing a date", err) : CHRONICLE_OK;
}

chronicle_status xlsx_put_datetime(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                                   lxw_col_t col, int64_t unix_seconds)
{
    if (x->status != CHRONICLE_OK) return x->status;
    int64_t days = unix_seconds / 86400 - (unix_seconds % 86400 < 0); /* floor */
    int64_t serial = xlsx_excel_serial(x, x->host->days_to_ymd(days));
    if (serial < 0)
        return xlsx_fail(x, sheet, row, col, "writing the generation time",
                         LXW_ERROR_PARAMETER_VALIDATION);
    double when = (double)serial + (double)(unix_seconds - days * 86400) / 86400.0;
    lxw_error err = worksheet_write_number(ws, row, col, when, x->fmt.datetime);
    return err ? xlsx_fail(x, sheet, row, col, "writing the generation time", err) : CHRONICLE_OK;
}

/* ---- streamed rows (constant memory) ----
 *
 * The cells libxlsxwriter's constant-memory mode would write, as it writes
 * them: inline strings, numbers as "%.16G", dates as serial numbers, the
 * column's style, "_xHHHH_" escapes kept literal.  A carriage return is
 * written as _x000D_, as XlsxWriter does, since XML readers turn a raw one
 * into a line feed. */

/* A row's cells wait in x->cells until the row ends, when its height is
 * known: the <row> element that carries the height comes before them.  The
 * row then goes to zip.c in two calls (its head, its cells), without being
 * copied again; a call into zip.c for every piece of a cell was 0.1 s
 * slower at 100k events in an A/B run.  x->xml holds the frame's XML around
 * the rows until the next row or the part's end. */

static void buf_put(xlsx_sheet *s, chronicle_buf *b, const char *p, size_t n)
{
    xlsx_ctx *x = s->x;
    if (x->status != CHRONICLE_OK) return;
    if (chronicle_buf_append(b, p, n) != CHRONICLE_OK)
        xlsx_fail(x, s->part_name, s->row, s->col, "writing a row", LXW_ERROR_MEMORY_MALLOC_FAILED);
}

/* The frame's XML around the rows. */
static void xml_frame(xlsx_sheet *s, const char *p, size_t n)
{
    buf_put(s, &s->x->xml, p, n);
}

/* A piece of a cell of the current row: copied in place while the buffer
 * has room (most pieces are a few bytes), else through buf_put. */
static inline void xml_put(xlsx_sheet *s, const char *p, size_t n)
{
    chronicle_buf *b = &s->x->cells;
    if (b->cap - b->len > n && s->x->status == CHRONICLE_OK) {
        memcpy(b->ptr + b->len, p, n);
        b->len += n;
        b->ptr[b->len] = '\0';
        return;
    }
    buf_put(s, b, p, n);
}

#define XML_LIT(s, lit) xml_put((s), (lit), sizeof(lit) - 1)
#define XML_HEAD(s, col, xf, lit) xml_cell_head((s), (col), (xf), (lit), sizeof(lit) - 1)

static char *put_uint(char *p, uint64_t v)
{
    char tmp[24];
    size_t n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10));
    while (n)
        *p++ = tmp[--n];
    return p;
}

/* The current row, its cells gathered: <row r="12" ht="45" customHeight="1">,
 * as libxlsxwriter writes a row given a height, the cells, </row>. */
static void xml_row(xlsx_sheet *s, double height)
{
    xlsx_ctx *x = s->x;
    char head[96], *p = head;
    memcpy(p, "<row r=\"", 8);
    p = put_uint(p + 8, (uint64_t)s->row + 1);
    *p++ = '"';
    if (height > 0) { /* quarter points, as "%g" prints them */
        static const char *const quarter[] = {"", ".25", ".5", ".75"};
        unsigned q = (unsigned)(height * 4 + 0.5);
        memcpy(p, " ht=\"", 5);
        p = put_uint(p + 5, q / 4);
        size_t k = strlen(quarter[q % 4]);
        memcpy(p, quarter[q % 4], k);
        memcpy(p + k, "\" customHeight=\"1\"", 18);
        p += k + 18;
    }
    *p++ = '>';
    xml_put(s, "</row>", 6);
    if (x->status == CHRONICLE_OK && x->xml.len) { /* the part's frame before its first row */
        xlsx_zip_write(x->zip, x->xml.ptr, x->xml.len);
        chronicle_buf_reset(&x->xml);
    }
    if (x->status == CHRONICLE_OK) {
        xlsx_zip_write(x->zip, head, (size_t)(p - head));
        xlsx_zip_write(x->zip, x->cells.ptr, x->cells.len);
    }
    chronicle_buf_reset(&x->cells);
}

/* <c r="B12" s="3" + what follows. */
static void xml_cell_head(xlsx_sheet *s, lxw_col_t col, int32_t xf, const char *type, size_t tl)
{
    char head[96], *p = head;
    memcpy(p, "<c r=\"", 6);
    p += 6;
    *p++ = (char)('A' + col);                               /* XLSX_MAX_COLS keeps to one letter */
    if (!s->row_digits_len || s->row_digits_of != s->row) { /* once a row, not once a cell */
        s->row_digits_len =
            (unsigned char)(put_uint(s->row_digits, (uint64_t)s->row + 1) - s->row_digits);
        s->row_digits_of = s->row;
    }
    memcpy(p, s->row_digits, sizeof s->row_digits);
    p += s->row_digits_len;
    *p++ = '"';
    if (xf > 0) {
        memcpy(p, " s=\"", 4);
        p = put_uint(p + 4, (uint64_t)xf);
        *p++ = '"';
    }
    memcpy(p, type, tl);
    p += tl;
    xml_put(s, head, (size_t)(p - head));
}

/* Nonzero when one of the 8 bytes at p is '&', '<', '>', '\r' or '_' (and
 * sometimes when one is not: the caller then looks byte by byte). */
static uint64_t needs_escape8(const char *p)
{
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    uint64_t w, any = 0;
    memcpy(&w, p, 8);
    static const unsigned char special[] = {'&', '<', '>', '\r', '_'};
    for (size_t k = 0; k < sizeof special; k++) {
        uint64_t x = w ^ (ones * special[k]); /* a zero byte where p has special[k] */
        any |= (x - ones) & ~x & highs;
    }
    return any;
}

/* An inline string cell of v, XML-escaped; with underscores, a literal
 * "_xHHHH_" is also kept literal as append_escaped keeps it (v then is at
 * most XLSX_CELL_MAX / 2 bytes, which no escaping can push past the cut). */
static void xml_text(xlsx_sheet *s, lxw_col_t col, const char *v, size_t len, int32_t xf,
                     int underscores)
{
    XML_HEAD(s, col, xf, " t=\"inlineStr\"><is>");
    char first = v[0], last = v[len - 1];
    int keep = first == ' ' || first == '\t' || first == '\n' || first == '\r' || last == ' ' ||
               last == '\t' || last == '\n' || last == '\r';
    if (keep)
        XML_LIT(s, "<t xml:space=\"preserve\">");
    else
        XML_LIT(s, "<t>");
    size_t from = 0;
    for (size_t i = 0; i < len; i++) {
        /* most text has nothing to escape: eight bytes at a time past it */
        while (len - i >= 8 && !needs_escape8(v + i))
            i += 8;
        if (i == len) break;
        const char *rep;
        size_t n;
        switch (v[i]) {
        case '&':
            rep = "&amp;", n = 5;
            break;
        case '<':
            rep = "&lt;", n = 4;
            break;
        case '>':
            rep = "&gt;", n = 4;
            break;
        case '\r':
            rep = "_x000D_", n = 7;
            break;
        case '_':
            if (!underscores || !is_escape_at(v, len, i)) continue;
            xml_put(s, v + from, i - from);
            xml_put(s, "_x005F", 6);
            from = i; /* the escape itself follows, unchanged */
            i += 6;
            continue;
        default:
            continue;
        }
        xml_put(s, v + from, i - from);
        xml_put(s, rep, n);
        from = i + 1;
    }
    xml_put(s, v + from, len - from);
    XML_LIT(s, "</t></is></c>");
}

static void xml_number(xlsx_sheet *s, lxw_col_t col, double v, int32_t xf)
{
    XML_HEAD(s, col, xf, "><v>");
    char num[40];
    size_t n;
    if (v == (double)(int64_t)v && v > -1e15 && v < 1e15) { /* what %.16G prints, faster */
        char *p = num;
        if (v < 0) *p++ = '-';
        p = put_uint(p, (uint64_t)(v < 0 ? -v : v));
        n = (size_t)(p - num);
    } else if (!(n = xlsx_format_g(num, v, 16))) {
        n = (size_t)snprintf(num, sizeof num, "%.16G", v);
    }
    xml_put(s, num, n);
    XML_LIT(s, "</v></c>");
}

static void xml_bool(xlsx_sheet *s, lxw_col_t col, int v, int32_t xf)
{
    if (v)
        XML_HEAD(s, col, xf, " t=\"b\"><v>1</v></c>");
    else
        XML_HEAD(s, col, xf, " t=\"b\"><v>0</v></c>");
}

/* ---- sheet parts ---- */

static chronicle_status add_filter(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    lxw_col_t last = (lxw_col_t)(s->n_cols - 1);
    if (x->constant_memory || !x->tables || !s->part_rows) {
        /* tables are refused in constant-memory mode and need a data row */
        lxw_error err = worksheet_autofilter(s->ws, 0, 0, (lxw_row_t)s->part_rows, last);
        return err ? xlsx_fail(x, s->part_name, 0, 0, "setting the autofilter", err) : CHRONICLE_OK;
    }
    lxw_table_column colv[XLSX_MAX_COLS], *colp[XLSX_MAX_COLS + 1];
    for (unsigned c = 0; c < s->n_cols; c++) {
        colv[c] =
            (lxw_table_column){.header = (char *)s->header[c], .header_format = x->fmt.header};
        colp[c] = &colv[c];
    }
    colp[s->n_cols] = NULL;
    char name[64];
    if (s->part == 1)
        snprintf(name, sizeof name, "%s", s->table);
    else
        snprintf(name, sizeof name, "%s_%u", s->table, s->part);
    lxw_table_options opt = {.name = name,
                             .style_type = LXW_TABLE_STYLE_TYPE_MEDIUM,
                             .style_type_number = 2,
                             .columns = colp};
    lxw_error err = worksheet_add_table(s->ws, 0, 0, (lxw_row_t)s->part_rows, last, &opt);
    return err ? xlsx_fail(x, s->part_name, 0, 0, "adding the table", err) : CHRONICLE_OK;
}

/* The next part's number, name ("Name", "Name (2)"...) and row count. */
static void part_next(xlsx_sheet *s)
{
    s->part++;
    if (s->part == 1)
        snprintf(s->part_name, sizeof s->part_name, "%s", s->name);
    else
        snprintf(s->part_name, sizeof s->part_name, "%s (%u)", s->name, s->part);
    size_t left = s->n_rows - s->rows_written;
    s->part_rows = left < s->x->sheet_rows ? left : s->x->sheet_rows;
}

/* Starts the next part: widths, frozen header and filter first (constant
 * memory needs them before any row), then the header row. */
static chronicle_status part_open(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    part_next(s);
    if (!(s->ws = workbook_add_worksheet(x->wb, s->part_name))) {
        x->status = x->constant_memory ? CHRONICLE_ERR_IO : CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "cannot add the sheet '%s'%s", s->part_name,
                       x->constant_memory ? ": no temporary file in the scratch directory" : "");
        return x->status;
    }
    s->n_links = 0;
    for (unsigned c = 0; c < s->n_cols; c++) {
        double w = s->col_width[c] = xlsx_column_width(s->header[c], s->width[c]);
        lxw_error err = worksheet_set_column(s->ws, (lxw_col_t)c, (lxw_col_t)c, w, NULL);
        if (err)
            return xlsx_fail(x, s->part_name, 0, (lxw_col_t)c, "setting the column width", err);
    }
    worksheet_freeze_panes(s->ws, 1, 0);
    if (xlsx_print_data_sheet(x, s->ws, s->part_name) != CHRONICLE_OK) return x->status;
    if (add_filter(s) != CHRONICLE_OK) return x->status;
    for (unsigned c = 0; c < s->n_cols; c++)
        xlsx_put_text(x, s->ws, s->part_name, 0, (lxw_col_t)c, s->header[c], strlen(s->header[c]),
                      x->fmt.header);
    s->row = 1;
    s->col = 0;
    return x->status;
}

static void reset_measures(xlsx_sheet *s)
{
    s->n_rows = 0;
    s->xml_bytes = 0;
    memset(s->width, 0, sizeof s->width);
    memset(s->multiline, 0, sizeof s->multiline);
    s->col = 0;
}

void xlsx_sheet_measure_begin(xlsx_sheet *s)
{
    reset_measures(s);
    s->measuring = 1;
}

chronicle_status xlsx_sheet_measure_end(xlsx_sheet *s)
{
    s->measuring = 0;
    s->xml_bytes += (uint64_t)(s->n_rows / s->x->sheet_rows + 1) * 4096; /* parts' headers */
    return s->x->status;
}

chronicle_status xlsx_sheet_measure(xlsx_sheet *s)
{
    xlsx_sheet_measure_begin(s);
    s->rows(s);
    return xlsx_sheet_measure_end(s);
}

static lxw_format *column_format(const xlsx_sheet *s, unsigned c)
{
    const xlsx_formats *f = &s->x->fmt;
    switch (s->cols[c].kind) {
    case XLSX_TEXT:
        return xlsx_column_wraps(s, c) ? f->wrap : f->text;
    case XLSX_DATE:
        return f->date;
    case XLSX_INT:
    case XLSX_NUMBER:
        return f->number;
    case XLSX_BOOL:
        return f->text;
    case XLSX_URL:
        return xlsx_column_wraps(s, c) ? f->url_wrap : f->url;
    }
    return f->text;
}

/* Formats, widths and wrapping of the columns, before the first part. */
static void columns_prepare(xlsx_sheet *s)
{
    for (unsigned c = 0; c < s->n_cols; c++) {
        s->col_fmt[c] = column_format(s, c);
        s->wraps[c] = (unsigned char)xlsx_column_wraps(s, c);
        s->col_width[c] = xlsx_column_width(s->header[c], s->width[c]);
    }
    s->lines = 0;
}

/* ---- constant memory: frames, then streamed parts ---- */

chronicle_status xlsx_sheet_frame(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    columns_prepare(s);
    /* the style numbers the rows will carry: asked for now, while the
     * formats exist, which also puts them in styles.xml */
    for (unsigned c = 0; c < s->n_cols; c++)
        s->col_xf[c] = s->col_fmt[c] ? lxw_format_get_xf_index(s->col_fmt[c]) : 0;
    x->xf_wrap_top = lxw_format_get_xf_index(x->fmt.wrap_top);
    x->xf_date_text = lxw_format_get_xf_index(x->fmt.date_text);
    x->xf_wrap = lxw_format_get_xf_index(x->fmt.wrap);
    s->part = 0;
    s->rows_written = 0;
    do {
        if (part_open(s) != CHRONICLE_OK) return x->status;
        if (s->part == 1) s->first_sheet = (unsigned)s->ws->index + 1;
        s->rows_written += s->part_rows;
    } while (s->rows_written < s->n_rows);
    return x->status;
}

/* The sheet's relationships: its hyperlinks' targets, as libxlsxwriter
 * writes them to xl/worksheets/_rels/sheetN.xml.rels. */
static chronicle_status stream_rels(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    static const char head[] =
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
    static const char tail[] = "</Relationships>";
    char entry[64];
    snprintf(entry, sizeof entry, "xl/worksheets/_rels/sheet%u.xml.rels",
             s->first_sheet + s->part - 1);
    if (xlsx_zip_begin_new(x->zip, entry) != CHRONICLE_OK) return x->status;
    xlsx_zip_write(x->zip, head, sizeof head - 1);
    xlsx_zip_write(x->zip, s->rels.ptr, s->rels.len);
    xlsx_zip_write(x->zip, tail, sizeof tail - 1);
    return xlsx_zip_end(x->zip);
}

/* Ends the current part: the frame's XML after its header row, with the
 * part's <hyperlinks> where the schema puts them (before printOptions or
 * pageMargins, which libxlsxwriter always writes), then its relationships. */
static chronicle_status stream_part_close(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    if (s->suffix) {
        size_t len = strlen(s->suffix), at = len;
        if (s->n_links) {
            const char *p = strstr(s->suffix, "<printOptions");
            if (!p) p = strstr(s->suffix, "<pageMargins");
            if (!p) {
                x->status = CHRONICLE_ERR_INTERNAL;
                x->host->error(x->job, x->status,
                               "sheet '%s': libxlsxwriter wrote an unexpected frame", s->part_name);
            }
            at = p ? (size_t)(p - s->suffix) : len;
        }
        xml_frame(s, s->suffix, at);
        if (s->n_links) {
            xml_frame(s, "<hyperlinks>", 12);
            xml_frame(s, s->links.ptr, s->links.len);
            xml_frame(s, "</hyperlinks>", 13);
        }
        xml_frame(s, s->suffix + at, len - at);
    }
    free(s->suffix);
    s->suffix = NULL;
    if (x->status == CHRONICLE_OK && x->xml.len) xlsx_zip_write(x->zip, x->xml.ptr, x->xml.len);
    chronicle_buf_reset(&x->xml);
    if (xlsx_zip_end(x->zip) != CHRONICLE_OK) return x->status;
    return s->n_links ? stream_rels(s) : x->status;
}

/* Starts the next part: its frame up to the end of the header row, with the
 * dimension that the rows will fill. */
static chronicle_status stream_part_open(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    part_next(s);
    char entry[64];
    snprintf(entry, sizeof entry, "xl/worksheets/sheet%u.xml", s->first_sheet + s->part - 1);
    char *frame = NULL;
    size_t len = 0;
    if (xlsx_zip_begin(x->zip, entry, &frame, &len) != CHRONICLE_OK) return x->status;
    char *end = strstr(frame, "</sheetData>"), *dim = strstr(frame, "<dimension ref=\"");
    char *dim_end = dim ? strstr(dim, "\"/>") : NULL;
    if (!end || !dim_end || dim_end > end || !(s->suffix = strdup(end))) {
        free(frame);
        x->status = end && dim_end ? CHRONICLE_ERR_NOMEM : CHRONICLE_ERR_INTERNAL;
        x->host->error(x->job, x->status, "sheet '%s': %s", s->part_name,
                       x->status == CHRONICLE_ERR_NOMEM
                           ? "out of memory"
                           : "libxlsxwriter wrote an unexpected frame");
        return x->status;
    }
    char ref[48], *p = ref;
    memcpy(p, "<dimension ref=\"A1:", 19);
    p += 19;
    *p++ = (char)('A' + s->n_cols - 1);
    p = put_uint(p, (uint64_t)s->part_rows + 1);
    xml_frame(s, frame, (size_t)(dim - frame));
    xml_frame(s, ref, (size_t)(p - ref));
    xml_frame(s, dim_end, (size_t)(end - dim_end));
    free(frame);
    s->row = 1;
    s->col = 0;
    s->lines = 0;
    s->row_digits_len = 0;
    s->n_links = 0;
    chronicle_buf_reset(&s->links);
    chronicle_buf_reset(&s->rels);
    chronicle_buf_reset(&x->cells);
    return x->status;
}

static chronicle_status stream_part_next(xlsx_sheet *s)
{
    if (stream_part_close(s) != CHRONICLE_OK) return s->x->status;
    return stream_part_open(s);
}

chronicle_status xlsx_sheet_stream(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    s->part = 0;
    s->rows_written = 0;
    s->streaming = 1;
    if (stream_part_open(s) == CHRONICLE_OK && s->rows(s) == CHRONICLE_OK) stream_part_close(s);
    s->streaming = 0;
    free(s->suffix);
    s->suffix = NULL;
    chronicle_buf_free(&s->links);
    chronicle_buf_free(&s->rels);
    if (x->status == CHRONICLE_OK && s->rows_written != s->n_rows) {
        x->status = CHRONICLE_ERR_INTERNAL;
        x->host->error(x->job, x->status, "sheet '%s': %zu rows written, %zu measured", s->name,
                       s->rows_written, s->n_rows);
    }
    return x->status;
}

chronicle_status xlsx_sheet_write(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    columns_prepare(s);
    s->part = 0;
    s->rows_written = 0;
    if (part_open(s) != CHRONICLE_OK) return x->status;
    if (s->rows(s) != CHRONICLE_OK) return x->status;
    if (s->rows_written != s->n_rows) {
        x->status = CHRONICLE_ERR_INTERNAL;
        x->host->error(x->job, x->status, "sheet '%s': %zu rows written, %zu measured", s->name,
                       s->rows_written, s->n_rows);
    }
    return x->status;
}

static chronicle_status stream_part_next(xlsx_sheet *s);

/* ---- typed cells ---- */

void xlsx_cell_blank(xlsx_sheet *s)
{
    s->col++;
}

static void note_too_tall(xlsx_ctx *x, const char *sheet, lxw_row_t row, lxw_col_t col)
{
    if (!x->n_too_tall++) {
        char cell[LXW_MAX_CELL_NAME_LENGTH + 2];
        lxw_rowcol_to_cell(cell, row, col);
        snprintf(x->first_too_tall, sizeof x->first_too_tall, "'%s'!%s", sheet, cell);
    }
}

/* Counts the lines of a cell in a wrapped column towards its row's height.
 * Returns 0 when they are more than the tallest row shows: the cell is then
 * shown from its start (wrap_top), and counted in a warning. */
static int wrapped_lines(xlsx_sheet *s, lxw_col_t col, const char *v, size_t len)
{
    unsigned n = xlsx_text_lines(v, len, s->col_width[col], XLSX_FONT_PT, 0);
    if (n > s->lines) s->lines = n;
    if (xlsx_lines_fit(n, XLSX_FONT_PT)) return 1;
    note_too_tall(s->x, s->part_name, s->row, col);
    return 0;
}

/* A text cell in the next column, in format f (style number xf when
 * streamed). */
static void text_cell_as(xlsx_sheet *s, chronicle_str v, lxw_format *f, int32_t xf)
{
    xlsx_ctx *x = s->x;
    lxw_col_t col = s->col++;
    if (!v.ptr || !v.len) return;
    if (s->measuring) {
        s->xml_bytes += XML_TEXT_CELL + v.len;
        xlsx_measure_text(s, col, v.ptr, v.len);
        return;
    }
    if (s->wraps[col] && !wrapped_lines(s, col, v.ptr, v.len)) {
        f = x->fmt.wrap_top;
        xf = x->xf_wrap_top;
    }
    if (!s->streaming) {
        xlsx_put_text(x, s->ws, s->part_name, s->row, col, v.ptr, v.len, f);
        return;
    }
    if (x->status != CHRONICLE_OK) return;
    if (v.len <= XLSX_CELL_MAX / 2) { /* never cut: escaped as it is written */
        xml_text(s, col, v.ptr, v.len, xf, 1);
        return;
    }
    const char *out;
    size_t len;
    if (cell_text(x, v.ptr, v.len, s->part_name, s->row, col, &out, &len) == CHRONICLE_OK)
        xml_text(s, col, out, len, xf, 0);
}

void xlsx_cell_text(xlsx_sheet *s, chronicle_str v)
{
    text_cell_as(s, v, s->col_fmt[s->col], s->col_xf[s->col]);
}

void xlsx_cell_cstr(xlsx_sheet *s, const char *v)
{
    xlsx_cell_text(s, (chronicle_str){v, v ? strlen(v) : 0});
}

void xlsx_cell_list(xlsx_sheet *s, const chronicle_str *v, size_t n)
{
    if (s->measuring) {
        s->xml_bytes += XML_TEXT_CELL;
        for (size_t i = 0; i < n; i++)
            s->xml_bytes += v[i].len + 2;
        xlsx_measure_list(s, s->col++, v, n);
        return;
    }
    xlsx_ctx *x = s->x;
    chronicle_buf_reset(&x->buf);
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        if (i) st = chronicle_buf_append(&x->buf, "; ", 2);
        if (st == CHRONICLE_OK) st = chronicle_buf_append(&x->buf, v[i].ptr, v[i].len);
    }
    if (st != CHRONICLE_OK) {
        xlsx_fail(x, s->part_name, s->row, s->col++, "joining a list",
                  LXW_ERROR_MEMORY_MALLOC_FAILED);
        return;
    }
    xlsx_cell_text(s, (chronicle_str){chronicle_buf_cstr(&x->buf), x->buf.len});
}

void xlsx_cell_date(xlsx_sheet *s, uint32_t ymd, chronicle_str iso)
{
    int64_t serial = xlsx_excel_serial(s->x, ymd);
    if (serial < 0) {
        /* absent, or before 1900-03-01, which Excel cannot show: the ISO
         * text, right-aligned as the dates are */
        text_cell_as(s, iso, s->x->fmt.date_text, s->x->xf_date_text);
        return;
    }
    lxw_col_t col = s->col++;
    if (s->measuring) {
        s->xml_bytes += XML_NUMBER_CELL;
        if (s->width[col] < 10) s->width[col] = 10;
        return;
    }
    if (s->streaming)
        xml_number(s, col, (double)serial, s->col_xf[col]);
    else
        xlsx_put_date(s->x, s->ws, s->part_name, s->row, col, ymd, s->col_fmt[col]);
}

void xlsx_cell_number(xlsx_sheet *s, double v)
{
    lxw_col_t col = s->col++;
    if (s->measuring) {
        unsigned w = xlsx_number_width(v);
        s->xml_bytes += XML_NUMBER_CELL;
        if (w > s->width[col]) s->width[col] = w;
        if (s->cols[col].kind == XLSX_NUMBER) {
            /* libxlsxwriter writes numbers with "%.16G": a double that needs
             * 17 significant digits comes back one bit off */
            char digits[40];
            if (!xlsx_format_g(digits, v, 16)) { /* else it reads back as v */
                snprintf(digits, sizeof digits, "%.16G", v);
                if (strtod(digits, NULL) != v) s->x->n_rounded++;
            }
        }
        return;
    }
    if (s->streaming)
        xml_number(s, col, v, s->col_xf[col]);
    else
        xlsx_put_number(s->x, s->ws, s->part_name, s->row, col, v, s->col_fmt[col]);
}

void xlsx_cell_int(xlsx_sheet *s, int64_t v)
{
    xlsx_cell_number(s, (double)v);
}

void xlsx_cell_bool(xlsx_sheet *s, int v)
{
    lxw_col_t col = s->col++;
    if (v < 0) return;
    if (s->measuring) {
        s->xml_bytes += XML_NUMBER_CELL;
        if (s->width[col] < 5) s->width[col] = 5;
        return;
    }
    xlsx_ctx *x = s->x;
    if (x->status != CHRONICLE_OK) return;
    if (s->streaming) {
        xml_bool(s, col, v != 0, s->col_xf[col]);
        return;
    }
    lxw_error err = worksheet_write_boolean(s->ws, s->row, col, v != 0, s->col_fmt[col]);
    if (err) xlsx_fail(x, s->part_name, s->row, col, "writing a boolean", err);
}

/* Length of the URL once libxlsxwriter has %-escaped it (what Excel counts). */
static size_t escaped_url_len(const char *u, size_t len)
{
    size_t n = len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)u[i];
        if (c == '%') {
            if (!(i + 2 < len && is_hex(u[i + 1]) && is_hex(u[i + 2]))) n += 2;
        } else if (c <= ' ' || strchr("\"<>[]^`{}", c)) {
            n += 2;
        }
    }
    return n;
}

/* Appends v[0..n) to b as an XML attribute value, as libxlsxwriter escapes
 * one; with url, also %-escaped first as libxlsxwriter escapes a link. */
static void put_attr(xlsx_sheet *s, chronicle_buf *b, const char *v, size_t n, int url)
{
    size_t from = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)v[i];
        char pct[4];
        const char *rep = NULL;
        if (url && ((c && strchr(" \"<>[]`^{}", c)) ||
                    (c == '%' && !(i + 2 < n && is_hex(v[i + 1]) && is_hex(v[i + 2]))))) {
            static const char hex[] = "0123456789abcdef";
            pct[0] = '%';
            pct[1] = hex[c >> 4];
            pct[2] = hex[c & 15];
            pct[3] = '\0';
            rep = pct;
        } else if (c == '&') {
            rep = "&amp;";
        } else if (c == '<') {
            rep = "&lt;";
        } else if (c == '>') {
            rep = "&gt;";
        } else if (c == '"') {
            rep = "&quot;";
        } else if (c == '\n') {
            rep = "&#xA;";
        }
        if (!rep) continue;
        buf_put(s, b, v + from, i - from);
        buf_put(s, b, rep, strlen(rep));
        from = i + 1;
    }
    buf_put(s, b, v + from, n - from);
}

/* A streamed cell's hyperlink: its <hyperlink> element and relationship,
 * numbered in row order from rId1 in each part, as libxlsxwriter numbers
 * them.  What follows a '#' is the link's location, not %-escaped. */
static void xml_link(xlsx_sheet *s, lxw_col_t col, chronicle_str v)
{
    char head[64], *p = head;
    const char *hash = memchr(v.ptr, '#', v.len);
    size_t target = hash ? (size_t)(hash - v.ptr) : v.len;
    memcpy(p, "<hyperlink ref=\"", 16);
    p += 16;
    *p++ = (char)('A' + col);
    p = put_uint(p, (uint64_t)s->row + 1);
    memcpy(p, "\" r:id=\"rId", 11);
    p = put_uint(p + 11, (uint64_t)s->n_links + 1);
    *p++ = '"';
    buf_put(s, &s->links, head, (size_t)(p - head));
    if (hash) {
        buf_put(s, &s->links, " location=\"", 11);
        put_attr(s, &s->links, hash + 1, v.len - target - 1, 0);
        buf_put(s, &s->links, "\"", 1);
    }
    buf_put(s, &s->links, "/>", 2);
    p = head;
    memcpy(p, "<Relationship Id=\"rId", 21);
    p = put_uint(p + 21, (uint64_t)s->n_links + 1);
    buf_put(s, &s->rels, head, (size_t)(p - head));
    static const char type[] = "\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/"
                               "relationships/hyperlink\" Target=\"";
    buf_put(s, &s->rels, type, sizeof type - 1);
    put_attr(s, &s->rels, v.ptr, target, 1);
    static const char mode[] = "\" TargetMode=\"External\"/>";
    buf_put(s, &s->rels, mode, sizeof mode - 1);
}

void xlsx_cell_url(xlsx_sheet *s, chronicle_str v)
{
    if (!v.ptr || !v.len) {
        s->col++;
        return;
    }
    xlsx_ctx *x = s->x;
    lxw_format *plain = s->wraps[s->col] ? x->fmt.wrap : x->fmt.text;
    if (s->measuring) {
        s->xml_bytes += XML_LINK;
        text_cell_as(s, v, plain, 0);
        return;
    }
    if (s->n_links >= XLSX_LINKS_MAX || escaped_url_len(v.ptr, v.len) > XLSX_URL_MAX) {
        /* past Excel's limits a link would be dropped or refused: keep the text */
        x->n_plain_urls++;
        text_cell_as(s, v, plain, s->wraps[s->col] ? x->xf_wrap : 0);
        return;
    }
    if (s->streaming) {
        lxw_col_t col = s->col++;
        if (x->status != CHRONICLE_OK) return;
        int32_t xf = s->col_xf[col];
        if (s->wraps[col] && !wrapped_lines(s, col, v.ptr, v.len)) xf = x->xf_wrap_top;
        /* the URL as worksheet_write_url writes it: "_xHHHH_" not escaped */
        xml_text(s, col, v.ptr, v.len, xf, 0);
        xml_link(s, col, v);
        s->n_links++;
        return;
    }
    lxw_col_t col = s->col++;
    if (x->status != CHRONICLE_OK) return;
    lxw_format *f = s->col_fmt[col];
    if (s->wraps[col] && !wrapped_lines(s, col, v.ptr, v.len)) f = x->fmt.wrap_top;
    lxw_error err = worksheet_write_url(s->ws, s->row, col, v.ptr, f);
    if (err) xlsx_fail(x, s->part_name, s->row, col, "writing a hyperlink", err);
    s->n_links++;
}

/* ---- rows and progress ---- */

chronicle_status xlsx_row_end(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    s->col = 0;
    if (s->measuring) {
        s->n_rows++;
        s->xml_bytes += XML_ROW;
        return x->status;
    }
    if (x->status != CHRONICLE_OK) return x->status;
    double height = s->lines > 1 ? xlsx_row_height(s->lines, XLSX_FONT_PT) : 0;
    s->lines = 0;
    if (s->streaming) {
        if (x->cells.len) xml_row(s, height);
    } else if (height > 0) {
        lxw_error err = worksheet_set_row(s->ws, s->row, height, NULL);
        if (err) return xlsx_fail(x, s->part_name, s->row, 0, "setting the row height", err);
    }
    s->rows_written++;
    s->row++;
    if (s->row > s->part_rows && s->rows_written < s->n_rows)
        return s->streaming ? stream_part_next(s) : part_open(s);
    return x->status;
}

chronicle_status xlsx_event_done(xlsx_sheet *s)
{
    xlsx_ctx *x = s->x;
    if ((++x->done & 1023) == 0) {
        x->host->progress(x->job, x->done, x->total);
        if (x->status == CHRONICLE_OK && x->host->cancelled(x->job))
            x->status = CHRONICLE_ERR_CANCELLED;
    }
    return x->status;
}
