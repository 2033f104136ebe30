/*
 * words.c — the briefing's wording: every fixed word, date, period,
 * number, count, attribution and the selection, asked of the host's 1.2
 * services in the report's language and appended to a chronicle_buf.
 * The plugin spells none of them itself: the words are in po/pdf and
 * po/common, dates and numbers follow the language's rules in the host.
 */
#include <string.h>

#include "pdf_internal.h"

#define FSI "\xE2\x81\xA8" /* U+2068 FIRST STRONG ISOLATE */
#define PDI "\xE2\x81\xA9" /* U+2069 POP DIRECTIONAL ISOLATE */

int pdf_words_available(const chronicle_host *host)
{
    return CHRONICLE_HAS(host, chronicle_host, days_to_ymd) && host->report && host->label &&
           host->format_message && host->format_date && host->format_period &&
           host->format_number && host->format_count && host->format_ordinal &&
           host->format_attribution && host->format_selection && host->ymd_to_days &&
           host->days_to_ymd;
}

const char *pdf_label(const pdf_doc *d, const char *id)
{
    return d->host->label(d->job, id);
}

/* One service call, whatever its arguments: fills buf like snprintf. */
typedef struct ask {
    pdf_doc *d;
    size_t (*fill)(const struct ask *q, char *buf, size_t size);
    const char *id;
    const char *const *args;
    size_t n_args;
    uint32_t a, b;
    uint64_t n;
    double v;
    chronicle_date_style style;
    const chronicle_source *src;
} ask;

/* Appends what q gives: into a small buffer first, then, when the text is
 * longer, straight into b at its full length. */
static chronicle_status put(chronicle_buf *b, const ask *q)
{
    char small[256];
    size_t n = q->fill(q, small, sizeof small);
    if (n < sizeof small) return chronicle_buf_append(b, small, n);
    chronicle_status st = chronicle_buf_reserve(b, n);
    if (st != CHRONICLE_OK) return st;
    q->fill(q, b->ptr + b->len, n + 1);
    b->len += n;
    b->ptr[b->len] = '\0';
    return CHRONICLE_OK;
}

static size_t fill_message(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_message(q->d->job, buf, size, q->id, q->args, q->n_args);
}

static size_t fill_date(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_date(q->d->job, buf, size, q->a, q->style);
}

static size_t fill_period(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_period(q->d->job, buf, size, q->a, q->b, q->style);
}

static size_t fill_number(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_number(q->d->job, buf, size, q->v);
}

static size_t fill_count(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_count(q->d->job, buf, size, q->n, q->id);
}

static size_t fill_ordinal(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_ordinal(q->d->job, buf, size, q->n, q->id);
}

static size_t fill_attribution(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_attribution(q->d->job, buf, size, q->src);
}

static size_t fill_selection(const ask *q, char *buf, size_t size)
{
    return q->d->host->format_selection(q->d->job, buf, size);
}

chronicle_status pdf_put_message(pdf_doc *d, chronicle_buf *b, const char *id,
                                 const char *const *args, size_t n_args)
{
    ask q = {.d = d, .fill = fill_message, .id = id, .args = args, .n_args = n_args};
    return put(b, &q);
}

chronicle_status pdf_put_date(pdf_doc *d, chronicle_buf *b, uint32_t ymd,
                              chronicle_date_style style)
{
    ask q = {.d = d, .fill = fill_date, .a = ymd, .style = style};
    return put(b, &q);
}

chronicle_status pdf_put_period(pdf_doc *d, chronicle_buf *b, uint32_t first, uint32_t last,
                                chronicle_date_style style)
{
    ask q = {.d = d, .fill = fill_period, .a = first, .b = last ? last : first, .style = style};
    return put(b, &q);
}

chronicle_status pdf_put_number(pdf_doc *d, chronicle_buf *b, double v)
{
    ask q = {.d = d, .fill = fill_number, .v = v};
    return put(b, &q);
}

chronicle_status pdf_put_count(pdf_doc *d, chronicle_buf *b, uint64_t n, const char *id)
{
    ask q = {.d = d, .fill = fill_count, .id = id, .n = n};
    return put(b, &q);
}

chronicle_status pdf_put_ordinal(pdf_doc *d, chronicle_buf *b, uint64_t n, const char *id)
{
    ask q = {.d = d, .fill = fill_ordinal, .id = id, .n = n};
    return put(b, &q);
}

chronicle_status pdf_put_data(pdf_doc *d, chronicle_buf *b, const char *s, size_t len)
{
    if (!d->rtl && !pdf_bidi_needed(s, len)) return chronicle_buf_append(b, s, len);
    chronicle_status st = chronicle_buf_puts(b, FSI);
    if (st == CHRONICLE_OK) st = chronicle_buf_append(b, s, len);
    return st == CHRONICLE_OK ? chronicle_buf_puts(b, PDI) : st;
}

/* The outlet and the document are data inside the attribution's words:
 * the host is given them isolated. */
chronicle_status pdf_put_attribution(pdf_doc *d, chronicle_buf *b, const chronicle_source *src)
{
    chronicle_source iso = *src;
    chronicle_buf outlet = CHRONICLE_BUF_INIT, doc = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    if (src->outlet.len &&
        (st = pdf_put_data(d, &outlet, src->outlet.ptr, src->outlet.len)) == CHRONICLE_OK)
        iso.outlet = (chronicle_str){outlet.ptr, outlet.len};
    if (st == CHRONICLE_OK && src->document.len &&
        (st = pdf_put_data(d, &doc, src->document.ptr, src->document.len)) == CHRONICLE_OK)
        iso.document = (chronicle_str){doc.ptr, doc.len};
    ask q = {.d = d, .fill = fill_attribution, .src = &iso};
    if (st == CHRONICLE_OK) st = put(b, &q);
    chronicle_buf_free(&outlet);
    chronicle_buf_free(&doc);
    return st;
}

chronicle_status pdf_put_selection(pdf_doc *d, chronicle_buf *b)
{
    ask q = {.d = d, .fill = fill_selection};
    return put(b, &q);
}
