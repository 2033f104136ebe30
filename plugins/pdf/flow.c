/*
 * flow.c — where the page breaks fall.  Paragraph lines, table rows,
 * headings and the room kept for a chart are queued as boxes, each saying
 * how much a break after it is to be avoided (pdf_keep); a run of boxes
 * joined by keeps is placed when a break becomes possible after it: on the
 * current page if it fits, else whole on the next one, and only a run
 * taller than a page is broken, at its weakest keep.  Headings, blocks
 * (a claim and its attribution), orphans and widows and a table's lone
 * rows are all keeps; nothing else decides a page break.
 * Invariant: what is queued has not been drawn; after pdf_flush, d->y is
 * the top of the free space again.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hpdf_private.h"
#include "pdf_internal.h"

/* ---- queueing ---- */

static chronicle_status grow(void **v, size_t *cap, size_t n, size_t size)
{
    if (n < *cap) return CHRONICLE_OK;
    size_t c = *cap ? 2 * *cap : 64;
    void *p = realloc(*v, c * size);
    if (!p) return CHRONICLE_ERR_NOMEM;
    *v = p;
    *cap = c;
    return CHRONICLE_OK;
}

static chronicle_status place_all(pdf_doc *d);

chronicle_status pdf_box_add(pdf_doc *d, float h, pdf_keep keep, unsigned lines, pdf_box **out)
{
    pdf_flow *f = &d->flow;
    if (f->n_box) {
        pdf_box *prev = &f->box[f->n_box - 1];
        if (f->block && prev->block == f->block && prev->keep < f->block_keep)
            prev->keep = f->block_keep;
        chronicle_status st = prev->keep == PDF_BREAK ? place_all(d) : CHRONICLE_OK;
        if (st != CHRONICLE_OK) return st;
    }
    chronicle_status st = grow((void **)&f->box, &f->cap_box, f->n_box, sizeof *f->box);
    if (st != CHRONICLE_OK) return st;
    if (f->hold) {
        /* a heading waits for its lines: the boxes up to them keep on */
        if (lines < f->hold) keep = PDF_KEEP;
        f->hold = lines < f->hold ? f->hold - lines : 0;
    }
    pdf_box *b = &f->box[f->n_box++];
    *b = (pdf_box){
        .height = h, .piece = f->n_piece, .lines = lines, .keep = (uint8_t)keep, .block = f->block};
    if (out) *out = b;
    return CHRONICLE_OK;
}

static chronicle_status piece_add(pdf_doc *d, pdf_piece p)
{
    pdf_flow *f = &d->flow;
    chronicle_status st = grow((void **)&f->piece, &f->cap_piece, f->n_piece, sizeof *f->piece);
    if (st != CHRONICLE_OK) return st;
    f->piece[f->n_piece++] = p;
    f->box[f->n_box - 1].n_pieces++;
    return CHRONICLE_OK;
}

chronicle_status pdf_flow_keep(pdf_doc *d, const char *s, size_t len, size_t *off)
{
    *off = d->flow.text.len;
    chronicle_status st = chronicle_buf_append(&d->flow.text, s, len);
    /* each string ends with a NUL of its own: a URI is passed on as a C string */
    return st == CHRONICLE_OK ? chronicle_buf_putc(&d->flow.text, '\0') : st;
}

chronicle_status pdf_box_text(pdf_doc *d, float x, float dy, const char *s, size_t len,
                              pdf_weight w, float size, pdf_rgb color)
{
    return pdf_box_text_dir(d, x, dy, s, len, w, size, color, PDF_DIR_AUTO);
}

chronicle_status pdf_box_text_dir(pdf_doc *d, float x, float dy, const char *s, size_t len,
                                  pdf_weight w, float size, pdf_rgb color, pdf_dir dir)
{
    size_t off;
    if (!len) return CHRONICLE_OK;
    chronicle_status st = pdf_flow_keep(d, s, len, &off);
    if (st != CHRONICLE_OK) return st;
    return piece_add(d, (pdf_piece){.kind = PDF_PIECE_TEXT,
                                    .weight = (uint8_t)w,
                                    .dir = (uint8_t)dir,
                                    .x = x,
                                    .dy = dy,
                                    .size = size,
                                    .color = color,
                                    .off = off,
                                    .len = len});
}

chronicle_status pdf_box_rule(pdf_doc *d, float x, float dy, float w, float thick, pdf_rgb c)
{
    return piece_add(
        d, (pdf_piece){.kind = PDF_PIECE_RULE, .x = x, .dy = dy, .w = w, .h = thick, .color = c});
}

chronicle_status pdf_box_fill(pdf_doc *d, float x, float dy, float w, float h, pdf_rgb c)
{
    return piece_add(
        d, (pdf_piece){.kind = PDF_PIECE_FILL, .x = x, .dy = dy, .w = w, .h = h, .color = c});
}

chronicle_status pdf_box_link(pdf_doc *d, size_t uri, float x, float dy, float w, float size)
{
    return piece_add(
        d, (pdf_piece){.kind = PDF_PIECE_LINK, .x = x, .dy = dy, .w = w, .size = size, .off = uri});
}

void pdf_keep_next(pdf_doc *d, unsigned lines)
{
    pdf_flow *f = &d->flow;
    if (f->n_box) f->box[f->n_box - 1].keep = PDF_KEEP;
    f->hold = lines;
}

void pdf_keep_begin(pdf_doc *d, pdf_keep keep)
{
    pdf_flow *f = &d->flow;
    if (f->depth++ == 0) {
        if (++f->blocks == 0) f->blocks = 1; /* 0 is no block */
        f->block = f->blocks;
        f->block_keep = (uint8_t)keep;
    }
}

void pdf_keep_end(pdf_doc *d)
{
    pdf_flow *f = &d->flow;
    if (f->depth && --f->depth == 0) f->block = 0;
}

void pdf_gap(pdf_doc *d, float h)
{
    pdf_flow *f = &d->flow;
    if (f->n_box)
        f->box[f->n_box - 1].after += h;
    else if (d->y < d->top - 0.01f)
        d->y -= h;
}

/* ---- drawing a placed box ---- */

/* A URI action holds 7-bit ASCII: other bytes, spaces and the characters
 * RFC 3986 never allows are percent-encoded (an IRI becomes its URI). */
static chronicle_status uri_ascii(const char *uri, chronicle_buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    chronicle_status st = CHRONICLE_OK;
    for (const unsigned char *p = (const unsigned char *)uri; *p && st == CHRONICLE_OK; p++) {
        if (*p > 0x20 && *p < 0x7F && !strchr("\"<>\\^`{|}", *p)) {
            st = chronicle_buf_putc(out, (char)*p);
        } else {
            char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            st = chronicle_buf_append(out, esc, 3);
        }
    }
    return st;
}

static chronicle_status link_line(pdf_doc *d, const char *uri, float x, float baseline, float w,
                                  float size)
{
    x = pdf_mirror_x(d, x, w);
    HPDF_Rect r = {x, baseline - 0.25f * size, x + w, baseline + 0.95f * size};
    chronicle_buf ascii = CHRONICLE_BUF_INIT, what = CHRONICLE_BUF_INIT;
    HPDF_Annotation a = NULL;
    chronicle_status st = uri_ascii(uri, &ascii);
    if (st == CHRONICLE_OK) {
        a = HPDF_Page_CreateURILinkAnnot(d->page, r, chronicle_buf_cstr(&ascii));
        if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    }
    /* the error names the link: the URL's start and its length once encoded */
    if (st == CHRONICLE_OK && (d->hpdf_code || HPDF_GetError(d->doc) != HPDF_OK)) {
        int cut = ascii.len > 60;
        st = chronicle_buf_appendf(&what, "adding the link to %.*s%s (%zu bytes encoded)",
                                   cut ? 60 : (int)ascii.len, ascii.ptr, cut ? "\xE2\x80\xA6" : "",
                                   ascii.len);
        if (st == CHRONICLE_OK) st = pdf_check(d, what.ptr);
    }
    if (st == CHRONICLE_OK && a) st = pdf_hpdf_annot_done(d, a);
    chronicle_buf_free(&ascii);
    chronicle_buf_free(&what);
    return st;
}

static chronicle_status draw_piece(pdf_doc *d, const pdf_piece *p, float top)
{
    const char *s = d->flow.text.ptr + p->off;
    switch ((pdf_piece_kind)p->kind) {
    case PDF_PIECE_TEXT:
        return pdf_draw_text_dir(d, p->x, top - p->dy, s, p->len, (pdf_weight)p->weight, p->size,
                                 p->color, (pdf_dir)p->dir);
    case PDF_PIECE_RULE:
        pdf_hline(d, p->x, p->x + p->w, top - p->dy, p->h, p->color);
        return CHRONICLE_OK;
    case PDF_PIECE_FILL:
        pdf_fill_rect(d, p->x, top - p->dy - p->h, p->w, p->h, p->color);
        return CHRONICLE_OK;
    case PDF_PIECE_LINK:
        return link_line(d, s, p->x, top - p->dy, p->w, p->size);
    }
    return CHRONICLE_OK;
}

/* Nothing but a repeated table header on the page yet. */
static int page_empty(const pdf_doc *d)
{
    return d->y >= fminf(d->top, d->flow.fresh_y) - 0.01f;
}

static chronicle_status draw_box(pdf_doc *d, pdf_box *b)
{
    float top = d->y - (page_empty(d) ? 0 : b->before);
    chronicle_status st = CHRONICLE_OK;
    if (b->anchor) *b->anchor = (pdf_target){d->cur, top};
    if (b->draw) {
        d->y = top;
        st = b->draw(d, b->table);
    }
    for (size_t i = 0; i < b->n_pieces && st == CHRONICLE_OK; i++)
        st = draw_piece(d, &d->flow.piece[b->piece + i], top);
    d->y = top - b->height - b->after;
    return st;
}

/* ---- placing a run ---- */

/* A new page; a table's header first when its rows go on. */
static chronicle_status next_page(pdf_doc *d, const pdf_box *b)
{
    chronicle_status st = pdf_page_new(d);
    if (st == CHRONICLE_OK && b->table && !b->draw) st = pdf_table_header(d, b->table);
    d->flow.fresh_y = d->y;
    return st;
}

/* The height of boxes [from, to) placed from the current y. */
static float run_height(const pdf_doc *d, size_t from, size_t to, int at_top)
{
    const pdf_box *b = d->flow.box;
    float h = 0;
    for (size_t k = from; k < to; k++)
        h += (k == from && at_top ? 0 : b[k].before) + b[k].height + (k + 1 < to ? b[k].after : 0);
    return h;
}

/* Where to break a run that does not fit: after the latest box that still
 * fits whose keep is weakest, and never at a keep stronger than limit;
 * from when no break will do. */
static size_t best_break(const pdf_doc *d, size_t from, size_t to, int limit)
{
    const pdf_box *b = d->flow.box;
    float room = d->y - d->bottom + 0.01f, used = 0;
    size_t best = from;
    int best_keep = PDF_KEEP + 1;
    for (size_t k = from; k < to; k++) {
        used += (k == from && page_empty(d) ? 0 : b[k].before) + b[k].height;
        if (used > room) break;
        if (b[k].keep <= limit && b[k].keep <= best_keep) {
            best = k + 1;
            best_keep = b[k].keep;
        }
        used += b[k].after;
    }
    return best;
}

/* The room a fresh page offers the boxes from `from` on. */
static float fresh_room(const pdf_doc *d, size_t from)
{
    const pdf_box *b = &d->flow.box[from];
    float room = d->top - d->bottom;
    if (b->table && !b->draw) room -= pdf_table_header_height(b->table);
    return room;
}

static chronicle_status place_all(pdf_doc *d)
{
    pdf_flow *f = &d->flow;
    chronicle_status st = CHRONICLE_OK;
    if (f->placing) return CHRONICLE_OK;
    f->placing = 1;
    size_t i = 0, n = f->n_box;
    while (i < n && st == CHRONICLE_OK) {
        int empty = page_empty(d);
        if (d->y - run_height(d, i, n, empty) >= d->bottom - 0.01f) {
            while (i < n && st == CHRONICLE_OK)
                st = draw_box(d, &f->box[i++]);
            break;
        }
        if (!empty && run_height(d, i, n, 1) <= fresh_room(d, i) + 0.01f) {
            st = next_page(d, &f->box[i]);
            continue;
        }
        /* taller than a page: on a page that holds something, break only
         * where the run's weakest keeps are; on a fresh one, where it must */
        int weakest = PDF_KEEP;
        for (size_t k = i; k + 1 < n; k++)
            if (f->box[k].keep < weakest) weakest = f->box[k].keep;
        size_t j = best_break(d, i, n, empty ? PDF_KEEP : weakest);
        if (j == i && !empty) {
            st = next_page(d, &f->box[i]);
            continue;
        }
        if (j == i) j = i + 1; /* one box taller than a page */
        while (i < j && st == CHRONICLE_OK)
            st = draw_box(d, &f->box[i++]);
        if (st == CHRONICLE_OK && i < n) st = next_page(d, &f->box[i]);
    }
    pdf_flow_drop(d);
    f->placing = 0;
    return st;
}

void pdf_flow_drop(pdf_doc *d)
{
    pdf_flow *f = &d->flow;
    f->n_box = f->n_piece = 0;
    f->hold = 0;
    chronicle_buf_reset(&f->text);
}

chronicle_status pdf_flush(pdf_doc *d)
{
    d->flow.hold = 0;
    return d->flow.n_box ? place_all(d) : CHRONICLE_OK;
}

chronicle_status pdf_reserve(pdf_doc *d, float h, unsigned lines, float *top)
{
    pdf_target at = {0, 0};
    pdf_box *b;
    chronicle_status st = pdf_box_add(d, h, PDF_BREAK, lines, &b);
    if (st != CHRONICLE_OK) return st;
    b->anchor = &at;
    st = pdf_flush(d);
    *top = at.y;
    return st;
}

void pdf_flow_free(pdf_flow *f)
{
    free(f->box);
    free(f->piece);
    chronicle_buf_free(&f->text);
    memset(f, 0, sizeof *f);
}
