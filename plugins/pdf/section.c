/*
 * section.c — one section per event: a heading (date and place, then the
 * title) kept with the first lines that follow it, the fields, the summary,
 * participants, programme, statements and figures — each claim followed by
 * its attribution in the host's words (format_attribution) — and the
 * event's sources with their documents and links.  Also the small blocks
 * (subheading, field, bullet) the other parts reuse.  Every word, date and
 * number comes from words.c.
 */
#include <string.h>

#include "pdf_internal.h"

#define LABEL_EM 9.0f /* the width of a field's label column, in body text sizes */
#define BULLET "\xE2\x80\xA2"
#define DASH " \xE2\x80\x94 "

/* ---- small blocks ---- */

chronicle_status pdf_subheading(pdf_doc *d, const char *text)
{
    float size = d->size * 1.05f;
    pdf_box *b;
    chronicle_status st = pdf_box_add(d, pdf_leading(size) + 1, PDF_KEEP, 0, &b);
    if (st != CHRONICLE_OK) return st;
    b->before = 6;
    st = pdf_box_text(d, d->left, size, text, strlen(text), PDF_BOLD, size, pdf_navy);
    pdf_keep_next(d, 2);
    return st;
}

chronicle_status pdf_field(pdf_doc *d, const char *label, const char *value, size_t len,
                           const char *uri)
{
    return pdf_field_at(d, LABEL_EM * d->size, label, value, len, uri);
}

chronicle_status pdf_field_at(pdf_doc *d, float column, const char *label, const char *value,
                              size_t len, const char *uri)
{
    if (!value || !len) return CHRONICLE_OK;
    pdf_para p = {.indent = column,
                  .weight = PDF_REGULAR,
                  .size = d->size,
                  .color = pdf_black,
                  .space_after = 1.5f,
                  .marker = label,
                  .marker_weight = PDF_BOLD,
                  .marker_color = pdf_grey,
                  .uri = uri};
    return pdf_paragraph(d, &p, value, len);
}

chronicle_status pdf_bullet(pdf_doc *d, const chronicle_buf *lead, const char *text, size_t len,
                            float size, pdf_rgb color, pdf_dir dir)
{
    const float indent = 1.4f * size;
    pdf_para p = {.indent = indent,
                  .weight = PDF_REGULAR,
                  .size = size,
                  .color = color,
                  .space_after = 2,
                  .marker = BULLET,
                  .marker_indent = indent - size,
                  .marker_weight = PDF_REGULAR,
                  .marker_color = pdf_grey,
                  .lead = lead ? lead->ptr : NULL,
                  .lead_len = lead ? lead->len : 0,
                  .lead_weight = PDF_BOLD,
                  .lead_color = pdf_black,
                  .dir = dir};
    return pdf_paragraph(d, &p, text, len);
}

/* ---- wording ---- */

static chronicle_status put_sep(chronicle_buf *b, chronicle_str s, const char *sep)
{
    if (!s.len) return CHRONICLE_OK;
    chronicle_status st = b->len ? chronicle_buf_puts(b, sep) : CHRONICLE_OK;
    return st == CHRONICLE_OK ? chronicle_buf_append(b, s.ptr, s.len) : st;
}

static chronicle_status join(chronicle_buf *b, const chronicle_str *v, size_t n, const char *sep)
{
    chronicle_buf_reset(b);
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++)
        st = put_sep(b, v[i], sep);
    return st;
}

chronicle_status pdf_place(chronicle_buf *b, const chronicle_event *e, int with_code)
{
    size_t at = b->len;
    chronicle_status st = CHRONICLE_OK;
    const chronicle_str parts[] = {e->venue, e->city, e->country};
    for (size_t i = 0; i < 3 && st == CHRONICLE_OK; i++) {
        if (!parts[i].len) continue;
        if (b->len > at) st = chronicle_buf_puts(b, ", ");
        if (st == CHRONICLE_OK) st = chronicle_buf_append(b, parts[i].ptr, parts[i].len);
    }
    if (st == CHRONICLE_OK && with_code && e->country_code.len)
        st = chronicle_buf_appendf(b, b->len > at ? " (%s)" : "%s", e->country_code.ptr);
    return st;
}

/* What the occasion's anniversary and date say: "31st anniversary of
 * 26 February 1992", "of 26 February 1992", or the anniversary alone. */
static chronicle_status occasion_when(pdf_doc *d, chronicle_buf *b, const chronicle_event *e)
{
    int anniv = e->anniversary >= 0, of = e->occasion_of_date.len > 0;
    chronicle_buf n = CHRONICLE_BUF_INIT, date = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    if (anniv) st = pdf_put_ordinal(d, &n, (uint64_t)e->anniversary, "ordinal.anniversary");
    if (st == CHRONICLE_OK && of)
        st = e->occasion_of_date_ymd
                 ? pdf_put_date(d, &date, e->occasion_of_date_ymd, CHRONICLE_DATE_LONG)
                 : chronicle_buf_append(&date, e->occasion_of_date.ptr, e->occasion_of_date.len);
    const char *args[] = {n.ptr, date.ptr};
    if (st == CHRONICLE_OK && anniv && of)
        st = pdf_put_message(d, b, "pdf.occasion.anniversary-of", args, 2);
    else if (st == CHRONICLE_OK && of)
        st = pdf_put_message(d, b, "pdf.occasion.of", args + 1, 1);
    else if (st == CHRONICLE_OK)
        st = chronicle_buf_append(b, n.ptr, n.len);
    chronicle_buf_free(&n);
    chronicle_buf_free(&date);
    return st;
}

/* "Khojaly tragedy (31st anniversary of 26 February 1992)" */
static chronicle_status occasion_text(pdf_doc *d, chronicle_buf *b, const chronicle_event *e)
{
    chronicle_buf_reset(b);
    if (e->anniversary < 0 && !e->occasion_of_date.len)
        return chronicle_buf_append(b, e->occasion.ptr ? e->occasion.ptr : "", e->occasion.len);
    chronicle_buf when = CHRONICLE_BUF_INIT;
    chronicle_status st = occasion_when(d, &when, e);
    const char *args[] = {e->occasion.ptr, when.ptr};
    if (st == CHRONICLE_OK)
        st = e->occasion.len ? pdf_put_message(d, b, "pdf.occasion.subject-when", args, 2)
                             : pdf_put_message(d, b, "pdf.occasion.when", args + 1, 1);
    chronicle_buf_free(&when);
    return st;
}

/* ---- the section ---- */

/* The heading is one block, kept with two lines of what follows; *at
 * receives where it is placed (known once the section is flushed). */
static chronicle_status section_heading(pdf_doc *d, const chronicle_event *e, pdf_target *at,
                                        chronicle_buf *b)
{
    float ts = d->size * 1.3f, ms = d->size * 0.9f;
    chronicle_buf_reset(b);
    chronicle_status st = pdf_put_period(d, b, e->date_ymd, e->end_date_ymd, CHRONICLE_DATE_LONG);
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(b, " \xC2\xB7 ");
    chronicle_buf place = CHRONICLE_BUF_INIT;
    if (st == CHRONICLE_OK) st = pdf_place(&place, e, 1);
    if (st == CHRONICLE_OK && place.len) st = pdf_put_data(d, b, place.ptr, place.len);
    chronicle_buf_free(&place);
    pdf_para meta = {.weight = PDF_REGULAR,
                     .size = ms,
                     .color = pdf_grey,
                     .space_after = 1,
                     .max_lines = 2,
                     .anchor = at,
                     .dir = pdf_report_dir(d)};
    pdf_para title = {.weight = PDF_BOLD, .size = ts, .color = pdf_navy, .space_after = 2};
    pdf_box *rule;
    pdf_keep_begin(d, PDF_KEEP);
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &meta, b->ptr, b->len);
    if (st == CHRONICLE_OK) st = pdf_paragraph(d, &title, e->title.ptr, e->title.len);
    if (st == CHRONICLE_OK && (st = pdf_box_add(d, 0, PDF_KEEP, 0, &rule)) == CHRONICLE_OK) {
        rule->after = 6;
        st = pdf_box_rule(d, d->left, 0, d->right - d->left, 0.6f, pdf_rule);
    }
    pdf_keep_end(d);
    pdf_keep_next(d, 2);
    return st;
}

/* The date and the place are in the heading's first line. */
static chronicle_status section_fields(pdf_doc *d, const chronicle_event *e, chronicle_buf *b)
{
    chronicle_status st = occasion_text(d, b, e);
    if (st == CHRONICLE_OK) st = pdf_field(d, pdf_label(d, "label.occasion"), b->ptr, b->len, NULL);
    if (st == CHRONICLE_OK) st = join(b, e->organizers, e->n_organizers, "; ");
    if (st == CHRONICLE_OK)
        st = pdf_field(d, pdf_label(d, "label.organizers"), b->ptr, b->len, NULL);
    if (st == CHRONICLE_OK) st = join(b, e->audience, e->n_audience, "; ");
    if (st == CHRONICLE_OK) st = pdf_field(d, pdf_label(d, "label.audience"), b->ptr, b->len, NULL);
    if (st == CHRONICLE_OK) st = join(b, e->tags, e->n_tags, ", ");
    if (st == CHRONICLE_OK) st = pdf_field(d, pdf_label(d, "label.tags"), b->ptr, b->len, NULL);
    if (st == CHRONICLE_OK && e->summary.len) {
        pdf_para p = {.weight = PDF_REGULAR, .size = d->size, .color = pdf_black, .space_after = 2};
        pdf_gap(d, 4);
        st = pdf_paragraph(d, &p, e->summary.ptr, e->summary.len);
    }
    return st;
}

static chronicle_status section_participants(pdf_doc *d, const chronicle_event *e, chronicle_buf *l,
                                             chronicle_buf *b)
{
    chronicle_status st =
        e->n_participants ? pdf_subheading(d, pdf_label(d, "label.participants")) : CHRONICLE_OK;
    for (size_t i = 0; i < e->n_participants && st == CHRONICLE_OK; i++) {
        const chronicle_participant *p = e->participants[i];
        chronicle_buf_reset(l);
        chronicle_buf_reset(b);
        st = p->name.len ? pdf_put_data(d, l, p->name.ptr, p->name.len) : CHRONICLE_OK;
        if (st == CHRONICLE_OK && (p->role.len || p->organization.len))
            st = chronicle_buf_puts(b, "\xE2\x80\x94 ");
        if (st == CHRONICLE_OK && p->role.len) st = pdf_put_data(d, b, p->role.ptr, p->role.len);
        if (st == CHRONICLE_OK && p->organization.len && p->role.len)
            st = chronicle_buf_puts(b, ", ");
        if (st == CHRONICLE_OK && p->organization.len)
            st = pdf_put_data(d, b, p->organization.ptr, p->organization.len);
        if (st == CHRONICLE_OK && p->spoke == 1 && b->len) st = chronicle_buf_putc(b, ' ');
        if (st == CHRONICLE_OK && p->spoke == 1)
            st = chronicle_buf_puts(b, pdf_label(d, "pdf.participant.spoke"));
        if (st == CHRONICLE_OK)
            st = pdf_bullet(d, l, b->ptr, b->len, d->size, pdf_black, pdf_report_dir(d));
    }
    return st;
}

/* "kind — title — performed by A, B", then the description on lines of
 * its own below, as the text summary has it (formats/summary.md): a
 * title's own punctuation never meets the description's. */
static chronicle_status activity_head(pdf_doc *d, chronicle_buf *b, const chronicle_activity *a,
                                      int kind)
{
    chronicle_buf names = CHRONICLE_BUF_INIT;
    chronicle_status st = join(&names, a->performers, a->n_performers, ", ");
    if (st == CHRONICLE_OK && kind && (a->title.len || names.len))
        st = chronicle_buf_puts(b, "\xE2\x80\x94 ");
    size_t at = b->len;
    if (st == CHRONICLE_OK && a->title.len) st = pdf_put_data(d, b, a->title.ptr, a->title.len);
    if (st == CHRONICLE_OK && names.len && b->len > at) st = chronicle_buf_puts(b, DASH);
    chronicle_buf iso = CHRONICLE_BUF_INIT;
    if (st == CHRONICLE_OK && names.len) st = pdf_put_data(d, &iso, names.ptr, names.len);
    const char *args[] = {iso.ptr};
    if (st == CHRONICLE_OK && names.len)
        st = pdf_put_message(d, b, "pdf.activity.performed-by", args, 1);
    chronicle_buf_free(&names);
    chronicle_buf_free(&iso);
    return st;
}

static chronicle_status section_programme(pdf_doc *d, const chronicle_event *e, chronicle_buf *l,
                                          chronicle_buf *b)
{
    chronicle_status st =
        e->n_activities ? pdf_subheading(d, pdf_label(d, "label.programme")) : CHRONICLE_OK;
    pdf_para desc = {.indent = 1.4f * d->size,
                     .weight = PDF_REGULAR,
                     .size = d->size,
                     .color = pdf_black,
                     .space_after = 2};
    for (size_t i = 0; i < e->n_activities && st == CHRONICLE_OK; i++) {
        const chronicle_activity *a = e->activities[i];
        chronicle_buf_reset(l);
        chronicle_buf_reset(b);
        st = a->kind.len ? pdf_put_data(d, l, a->kind.ptr, a->kind.len) : CHRONICLE_OK;
        if (st == CHRONICLE_OK) st = activity_head(d, b, a, l->len > 0);
        int head = l->len || b->len;
        if (st == CHRONICLE_OK && head)
            st = pdf_bullet(d, l, b->ptr, b->len, d->size, pdf_black, pdf_report_dir(d));
        if (st != CHRONICLE_OK || !a->description.len) continue;
        if (head) {
            pdf_keep_next(d, 2);
            st = pdf_paragraph(d, &desc, a->description.ptr, a->description.len);
        } else {
            st = pdf_bullet(d, NULL, a->description.ptr, a->description.len, d->size, pdf_black,
                            PDF_DIR_AUTO);
        }
    }
    return st;
}

/* A run-in lead, "NAME:" in the report's words, into l (reset first); the
 * name is data, isolated. */
static chronicle_status put_lead(pdf_doc *d, chronicle_buf *l, chronicle_str name)
{
    chronicle_buf iso = CHRONICLE_BUF_INIT;
    chronicle_buf_reset(l);
    chronicle_status st = name.len ? pdf_put_data(d, &iso, name.ptr, name.len) : CHRONICLE_OK;
    const char *args[] = {iso.ptr ? iso.ptr : ""};
    if (st == CHRONICLE_OK) st = pdf_put_message(d, l, "pdf.lead", args, 1);
    chronicle_buf_free(&iso);
    return st;
}

static chronicle_status attribution_line(pdf_doc *d, const chronicle_source *src, float indent,
                                         chronicle_buf *b)
{
    chronicle_buf_reset(b);
    chronicle_status st = chronicle_buf_puts(b, "\xE2\x80\x94 ");
    if (st == CHRONICLE_OK) st = pdf_put_attribution(d, b, src);
    pdf_para p = {.indent = indent,
                  .weight = PDF_REGULAR,
                  .size = d->size * 0.88f,
                  .color = pdf_grey,
                  .space_after = 5,
                  .dir = pdf_report_dir(d)};
    return st == CHRONICLE_OK ? pdf_paragraph(d, &p, b->ptr, b->len) : st;
}

static chronicle_status section_statements(pdf_doc *d, const chronicle_event *e, chronicle_buf *l,
                                           chronicle_buf *b)
{
    chronicle_status st =
        e->n_statements ? pdf_subheading(d, pdf_label(d, "label.statements")) : CHRONICLE_OK;
    const float indent = 1.4f * d->size;
    for (size_t i = 0; i < e->n_statements && st == CHRONICLE_OK; i++) {
        const chronicle_statement *s = e->statements[i];
        st = put_lead(d, l, s->speaker);
        pdf_para says = {.weight = PDF_REGULAR,
                         .size = d->size,
                         .color = pdf_black,
                         .space_after = 1.5f,
                         .lead = l->ptr,
                         .lead_len = l->len,
                         .lead_weight = PDF_BOLD,
                         .lead_color = pdf_black};
        pdf_para quote = {.indent = indent,
                          .weight = PDF_REGULAR,
                          .size = d->size,
                          .color = pdf_grey,
                          .space_after = 1.5f};
        /* the claim and its attribution are one block */
        pdf_keep_begin(d, PDF_KEEP_BLOCK);
        if (st == CHRONICLE_OK) st = pdf_paragraph(d, &says, s->summary.ptr, s->summary.len);
        if (st == CHRONICLE_OK && s->quote.len) {
            const char *quoted[] = {s->quote.ptr};
            chronicle_buf_reset(b);
            st = pdf_put_message(d, b, "pdf.quote", quoted, 1);
            if (st == CHRONICLE_OK) st = pdf_paragraph(d, &quote, b->ptr, b->len);
        }
        if (st == CHRONICLE_OK) st = attribution_line(d, s->source, indent, b);
        pdf_keep_end(d);
    }
    return st;
}

static chronicle_status section_figures(pdf_doc *d, const chronicle_event *e, chronicle_buf *l,
                                        chronicle_buf *b)
{
    chronicle_status st =
        e->n_figures ? pdf_subheading(d, pdf_label(d, "label.figures")) : CHRONICLE_OK;
    for (size_t i = 0; i < e->n_figures && st == CHRONICLE_OK; i++) {
        const chronicle_figure *f = e->figures[i];
        chronicle_buf_reset(b);
        st = put_lead(d, l, f->label);
        if (st == CHRONICLE_OK) st = pdf_put_number(d, b, f->value);
        if (st == CHRONICLE_OK && f->unit.len && (st = chronicle_buf_putc(b, ' ')) == CHRONICLE_OK)
            st = pdf_put_data(d, b, f->unit.ptr, f->unit.len);
        if (st == CHRONICLE_OK && f->note.len &&
            (st = chronicle_buf_puts(b, " (")) == CHRONICLE_OK &&
            (st = pdf_put_data(d, b, f->note.ptr, f->note.len)) == CHRONICLE_OK)
            st = chronicle_buf_putc(b, ')');
        if (st == CHRONICLE_OK) st = chronicle_buf_puts(b, DASH);
        if (st == CHRONICLE_OK) st = pdf_put_attribution(d, b, f->source);
        /* label, value and attribution are one block */
        pdf_keep_begin(d, PDF_KEEP_BLOCK);
        if (st == CHRONICLE_OK)
            st = pdf_bullet(d, l, b->ptr, b->len, d->size, pdf_black, pdf_report_dir(d));
        pdf_keep_end(d);
    }
    return st;
}

/* "Trend, 24 Feb 2023 (Baku) — 001_2b7d35f5b2fc6915.txt" */
static chronicle_status source_text(pdf_doc *d, chronicle_buf *b, const chronicle_source *src)
{
    chronicle_buf_reset(b);
    chronicle_str name = src->outlet.len ? src->outlet : src->document;
    chronicle_status st = name.len ? pdf_put_data(d, b, name.ptr, name.len) : CHRONICLE_OK;
    if (st == CHRONICLE_OK && src->published_ymd) {
        st = chronicle_buf_puts(b, ", ");
        if (st == CHRONICLE_OK) st = pdf_put_date(d, b, src->published_ymd, CHRONICLE_DATE_SHORT);
    }
    if (st == CHRONICLE_OK && src->dateline.len &&
        (st = chronicle_buf_puts(b, " (")) == CHRONICLE_OK &&
        (st = pdf_put_data(d, b, src->dateline.ptr, src->dateline.len)) == CHRONICLE_OK)
        st = chronicle_buf_putc(b, ')');
    if (st == CHRONICLE_OK && src->outlet.len && src->document.len &&
        (st = chronicle_buf_puts(b, DASH)) == CHRONICLE_OK)
        st = pdf_put_data(d, b, src->document.ptr, src->document.len);
    return st;
}

static chronicle_status section_sources(pdf_doc *d, const chronicle_event *e, chronicle_buf *b)
{
    chronicle_status st =
        e->n_sources ? pdf_subheading(d, pdf_label(d, "label.sources")) : CHRONICLE_OK;
    for (size_t i = 0; i < e->n_sources && st == CHRONICLE_OK; i++) {
        const chronicle_source *src = e->sources[i];
        pdf_keep_begin(d, PDF_KEEP_BLOCK);
        if ((st = source_text(d, b, src)) == CHRONICLE_OK)
            st = pdf_bullet(d, NULL, b->ptr, b->len, d->size, pdf_black, pdf_report_dir(d));
        if (st == CHRONICLE_OK && src->url.len) {
            pdf_para p = {.indent = 1.4f * d->size,
                          .weight = PDF_REGULAR,
                          .size = d->size * 0.88f,
                          .color = pdf_blue,
                          .space_after = 2,
                          .uri = src->url.ptr};
            st = pdf_paragraph(d, &p, src->url.ptr, src->url.len);
        }
        pdf_keep_end(d);
    }
    return st;
}

chronicle_status pdf_section_write(pdf_doc *d, const chronicle_event *e, pdf_target *at)
{
    chronicle_buf b = CHRONICLE_BUF_INIT, l = CHRONICLE_BUF_INIT;
    chronicle_status st = section_heading(d, e, at, &b);
    if (st == CHRONICLE_OK) st = section_fields(d, e, &b);
    if (st == CHRONICLE_OK) st = section_participants(d, e, &l, &b);
    if (st == CHRONICLE_OK) st = section_programme(d, e, &l, &b);
    if (st == CHRONICLE_OK) st = section_statements(d, e, &l, &b);
    if (st == CHRONICLE_OK) st = section_figures(d, e, &l, &b);
    if (st == CHRONICLE_OK) st = section_sources(d, e, &b);
    pdf_gap(d, 16);
    /* *at is known once the heading is placed */
    if (st == CHRONICLE_OK) st = pdf_flush(d);
    chronicle_buf_free(&b);
    chronicle_buf_free(&l);
    return st;
}
