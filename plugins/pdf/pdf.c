/*
 * pdf.c — the PDF briefing exporter (libharu): the plugin descriptor and its
 * options, the export flow (document, fonts, briefing, ToUnicode fix,
 * document info) and the output, streamed through host->write with every
 * write checked (HPDF_SaveToFile can report success on a failed write).
 * libharu's error handler records the first error; pdf_check() (errors.c)
 * turns it into a host error naming what failed, and nothing partial is kept.
 */
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>

#include "chronicle/sanitize.h"
#include "hpdf_private.h"
#include "pdf_internal.h"

static const char *const page_sizes[] = {"a4", "letter", NULL};

static const chronicle_option options[] = {
    {"page-size", CHRONICLE_OPT_ENUM, "a4", "paper size", page_sizes, 0, -1, {0}},
    {"font",
     CHRONICLE_OPT_PATH,
     PDF_DEFAULT_FONT,
     "regular TrueType font (DejaVu Sans)",
     NULL,
     0,
     -1,
     {0}},
    {"font-bold",
     CHRONICLE_OPT_PATH,
     PDF_DEFAULT_FONT_BOLD,
     "bold TrueType font",
     NULL,
     0,
     -1,
     {0}},
    {"fallback-font",
     CHRONICLE_OPT_PATH,
     PDF_DEFAULT_FALLBACK_FONT,
     "TrueType font for characters the main fonts lack (e.g. Chinese)",
     NULL,
     0,
     -1,
     {0}},
    {"fallback",
     CHRONICLE_OPT_BOOL,
     "true",
     "use the fallback fonts (CJK, then Noto by script); if false, missing characters are "
     "drawn as U+FFFD",
     NULL,
     0,
     -1,
     {0}},
    {"strict-glyphs",
     CHRONICLE_OPT_BOOL,
     "false",
     "fail, writing nothing, when a character of the data is in none of the fonts",
     NULL,
     0,
     -1,
     {0}},
    {"font-size", CHRONICLE_OPT_DOUBLE, "10", "body text size in points", NULL, 7, 14, {0}},
    {"title",
     CHRONICLE_OPT_STRING,
     NULL,
     "briefing title (default: the report's title)",
     NULL,
     0,
     -1,
     {0}},
    {"author",
     CHRONICLE_OPT_STRING,
     NULL,
     "document author (default: the report's author, else Chronicle)",
     NULL,
     0,
     -1,
     {0}},
    {"subject",
     CHRONICLE_OPT_STRING,
     NULL,
     "document subject (default: the report's subtitle, else the dataset description)",
     NULL,
     0,
     -1,
     {0}},
    {"keywords",
     CHRONICLE_OPT_STRING,
     NULL,
     "document keywords (default: the events' tags)",
     NULL,
     0,
     -1,
     {0}},
    {"contents", CHRONICLE_OPT_BOOL, "true", "include the contents page", NULL, 0, -1, {0}},
    {"chart",
     CHRONICLE_OPT_BOOL,
     "true",
     "include the charts (events per year and per country)",
     NULL,
     0,
     -1,
     {0}},
    {"event-table", CHRONICLE_OPT_BOOL, "true", "include the event table", NULL, 0, -1, {0}},
    {0}};

static chronicle_status export_pdf(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = CHRONICLE_ABI_VERSION,
    .name = "pdf",
    .version = PDF_PLUGIN_VERSION,
    .summary = "PDF briefing: cover, key figures, charts, event table, one section per event",
    .extension = "pdf",
    .media_type = "application/pdf",
    .flags = CHRONICLE_PLUGIN_STDOUT_OK,
    .options = options,
    .export_dataset = export_pdf,
};
CHRONICLE_PLUGIN_DEFINE(plugin)

/* ---- libharu errors ---- */

static void on_hpdf_error(HPDF_STATUS code, HPDF_STATUS detail, void *user)
{
    pdf_doc *d = user;
    if (!d->hpdf_code) {
        d->hpdf_code = code;
        d->hpdf_detail = detail;
    }
}

/* ---- the document ---- */

/* The title: pdf.title, else the report's (which is the dataset's when
 * its author gave none), with the group of a --split-by job. */
static chronicle_status doc_title(pdf_doc *d)
{
    const char *t = d->host->opt_string(d->job, "title");
    const chronicle_str *rt = &d->report->title;
    const char *group = d->host->group(d->job);
    chronicle_status st;
    if (t && *t)
        st = chronicle_buf_puts(&d->title, t);
    else if (rt->len)
        st = chronicle_buf_append(&d->title, rt->ptr, rt->len);
    else
        st = chronicle_buf_puts(&d->title, pdf_label(d, "pdf.title.default"));
    if (st == CHRONICLE_OK && group) {
        const char *args[] = {d->title.ptr, group};
        chronicle_buf with = CHRONICLE_BUF_INIT;
        st = pdf_put_message(d, &with, "pdf.title.group", args, 2);
        chronicle_buf_free(&d->title);
        d->title = with;
    }
    return st;
}

/* The host timestamp as a UTC date and time: the generation date is the
 * day days_to_ymd gives, the document dates carry the time too. */
static HPDF_Date timestamp_date(const pdf_doc *d, int64_t ts, uint32_t *ymd)
{
    HPDF_Date date = {1970, 1, 1, 0, 0, 0, 'Z', 0, 0};
    int64_t days = ts / 86400, secs = ts % 86400;
    if (secs < 0) days--, secs += 86400;
    uint32_t v = d->host->days_to_ymd(days);
    if (v) {
        date.year = (HPDF_INT)(v / 10000), date.month = (HPDF_INT)(v / 100 % 100);
        date.day = (HPDF_INT)(v % 100);
        date.hour = (HPDF_INT)(secs / 3600), date.minutes = (HPDF_INT)(secs / 60 % 60);
        date.seconds = (HPDF_INT)(secs % 60);
    }
    *ymd = (uint32_t)(date.year * 10000 + date.month * 100 + date.day);
    return date;
}

static chronicle_status doc_open(pdf_doc *d)
{
    const char *paper = d->host->opt_string(d->job, "page-size");
    int letter = paper && !strcmp(paper, "letter");
    d->paper = letter ? HPDF_PAGE_SIZE_LETTER : HPDF_PAGE_SIZE_A4;
    d->page_w = letter ? 612.0f : 595.276f;
    d->page_h = letter ? 792.0f : 841.89f;
    /* a marking takes a band of its own above the running header and below
     * the footer (layout.c pdf_pages_finish): the text area gives it room */
    d->mark = d->report->marking.len ? PDF_MARK_BAND : 0;
    d->left = 56, d->right = d->page_w - 56;
    d->top = d->page_h - 68 - d->mark, d->bottom = 60 + d->mark;
    d->size = (float)d->host->opt_double(d->job, "font-size");
    if (d->size < 7 || d->size > 14) d->size = 10;
        /* libharu's own memory pool gives unaligned blocks; alloc.c does not.
         * Under AddressSanitizer, plain malloc keeps every object's redzones. */
#if CHRONICLE_UNDER_ASAN
    d->doc = HPDF_New(on_hpdf_error, d);
#else
    d->doc = HPDF_NewEx(on_hpdf_error, pdf_mem_alloc, pdf_mem_free, 0, d);
#endif
    if (!d->doc) {
        d->host->error(d->job, CHRONICLE_ERR_NOMEM, "cannot create a PDF document (libharu)");
        return CHRONICLE_ERR_NOMEM;
    }
    /* the fonts and CMaps are deflated by libharu, the pages by layout.c */
    HPDF_SetCompressionMode(d->doc, HPDF_COMP_ALL);
    if (!(d->deflater = libdeflate_alloc_compressor(PDF_DEFLATE_LEVEL))) {
        d->host->error(d->job, CHRONICLE_ERR_NOMEM, "cannot create a compressor (libdeflate)");
        return CHRONICLE_ERR_NOMEM;
    }
    HPDF_UseUTFEncodings(d->doc);
    HPDF_SetCurrentEncoder(d->doc, "UTF-8");
    d->utf8 = HPDF_GetEncoder(d->doc, "UTF-8");
    HPDF_SetPageMode(d->doc, HPDF_PAGE_MODE_USE_OUTLINE);
    /* before the first page: a page tree, not one /Kids array (pdf_internal.h) */
    HPDF_SetPagesConfiguration(d->doc, PDF_PAGES_PER_NODE);
    chronicle_status st = pdf_check(d, "setting up the PDF document");
    if (st == CHRONICLE_OK && !d->utf8) {
        d->host->error(d->job, CHRONICLE_ERR_UNSUPPORTED, "this libharu has no UTF-8 encoder");
        st = CHRONICLE_ERR_UNSUPPORTED;
    }
    return st == CHRONICLE_OK ? doc_title(d) : st;
}

/* Appends at most max bytes of s, cut at a character boundary, with
 * control characters turned into spaces: document info and outline
 * titles are single lines. */
static chronicle_status put_clipped(chronicle_buf *b, const char *s, size_t len, size_t max)
{
    if (len > max) {
        len = max;
        while (len && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    size_t at = b->len;
    chronicle_status st = chronicle_buf_append(b, s, len);
    for (size_t i = at; st == CHRONICLE_OK && i < b->len; i++)
        if ((unsigned char)b->ptr[i] < 0x20 || b->ptr[i] == 0x7F) b->ptr[i] = ' ';
    return st;
}

/* The events' distinct tags, in order of first use, at most 30. */
static chronicle_status default_keywords(pdf_doc *d, chronicle_buf *out)
{
    const chronicle_str *seen[30];
    size_t n_seen = 0, n = d->host->event_count(d->job);
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && n_seen < 30 && st == CHRONICLE_OK; i++) {
        const chronicle_event *e = d->host->event_at(d->job, i);
        for (size_t k = 0; k < e->n_tags && n_seen < 30 && st == CHRONICLE_OK; k++) {
            size_t j = 0;
            while (j < n_seen && strcmp(seen[j]->ptr, e->tags[k].ptr))
                j++;
            if (j < n_seen) continue;
            seen[n_seen++] = &e->tags[k];
            if (out->len) st = chronicle_buf_puts(out, ", ");
            if (st == CHRONICLE_OK) st = put_clipped(out, e->tags[k].ptr, e->tags[k].len, 200);
        }
    }
    return st;
}

static chronicle_status info_set(pdf_doc *d, HPDF_InfoType type, const char *s, size_t len)
{
    chronicle_buf v = CHRONICLE_BUF_INIT;
    chronicle_status st = put_clipped(&v, s, len, 2000);
    if (st == CHRONICLE_OK && v.len) HPDF_SetInfoAttr(d->doc, type, v.ptr);
    chronicle_buf_free(&v);
    return st == CHRONICLE_OK ? pdf_check(d, "setting the document information") : st;
}

/* The first of the values that is set: an option, then the report's
 * fields, then the last resort. */
static chronicle_str first_set(const char *opt, const chronicle_str *a, const chronicle_str *b,
                               const char *last)
{
    if (opt) return (chronicle_str){opt, strlen(opt)};
    if (a && a->len) return *a;
    if (b && b->len) return *b;
    return (chronicle_str){last, strlen(last)};
}

static chronicle_status doc_info(pdf_doc *d)
{
    const chronicle_dataset_info *ds = d->host->dataset(d->job);
    const chronicle_report *r = d->report;
    const char *keywords = d->host->opt_string(d->job, "keywords");
    chronicle_str author =
        first_set(d->host->opt_string(d->job, "author"), &r->author, NULL, "Chronicle");
    chronicle_str subject = first_set(d->host->opt_string(d->job, "subject"), &r->subtitle,
                                      &ds->description, pdf_label(d, "pdf.info.subject"));
    chronicle_buf b = CHRONICLE_BUF_INIT;
    uint32_t ymd;
    HPDF_Date date = timestamp_date(d, d->host->timestamp(d->job), &ymd);
    chronicle_status st = info_set(d, HPDF_INFO_TITLE, d->title.ptr, d->title.len);
    if (st == CHRONICLE_OK) st = info_set(d, HPDF_INFO_AUTHOR, author.ptr, author.len);
    if (st == CHRONICLE_OK) st = info_set(d, HPDF_INFO_SUBJECT, subject.ptr, subject.len);
    if (st == CHRONICLE_OK && !keywords && (st = default_keywords(d, &b)) == CHRONICLE_OK)
        keywords = chronicle_buf_cstr(&b);
    if (st == CHRONICLE_OK && keywords)
        st = info_set(d, HPDF_INFO_KEYWORDS, keywords, strlen(keywords));
    chronicle_buf_reset(&b);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_appendf(&b, "Chronicle %s (pdf plugin %s)", d->host->host_version,
                                   PDF_PLUGIN_VERSION);
    if (st == CHRONICLE_OK) st = info_set(d, HPDF_INFO_CREATOR, b.ptr, b.len);
    chronicle_buf_free(&b);
    if (st != CHRONICLE_OK) return st;
    HPDF_SetInfoDateAttr(d->doc, HPDF_INFO_CREATION_DATE, date);
    HPDF_SetInfoDateAttr(d->doc, HPDF_INFO_MOD_DATE, date);
    return pdf_check(d, "setting the document dates");
}

/* libharu saves through this writer, gathered into d->packed (free by now)
 * and passed on in 64 KiB writes: no copy of the whole file in libharu's
 * memory stream, and every write checked (a full disk or a closed pipe is
 * an error, never a short file). */
enum { OUT_CHUNK = 1 << 16 };

static chronicle_status save_write(pdf_doc *d, const void *ptr, size_t size)
{
    if (d->out_status != CHRONICLE_OK) return d->out_status;
    if (d->packed.len + size > OUT_CHUNK && d->packed.len) {
        d->out_status = d->host->write(d->job, d->packed.ptr, d->packed.len);
        chronicle_buf_reset(&d->packed);
    }
    if (d->out_status == CHRONICLE_OK) {
        if (size >= OUT_CHUNK)
            d->out_status = d->host->write(d->job, ptr, size);
        else
            d->out_status = chronicle_buf_append(&d->packed, ptr, size);
    }
    return d->out_status;
}

static chronicle_status stream_out(pdf_doc *d)
{
    chronicle_buf_reset(&d->packed);
    d->out_status = CHRONICLE_OK;
    HPDF_STATUS saved = pdf_hpdf_save(d, save_write);
    if (d->out_status == CHRONICLE_OK && d->packed.len)
        d->out_status = d->host->write(d->job, d->packed.ptr, d->packed.len);
    /* a failed write has been reported by the host; libharu's error is its echo */
    if (d->out_status != CHRONICLE_OK) return d->out_status;
    if (saved != HPDF_OK && !d->hpdf_code) d->hpdf_code = saved;
    return pdf_check(d, "saving the PDF");
}

static chronicle_status export_pdf(chronicle_job *job, const chronicle_host *host)
{
    pdf_doc d;
    memset(&d, 0, sizeof d);
    d.job = job;
    d.host = host;
    if (!pdf_words_available(host)) {
        host->error(
            job, CHRONICLE_ERR_UNSUPPORTED,
            "this host lends no wording services (plugin ABI 1.2); the briefing needs them");
        return CHRONICLE_ERR_UNSUPPORTED;
    }
    d.report = host->report(job);
    d.rtl = d.report->direction == CHRONICLE_RTL;
    uint32_t ymd;
    timestamp_date(&d, host->timestamp(job), &ymd);
    d.generated = ymd;
    chronicle_status st = doc_open(&d);
    if (st == CHRONICLE_OK) st = pdf_hpdf_spill_open(&d);
    if (st == CHRONICLE_OK) st = pdf_fonts_open(&d);
    if (st == CHRONICLE_OK) st = pdf_briefing_write(&d);
    if (st == CHRONICLE_OK) st = pdf_fonts_finish(&d);
    if (st == CHRONICLE_OK) st = doc_info(&d);
    if (st == CHRONICLE_OK && host->cancelled(job)) st = CHRONICLE_ERR_CANCELLED;
    if (st == CHRONICLE_OK) st = stream_out(&d);
    if (d.doc) HPDF_Free(d.doc);
    pdf_hpdf_spill_close();
    pdf_mem_release();
    pdf_fonts_free(&d.fonts);
    free(d.pages);
    chronicle_buf_free(&d.draw);
    libdeflate_free_compressor(d.deflater);
    chronicle_buf_free(&d.packed);
    pdf_lines_free(&d.lines);
    pdf_bidi_free(&d.bidi);
    pdf_flow_free(&d.flow);
    chronicle_buf_free(&d.title);
    return st;
}
