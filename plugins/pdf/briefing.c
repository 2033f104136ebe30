/*
 * briefing.c — the briefing's parts, in the order formats/briefing.md
 * gives: cover, contents, key figures, charts, event table, one section per
 * event (section.c), sources appendix; then the outline, page labels and
 * the running header and footer.  The contents pages are reserved first
 * (their number is known by measuring the entries) and filled last, when
 * every target page is known.  Words, dates and numbers: words.c.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hpdf_private.h"
#include "pdf_internal.h"

#define PART_SIZE 18.0f
#define TOP_ROWS 12 /* rows of a key-figure table before "N others" */

typedef struct toc_entry {
    int level; /* 0: a part, 1: an event */
    const char *title;
    size_t len;
    uint32_t ymd; /* events: the date shown before the title */
    pdf_target at;
} toc_entry;

typedef struct briefing {
    pdf_doc *d;
    const chronicle_host *host;
    chronicle_job *job;
    const chronicle_summary *sum;
    const chronicle_dataset_info *ds;
    size_t n;
    toc_entry *toc;
    size_t n_toc, toc_page, toc_pages;
    HPDF_Outline events_outline;
    pdf_lines toc_lines;
    float toc_date_w; /* the column of the events' dates in the contents */
    chronicle_buf a, b;
} briefing;

/* ---- parts and the outline ---- */

static HPDF_Outline outline_add(briefing *br, HPDF_Outline parent, const char *title, size_t len,
                                pdf_target at)
{
    pdf_doc *d = br->d;
    chronicle_buf_reset(&br->a);
    if (len > 300) {
        len = 300;
        while (len && ((unsigned char)title[len] & 0xC0) == 0x80)
            len--;
    }
    if (chronicle_buf_append(&br->a, title, len) != CHRONICLE_OK) return NULL;
    for (size_t i = 0; i < br->a.len; i++)
        if ((unsigned char)br->a.ptr[i] < 0x20) br->a.ptr[i] = ' ';
    if (len < (title ? strlen(title) : 0)) chronicle_buf_puts(&br->a, "\xE2\x80\xA6");
    HPDF_Outline o = HPDF_CreateOutline(d->doc, parent, chronicle_buf_cstr(&br->a), d->utf8);
    HPDF_Destination dst = o ? pdf_dest(d, at) : NULL;
    if (dst) HPDF_Outline_SetDestination(o, dst);
    return o;
}

static chronicle_status part_title(pdf_doc *d, const char *title)
{
    chronicle_status st = pdf_draw_text(d, d->left, d->y - PART_SIZE, title, strlen(title),
                                        PDF_BOLD, PART_SIZE, pdf_navy);
    d->y -= pdf_leading(PART_SIZE);
    pdf_hline(d, d->left, d->right, d->y - 3, 1.2f, pdf_navy);
    d->y -= 14;
    return st;
}

/* Starts a part on a new page, with its outline entry and contents target. */
static chronicle_status part_start(briefing *br, const char *title, HPDF_Outline *outline)
{
    pdf_doc *d = br->d;
    chronicle_status st = pdf_page_add(d);
    if (st != CHRONICLE_OK) return st;
    pdf_target at = {d->n_pages - 1, d->y};
    for (size_t i = 0; i < br->n_toc; i++)
        if (br->toc[i].level == 0 && !strcmp(br->toc[i].title, title)) br->toc[i].at = at;
    HPDF_Outline o = outline_add(br, NULL, title, strlen(title), at);
    if (outline) *outline = o;
    if ((st = pdf_check(d, "adding a bookmark")) != CHRONICLE_OK) return st;
    return part_title(d, title);
}

static chronicle_status body_text(pdf_doc *d, const char *s, size_t len, float space_after)
{
    pdf_para p = {
        .weight = PDF_REGULAR, .size = d->size, .color = pdf_black, .space_after = space_after};
    return pdf_paragraph(d, &p, s, len);
}

/* ---- cover ---- */

/* A headline count: the number, and under it its noun in the form the
 * number takes (a plural message without {n}). */
static chronicle_status count_box(briefing *br, float x, float y, float w, size_t n,
                                  const char *noun)
{
    pdf_doc *d = br->d;
    chronicle_buf_reset(&br->a);
    chronicle_buf_reset(&br->b);
    chronicle_status st = pdf_put_number(d, &br->b, (double)n);
    if (st == CHRONICLE_OK) st = pdf_put_count(d, &br->a, n, noun);
    pdf_fill_rect(d, x, y - 52, w, 52, pdf_light);
    pdf_fill_rect(d, x, y - 52, 3, 52, pdf_navy);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, x + 12, y - 26, br->b.ptr, br->b.len, PDF_BOLD, 20, pdf_navy);
    chronicle_buf label = CHRONICLE_BUF_INIT;
    if (st == CHRONICLE_OK)
        st = pdf_fit(d, br->a.ptr, br->a.len, PDF_REGULAR, 8.5f, w - 18, &label);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, x + 12, y - 42, label.ptr, label.len, PDF_REGULAR, 8.5f, pdf_grey);
    chronicle_buf_free(&label);
    return st;
}

static chronicle_status cover_counts(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    const size_t v[] = {s->n_events,     s->n_by_country, s->n_participants,
                        s->n_statements, s->n_figures,    s->n_sources_cited};
    const char *label[] = {"pdf.tile.event",     "pdf.tile.country", "pdf.tile.participant",
                           "pdf.tile.statement", "pdf.tile.figure",  "pdf.tile.source"};
    float gap = 10, w = (d->right - d->left - 2 * gap) / 3, top;
    chronicle_status st = pdf_reserve(d, 2 * 62 + 8, 2, &top);
    for (size_t i = 0; i < 6 && st == CHRONICLE_OK; i++)
        st = count_box(br, d->left + (float)(i % 3) * (w + gap), top - (float)(i / 3) * 62, w, v[i],
                       label[i]);
    return st;
}

/* The band at the top of the cover: the organisation, the kind of
 * document and the generation date, the logo on a white tile at the
 * right.  A marking keeps its own band above it (layout.c). */
#define BAND_H 150.0f
#define TILE_W 132.0f
#define TILE_H 102.0f

static chronicle_status cover_band(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_report *r = d->report;
    const float top = d->page_h - 2 * d->mark;
    float text_right = d->right;
    pdf_fill_rect(d, 0, top - BAND_H, d->page_w, BAND_H, pdf_navy);
    chronicle_status st = CHRONICLE_OK;
    if (r->logo.len && r->logo_format != CHRONICLE_IMAGE_NONE) {
        float x = d->right - TILE_W, y = top - (BAND_H + TILE_H) / 2;
        pdf_fill_rect(d, x, y, TILE_W, TILE_H, pdf_white);
        st = pdf_logo(d, x + 6, y + 6, TILE_W - 12, TILE_H - 12);
        text_right = x - 16;
    }
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK && r->organization.len)
        st = pdf_fit(d, r->organization.ptr, r->organization.len, PDF_BOLD, 11,
                     text_right - d->left, &br->a);
    if (st == CHRONICLE_OK && br->a.len)
        st = pdf_draw_text(d, d->left, top - 54, br->a.ptr, br->a.len, PDF_BOLD, 11, pdf_white);
    const char *kind = pdf_label(d, "pdf.cover.kind");
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK)
        st = pdf_fit(d, kind, strlen(kind), PDF_BOLD, 12, text_right - d->left, &br->a);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->left, top - 78, br->a.ptr, br->a.len, PDF_BOLD, 12, pdf_white);
    chronicle_buf_reset(&br->a);
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK) st = pdf_put_date(d, &br->b, d->generated, CHRONICLE_DATE_LONG);
    const char *args[] = {br->b.ptr};
    if (st == CHRONICLE_OK) st = pdf_put_message(d, &br->a, "pdf.generated", args, 1);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->left, top - 96, br->a.ptr, br->a.len, PDF_REGULAR, 9.5f,
                           (pdf_rgb){0.80f, 0.85f, 0.92f});
    d->y = top - BAND_H - 46;
    return st;
}

/* Who wrote it, what it covers and which events it has: the selection in
 * the host's words, never the file it was read from. */
static chronicle_status cover_fields(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    const chronicle_str *author = &d->report->author;
    const char *group = br->host->group(br->job);
    const char *label[] = {pdf_label(d, "label.author"), pdf_label(d, "pdf.cover.period"),
                           pdf_label(d, "label.group"), pdf_label(d, "pdf.cover.selection")};
    /* the values in one column, right of the widest label (up to a third of the line) */
    float column = 9 * d->size, w;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < 4 && st == CHRONICLE_OK; i++) {
        st = pdf_text_width(d, label[i], strlen(label[i]), PDF_BOLD, d->size, &w);
        column = fmaxf(column, fminf(w + 8, (d->right - d->left) / 3));
    }
    if (st == CHRONICLE_OK) st = pdf_field_at(d, column, label[0], author->ptr, author->len, NULL);
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK)
        st = pdf_put_period(d, &br->a, s->n_events ? s->first_date_ymd : 0, s->last_date_ymd,
                            CHRONICLE_DATE_LONG);
    if (st == CHRONICLE_OK) st = pdf_field_at(d, column, label[1], br->a.ptr, br->a.len, NULL);
    if (st == CHRONICLE_OK && group)
        st = pdf_field_at(d, column, label[2], group, strlen(group), NULL);
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK) st = pdf_put_selection(d, &br->a);
    if (st == CHRONICLE_OK) st = pdf_field_at(d, column, label[3], br->a.ptr, br->a.len, NULL);
    pdf_gap(d, 14);
    return st;
}

static chronicle_status cover(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_str *sub = &d->report->subtitle;
    chronicle_status st = pdf_page_add(d);
    if (st == CHRONICLE_OK) st = cover_band(br);
    pdf_para title = {
        .weight = PDF_BOLD, .size = 24, .color = pdf_navy, .space_after = 10, .max_lines = 6};
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &title, d->title.ptr, d->title.len);
    pdf_para subtitle = {
        .weight = PDF_REGULAR, .size = 14, .color = pdf_navy, .space_after = 12, .max_lines = 3};
    if (st == CHRONICLE_OK && sub->len) st = pdf_paragraph(d, &subtitle, sub->ptr, sub->len);
    /* a subtitle takes the room of four lines of the description */
    pdf_para desc = {.weight = PDF_REGULAR,
                     .size = 11,
                     .color = pdf_grey,
                     .space_after = 20,
                     .max_lines = sub->len ? 8 : 12};
    if (st == CHRONICLE_OK && br->ds->description.len)
        st = pdf_paragraph(d, &desc, br->ds->description.ptr, br->ds->description.len);
    if (st == CHRONICLE_OK) st = cover_fields(br);
    if (st == CHRONICLE_OK) st = cover_counts(br);
    const char *note = pdf_label(d, "pdf.cover.note");
    pdf_para n = {.weight = PDF_REGULAR, .size = 8.5f, .color = pdf_grey, .max_lines = 4};
    d->y = fminf(d->y, d->bottom + 3 * pdf_leading(8.5f));
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &n, note, strlen(note));
    if (st == CHRONICLE_OK) st = pdf_flush(d);
    const char *name = pdf_label(d, "pdf.part.cover");
    if (st == CHRONICLE_OK) outline_add(br, NULL, name, strlen(name), (pdf_target){0, d->page_h});
    return st == CHRONICLE_OK ? pdf_check(d, "drawing the cover") : st;
}

/* ---- contents ---- */

static chronicle_status toc_build(briefing *br)
{
    pdf_doc *d = br->d;
    const char *parts[] = {pdf_label(d, "pdf.part.key-figures"), pdf_label(d, "pdf.part.charts"),
                           pdf_label(d, "pdf.part.event-table"), pdf_label(d, "pdf.part.events"),
                           pdf_label(d, "pdf.part.sources")};
    int on[] = {1, d->host->opt_bool(br->job, "chart"), d->host->opt_bool(br->job, "event-table"),
                1, 1};
    if (!(br->toc = calloc(5 + br->n, sizeof *br->toc))) return CHRONICLE_ERR_NOMEM;
    /* as wide as "29 Apr 2016" needs, or the widest date in the language */
    br->toc_date_w = 7.4f * d->size;
    chronicle_status st = CHRONICLE_OK;
    for (size_t p = 0; p < 5 && st == CHRONICLE_OK; p++) {
        if (!on[p]) continue;
        br->toc[br->n_toc++] = (toc_entry){0, parts[p], strlen(parts[p]), 0, {0, 0}};
        for (size_t i = 0; p == 3 && i < br->n && st == CHRONICLE_OK; i++) {
            const chronicle_event *e = br->host->event_at(br->job, i);
            br->toc[br->n_toc++] = (toc_entry){1, e->title.ptr, e->title.len, e->date_ymd, {0, 0}};
            float w = 0;
            chronicle_buf_reset(&br->b);
            st = pdf_put_date(d, &br->b, e->date_ymd, CHRONICLE_DATE_SHORT);
            if (st == CHRONICLE_OK)
                st = pdf_text_width(d, br->b.ptr, br->b.len, PDF_REGULAR, d->size, &w);
            br->toc_date_w = fmaxf(br->toc_date_w, w + 0.8f * d->size);
        }
    }
    return st;
}

static chronicle_status toc_leader(pdf_doc *d, float x0, float x1, float baseline, size_t page)
{
    chronicle_buf num = CHRONICLE_BUF_INIT;
    float w = 0;
    chronicle_status st = chronicle_buf_appendf(&num, "%zu", page + 1);
    if (st == CHRONICLE_OK) st = pdf_text_width(d, num.ptr, num.len, PDF_REGULAR, d->size, &w);
    if (st == CHRONICLE_OK && x1 - w - 6 > x0 + 8)
        pdf_line(d, x0 + 4, baseline + 1, x1 - w - 6, baseline + 1, 0.8f, pdf_rule, 1);
    if (st == CHRONICLE_OK)
        st = pdf_draw_text(d, d->right - w, baseline, num.ptr, num.len, PDF_REGULAR, d->size,
                           pdf_black);
    chronicle_buf_free(&num);
    return st;
}

static chronicle_status toc_link(briefing *br, float x, float baseline, pdf_target at)
{
    pdf_doc *d = br->d;
    float x0 = pdf_mirror_x(d, x, d->right - x);
    HPDF_Rect r = {x0, baseline - 0.3f * d->size, x0 + d->right - x, baseline + 0.95f * d->size};
    HPDF_Destination dst = pdf_dest(d, at);
    HPDF_Annotation a = dst ? HPDF_Page_CreateLinkAnnot(d->page, r, dst) : NULL;
    if (a) HPDF_LinkAnnot_SetBorderStyle(a, 0, 0, 0);
    chronicle_status st = pdf_check(d, "adding a contents link");
    return st == CHRONICLE_OK ? pdf_hpdf_annot_done(d, a) : st;
}

/* Draws one entry's lines (when draw is set), moving to the next reserved
 * page as needed; *page counts the pages used.  with_next: a part's
 * entry, which stays on a page with the first line of the entries under it. */
static chronicle_status toc_entry_flow(briefing *br, const toc_entry *t, int with_next, int draw,
                                       size_t *page)
{
    pdf_doc *d = br->d;
    const float date_w = br->toc_date_w, num_w = 34, lead = pdf_leading(d->size);
    float x = d->left + (t->level ? 14 + date_w : 0);
    pdf_weight w = t->level ? PDF_REGULAR : PDF_BOLD;
    chronicle_status st =
        pdf_wrap(d, t->title, t->len, w, d->size, d->right - num_w - x, &br->toc_lines);
    if (!t->level) d->y -= 4;
    /* an entry that fits on a page is not split across two */
    float h = (float)(br->toc_lines.n + (with_next ? 1 : 0)) * lead;
    int keep = h <= d->top - d->bottom && d->y - h < d->bottom;
    for (size_t j = 0; j < br->toc_lines.n && st == CHRONICLE_OK; j++) {
        if (d->y - lead < d->bottom || (j == 0 && keep)) {
            ++*page;
            d->y = d->top;
            if (draw && (st = pdf_page_use(d, br->toc_page + *page)) != CHRONICLE_OK) break;
        }
        const pdf_span *l = &br->toc_lines.v[j];
        float baseline = d->y - d->size;
        d->y -= lead;
        if (!draw) continue;
        if (j == 0 && t->level) {
            chronicle_buf_reset(&br->b);
            st = pdf_put_date(d, &br->b, t->ymd, CHRONICLE_DATE_SHORT);
            if (st == CHRONICLE_OK)
                st = pdf_draw_text(d, d->left + 14, baseline, br->b.ptr, br->b.len, PDF_REGULAR,
                                   d->size, pdf_grey);
        }
        if (st == CHRONICLE_OK)
            st = pdf_draw_text_dir(d, x, baseline, t->title + l->start, l->end - l->start, w,
                                   d->size, t->level ? pdf_black : pdf_navy, l->dir);
        if (st == CHRONICLE_OK && j + 1 == br->toc_lines.n)
            st = toc_leader(d, x + l->width, d->right, baseline, t->at.page);
        if (st == CHRONICLE_OK) st = toc_link(br, t->level ? d->left + 14 : x, baseline, t->at);
    }
    return st;
}

static chronicle_status toc_flow(briefing *br, int draw, size_t *pages)
{
    pdf_doc *d = br->d;
    size_t page = 0;
    /* what is queued goes where the flow left off, before y moves here */
    chronicle_status st = pdf_flush(d);
    if (st != CHRONICLE_OK) return st;
    d->y = d->top;
    if (draw) {
        st = pdf_page_use(d, br->toc_page);
        if (st == CHRONICLE_OK) st = part_title(d, pdf_label(d, "pdf.part.contents"));
    } else {
        d->y -= pdf_leading(PART_SIZE) + 14;
    }
    for (size_t i = 0; i < br->n_toc && st == CHRONICLE_OK; i++)
        st =
            toc_entry_flow(br, &br->toc[i], i + 1 < br->n_toc && br->toc[i + 1].level, draw, &page);
    *pages = page + 1;
    return st;
}

static chronicle_status toc_reserve(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = toc_flow(br, 0, &br->toc_pages);
    br->toc_page = d->n_pages;
    for (size_t i = 0; i < br->toc_pages && st == CHRONICLE_OK; i++)
        st = pdf_page_add(d);
    const char *name = pdf_label(d, "pdf.part.contents");
    if (st == CHRONICLE_OK)
        outline_add(br, NULL, name, strlen(name), (pdf_target){br->toc_page, d->top});
    return st == CHRONICLE_OK ? pdf_check(d, "reserving the contents pages") : st;
}

/* ---- key figures ---- */

/* Whole percent, halves rounded up, in integers so that no binary
 * fraction decides a half; "<1%" and ">99%" for shares that would show as
 * 0 or 100 without being either. */
static chronicle_status share_text(pdf_doc *d, chronicle_buf *b, size_t n, size_t total)
{
    chronicle_buf_reset(b);
    if (n && total && 100 * n < total)
        return chronicle_buf_puts(b, pdf_label(d, "pdf.share.under"));
    if (n && total && 100 * n > 99 * total && n < total)
        return chronicle_buf_puts(b, pdf_label(d, "pdf.share.over"));
    chronicle_buf num = CHRONICLE_BUF_INIT;
    size_t pct = n && total ? (200 * n + total) / (2 * total) : 0;
    chronicle_status st = pdf_put_number(d, &num, (double)pct);
    const char *args[] = {num.ptr};
    if (st == CHRONICLE_OK) st = pdf_put_message(d, b, "pdf.share.percent", args, 1);
    chronicle_buf_free(&num);
    return st;
}

/* A key-figure table: every row, or the largest and one "N others". */
typedef struct count_spec {
    const char *heading, *col, *unit;
    const chronicle_count *rows;
    size_t n, total;
    const char *others;  /* NULL: every row; else the message saying where the rest are */
    const char *several; /* said when the counts add up to more than the total */
} count_spec;

static chronicle_status count_cells(pdf_doc *d, const count_spec *c, size_t i, size_t shown,
                                    chronicle_buf cell[3])
{
    size_t count = 0;
    for (size_t k = 0; k < 3; k++)
        chronicle_buf_reset(&cell[k]);
    chronicle_status st = CHRONICLE_OK;
    if (i < shown) {
        const chronicle_count *r = &c->rows[i];
        chronicle_str label = r->label.len ? r->label : r->key;
        count = r->count;
        st = chronicle_buf_append(&cell[0], label.ptr, label.len);
        if (st == CHRONICLE_OK && r->label.len && strcmp(r->label.ptr, r->key.ptr))
            st = chronicle_buf_appendf(&cell[0], " (%s)", r->key.ptr);
    } else {
        for (size_t k = shown; k < c->n; k++)
            count += c->rows[k].count;
        st = pdf_put_count(d, &cell[0], c->n - shown, "pdf.table.others");
    }
    if (st == CHRONICLE_OK) st = pdf_put_number(d, &cell[1], (double)count);
    return st == CHRONICLE_OK ? share_text(d, &cell[2], count, c->total) : st;
}

/* What a reader must know to read the table: shares over 100 % in all,
 * and where the rows left out are. */
static chronicle_status count_note(briefing *br, const count_spec *c, size_t shown)
{
    size_t sum = 0;
    for (size_t k = 0; k < c->n; k++)
        sum += c->rows[k].count;
    chronicle_buf_reset(&br->b);
    chronicle_status st = CHRONICLE_OK;
    if (c->several && sum > c->total) st = chronicle_buf_puts(&br->b, c->several);
    if (st == CHRONICLE_OK && shown < c->n && br->b.len) st = chronicle_buf_putc(&br->b, ' ');
    if (st == CHRONICLE_OK && shown < c->n)
        st = pdf_put_count(br->d, &br->b, c->n - shown, c->others);
    pdf_para p = {.weight = PDF_REGULAR, .size = br->d->size * 0.85f, .color = pdf_grey};
    return st == CHRONICLE_OK && br->b.len ? pdf_paragraph(br->d, &p, br->b.ptr, br->b.len) : st;
}

static chronicle_status count_table(briefing *br, const count_spec *c)
{
    pdf_doc *d = br->d;
    const pdf_column cols[] = {
        {c->col, 230, 0}, {c->unit, 70, 1}, {pdf_label(d, "pdf.col.share"), 60, 1}};
    size_t shown = c->others && c->n > TOP_ROWS + 1 ? TOP_ROWS : c->n;
    pdf_table t = {
        .cols = cols, .n_cols = 3, .size = d->size * 0.9f, .total = shown + (shown < c->n)};
    chronicle_buf cell[3] = {CHRONICLE_BUF_INIT, CHRONICLE_BUF_INIT, CHRONICLE_BUF_INIT};
    chronicle_status st = pdf_subheading(d, c->heading);
    if (st == CHRONICLE_OK) st = pdf_table_start(d, &t);
    for (size_t i = 0; i < t.total && st == CHRONICLE_OK; i++) {
        st = count_cells(d, c, i, shown, cell);
        chronicle_str cells[] = {
            {cell[0].ptr, cell[0].len}, {cell[1].ptr, cell[1].len}, {cell[2].ptr, cell[2].len}};
        if (st == CHRONICLE_OK) st = pdf_table_row(d, &t, cells);
    }
    st = pdf_table_end(d, &t, st);
    pdf_gap(d, 4);
    if (st == CHRONICLE_OK) st = count_note(br, c, shown);
    pdf_gap(d, 6);
    for (size_t k = 0; k < 3; k++)
        chronicle_buf_free(&cell[k]);
    return st;
}

/* "This briefing covers 12 events in 4 countries, with ...": each count
 * with its noun in the form the count takes. */
static chronicle_status headline(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    const size_t n[] = {s->n_events,     s->n_by_country, s->n_participants, s->n_activities,
                        s->n_statements, s->n_figures,    s->n_sources_cited};
    static const char *const noun[] = {"count.event",
                                       "count.country",
                                       "pdf.count.named-participant",
                                       "count.activity",
                                       "pdf.count.reported-statement",
                                       "pdf.count.reported-figure",
                                       "count.source"};
    chronicle_buf part[7];
    const char *args[7];
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < 7; i++) {
        part[i] = (chronicle_buf)CHRONICLE_BUF_INIT;
        if (st == CHRONICLE_OK) st = pdf_put_count(d, &part[i], n[i], noun[i]);
        args[i] = part[i].ptr;
    }
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK) st = pdf_put_message(d, &br->b, "pdf.figures.headline", args, 7);
    for (size_t i = 0; i < 7; i++)
        chronicle_buf_free(&part[i]);
    return st == CHRONICLE_OK ? body_text(d, br->b.ptr, br->b.len, 4) : st;
}

static chronicle_status key_figures(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    chronicle_status st = part_start(br, pdf_label(d, "pdf.part.key-figures"), NULL);
    if (st == CHRONICLE_OK) st = headline(br);
    const char *rounding = pdf_label(d, "pdf.figures.rounding");
    pdf_para note = {
        .weight = PDF_REGULAR, .size = d->size * 0.85f, .color = pdf_grey, .space_after = 8};
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &note, rounding, strlen(rounding));
    const char *events = pdf_label(d, "label.events");
    const count_spec tables[] = {
        {pdf_label(d, "pdf.table.by-year"), pdf_label(d, "label.year"), events, s->by_year,
         s->n_by_year, s->n_events, NULL, NULL},
        {pdf_label(d, "pdf.table.by-country"), pdf_label(d, "label.country"), events, s->by_country,
         s->n_by_country, s->n_events, NULL, NULL},
        {pdf_label(d, "pdf.table.by-organizer"), pdf_label(d, "label.organizer"), events,
         s->by_organizer, s->n_by_organizer, s->n_events, "pdf.table.more-organizers",
         pdf_label(d, "pdf.table.several-organizers")},
        {pdf_label(d, "pdf.table.by-kind"), pdf_label(d, "label.kind"),
         pdf_label(d, "pdf.col.items"), s->by_activity_kind, s->n_by_activity_kind, s->n_activities,
         "pdf.table.more-kinds", NULL}};
    for (size_t i = 0; i < 4 && st == CHRONICLE_OK; i++)
        if (tables[i].n || i < 2) st = count_table(br, &tables[i]);
    return st;
}

/* ---- charts ---- */

/* Runs of more years than this without events are left out of the year
 * chart, at a break mark; shorter ones are shown as zero. */
#define YEAR_GAP_MAX 30

static int year_at(const chronicle_summary *s, size_t i)
{
    return atoi(s->by_year[i].key.ptr);
}

/* Appends "1951–1994" for a run left out, joined to those before it
 * ("A, B and C"); years are written as the year chart labels them. */
static chronicle_status gap_text(pdf_doc *d, chronicle_buf *gaps, int from, int to, int last)
{
    char a[16], b[16];
    snprintf(a, sizeof a, "%d", from);
    snprintf(b, sizeof b, "%d", to);
    const char *years[] = {a, b};
    chronicle_buf run = CHRONICLE_BUF_INIT, joined = CHRONICLE_BUF_INIT;
    chronicle_status st = pdf_put_message(d, &run, "pdf.chart.years", years, 2);
    const char *pair[] = {gaps->ptr, run.ptr};
    if (st == CHRONICLE_OK && !gaps->len)
        st = chronicle_buf_append(gaps, run.ptr, run.len);
    else if (st == CHRONICLE_OK)
        st = pdf_put_message(d, &joined, last ? "pdf.list.and" : "pdf.list.comma", pair, 2);
    if (st == CHRONICLE_OK && joined.len) {
        chronicle_buf_free(gaps);
        *gaps = joined;
        joined = (chronicle_buf)CHRONICLE_BUF_INIT;
    }
    chronicle_buf_free(&run);
    chronicle_buf_free(&joined);
    return st;
}

/* The year chart's columns: every year from the first to the last, years
 * without events as zero columns, and one marked column for each run of
 * more than YEAR_GAP_MAX of them; gaps receives the runs left out. */
static chronicle_status year_bars(pdf_doc *d, const chronicle_summary *s, pdf_bar **out,
                                  char (**names)[12], size_t *n, chronicle_buf *gaps)
{
    size_t m = 0, runs = 0, k = 0;
    for (size_t i = 0; i < s->n_by_year; i++) {
        int missing = i + 1 < s->n_by_year ? year_at(s, i + 1) - year_at(s, i) - 1 : 0;
        m += 1 + (missing > YEAR_GAP_MAX ? 1 : (size_t)(missing > 0 ? missing : 0));
        runs += missing > YEAR_GAP_MAX;
    }
    *out = calloc(m, sizeof **out);
    *names = calloc(m, sizeof **names);
    if (!*out || !*names) return CHRONICLE_ERR_NOMEM;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0, done = 0; i < s->n_by_year && st == CHRONICLE_OK; i++) {
        int y = year_at(s, i), next = i + 1 < s->n_by_year ? year_at(s, i + 1) : y + 1;
        for (int z = y; z < next && st == CHRONICLE_OK; z++) {
            pdf_bar *b = &(*out)[k];
            b->label = (*names)[k++];
            if (z > y && next - y - 1 > YEAR_GAP_MAX) {
                b->gap = 1;
                st = gap_text(d, gaps, y + 1, next - 1, ++done == runs && runs > 1);
                break;
            }
            snprintf((*names)[k - 1], sizeof **names, "%d", z);
            b->value = z == y ? (double)s->by_year[i].count : 0;
        }
    }
    *n = k;
    return st;
}

static chronicle_status country_chart(briefing *br)
{
    pdf_doc *d = br->d;
    const chronicle_summary *s = br->sum;
    size_t shown = s->n_by_country > TOP_ROWS + 1 ? TOP_ROWS : s->n_by_country;
    pdf_bar bars[TOP_ROWS + 1];
    for (size_t i = 0; i < shown; i++) {
        const chronicle_count *c = &s->by_country[i];
        bars[i] = (pdf_bar){c->label.len ? c->label.ptr : c->key.ptr, (double)c->count, 0};
    }
    size_t n = shown;
    if (shown < s->n_by_country) {
        double rest = 0;
        for (size_t i = shown; i < s->n_by_country; i++)
            rest += (double)s->by_country[i].count;
        bars[n++] = (pdf_bar){pdf_label(d, "pdf.chart.other-countries"), rest, 0};
    }
    float h = (float)n * 17 + 16, top;
    chronicle_status st = pdf_subheading(d, pdf_label(d, "pdf.chart.per-country"));
    if (st == CHRONICLE_OK) st = pdf_reserve(d, h + 14, 2, &top);
    if (st == CHRONICLE_OK)
        st = pdf_chart_bars(d, d->left, top - 6, d->right - d->left, bars, n, &h);
    return st;
}

static chronicle_status charts(briefing *br)
{
    pdf_doc *d = br->d;
    pdf_bar *bars = NULL;
    char(*names)[12] = NULL;
    size_t n = 0;
    float top;
    chronicle_buf gaps = CHRONICLE_BUF_INIT;
    chronicle_status st = part_start(br, pdf_label(d, "pdf.part.charts"), NULL);
    if (st == CHRONICLE_OK) st = year_bars(d, br->sum, &bars, &names, &n, &gaps);
    if (st == CHRONICLE_OK) st = pdf_subheading(d, pdf_label(d, "pdf.chart.per-year"));
    if (st == CHRONICLE_OK) st = pdf_reserve(d, 210, 2, &top);
    if (st == CHRONICLE_OK)
        st = pdf_chart_columns(d, d->left, top - 4, d->right - d->left, 190, bars, n);
    if (st == CHRONICLE_OK) st = country_chart(br);
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(&br->b, pdf_label(d, "pdf.chart.caption"));
    const char *args[] = {gaps.ptr};
    if (st == CHRONICLE_OK && gaps.len) st = chronicle_buf_putc(&br->b, ' ');
    if (st == CHRONICLE_OK && gaps.len) st = pdf_put_message(d, &br->b, "pdf.chart.gaps", args, 1);
    pdf_para p = {.weight = PDF_REGULAR, .size = d->size * 0.85f, .color = pdf_grey};
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &p, br->b.ptr, br->b.len);
    free(bars);
    free(names);
    chronicle_buf_free(&gaps);
    return st;
}

/* ---- the event table ---- */

static chronicle_status event_table(briefing *br)
{
    pdf_doc *d = br->d;
    float w = d->right - d->left, date_w = 6.6f * d->size; /* "29 Apr 2016" on one line */
    const pdf_column cols[] = {{pdf_label(d, "label.date"), date_w, 0},
                               {pdf_label(d, "pdf.col.event"), w - date_w - 116 - 126, 0},
                               {pdf_label(d, "label.place"), 116, 0},
                               {pdf_label(d, "label.organizers"), 126, 0}};
    pdf_table t = {.cols = cols, .n_cols = 4, .size = d->size * 0.85f, .total = br->n};
    chronicle_buf date = CHRONICLE_BUF_INIT, place = CHRONICLE_BUF_INIT, orgs = CHRONICLE_BUF_INIT;
    chronicle_status st = part_start(br, pdf_label(d, "pdf.part.event-table"), NULL);
    if (st == CHRONICLE_OK) st = pdf_table_start(d, &t);
    for (size_t i = 0; i < br->n && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = br->host->event_at(br->job, i);
        chronicle_buf_reset(&date);
        chronicle_buf_reset(&place);
        chronicle_buf_reset(&orgs);
        st = pdf_put_period(d, &date, e->date_ymd, e->end_date_ymd, CHRONICLE_DATE_SHORT);
        if (st == CHRONICLE_OK) st = pdf_place(&place, e, 0);
        for (size_t k = 0; k < e->n_organizers && st == CHRONICLE_OK; k++)
            st = chronicle_buf_appendf(&orgs, k ? "; %s" : "%s", e->organizers[k].ptr);
        chronicle_str cells[] = {
            {date.ptr, date.len}, e->title, {place.ptr, place.len}, {orgs.ptr, orgs.len}};
        if (st == CHRONICLE_OK) st = pdf_table_row(d, &t, cells);
    }
    st = pdf_table_end(d, &t, st);
    chronicle_buf_free(&date);
    chronicle_buf_free(&place);
    chronicle_buf_free(&orgs);
    return st;
}

/* ---- events ---- */

static chronicle_status events(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = part_start(br, pdf_label(d, "pdf.part.events"), &br->events_outline);
    if (st == CHRONICLE_OK && br->n > 30) HPDF_Outline_SetOpened(br->events_outline, HPDF_FALSE);
    size_t t = 0;
    HPDF_Outline prev = NULL; /* the last entry: final once the next one follows */
    for (size_t i = 0; i < br->n && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = br->host->event_at(br->job, i);
        pdf_target at;
        if ((st = pdf_section_write(d, e, &at)) != CHRONICLE_OK) break;
        while (t < br->n_toc && br->toc[t].level == 0)
            t++;
        if (t < br->n_toc) br->toc[t++].at = at;
        HPDF_Outline o = outline_add(br, br->events_outline, e->title.ptr, e->title.len, at);
        st = pdf_check(d, "adding a bookmark");
        if (st == CHRONICLE_OK && prev) st = pdf_hpdf_outline_done(d, prev);
        prev = o;
        if (i % 64 == 63 || i + 1 == br->n) br->host->progress(br->job, i + 1, br->n);
        if (st == CHRONICLE_OK && br->host->cancelled(br->job)) st = CHRONICLE_ERR_CANCELLED;
    }
    return st;
}

/* ---- sources appendix ---- */

static int by_id(const void *a, const void *b)
{
    const chronicle_source *x = *(const chronicle_source *const *)a;
    const chronicle_source *y = *(const chronicle_source *const *)b;
    return strcmp(x->id.ptr, y->id.ptr);
}

/* The sources the selected events cite, sorted by id. */
static chronicle_status cited_sources(briefing *br, const chronicle_source ***out, size_t *n)
{
    size_t total = 0, m = 0;
    for (size_t i = 0; i < br->n; i++)
        total += br->host->event_at(br->job, i)->n_sources;
    const chronicle_source **v = malloc((total ? total : 1) * sizeof *v);
    if (!v) return CHRONICLE_ERR_NOMEM;
    for (size_t i = 0; i < br->n; i++) {
        const chronicle_event *e = br->host->event_at(br->job, i);
        for (size_t k = 0; k < e->n_sources; k++)
            v[m++] = e->sources[k];
    }
    qsort(v, m, sizeof *v, by_id);
    *out = v;
    *n = m;
    return CHRONICLE_OK;
}

static chronicle_status appendix_entry(briefing *br, const chronicle_source *src)
{
    pdf_doc *d = br->d;
    chronicle_buf_reset(&br->a);
    chronicle_status st = chronicle_buf_appendf(
        &br->a, "[%s] %s", src->id.ptr, src->outlet.len ? src->outlet.ptr : src->document.ptr);
    pdf_para head = {.weight = PDF_BOLD,
                     .size = d->size,
                     .color = pdf_black,
                     .space_after = 1.5f,
                     .dir = pdf_report_dir(d)};
    /* an entry is one block */
    pdf_keep_begin(d, PDF_KEEP_BLOCK);
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &head, br->a.ptr, br->a.len);
    chronicle_buf_reset(&br->a);
    if (st == CHRONICLE_OK && src->published_ymd)
        st = pdf_put_date(d, &br->a, src->published_ymd, CHRONICLE_DATE_LONG);
    else if (st == CHRONICLE_OK && src->published.len)
        st = chronicle_buf_append(&br->a, src->published.ptr, src->published.len);
    if (st == CHRONICLE_OK)
        st = pdf_field(d, pdf_label(d, "label.published"), br->a.ptr, br->a.len, NULL);
    if (st == CHRONICLE_OK)
        st = pdf_field(d, pdf_label(d, "label.dateline"), src->dateline.ptr, src->dateline.len,
                       NULL);
    if (st == CHRONICLE_OK)
        st = pdf_field(d, pdf_label(d, "label.document"), src->document.ptr, src->document.len,
                       NULL);
    if (st == CHRONICLE_OK)
        st = pdf_field(d, pdf_label(d, "label.url"), src->url.ptr, src->url.len, src->url.ptr);
    pdf_keep_end(d);
    pdf_gap(d, 6);
    return st;
}

static chronicle_status appendix(briefing *br)
{
    const chronicle_source **cited = NULL;
    size_t n = 0;
    chronicle_status st = part_start(br, pdf_label(br->d, "pdf.part.sources"), NULL);
    if (st == CHRONICLE_OK) st = cited_sources(br, &cited, &n);
    const char *intro = pdf_label(br->d, "pdf.appendix.intro");
    if (st == CHRONICLE_OK) st = body_text(br->d, intro, strlen(intro), 8);
    for (size_t i = 0; i < br->ds->n_sources && st == CHRONICLE_OK; i++) {
        const chronicle_source *src = br->ds->sources[i];
        if (!n || !bsearch(&src, cited, n, sizeof *cited, by_id)) continue;
        st = appendix_entry(br, src);
    }
    free(cited);
    return st;
}

/* ---- the whole ---- */

static chronicle_status no_events(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = part_start(br, pdf_label(d, "pdf.part.none"), NULL);
    chronicle_buf_reset(&br->a);
    chronicle_buf_reset(&br->b);
    if (st == CHRONICLE_OK) st = pdf_put_count(d, &br->a, br->ds->n_events_total, "count.event");
    const char *args[] = {br->a.ptr};
    if (st == CHRONICLE_OK) st = pdf_put_message(d, &br->b, "pdf.none.text", args, 1);
    return st == CHRONICLE_OK ? body_text(d, br->b.ptr, br->b.len, 0) : st;
}

static chronicle_status parts(briefing *br)
{
    pdf_doc *d = br->d;
    chronicle_status st = cover(br);
    if (st != CHRONICLE_OK) return st;
    if (!br->n) return no_events(br);
    int contents = d->host->opt_bool(br->job, "contents");
    if (contents && (st = toc_build(br)) == CHRONICLE_OK) st = toc_reserve(br);
    if (st == CHRONICLE_OK) st = key_figures(br);
    if (st == CHRONICLE_OK && d->host->opt_bool(br->job, "chart")) st = charts(br);
    if (st == CHRONICLE_OK && d->host->opt_bool(br->job, "event-table")) st = event_table(br);
    if (st == CHRONICLE_OK) st = events(br);
    if (st == CHRONICLE_OK) st = appendix(br);
    size_t pages;
    if (st == CHRONICLE_OK && contents) st = toc_flow(br, 1, &pages);
    return st;
}

chronicle_status pdf_briefing_write(pdf_doc *d)
{
    briefing br = {.d = d, .host = d->host, .job = d->job};
    br.sum = d->host->summary(d->job);
    br.ds = d->host->dataset(d->job);
    br.n = d->host->event_count(d->job);
    chronicle_status st = parts(&br);
    chronicle_buf_reset(&br.a);
    chronicle_buf_reset(&br.b);
    if (st == CHRONICLE_OK) st = pdf_put_date(d, &br.b, d->generated, CHRONICLE_DATE_SHORT);
    const char *args[] = {br.b.ptr};
    if (st == CHRONICLE_OK) st = pdf_put_message(d, &br.a, "pdf.generated", args, 1);
    if (st == CHRONICLE_OK) st = pdf_pages_finish(d, d->title.ptr, br.a.ptr);
    if (st == CHRONICLE_OK) HPDF_AddPageLabel(d->doc, 0, HPDF_PAGE_NUM_STYLE_DECIMAL, 1, NULL);
    if (st == CHRONICLE_OK) st = pdf_check(d, "finishing the pages");
    free(br.toc);
    pdf_lines_free(&br.toc_lines);
    chronicle_buf_free(&br.a);
    chronicle_buf_free(&br.b);
    return st;
}
