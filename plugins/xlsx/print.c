/*
 * print.c — page setup, so that a sheet prints as a reader expects: every
 * page headed with the report's title and the sheet's name and footed with
 * "Page N of M", in the report's language, and the report's marking (when
 * it has one) centred at the top and the bottom of every page; data sheets landscape, one page
 * wide, their header row repeated on every page, with gridlines; the Summary portrait on one page
 * while it stays readable.  All of it is sheet XML libxlsxwriter writes
 * after the rows (and the print titles a defined name in workbook.xml), so
 * a constant-memory frame carries it into the streamed sheets unchanged.
 */
#include <stdlib.h>
#include <string.h>

#include "xlsx_internal.h"

#define TITLE_MAX 100  /* characters of the title in the page header */
#define MARKING_MAX 60 /* characters of the marking in the header and the footer */
#define HF_MAX 255     /* Excel: characters of a whole header or footer */

/* Excel's "Normal" margins, narrower at the sides: inches */
static const double margin_side = 0.5, margin_top = 0.75, margin_bottom = 0.75, margin_hf = 0.3;

/* Text as a header section holds it: "&" doubled (a lone one starts a
 * code), a line break as a space, cut at max characters with "…"; at most
 * 2 * max + 1 characters. */
static chronicle_status append_section(chronicle_buf *b, const char *s, size_t len, size_t max)
{
    chronicle_status st = CHRONICLE_OK;
    size_t chars = 0;
    for (size_t i = 0; i < len && st == CHRONICLE_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c & 0xC0) != 0x80 && ++chars > max) return chronicle_buf_puts(b, "\xE2\x80\xA6");
        st = c == '&'                 ? chronicle_buf_puts(b, "&&")
             : c == '\n' || c == '\r' ? chronicle_buf_putc(b, ' ')
                                      : chronicle_buf_putc(b, (char)c);
    }
    return st;
}

/* "Page &P of &N" in the report's language: the message is worded around
 * two stand-ins, escaped as header text, then the stand-ins become the codes. */
static chronicle_status append_page_numbers(xlsx_ctx *x, chronicle_buf *b)
{
    static const char *const args[] = {"\x01", "\x02"};
    chronicle_buf words = CHRONICLE_BUF_INIT;
    chronicle_status st = xlsx_words_message(x, &words, "xlsx.print.page", args, 2);
    for (size_t i = 0; i < words.len && st == CHRONICLE_OK; i++) {
        char c = words.ptr[i];
        st = c == '\x01'   ? chronicle_buf_puts(b, "&P")
             : c == '\x02' ? chronicle_buf_puts(b, "&N")
             : c == '&'    ? chronicle_buf_puts(b, "&&")
                           : chronicle_buf_putc(b, c);
    }
    chronicle_buf_free(&words);
    return st;
}

/* Characters (not bytes) in s: what Excel's 255 counts. */
static size_t chars_of(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* Header: "&L<title>&R&A", with "&C<marking>" between when the report has a
 * marking.  Footer: "&CPage &P of &N", or "&C<marking>&RPage &P of &N". */
static chronicle_status word_header_footer(xlsx_ctx *x, chronicle_buf *head, chronicle_buf *foot)
{
    chronicle_str marking = x->report->marking;
    chronicle_buf mark = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    if (marking.len) st = append_section(&mark, marking.ptr, marking.len, MARKING_MAX);
    /* the title gets what the marking and the codes leave of Excel's 255 */
    size_t mark_chars = chars_of(mark.ptr ? mark.ptr : "", mark.len);
    size_t title_max = (HF_MAX - 8 - mark_chars - 1) / 2;
    if (title_max > TITLE_MAX) title_max = TITLE_MAX;
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(head, "&L");
    if (st == CHRONICLE_OK) st = append_section(head, x->title, strlen(x->title), title_max);
    if (st == CHRONICLE_OK && mark.len) st = chronicle_buf_puts(head, "&C");
    if (st == CHRONICLE_OK && mark.len) st = chronicle_buf_append(head, mark.ptr, mark.len);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(head, "&R&A"); /* &A: the sheet's name */
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(foot, "&C");
    if (st == CHRONICLE_OK && mark.len) st = chronicle_buf_append(foot, mark.ptr, mark.len);
    if (st == CHRONICLE_OK && mark.len) st = chronicle_buf_puts(foot, "&R");
    if (st == CHRONICLE_OK) st = append_page_numbers(x, foot);
    chronicle_buf_free(&mark);
    return st;
}

chronicle_status xlsx_print_prepare(xlsx_ctx *x)
{
    chronicle_buf head = CHRONICLE_BUF_INIT, foot = CHRONICLE_BUF_INIT;
    if (word_header_footer(x, &head, &foot) == CHRONICLE_OK &&
        (x->page_header = chronicle_buf_steal(&head)) &&
        (x->page_footer = chronicle_buf_steal(&foot)))
        return CHRONICLE_OK;
    chronicle_buf_free(&head);
    chronicle_buf_free(&foot);
    x->status = CHRONICLE_ERR_NOMEM;
    x->host->error(x->job, x->status, "out of memory wording the page header");
    return x->status;
}

/* What every sheet shares: paper, margins, header and footer, and the
 * report's direction (a right-to-left language turns every sheet). */
static chronicle_status common(xlsx_ctx *x, lxw_worksheet *ws, const char *sheet, double side)
{
    if (x->report->direction == CHRONICLE_RTL) worksheet_right_to_left(ws);
    worksheet_set_paper(ws, x->paper);
    worksheet_set_margins(ws, side, side, margin_top, margin_bottom);
    lxw_header_footer_options hf = {.margin = margin_hf};
    lxw_error err = worksheet_set_header_opt(ws, x->page_header, &hf);
    if (!err) err = worksheet_set_footer_opt(ws, x->page_footer, &hf);
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
    if (common(x, ws, x->summary_name, margin_side) != CHRONICLE_OK) return x->status;
    worksheet_set_portrait(ws);
    double paper_in = x->paper == 1 ? 11.0 : 11.69;
    double page_pt = (paper_in - margin_top - margin_bottom) * 72;
    /* one page tall too, unless that would shrink the text below two thirds
     * of its size; then as many pages as the count tables need */
    worksheet_fit_to_pages(ws, 1, height_pt <= page_pt * 1.5 ? 1 : 0);
    return CHRONICLE_OK;
}
