/*
 * layout.c — text and pages for the briefing: measuring with cached
 * per-character widths, wrapping by measured width (long words broken
 * between characters), drawing lines as per-font runs, paragraphs and
 * tables queued line by line with their keeps (flow.c places them), and
 * the running header and "page N of M" footer drawn last on the kept page
 * handles.  Text and simple graphics are
 * written as PDF operators into a drawing buffer, sealed (deflated) into
 * the page's content streams when the target page changes (page_seal).
 * Invariant: nothing is drawn outside d->left..d->right; d->y never goes
 * below d->bottom except by the footer.
 */
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chronicle/utf8.h"
#include "hpdf_private.h"
#include "pdf_internal.h"

#define TABLE_PAD 3.0f
#define ELLIPSIS "\xE2\x80\xA6"

const pdf_rgb pdf_black = {0.10f, 0.10f, 0.12f}, pdf_navy = {0.09f, 0.17f, 0.32f},
              pdf_grey = {0.38f, 0.40f, 0.44f}, pdf_light = {0.94f, 0.95f, 0.97f},
              pdf_rule = {0.75f, 0.77f, 0.80f}, pdf_blue = {0.20f, 0.38f, 0.60f},
              pdf_white = {1.0f, 1.0f, 1.0f}, pdf_mark_red = {0.72f, 0.05f, 0.05f};

float pdf_leading(float size)
{
    return size * 1.32f;
}

/* ---- pages ---- */

void pdf_state_forget(pdf_doc *d)
{
    d->cur_font = NULL;
    d->cur_size = 0;
    d->fill_known = 0;
}

/* Seals what has been drawn on the current page since the drawing target
 * last moved to it: one more content stream of the page, deflated here.
 * libharu would deflate page content while saving, with zlib at level 6
 * and a new z_stream for every page: more than a third of the export.
 * libdeflate, one compressor for the document, gives the same size in half
 * the time at level 6 and within 9 % in a fifth of it at level 1 (measured
 * on the briefing's pages).  The stream's filter is then "none" to libharu,
 * which copies it as it is, and the dictionary names the filter
 * (hpdf_private.c pdf_hpdf_page_write).
 * Sealing whenever the target moves keeps one page of drawing in memory,
 * not the whole document's: the flow fills pages in order, and only the
 * contents pages and the footers come back to a page, as streams of their
 * own (/Contents becomes an array). */
static chronicle_status page_seal(pdf_doc *d)
{
    if (d->draw_status != CHRONICLE_OK) return d->draw_status;
    chronicle_buf *raw = &d->draw;
    if (!d->page || !raw->len) return CHRONICLE_OK;
    pdf_page *p = &d->pages[d->cur];
    size_t bound = libdeflate_zlib_compress_bound(d->deflater, raw->len);
    chronicle_buf_reset(&d->packed);
    chronicle_status st = chronicle_buf_reserve(&d->packed, bound);
    if (st != CHRONICLE_OK) return st;
    size_t n = libdeflate_zlib_compress(d->deflater, raw->ptr, raw->len, d->packed.ptr, bound);
    if (!n || n > UINT32_MAX) {
        d->host->error(d->job, CHRONICLE_ERR_INTERNAL, "compressing page %zu failed", d->cur + 1);
        return CHRONICLE_ERR_INTERNAL;
    }
    st = pdf_hpdf_page_write(d, p, d->packed.ptr, n);
    if (st != CHRONICLE_OK) return st;
    chronicle_buf_reset(raw);
    return CHRONICLE_OK;
}

static chronicle_status page_switch(pdf_doc *d, size_t i)
{
    chronicle_status st = page_seal(d);
    d->cur = i;
    d->page = d->pages[i].page;
    pdf_state_forget(d);
    return st;
}

chronicle_status pdf_page_use(pdf_doc *d, size_t i)
{
    chronicle_status st = pdf_flush(d);
    return st == CHRONICLE_OK ? page_switch(d, i) : st;
}

chronicle_status pdf_page_add(pdf_doc *d)
{
    chronicle_status st = pdf_flush(d);
    return st == CHRONICLE_OK ? pdf_page_new(d) : st;
}

chronicle_status pdf_page_new(pdf_doc *d)
{
    if (d->n_pages == d->cap_pages) {
        size_t cap = d->cap_pages ? 2 * d->cap_pages : 64;
        pdf_page *p = realloc(d->pages, cap * sizeof *p);
        if (!p) return CHRONICLE_ERR_NOMEM;
        d->pages = p;
        d->cap_pages = cap;
    }
    HPDF_Page page = HPDF_AddPage(d->doc);
    if (page) HPDF_Page_SetSize(page, d->paper, HPDF_PAGE_PORTRAIT);
    if (!page || d->hpdf_code) return pdf_check(d, "adding a page");
    d->pages[d->n_pages] = (pdf_page){page, NULL, 0};
    chronicle_status st = pdf_hpdf_page_prepare(d, page);
    if (st != CHRONICLE_OK) return st;
    st = page_switch(d, d->n_pages++);
    d->y = d->flow.fresh_y = d->top;
    return st;
}

HPDF_Destination pdf_dest(pdf_doc *d, pdf_target at)
{
    return pdf_hpdf_dest_top(d->pages[at.page].page, at.y + 4 > d->page_h ? d->page_h : at.y + 4);
}

/* ---- measuring and wrapping ---- */

static size_t next_cp(const char *s, size_t len, uint32_t *cp)
{
    if ((unsigned char)*s < 0x80) {
        *cp = (unsigned char)*s;
        return 1;
    }
    size_t n = chronicle_utf8_decode(s, len, cp);
    if (n) return n;
    *cp = 0xFFFD; /* invalid UTF-8 (the loader rejects it): one visible replacement per byte */
    return 1;
}

/* The width of the line last put in drawing order (d->bidi): joined
 * Arabic letters are narrower or wider than their isolated forms. */
static chronicle_status visual_width(pdf_doc *d, pdf_weight w, float size, float *out)
{
    unsigned long units = 0;
    for (size_t i = 0; i < d->bidi.n; i++) {
        pdf_glyph g;
        chronicle_status st = pdf_glyph_get(d, w, d->bidi.cp[i], &g);
        if (st != CHRONICLE_OK) return st;
        units += g.width;
    }
    *out = (float)units * size / 1000.0f;
    return CHRONICLE_OK;
}

chronicle_status pdf_text_width(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                                float *out)
{
    if (pdf_bidi_needed(s, len)) {
        chronicle_status st = pdf_bidi_line(d, s, len, PDF_DIR_AUTO, &d->bidi);
        return st == CHRONICLE_OK ? visual_width(d, w, size, out) : st;
    }
    unsigned long units = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        pdf_glyph g;
        i += next_cp(s + i, len - i, &cp);
        chronicle_status st = pdf_glyph_get(d, w, cp, &g);
        if (st != CHRONICLE_OK) return st;
        units += g.width;
    }
    *out = (float)units * size / 1000.0f;
    return CHRONICLE_OK;
}

static chronicle_status lines_push(pdf_lines *l, size_t start, size_t end, float width)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 16;
        pdf_span *v = realloc(l->v, cap * sizeof *v);
        if (!v) return CHRONICLE_ERR_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = (pdf_span){start, end, width, l->dir};
    return CHRONICLE_OK;
}

void pdf_lines_free(pdf_lines *l)
{
    free(l->v);
    memset(l, 0, sizeof *l);
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r';
}

/* The width a line may take: the first one is shortened by a run-in lead. */
typedef struct wrap_box {
    float width, first;
} wrap_box;

static float box_limit(const wrap_box *b, const pdf_lines *out)
{
    return (out->n ? b->width : b->width - b->first) + 0.001f;
}

/* Chinese text has no spaces: a line breaks between characters, but not
 * before closing punctuation (。，」) nor after opening punctuation (（“「),
 * as CJK typesetting has it (kinsoku). */
static int no_line_start(uint32_t cp)
{
    return (cp >= 0x3001 && cp <= 0x3002) || cp == 0xFF0C || cp == 0xFF0E || cp == 0xFF1A ||
           cp == 0xFF1B || cp == 0xFF01 || cp == 0xFF1F || cp == 0xFF09 || cp == 0x300D ||
           cp == 0x300F || cp == 0x3009 || cp == 0x300B || cp == 0x3011 || cp == 0x201D ||
           cp == 0x2019 || cp == 0x2026;
}

static int no_line_end(uint32_t cp)
{
    return cp == 0xFF08 || cp == 0x300C || cp == 0x300E || cp == 0x3008 || cp == 0x300A ||
           cp == 0x3010 || cp == 0x201C || cp == 0x2018;
}

/* Breaks the word s[*start..end) between characters: pushes every full line
 * and leaves the rest (which fits) as the open line *start, *lw. */
static chronicle_status break_word(pdf_doc *d, const char *s, size_t *start, size_t end,
                                   pdf_weight w, float k, const wrap_box *box, pdf_lines *out,
                                   float *lw)
{
    size_t ls = *start, prev = ls;
    float acc = 0, prev_w = 0;
    uint32_t prev_cp = 0;
    for (size_t i = ls; i < end;) {
        uint32_t cp;
        pdf_glyph g;
        size_t n = next_cp(s + i, end - i, &cp);
        chronicle_status st = pdf_glyph_get(d, w, cp, &g);
        if (st != CHRONICLE_OK) return st;
        float cw = (float)g.width * k;
        if (acc + cw > box_limit(box, out) && i > ls) {
            /* the character before goes down with this one (kinsoku) */
            int carry = (no_line_start(cp) || no_line_end(prev_cp)) && prev > ls;
            size_t at = carry ? prev : i;
            if ((st = lines_push(out, ls, at, carry ? acc - prev_w : acc)) != CHRONICLE_OK)
                return st;
            ls = at;
            acc = carry ? prev_w : 0;
        }
        prev = i, prev_w = cw, prev_cp = cp;
        acc += cw;
        i += n;
    }
    *start = ls;
    *lw = acc;
    return CHRONICLE_OK;
}

/* The direction of the paragraph starting at s, which a '\n' ends. */
static pdf_dir para_dir(const char *s, size_t len)
{
    const char *nl = memchr(s, '\n', len);
    return pdf_bidi_dir(s, nl ? (size_t)(nl - s) : len);
}

chronicle_status pdf_wrap_lead(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                               float width, float first, pdf_lines *out)
{
    const float k = size / 1000.0f;
    const wrap_box box = {width, first};
    size_t ls = 0, le = 0, i = 0;
    float lw = 0, sw = 0;
    int open = 0;
    chronicle_status st = CHRONICLE_OK;
    pdf_glyph g;
    out->n = 0;
    out->dir = para_dir(s, len);
    while (i < len && st == CHRONICLE_OK) {
        if (s[i] == '\n') {
            st = open ? lines_push(out, ls, le, lw) : lines_push(out, i, i, 0);
            open = 0, sw = 0, i++;
            out->dir = para_dir(s + i, len - i);
            continue;
        }
        if (is_space(s[i])) {
            if ((st = pdf_glyph_get(d, w, ' ', &g)) == CHRONICLE_OK) sw += (float)g.width * k;
            i++;
            continue;
        }
        size_t ws = i;
        float ww = 0;
        int joins = 0;
        while (i < len && s[i] != '\n' && !is_space(s[i]) && st == CHRONICLE_OK) {
            uint32_t cp;
            i += next_cp(s + i, len - i, &cp);
            joins |= cp >= 0x0600 && cp <= 0x08FF;
            if ((st = pdf_glyph_get(d, w, cp, &g)) == CHRONICLE_OK) ww += (float)g.width * k;
        }
        /* Arabic letters are measured as drawn, joined (joining stops at a space) */
        if (joins && st == CHRONICLE_OK) st = pdf_text_width(d, s + ws, i - ws, w, size, &ww);
        if (st != CHRONICLE_OK) break;
        if (open && lw + sw + ww <= box_limit(&box, out)) {
            le = i, lw += sw + ww, sw = 0;
            continue;
        }
        if (open && (st = lines_push(out, ls, le, lw)) != CHRONICLE_OK) break;
        open = 1, sw = 0, ls = ws, le = i, lw = ww;
        if (ww > box_limit(&box, out)) st = break_word(d, s, &ls, i, w, k, &box, out, &lw);
    }
    if (st == CHRONICLE_OK && open) st = lines_push(out, ls, le, lw);
    return st;
}

chronicle_status pdf_wrap(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                          float width, pdf_lines *out)
{
    return pdf_wrap_lead(d, s, len, w, size, width, 0, out);
}

/* ---- drawing text ----
 *
 * Text is written as operators of our own, not through libharu's
 * HPDF_Page_ShowText, which looks every glyph up in the cmap again and formats
 * every number slowly, which made text drawing the largest cost.  In
 * libharu's UTF-8 mode a font is Identity-H with CID = code point, so a
 * glyph is its code point as two big-endian bytes; fonts are still
 * registered on the page by libharu (HPDF_Page_GetLocalFontName), and the
 * glyphs are marked for subsetting when they are first measured
 * (pdf_glyph_get). */

/* Keeps the first failure for page_seal: the shape primitives return
 * nothing, and a page must not be saved with a shape missing. */
static chronicle_status drawn(pdf_doc *d, chronicle_status st)
{
    if (st != CHRONICLE_OK && d->draw_status == CHRONICLE_OK) d->draw_status = st;
    return st;
}

/* Appends v and a space, with at most three decimals and no exponent:
 * printf was a tenth of the run time. */
static chronicle_status put_num(chronicle_buf *o, float v)
{
    char tmp[32], *p = tmp + sizeof tmp;
    long c = lroundf(v * 1000.0f);
    int neg = c < 0, digits = 0;
    unsigned long u = (unsigned long)(neg ? -c : c), ip = u / 1000, fp = u % 1000;
    *--p = ' ';
    for (int k = 0; k < 3; k++, fp /= 10) {
        if (!digits && fp % 10 == 0) continue;
        *--p = (char)('0' + fp % 10);
        digits++;
    }
    if (digits) *--p = '.';
    do
        *--p = (char)('0' + ip % 10);
    while (ip /= 10);
    if (neg) *--p = '-';
    return chronicle_buf_append(o, p, (size_t)(tmp + sizeof tmp - p));
}

static chronicle_status put_color(chronicle_buf *b, pdf_rgb c, const char *op)
{
    chronicle_status st = put_num(b, c.r);
    if (st == CHRONICLE_OK) st = put_num(b, c.g);
    if (st == CHRONICLE_OK) st = put_num(b, c.b);
    return st == CHRONICLE_OK ? chronicle_buf_puts(b, op) : st;
}

/* Appends the fill colour operator to o unless c is already current. */
static chronicle_status fill_op(pdf_doc *d, chronicle_buf *o, pdf_rgb c)
{
    if (d->fill_known && !memcmp(&c, &d->cur_fill, sizeof c)) return CHRONICLE_OK;
    d->cur_fill = c;
    d->fill_known = 1;
    return put_color(o, c, "rg\n");
}

void pdf_set_fill(pdf_doc *d, pdf_rgb c)
{
    drawn(d, fill_op(d, &d->draw, c));
}

/* ---- drawing primitives, written like the text ---- */

/* A right-to-left report is laid out as the left-to-right one, mirrored
 * at the page's centre when drawn: text ends at the right margin, bullets,
 * indents, table columns, the contents' page numbers and the charts go
 * over to the other side.  Glyphs are not mirrored, only where they go. */
float pdf_mirror_x(const pdf_doc *d, float x, float w)
{
    return d->rtl ? d->page_w - x - w : x;
}

void pdf_fill_rect(pdf_doc *d, float x, float y, float w, float h, pdf_rgb c)
{
    chronicle_buf *o = &d->draw;
    x = pdf_mirror_x(d, x, w);
    chronicle_status st = fill_op(d, o, c);
    if (st == CHRONICLE_OK) st = put_num(o, x);
    if (st == CHRONICLE_OK) st = put_num(o, y);
    if (st == CHRONICLE_OK) st = put_num(o, w);
    if (st == CHRONICLE_OK) st = put_num(o, h);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "re f\n");
    drawn(d, st);
}

void pdf_line(pdf_doc *d, float x0, float y0, float x1, float y1, float width, pdf_rgb c,
              int dotted)
{
    chronicle_buf *o = &d->draw;
    x0 = pdf_mirror_x(d, x0, 0), x1 = pdf_mirror_x(d, x1, 0);
    chronicle_status st = put_color(o, c, "RG ");
    if (st == CHRONICLE_OK) st = put_num(o, width);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, dotted ? "w [1 3] 0 d " : "w ");
    if (st == CHRONICLE_OK) st = put_num(o, x0);
    if (st == CHRONICLE_OK) st = put_num(o, y0);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "m ");
    if (st == CHRONICLE_OK) st = put_num(o, x1);
    if (st == CHRONICLE_OK) st = put_num(o, y1);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, dotted ? "l S [] 0 d\n" : "l S\n");
    drawn(d, st);
}

void pdf_hline(pdf_doc *d, float x0, float x1, float y, float width, pdf_rgb c)
{
    pdf_line(d, x0, y, x1, y, width, c, 0);
}

/* Switches font (and closes/opens the string around it).  The fallback
 * face has no bold: bold text in it is filled and stroked, a little
 * heavier. */
static chronicle_status run_start(pdf_doc *d, chronicle_buf *o, int face, float size, pdf_weight w,
                                  pdf_rgb color)
{
    HPDF_Font font = d->fonts.face[face].font;
    chronicle_status st = CHRONICLE_OK;
    if (font != d->cur_font || size != d->cur_size) {
        const char *name = pdf_hpdf_page_font_name(d->page, font);
        if (!name) return pdf_check(d, "adding a font to a page");
        st = chronicle_buf_appendf(o, "/%s ", name);
        if (st == CHRONICLE_OK) st = put_num(o, size);
        if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "Tf\n");
        d->cur_font = font;
        d->cur_size = size;
    }
    if (st == CHRONICLE_OK && w == PDF_BOLD && face == PDF_FACE_FALLBACK) {
        st = put_color(o, color, "RG ");
        if (st == CHRONICLE_OK) st = put_num(o, size * 0.035f);
        if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "w 2 Tr\n");
    }
    return st == CHRONICLE_OK ? chronicle_buf_putc(o, '(') : st;
}

static chronicle_status run_end(chronicle_buf *o, int face, pdf_weight w)
{
    int fake_bold = w == PDF_BOLD && face == PDF_FACE_FALLBACK;
    return chronicle_buf_puts(o, fake_bold ? ")Tj 0 Tr\n" : ")Tj\n");
}

/* Appends a code as two bytes of a literal string, escaping what must be;
 * written in place, as this runs for every character of the briefing. */
static inline chronicle_status put_code(chronicle_buf *o, uint32_t cp)
{
    if (o->cap - o->len < 6) {
        chronicle_status st = chronicle_buf_reserve(o, 5);
        if (st != CHRONICLE_OK) return st;
    }
    char *p = o->ptr + o->len;
    for (int k = 0; k < 2; k++) {
        unsigned char c = (unsigned char)(k ? cp : cp >> 8);
        if (c == '(' || c == ')' || c == '\\')
            *p++ = '\\', *p++ = (char)c;
        else if (c == '\r')
            *p++ = '\\', *p++ = 'r';
        else
            *p++ = (char)c;
    }
    *p = '\0';
    o->len = (size_t)(p - o->ptr);
    return CHRONICLE_OK;
}

chronicle_status pdf_draw_text(pdf_doc *d, float x, float baseline, const char *s, size_t len,
                               pdf_weight w, float size, pdf_rgb color)
{
    return pdf_draw_text_dir(d, x, baseline, s, len, w, size, color, PDF_DIR_AUTO);
}

chronicle_status pdf_draw_text_dir(pdf_doc *d, float x, float baseline, const char *s, size_t len,
                                   pdf_weight w, float size, pdf_rgb color, pdf_dir dir)
{
    if (!len) return CHRONICLE_OK;
    chronicle_buf *o = &d->draw;
    /* a right-to-left paragraph's line of Latin letters still runs right to
     * left around its neutrals: the full stop that ends it goes to the left */
    int face = -1, bidi = dir == PDF_DIR_RTL || pdf_bidi_needed(s, len);
    chronicle_status st = bidi ? pdf_bidi_line(d, s, len, dir, &d->bidi) : CHRONICLE_OK;
    if (st == CHRONICLE_OK && d->rtl) {
        float tw = 0;
        st = bidi ? visual_width(d, w, size, &tw) : pdf_text_width(d, s, len, w, size, &tw);
        x = pdf_mirror_x(d, x, tw);
    }
    if (st == CHRONICLE_OK) st = fill_op(d, o, color);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "BT\n");
    if (st == CHRONICLE_OK) st = put_num(o, x);
    if (st == CHRONICLE_OK) st = put_num(o, baseline);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "Td\n");
    /* i counts bytes of s, or code points of the line in drawing order */
    size_t end = bidi ? d->bidi.n : len;
    for (size_t i = 0; i < end && st == CHRONICLE_OK;) {
        uint32_t cp;
        pdf_glyph g;
        if (bidi)
            cp = d->bidi.cp[i++];
        else
            i += next_cp(s + i, len - i, &cp);
        if ((st = pdf_glyph_get(d, w, cp, &g)) != CHRONICLE_OK) break;
        if (g.none) continue;
        if (g.face != face) {
            if (face >= 0 && (st = run_end(o, face, w)) != CHRONICLE_OK) break;
            if ((st = run_start(d, o, g.face, size, w, color)) != CHRONICLE_OK) break;
            face = g.face;
        }
        st = put_code(o, g.cp);
        pdf_fonts_mark(&d->fonts, g.face, g.cp);
        d->fonts.n_missing += (size_t)g.missing;
    }
    if (st == CHRONICLE_OK && face >= 0) st = run_end(o, face, w);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "ET\n");
    return drawn(d, st);
}

chronicle_status pdf_fit(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                         float width, chronicle_buf *out)
{
    float full, ell;
    chronicle_status st = pdf_text_width(d, s, len, w, size, &full);
    if (st != CHRONICLE_OK) return st;
    if (full <= width + 0.001f) return chronicle_buf_append(out, s, len);
    if ((st = pdf_text_width(d, ELLIPSIS, 3, w, size, &ell)) != CHRONICLE_OK) return st;
    float acc = 0;
    size_t keep = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        pdf_glyph g;
        size_t n = next_cp(s + i, len - i, &cp);
        if ((st = pdf_glyph_get(d, w, cp, &g)) != CHRONICLE_OK) return st;
        acc += (float)g.width * size / 1000.0f;
        if (acc + ell > width) break;
        i += n;
        keep = i;
    }
    while (keep && is_space(s[keep - 1]))
        keep--;
    st = chronicle_buf_append(out, s, keep);
    return st == CHRONICLE_OK ? chronicle_buf_puts(out, ELLIPSIS) : st;
}

/* ---- paragraphs ---- */

pdf_dir pdf_report_dir(const pdf_doc *d)
{
    return d->rtl ? PDF_DIR_RTL : PDF_DIR_LTR;
}

/* The last allowed line of a shortened paragraph: the rest of the text,
 * cut to the width with an ellipsis. */
static chronicle_status queue_cut(pdf_doc *d, const pdf_para *p, float x, float width,
                                  float baseline, const char *s, size_t len, pdf_dir dir)
{
    chronicle_buf cut = CHRONICLE_BUF_INIT;
    chronicle_status st = pdf_fit(d, s, len, p->weight, p->size, width, &cut);
    /* a line break inside the rest would end the line early: fit stops at it */
    char *nl = cut.ptr ? memchr(cut.ptr, '\n', cut.len) : NULL;
    if (st == CHRONICLE_OK && nl) {
        chronicle_buf_truncate(&cut, (size_t)(nl - cut.ptr));
        st = chronicle_buf_puts(&cut, ELLIPSIS);
    }
    if (st == CHRONICLE_OK)
        st = pdf_box_text_dir(d, x, baseline, cut.ptr, cut.len, p->weight, p->size, p->color, dir);
    chronicle_buf_free(&cut);
    return st;
}

/* A lead too wide to run in goes on a line of its own, then the text. */
static chronicle_status lead_apart(pdf_doc *d, const pdf_para *p, const char *s, size_t len)
{
    pdf_para q = *p, r = *p;
    q.lead = NULL, q.lead_len = 0, q.weight = p->lead_weight, q.color = p->lead_color;
    q.space_after = 0, q.uri = NULL, q.max_lines = 0, q.dir = pdf_report_dir(d);
    r.lead = NULL, r.lead_len = 0, r.marker = NULL, r.anchor = NULL;
    chronicle_status st = pdf_paragraph(d, &q, p->lead, p->lead_len);
    if (st == CHRONICLE_OK && len) pdf_keep_next(d, 2);
    return st == CHRONICLE_OK && len ? pdf_paragraph(d, &r, s, len) : st;
}

/* A marker (a field's label) wider than the room before the text goes on
 * a line of its own, the text below it. */
static chronicle_status marker_apart(pdf_doc *d, const pdf_para *p, const char *s, size_t len)
{
    pdf_para q = {.indent = p->marker_indent,
                  .weight = p->marker_weight,
                  .size = p->size,
                  .color = p->marker_color,
                  .anchor = p->anchor};
    pdf_para r = *p;
    r.marker = NULL, r.anchor = NULL;
    chronicle_status st = pdf_paragraph(d, &q, p->marker, strlen(p->marker));
    if (st == CHRONICLE_OK) pdf_keep_next(d, 2);
    return st == CHRONICLE_OK ? pdf_paragraph(d, &r, s, len) : st;
}

/* Orphans and widows: no page break after the first line or before the
 * last, so at least two lines stand on each side of a break. */
static pdf_keep line_keep(size_t i, size_t n)
{
    return i + 1 < n && (i == 0 || i + 2 == n) ? PDF_KEEP : PDF_BREAK;
}

/* Appends the isolate initiators (U+2066-2068, pdf_put_data) still open at
 * byte at of s, outermost first; a line break ends them all. */
static chronicle_status isolates_open(chronicle_buf *out, const char *s, size_t at)
{
    uint32_t open[16];
    size_t depth = 0, deeper = 0;
    for (size_t i = 0; i < at;) {
        uint32_t cp;
        i += next_cp(s + i, at - i, &cp);
        if (cp == '\n') {
            depth = deeper = 0;
        } else if (cp >= 0x2066 && cp <= 0x2068) {
            if (depth < sizeof open / sizeof *open)
                open[depth++] = cp;
            else
                deeper++;
        } else if (cp == 0x2069) {
            if (deeper)
                deeper--;
            else if (depth)
                depth--;
        }
    }
    chronicle_status st = CHRONICLE_OK;
    for (size_t k = 0; k < depth && st == CHRONICLE_OK; k++) {
        char u[4];
        st = chronicle_buf_append(out, u, chronicle_utf8_encode(open[k], u));
    }
    return st;
}

/* Queues line i of a paragraph: marker and lead on the first line, the
 * cut on the last allowed one, and its link. */
static chronicle_status queue_line(pdf_doc *d, const pdf_para *p, const char *s, size_t len,
                                   size_t i, size_t n, int cut, float first, size_t uri)
{
    float x = d->left + p->indent, width = p->width > 0 ? p->width : d->right - x;
    float lx = i ? x : x + first;
    const pdf_span *l = &d->lines.v[i];
    pdf_box *b;
    chronicle_status st = pdf_box_add(d, pdf_leading(p->size), line_keep(i, n), 1, &b);
    if (st != CHRONICLE_OK) return st;
    if (i == 0) b->anchor = p->anchor;
    if (i + 1 == n) b->after = p->space_after;
    if (i == 0 && p->marker)
        st = pdf_box_text(d, d->left + p->marker_indent, p->size, p->marker, strlen(p->marker),
                          p->marker_weight, p->size, p->marker_color);
    if (st == CHRONICLE_OK && i == 0 && p->lead_len)
        st = pdf_box_text_dir(d, x, p->size, p->lead, p->lead_len, p->lead_weight, p->size,
                              p->lead_color, pdf_report_dir(d));
    if (st != CHRONICLE_OK) return st;
    /* data isolated across a line break is isolated on the next line too */
    chronicle_buf line = CHRONICLE_BUF_INIT;
    pdf_span reopened;
    st = isolates_open(&line, s, l->start);
    if (st == CHRONICLE_OK && line.len) {
        size_t end = cut && i + 1 == n ? len : l->end;
        st = chronicle_buf_append(&line, s + l->start, end - l->start);
        reopened = (pdf_span){0, line.len, l->width, l->dir};
        s = line.ptr, len = line.len, l = &reopened;
    }
    if (st != CHRONICLE_OK) {
        /* out of memory */
    } else if (cut && i + 1 == n) {
        st = queue_cut(d, p, lx, width - (lx - x), p->size, s + l->start, len - l->start, l->dir);
    } else {
        st = pdf_box_text_dir(d, lx, p->size, s + l->start, l->end - l->start, p->weight, p->size,
                              p->color, l->dir);
    }
    chronicle_buf_free(&line);
    if (st == CHRONICLE_OK && p->uri && l->end > l->start)
        st = pdf_box_link(d, uri, lx, p->size, l->width, p->size);
    return st;
}

chronicle_status pdf_paragraph(pdf_doc *d, const pdf_para *p, const char *s, size_t len)
{
    float x = d->left + p->indent;
    float width = p->width > 0 ? p->width : d->right - x, first = 0;
    size_t uri = 0;
    chronicle_status st = CHRONICLE_OK;
    if (p->lead_len) {
        pdf_glyph sp;
        if ((st = pdf_text_width(d, p->lead, p->lead_len, p->lead_weight, p->size, &first)) !=
                CHRONICLE_OK ||
            (st = pdf_glyph_get(d, p->weight, ' ', &sp)) != CHRONICLE_OK)
            return st;
        first += (float)sp.width * p->size / 1000.0f;
        /* text running the other way from the lead would be read from its
         * far end, past the lead: it goes below, on lines of its own */
        pdf_dir text = p->dir ? p->dir : para_dir(s, len);
        if (first > width * 0.6f || (text && text != pdf_report_dir(d)))
            return lead_apart(d, p, s, len);
    }
    if (p->marker) {
        float mw;
        if ((st = pdf_text_width(d, p->marker, strlen(p->marker), p->marker_weight, p->size,
                                 &mw)) != CHRONICLE_OK)
            return st;
        if (p->marker_indent + mw > p->indent - 2) return marker_apart(d, p, s, len);
    }
    if ((st = pdf_wrap_lead(d, s, len, p->weight, p->size, width, first, &d->lines)) !=
        CHRONICLE_OK)
        return st;
    if (!d->lines.n && p->lead_len && (st = lines_push(&d->lines, 0, 0, 0)) != CHRONICLE_OK)
        return st;
    for (size_t i = 0; p->dir && i < d->lines.n; i++)
        d->lines.v[i].dir = p->dir;
    if (p->uri && (st = pdf_flow_keep(d, p->uri, strlen(p->uri), &uri)) != CHRONICLE_OK) return st;
    size_t n = d->lines.n;
    int cut = p->max_lines && n > p->max_lines;
    if (cut) n = p->max_lines;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++)
        st = queue_line(d, p, s, len, i, n, cut, first, uri);
    if (st == CHRONICLE_OK && !n) pdf_gap(d, p->space_after);
    return st;
}

/* ---- tables ---- */

static float table_width(const pdf_table *t)
{
    float w = 0;
    for (size_t c = 0; c < t->n_cols; c++)
        w += t->cols[c].width;
    return w;
}

float pdf_table_header_height(const pdf_table *t)
{
    return pdf_leading(t->size) + 2 * TABLE_PAD;
}

chronicle_status pdf_table_header(pdf_doc *d, const pdf_table *t)
{
    float h = pdf_table_header_height(t), x = d->left + t->x;
    chronicle_buf title = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    pdf_fill_rect(d, x, d->y - h, table_width(t), h, pdf_navy);
    for (size_t c = 0; c < t->n_cols && st == CHRONICLE_OK; c++) {
        const pdf_column *col = &t->cols[c];
        float inner = col->width - 2 * TABLE_PAD, tw = 0;
        chronicle_buf_reset(&title);
        st = pdf_fit(d, col->title, strlen(col->title), PDF_BOLD, t->size, inner, &title);
        if (st == CHRONICLE_OK && col->right)
            st = pdf_text_width(d, title.ptr, title.len, PDF_BOLD, t->size, &tw);
        if (st == CHRONICLE_OK)
            st = pdf_draw_text(d, col->right ? x + col->width - TABLE_PAD - tw : x + TABLE_PAD,
                               d->y - TABLE_PAD - t->size, title.ptr, title.len, PDF_BOLD, t->size,
                               pdf_white);
        x += col->width;
    }
    chronicle_buf_free(&title);
    d->y -= h;
    return st;
}

chronicle_status pdf_table_start(pdf_doc *d, pdf_table *t)
{
    pdf_box *b;
    chronicle_status st = pdf_box_add(d, pdf_table_header_height(t), PDF_KEEP, 0, &b);
    if (st == CHRONICLE_OK) {
        b->draw = pdf_table_header;
        b->table = t;
    }
    return st;
}

/* Queues line j of the current row (k lines): its slice of the shading,
 * every cell's line j, and the rule under the row's last line. */
static chronicle_status row_line(pdf_doc *d, pdf_table *t, size_t j, size_t k, pdf_keep keep)
{
    float lead = pdf_leading(t->size), pad_top = j ? 0 : TABLE_PAD;
    float h = lead + pad_top + (j + 1 == k ? TABLE_PAD : 0), x = d->left + t->x;
    pdf_box *b;
    chronicle_status st = pdf_box_add(d, h, j + 1 < k ? PDF_KEEP : keep, 1, &b);
    if (st != CHRONICLE_OK) return st;
    b->table = t;
    if (t->rows % 2) st = pdf_box_fill(d, x, 0, table_width(t), h, pdf_light);
    for (size_t c = 0; c < t->n_cols && st == CHRONICLE_OK; c++) {
        const pdf_column *col = &t->cols[c];
        const pdf_lines *cell = &t->cell[c];
        if (j < cell->n) {
            const pdf_span *l = &cell->v[j];
            float lx = col->right ? x + col->width - TABLE_PAD - l->width : x + TABLE_PAD;
            st = pdf_box_text_dir(d, lx, pad_top + t->size, t->cell_text[c] + l->start,
                                  l->end - l->start, PDF_REGULAR, t->size, pdf_black, l->dir);
        }
        x += col->width;
    }
    if (st == CHRONICLE_OK && j + 1 == k)
        st = pdf_box_rule(d, d->left + t->x, h, table_width(t), 0.4f, pdf_rule);
    return st;
}

chronicle_status pdf_table_row(pdf_doc *d, pdf_table *t, const chronicle_str *cells)
{
    size_t rows = 1;
    chronicle_status st = CHRONICLE_OK;
    for (size_t c = 0; c < t->n_cols && st == CHRONICLE_OK; c++) {
        t->cell_text[c] = cells[c].ptr ? cells[c].ptr : "";
        st = pdf_wrap(d, t->cell_text[c], cells[c].len, PDF_REGULAR, t->size,
                      t->cols[c].width - 2 * TABLE_PAD, &t->cell[c]);
        if (t->cell[c].n > rows) rows = t->cell[c].n;
    }
    /* no lone row at a page foot (the first keeps with the second) or top
     * (the last but one keeps with the last) */
    size_t i = t->rows;
    pdf_keep keep = t->total > 1 && (i == 0 || i + 2 == t->total) ? PDF_KEEP : PDF_BREAK;
    for (size_t j = 0; j < rows && st == CHRONICLE_OK; j++)
        st = row_line(d, t, j, rows, keep);
    t->rows++;
    return st;
}

chronicle_status pdf_table_end(pdf_doc *d, pdf_table *t, chronicle_status st)
{
    if (st == CHRONICLE_OK)
        st = pdf_flush(d);
    else
        pdf_flow_drop(d);
    for (size_t c = 0; c < PDF_TABLE_MAX_COLS; c++)
        pdf_lines_free(&t->cell[c]);
    return st;
}

/* ---- images ---- */

chronicle_status pdf_logo(pdf_doc *d, float x, float y, float w, float h)
{
    const chronicle_report *r = d->report;
    HPDF_Image img = r->logo_format == CHRONICLE_IMAGE_PNG
                         ? HPDF_LoadPngImageFromFile(d->doc, r->logo.ptr)
                         : HPDF_LoadJpegImageFromFile(d->doc, r->logo.ptr);
    const char *name = img && !d->hpdf_code ? pdf_hpdf_page_image_name(d->page, img) : NULL;
    if (!name || d->hpdf_code) {
        chronicle_buf what = CHRONICLE_BUF_INIT;
        chronicle_buf_appendf(&what, "cannot use the logo %s", r->logo.ptr);
        chronicle_status st = pdf_check(d, chronicle_buf_cstr(&what));
        chronicle_buf_free(&what);
        if (st != CHRONICLE_OK) return st;
        d->host->error(d->job, CHRONICLE_ERR_DATA, "cannot use the logo %s: libharu refused it",
                       r->logo.ptr);
        return CHRONICLE_ERR_DATA;
    }
    float iw = (float)HPDF_Image_GetWidth(img), ih = (float)HPDF_Image_GetHeight(img);
    if (iw <= 0 || ih <= 0) return CHRONICLE_OK;
    /* as large as fits in the box, its aspect kept, centred */
    float k = fminf(w / iw, h / ih), dw = iw * k, dh = ih * k;
    x = pdf_mirror_x(d, x, w);
    chronicle_buf *o = &d->draw;
    chronicle_status st = chronicle_buf_puts(o, "q ");
    if (st == CHRONICLE_OK) st = put_num(o, dw);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(o, "0 0 ");
    if (st == CHRONICLE_OK) st = put_num(o, dh);
    if (st == CHRONICLE_OK) st = put_num(o, x + (w - dw) / 2);
    if (st == CHRONICLE_OK) st = put_num(o, y + (h - dh) / 2);
    if (st == CHRONICLE_OK) st = chronicle_buf_appendf(o, "cm /%s Do Q\n", name);
    return drawn(d, st);
}

/* ---- running header and footer ---- */

/* The marking, centred in bold at the top and the bottom of the page, in
 * the bands doc_open (pdf.c) keeps for it. */
static chronicle_status page_marking(pdf_doc *d, chronicle_buf *text)
{
    const chronicle_str *m = &d->report->marking;
    const float size = 9.0f;
    float w = 0;
    chronicle_buf_reset(text);
    chronicle_status st = pdf_fit(d, m->ptr, m->len, PDF_BOLD, size, d->right - d->left, text);
    if (st == CHRONICLE_OK) st = pdf_text_width(d, text->ptr, text->len, PDF_BOLD, size, &w);
    float x = (d->page_w - w) / 2;
    if (st == CHRONICLE_OK)
        st =
            pdf_draw_text(d, x, d->page_h - 22, text->ptr, text->len, PDF_BOLD, size, pdf_mark_red);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, x, 18, text->ptr, text->len, PDF_BOLD, size, pdf_mark_red);
    return st;
}

/* The title above a rule, and "Generated …" and "page N of M" below one. */
static chronicle_status page_running(pdf_doc *d, size_t i, const char *header,
                                     const char *footer_left, chronicle_buf *text)
{
    const float size = 8.0f, width = d->right - d->left;
    const float head = d->page_h - 40 - d->mark, foot = 32 + d->mark;
    chronicle_buf_reset(text);
    chronicle_status st = pdf_fit(d, header, strlen(header), PDF_REGULAR, size, width, text);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->left, head, text->ptr, text->len, PDF_REGULAR, size, pdf_grey);
    pdf_hline(d, d->left, d->right, head - 6, 0.5f, pdf_rule);
    pdf_hline(d, d->left, d->right, foot + 14, 0.5f, pdf_rule);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->left, foot, footer_left, strlen(footer_left), PDF_REGULAR, size,
                           pdf_grey);
    /* page numbers are plain digits, as the page labels and the contents give them */
    char n[24], m[24];
    snprintf(n, sizeof n, "%zu", i + 1);
    snprintf(m, sizeof m, "%zu", d->n_pages);
    const char *args[] = {n, m};
    float w = 0;
    chronicle_buf_reset(text);
    if (st == CHRONICLE_OK) st = pdf_put_message(d, text, "label.page-of", args, 2);
    if (st == CHRONICLE_OK) st = pdf_text_width(d, text->ptr, text->len, PDF_REGULAR, size, &w);
    if (st == CHRONICLE_OK)
        st =
            pdf_draw_text(d, d->right - w, foot, text->ptr, text->len, PDF_REGULAR, size, pdf_grey);
    return st;
}

chronicle_status pdf_pages_finish(pdf_doc *d, const char *header, const char *footer_left)
{
    chronicle_buf text = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < d->n_pages && st == CHRONICLE_OK; i++) {
        if (i == 0 && !d->mark) continue;
        if ((st = pdf_page_use(d, i)) != CHRONICLE_OK) break;
        if (d->mark) st = page_marking(d, &text);
        if (st == CHRONICLE_OK && i > 0) st = page_running(d, i, header, footer_left, &text);
    }
    if (st == CHRONICLE_OK) st = page_seal(d);
    chronicle_buf_free(&text);
    return st;
}
