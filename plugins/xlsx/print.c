/*
 * print.c — page setup, so that a sheet prints as a reader expects: every
 * page headed with the report's title and the sheet's name and footed with
 * "Page N of M"; data sheets landscape, one page wide, their header row
 * repeated on every page, with gridlines; the Summary portrait on one page
 * while it stays readable.  All of it is sheet XML libxlsxwriter writes
 * after the rows (and the print titles a defined name in workbook.xml), so
 * a constant-memory frame carries it into the streamed sheets unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "xlsx_internal.h"

#define TITLE_MAX 100 /* characters of the title in the page header */

/* Excel's "Normal" margins, narrower at the sides: inches */
static const double margin_side = 0.5, margin_top = 0.75, margin_bottom = 0.75, margin_hf = 0.3;

static const char footer[] = "&CPage &P of &N";

/* The title as a header section holds it: "&" doubled (a lone one starts a
 * code), cut at TITLE_MAX characters with "…"; at most 2 * TITLE_MAX + 1
 * characters, well within Excel's 255 for the whole header. */
static chronicle_status append_title(chronicle_buf *b, const char *s, size_t len)
{
    chronicle_status st = CHRONICLE_OK;
    size_t chars = 0;
    for (size_t i = 0; i < len && st == CHRONICLE_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80 && ++chars > TITLE_MAX) return chronicle_buf_puts(b, "\xE2\x80\xA6");
        st = c == '&' ? chronicle_buf_puts(b, "&&") : chronicle_buf_putc(b, (char)c);
    }
    return st;
}

chronicle_status xlsx_print_prepare(xlsx_ctx *x)
{
    const chronicle_dataset_info *di = x->host->dataset(x->job);
    const char *group = x->host->group(x->job);
    chronicle_buf b = CHRONICLE_BUF_INIT, title = CHRONICLE_BUF_INIT;
    chronicle_status st = chronicle_buf_append(&title, di->title.ptr, di->title.len);
    if (st == CHRONICLE_OK && group) st = chronicle_buf_appendf(&title, " \xE2\x80\x94 %s", group);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(&b, "&L");
    if (st == CHRONICLE_OK) st = append_title(&b, title.ptr ? title.ptr : "", title.len);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(&b, "&R&A"); /* &A: the sheet's name */
    chronicle_buf_free(&title);
    if (st == CHRONICLE_OK && (x->page_header = chronicle_buf_steal(&b))) return CHRONICLE_OK;
    chronicle_buf_free(&b);
    x->status = CHRONICLE_ERR_NOMEM;
    x->host->error(x->job, x->status, "out of memory wording the page header");
    return x->status;
}

/* What every sheet shares: paper, margins, header and footer. */
static chronicle_status common(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, double side)
{
    worksheet_set_paper(ws, x->paper);
    worksheet_set_margins(ws, side, side, margin_top, margin_bottom);
    lxw_header_footer_options hf = {.margin = margin_hf};
    lxw_error err = worksheet_set_header_opt(ws, x->page_header, &hf);
    if (!err) err = worksheet_set_footer_opt(ws, footer, &hf);
    return err ? xlsx_fail(x, sheet, 0, 0, "setting the page header and footer", err)
               : CHRONICLE_OK;
}

chronicle_status xlsx_print_data_sheet(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet)
{
    if (common(x, ws, sheet, margin_side) != CHRONICLE_OK) return x->status;
    worksheet_set_landscape(ws);
    worksheet_fit_to_pages(ws, 1, 0); /* one page wide, as many tall as it takes */
    worksheet_gridlines(ws, LXW_SHOW_ALL_GRIDLINES);
    lxw_error err = worksheet_repeat_rows(ws, 0, 0);
    return err ? xlsx_fail(x, sheet, 0, 0, "repeating the header row on printed pages", err)
               : CHRONICLE_OK;
}

chronicle_status xlsx_print_summary(xlsx_ctx *x, lxw_worksheet *ws, double height_pt)
{
    if (common(x, ws, "Summary", margin_side) != CHRONICLE_OK) return x->status;
    worksheet_set_portrait(ws);
    double paper_in = x->paper == 1 ? 11.0 : 11.69;
    double page_pt = (paper_in - margin_top - margin_bottom) * 72;
    /* one page tall too, unless that would shrink the text below two thirds
     * of its size; then as many pages as the count tables need */
    worksheet_fit_to_pages(ws, 1, height_pt <= page_pt * 1.5 ? 1 : 0);
    return CHRONICLE_OK;
}
