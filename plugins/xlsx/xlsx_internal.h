/*
 * xlsx_internal.h — what the files of the workbook exporter share: the export
 * context (xlsx_ctx), the data-sheet writer with its typed cells (cells.c),
 * column fitting (widths.c), row heights (heights.c), page setup (print.c),
 * the data sheets (sheets.c), the Summary sheet (summary.c) and the words,
 * all from the host's wording services in the report's language (words.c).
 * Private to plugins/xlsx; nothing here crosses the plugin ABI.
 *
 * A data sheet is one function that emits its rows cell by cell.  It runs
 * twice: first to measure (row count, display widths, XML size), then to
 * write, because constant-memory mode needs widths, filters and panes before
 * the first row.  In constant-memory mode the rows do not go through
 * libxlsxwriter: it writes each sheet's frame (widths, pane, filter, header
 * row), and zip.c copies its workbook while cells.c streams the rows in.
 * Errors are sticky: the first failure is reported to the
 * host and recorded in xlsx_ctx.status; every later cell call is a no-op.
 */
#ifndef CHRONICLE_XLSX_INTERNAL_H
#define CHRONICLE_XLSX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <xlsxwriter.h>

#include "chronicle/plugin.h"
#include "chronicle/strbuf.h"

#define XLSX_PLUGIN_VERSION "1.0.0"

#define XLSX_MAX_COLS 24
#define XLSX_WIDTH_CAP 60        /* widest column, in display columns; longer text wraps */
#define XLSX_CELL_MAX 32767      /* Excel: characters (UTF-16 units) in one cell */
#define XLSX_URL_MAX 2079        /* Excel: characters in a hyperlink, once escaped */
#define XLSX_LINKS_MAX 65530     /* Excel: hyperlinks per sheet */
#define XLSX_SHEET_ROWS 1048575  /* Excel: rows per sheet, less the header */
#define XLSX_AUTO_CONSTANT 50000 /* rows in all sheets above which constant memory is chosen */
#define XLSX_FONT_PT 11.0        /* the default font: Calibri 11 (LibreOffice: Carlito) */
#define XLSX_ROW_MAX_PT 409.0    /* Excel: the tallest row */

typedef enum xlsx_kind {
    XLSX_TEXT,   /* a string, never a formula */
    XLSX_DATE,   /* a date cell, yyyy-mm-dd */
    XLSX_INT,    /* a whole number */
    XLSX_NUMBER, /* any finite number */
    XLSX_BOOL,   /* TRUE / FALSE */
    XLSX_URL     /* a hyperlink, or plain text past Excel's limits */
} xlsx_kind;

typedef struct xlsx_column {
    const char *msgid; /* its header's message id: "xlsx.col.date" */
    xlsx_kind kind;
} xlsx_column;

typedef struct xlsx_formats {
    lxw_format *header;    /* bold on a fill, bottom border */
    lxw_format *text;      /* NULL: the default style, which costs nothing per cell */
    lxw_format *wrap;      /* long text: wrapped */
    lxw_format *wrap_top;  /* wrapped text taller than a row can be: shown from its start */
    lxw_format *url_wrap;  /* a hyperlink in a wrapped column */
    lxw_format *date_text; /* a date Excel cannot show, as its ISO text: right-aligned */
    lxw_format *date;      /* yyyy-mm-dd */
    lxw_format *number;    /* NULL: General */
    lxw_format *url;       /* blue, underlined */
    lxw_format *title;     /* Summary: the dataset title, bold 14 pt, wrapped */
    lxw_format *label;     /* Summary: bold labels and section titles */
    lxw_format *datetime;  /* Summary: the generation time */
    lxw_format *s_text;    /* Summary: wrapped text, from the top */
    lxw_format *s_value;   /* Summary: wrapped text, right-aligned like the dates below it */
    lxw_format *s_key;     /* Summary: table keys, wrapped, years left-aligned */
    lxw_format *s_code;    /* Summary: country codes, centred */
    lxw_format *s_date;    /* Summary: yyyy-mm-dd, from the top */
    lxw_format *s_number;  /* Summary: counts, from the top */
    lxw_format *marking;   /* Summary: the report's marking, bold, centred, dark red */
    lxw_format *subtitle;  /* Summary: the report's subtitle, 12 pt, wrapped */
} xlsx_formats;

/* The dataset's sources, found by address, with what the job cites. */
typedef struct xlsx_source_ref {
    const chronicle_source *src;
    size_t pos; /* index in chronicle_dataset_info.sources */
} xlsx_source_ref;

typedef struct xlsx_sources {
    size_t n;
    xlsx_source_ref *by_addr;                    /* sorted by address, for bsearch */
    size_t *n_events, *n_statements, *n_figures; /* per dataset position */
    char **attribution;                          /* per dataset position, built once */
    size_t n_cited;                              /* sources with any count */
} xlsx_sources;

typedef struct xlsx_zip xlsx_zip;

typedef struct xlsx_ctx {
    chronicle_job *job;
    const chronicle_host *host;
    const chronicle_report *report; /* never NULL once the export has begun */
    char *title;                    /* the report's title, " — GROUP" for a split job */
    const char *summary_name;       /* the Summary sheet's name, in the report's language */
    lxw_workbook *wb;
    xlsx_formats fmt;
    int constant_memory;     /* rows strictly in order; no tables */
    int tables;              /* Excel tables on data sheets (normal mode only) */
    int zip64;               /* sheets may pass 4 GiB: zip64 headers for streamed ones */
    int zip_level;           /* libdeflate level of the streamed sheets */
    xlsx_zip *zip;           /* constant memory: the workbook being written */
    chronicle_buf xml;       /* constant memory: rows on their way to the zip */
    chronicle_buf cells;     /* constant memory: the cells of the row being made */
    size_t sheet_rows;       /* data rows per sheet before a continuation sheet */
    chronicle_status status; /* the first failure; sticky */
    chronicle_buf buf;       /* joined lists, attributions: reused */
    chronicle_buf cut;       /* text truncated to fit a cell: reused */
    xlsx_sources src;
    chronicle_str *ids; /* an event's source ids, for joining: reused */
    size_t ids_cap;
    size_t n_truncated;        /* cells cut at XLSX_CELL_MAX */
    char first_truncated[200]; /* "'Sheet name'!T2" */
    size_t n_plain_urls;       /* URLs written as text past Excel's limits */
    size_t n_rounded;          /* numbers that need 17 significant digits */
    size_t n_too_tall;         /* cells with more lines than the tallest row shows */
    char first_too_tall[200];
    int32_t xf_wrap_top, xf_date_text, xf_wrap; /* constant memory: their style numbers */
    uint8_t paper;                              /* libxlsxwriter's paper type: 9 A4, 1 Letter */
    char *page_header;    /* "&L<title>&C<marking>&R&A", escaped, for every sheet */
    char *page_footer;    /* "&CPage &P of &N", or with a marking "&C<marking>&RPage..." */
    uint64_t done, total; /* progress units: events visited */
} xlsx_ctx;

typedef struct xlsx_sheet xlsx_sheet;
typedef chronicle_status (*xlsx_rows_fn)(xlsx_sheet *s);
typedef chronicle_status (*xlsx_event_rows_fn)(xlsx_sheet *s, const chronicle_event *e);

/* One logical data sheet, possibly continued on "Name (2)", "Name (3)"... */
struct xlsx_sheet {
    xlsx_ctx *x;
    const char *name;  /* "Participants", in the report's language */
    const char *table; /* "Participants": the Excel table's name, in every language */
    const xlsx_column *cols;
    const char *header[XLSX_MAX_COLS]; /* the columns' headers, in the report's language */
    unsigned n_cols;
    xlsx_rows_fn rows;             /* every row of the sheet */
    xlsx_event_rows_fn event_rows; /* one event's rows; NULL: not made from events */
    int measuring;
    /* measured */
    size_t n_rows;
    unsigned width[XLSX_MAX_COLS];          /* widest cell, display columns, capped */
    unsigned char multiline[XLSX_MAX_COLS]; /* a cell holds a line break */
    uint64_t xml_bytes;                     /* estimated size of the sheet XML */
    /* writing */
    lxw_worksheet *ws;
    char part_name[160]; /* a name of 31 characters, " (N)" included */
    unsigned part;       /* 1, 2, ... */
    size_t part_rows;    /* data rows in the current part */
    size_t rows_written; /* data rows written, all parts */
    lxw_row_t row;       /* current worksheet row */
    lxw_col_t col;       /* next cell of the row */
    size_t n_links;      /* hyperlinks in the current part */
    lxw_format *col_fmt[XLSX_MAX_COLS];
    double col_width[XLSX_MAX_COLS]; /* as set, in character units */
    unsigned char wraps[XLSX_MAX_COLS];
    unsigned lines; /* the most lines of a wrapped cell in the current row */
    /* streamed: the decimal number of row_digits_of + 1, as cell references
     * carry it (row_digits_len 0: none yet in this part) */
    char row_digits[12];
    unsigned char row_digits_len;
    lxw_row_t row_digits_of;
    /* constant memory: rows streamed into the zip (xlsx_sheet_stream) */
    int own; /* rows are streamed, not written by libxlsxwriter */
    int streaming;
    unsigned first_sheet;          /* sheetN.xml of its first part */
    char *suffix;                  /* the frame's XML after the rows of the current part */
    chronicle_buf links;           /* the current part's <hyperlink> elements */
    chronicle_buf rels;            /* and their relationships, for the sheet's .rels part */
    int32_t col_xf[XLSX_MAX_COLS]; /* style of each column's cells */
};

/* ---- cells.c: the data-sheet writer and typed cells ---- */

chronicle_status xlsx_sheet_measure(xlsx_sheet *s);
/* Measuring fed by the caller, one event's rows at a time. */
void xlsx_sheet_measure_begin(xlsx_sheet *s);
chronicle_status xlsx_sheet_measure_end(xlsx_sheet *s);
chronicle_status xlsx_sheet_write(xlsx_sheet *s);
/* Constant memory: the parts with their header rows only (libxlsxwriter),
 * then, once that workbook is closed, the rows streamed into x->zip. */
chronicle_status xlsx_sheet_frame(xlsx_sheet *s);
chronicle_status xlsx_sheet_stream(xlsx_sheet *s);

void xlsx_cell_text(xlsx_sheet *s, chronicle_str v);
void xlsx_cell_cstr(xlsx_sheet *s, const char *v);
void xlsx_cell_list(xlsx_sheet *s, const chronicle_str *v, size_t n);
void xlsx_cell_date(xlsx_sheet *s, uint32_t ymd, chronicle_str iso);
void xlsx_cell_int(xlsx_sheet *s, int64_t v);
void xlsx_cell_number(xlsx_sheet *s, double v);
void xlsx_cell_bool(xlsx_sheet *s, int v); /* -1: unknown, left blank */
void xlsx_cell_url(xlsx_sheet *s, chronicle_str v);
void xlsx_cell_blank(xlsx_sheet *s);
/* Ends the row; returns the sticky status. */
chronicle_status xlsx_row_end(xlsx_sheet *s);
/* Call once per event visited: progress and cancellation. */
chronicle_status xlsx_event_done(xlsx_sheet *s);

/* Lower level, for the Summary sheet: each checks and reports its own
 * failure (naming sheet and cell) and returns the sticky status. */
chronicle_status xlsx_put_text(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                               lxw_col_t col, const char *v, size_t len, lxw_format *f);
chronicle_status xlsx_put_number(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                                 lxw_col_t col, double v, lxw_format *f);
/* ymd must be one xlsx_excel_serial() accepts. */
chronicle_status xlsx_put_date(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                               lxw_col_t col, uint32_t ymd, lxw_format *f);
chronicle_status xlsx_put_datetime(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, lxw_row_t row,
                                   lxw_col_t col, int64_t unix_seconds);
/* The chronicle status for a libxlsxwriter error. */
chronicle_status xlsx_status_of(lxw_error err);
/* Reports a libxlsxwriter failure: what failed, where, and lxw_strerror(). */
chronicle_status xlsx_fail(xlsx_ctx *x, const char *sheet, lxw_row_t row, lxw_col_t col,
                           const char *what, lxw_error err);

/* ---- words.c: the host's wording services, appended to a buffer ----
 * Each returns CHRONICLE_ERR_NOMEM when the buffer cannot grow, else OK. */

/* True when the host lends every 1.2 service the workbook uses. */
int xlsx_words_available(const chronicle_host *h);
/* A fixed word by message id ("xlsx.col.date"); lives as long as the plugin. */
const char *xlsx_label(const xlsx_ctx *x, const char *msgid);
chronicle_status xlsx_words_message(xlsx_ctx *x, chronicle_buf *out, const char *msgid,
                                    const char *const *args, size_t n_args);
/* "26 Feb 2019 – 26 Feb 2024", one date, or "no events" (short dates). */
chronicle_status xlsx_words_period(xlsx_ctx *x, chronicle_buf *out, uint32_t first, uint32_t last);
chronicle_status xlsx_words_count(xlsx_ctx *x, chronicle_buf *out, uint64_t n, const char *msgid);
chronicle_status xlsx_words_number(xlsx_ctx *x, chronicle_buf *out, double v);
chronicle_status xlsx_words_attribution(xlsx_ctx *x, chronicle_buf *out,
                                        const chronicle_source *src);
chronicle_status xlsx_words_selection(xlsx_ctx *x, chronicle_buf *out);
/* Excel's serial day number of a YYYYMMDD date it can show (a real date
 * from 1900-03-01 on); -1 for 0, an impossible date or an earlier one. */
int64_t xlsx_excel_serial(const xlsx_ctx *x, uint32_t ymd);

/* ---- zip.c: the workbook, from libxlsxwriter's with streamed sheets ---- */

chronicle_status xlsx_zip_open(xlsx_ctx *x, const char *frame, const char *out, xlsx_zip **z);
/* Copies the frame's entries up to name (NULL: all that are left). */
chronicle_status xlsx_zip_copy_until(xlsx_zip *z, const char *name);
/* Starts an entry in place of the frame's entry name; *frame_xml (caller
 * frees) is that entry's XML. */
chronicle_status xlsx_zip_begin(xlsx_zip *z, const char *name, char **frame_xml, size_t *len);
/* Starts an entry the frame does not have (a sheet's relationships), dated
 * as the entry written last. */
chronicle_status xlsx_zip_begin_new(xlsx_zip *z, const char *name);
chronicle_status xlsx_zip_write(xlsx_zip *z, const void *p, size_t n);
chronicle_status xlsx_zip_end(xlsx_zip *z);
/* Copies the rest and writes the directory (when all went well); frees z. */
chronicle_status xlsx_zip_close(xlsx_zip *z);

/* ---- unfinal.c: joining deflate streams ---- */

/* Makes the complete raw deflate stream s[0..len) joinable: its last block
 * no longer final, an empty stored block after it (zlib's sync flush).
 * Returns the new length, at most len + 5 (cap: the room in s), or 0 when
 * s is not one well-formed stream or cap is too small. */
size_t xlsx_deflate_unfinal(unsigned char *s, size_t len, size_t cap);

/* ---- widths.c: column fitting by display width ---- */

/* Display width of the widest line of s, counting no further than cap + 1. */
unsigned xlsx_text_width(const char *s, size_t len, unsigned cap);
void xlsx_measure_text(xlsx_sheet *s, lxw_col_t col, const char *v, size_t len);
void xlsx_measure_list(xlsx_sheet *s, lxw_col_t col, const chronicle_str *v, size_t n);
unsigned xlsx_number_width(double v);
/* What printf's "%.<sig>G" (sig 1-16) prints for v, in out (24 bytes), when
 * that is v's shortest decimal of at most 6 places and needs no exponent:
 * its length, and then the text reads back as v exactly.  0 otherwise: ask
 * printf. */
size_t xlsx_format_g(char *out, double v, int sig);
/* Column width for a header and its widest cell, in Excel character units. */
double xlsx_column_width(const char *header, unsigned widest);
/* True when text in the column should wrap: wider than the cap, or holding
 * line breaks. */
int xlsx_column_wraps(const xlsx_sheet *s, unsigned col);

/* ---- heights.c: wrapped lines and row heights ---- */

/* Lines that text takes wrapped in a cell width character units wide (a
 * column width as worksheet_set_column takes it), in Calibri of size_pt,
 * bold or not, counting line feeds and breaking as LibreOffice does; errs
 * on the generous side. */
unsigned xlsx_text_lines(const char *s, size_t len, double width, double size_pt, int bold);
/* The same, always by breaking the text (xlsx_text_lines first checks
 * whether the text fits on one line whatever its breaks); for the tests. */
unsigned xlsx_text_lines_walk(const char *s, size_t len, double width, double size_pt, int bold);
/* Points of a row that shows lines lines of size_pt text, at most
 * XLSX_ROW_MAX_PT. */
double xlsx_row_height(unsigned lines, double size_pt);
/* True when a row can show lines lines of size_pt text. */
int xlsx_lines_fit(unsigned lines, double size_pt);

/* ---- print.c: page setup ---- */

/* The page header and footer every sheet prints (report title, marking,
 * sheet name, page numbers); call once. */
chronicle_status xlsx_print_prepare(xlsx_ctx *x);
/* A data sheet: landscape, one page wide, its header row on every page. */
chronicle_status xlsx_print_data_sheet(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet);
/* The Summary: portrait, one page wide, and one page tall when height_pt
 * (its rows and chart) shrinks to no less than two thirds to fit. */
chronicle_status xlsx_print_summary(xlsx_ctx *x, lxw_worksheet *ws, double height_pt);

/* ---- sheets.c and summary.c: the workbook's sheets ---- */

enum { XLSX_N_DATA_SHEETS = 6 };

/* The dataset's sources, sorted for lookups; their counts come from
 * xlsx_measure_sheets(). */
chronicle_status xlsx_sources_index(xlsx_ctx *x);
void xlsx_sources_free(xlsx_sources *src);
/* Measures the six sheets, and counts what cites each source: one pass over
 * the events for the five made from them, then Sources. */
chronicle_status xlsx_measure_sheets(xlsx_ctx *x, xlsx_sheet sheets[XLSX_N_DATA_SHEETS]);
/* True when the links of the cited sources can be streamed: none is one
 * that libxlsxwriter treats as internal, external or mailto. */
int xlsx_sources_links_plain(const xlsx_ctx *x);
/* Fills the six data sheets (Events ... Sources), in workbook order, with
 * their names and headers in the report's language, and names the Summary. */
void xlsx_data_sheets(xlsx_ctx *x, xlsx_sheet sheets[XLSX_N_DATA_SHEETS]);
chronicle_status xlsx_summary_write(xlsx_ctx *x);

#endif
