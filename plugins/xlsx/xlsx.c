/*
 * xlsx.c — the analyst workbook exporter (formats/workbook.md): descriptor,
 * options and the export flow.  Measure every data sheet, choose normal or
 * constant-memory mode, check free space, then write Summary and the data
 * sheets through libxlsxwriter into the host's temp file and check the zip
 * came out whole.  In constant-memory mode libxlsxwriter writes only the
 * frame (into the scratch directory) and zip.c makes the workbook from it
 * with the rows streamed in.  On any failure the workbook is discarded and
 * the host removes the temp file: nothing partial remains.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "xlsx_internal.h"

static const char *const memory_modes[] = {"auto", "true", "false", NULL};
static const char *const zip64_modes[] = {"auto", "always", NULL};
static const char *const page_sizes[] = {"a4", "letter", NULL};

/* clang-format off */
static const chronicle_option options[] = {
    {"constant-memory", CHRONICLE_OPT_ENUM, "auto",
     "rows streamed into the zip as they are made, no Excel tables (auto: above 50,000 rows)",
     memory_modes, 0, -1, {0}},
    {"sheet-rows", CHRONICLE_OPT_INT, "1048575",
     "data rows per sheet before continuing on 'Name (2)'", NULL, 10, XLSX_SHEET_ROWS, {0}},
    {"tables", CHRONICLE_OPT_BOOL, "true",
     "format data sheets as Excel tables (normal mode; else autofilters)", NULL, 0, -1, {0}},
    {"compression", CHRONICLE_OPT_INT, "1",
     "libdeflate level of the rows streamed in constant-memory mode: 1 fastest .. 12 smallest",
     NULL, 1, 12, {0}},
    {"zip64", CHRONICLE_OPT_ENUM, "auto",
     "ZIP64 headers for the data sheets (auto: past an estimated 3 GiB of sheet XML)",
     zip64_modes, 0, -1, {0}},
    {"page-size", CHRONICLE_OPT_ENUM, "a4", "paper size the sheets are set up to print on",
     page_sizes, 0, -1, {0}},
    {"author", CHRONICLE_OPT_STRING, NULL,
     "the Author document property (default: the report's author, else Chronicle)", NULL, 0, -1,
     {0}},
    {"company", CHRONICLE_OPT_STRING, NULL,
     "the Company document property (default: the report's organization)", NULL, 0, -1, {0}},
    {0}};
/* clang-format on */

static chronicle_status export_xlsx(chronicle_job *job, const chronicle_host *host);

static const chronicle_plugin plugin = {
    .struct_size = sizeof plugin,
    .abi_version = CHRONICLE_ABI(1, 2), /* the report and its wording services */
    .name = "xlsx",
    .version = XLSX_PLUGIN_VERSION,
    .summary = "Analyst workbook: one sheet per entity, real dates, filters, a summary chart",
    .extension = "xlsx",
    .media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    .flags = CHRONICLE_PLUGIN_NEEDS_PATH | CHRONICLE_PLUGIN_ONE_EVENT,
    .options = options,
    .export_dataset = export_xlsx,
};
CHRONICLE_PLUGIN_DEFINE(plugin)

/* ---- mode and space ---- */

static void choose_mode(xlsx_ctx *x, size_t rows, uint64_t xml_total)
{
    const char *mode = x->host->opt_string(x->job, "constant-memory");
    if (mode && !strcmp(mode, "true"))
        x->constant_memory = 1;
    else if (mode && !strcmp(mode, "false"))
        x->constant_memory = 0;
    else
        x->constant_memory = rows > XLSX_AUTO_CONSTANT;
    x->host->log(x->job, CHRONICLE_LOG_INFO, "%zu rows, about %.0f MB of sheet XML: %s", rows,
                 (double)xml_total / 1e6,
                 x->constant_memory ? "constant-memory mode, autofilters instead of tables"
                                    : "normal mode");
}

/* libxlsxwriter's temp files and the workbook share the destination's
 * filesystem; a full disk there gives a corrupt workbook that workbook_close
 * reports as written, so refuse early.  In normal mode closing copies one
 * sheet at a time into a temp file before zipping it; in constant-memory
 * mode the rows go straight into the zip.  The zip takes at most a third. */
static chronicle_status check_space(xlsx_ctx *x, uint64_t xml_total, uint64_t xml_largest)
{
    const char *scratch = x->host->scratch_dir(x->job);
    struct statvfs fs;
    if (!scratch || statvfs(scratch, &fs) != 0) return CHRONICLE_OK; /* cannot tell: writes will */
    uint64_t avail = (uint64_t)fs.f_bavail * fs.f_frsize;
    uint64_t need = (x->constant_memory ? 0 : xml_largest) + xml_total / 3 + (1u << 20);
    if (need <= avail) return CHRONICLE_OK;
    /* the scratch dir sits beside the output, on its file system */
    x->status = CHRONICLE_ERR_IO;
    x->host->error(x->job, x->status,
                   "not enough free space for the workbook in %s: about %.0f MB needed, "
                   "%.0f MB free",
                   scratch, (double)need / 1e6, (double)avail / 1e6);
    return x->status;
}

/* ---- the workbook ---- */

static lxw_format *new_format(xlsx_ctx *x, int bold, int wrap, const char *num_format)
{
    lxw_format *f = workbook_add_format(x->wb);
    if (!f) return NULL;
    if (bold) format_set_bold(f);
    if (wrap) format_set_text_wrap(f);
    if (num_format) format_set_num_format(f, num_format);
    return f;
}

/* A format aligned horizontally (h, 0: as the value) and vertically (v). */
static lxw_format *aligned(lxw_format *f, uint8_t h, uint8_t v)
{
    if (f && h) format_set_align(f, h);
    if (f && v) format_set_align(f, v);
    return f;
}

static chronicle_status add_formats(xlsx_ctx *x)
{
    xlsx_formats *f = &x->fmt;
    /* plain text and numbers keep the default style (NULL): libxlsxwriter
     * 1.1.4 hashes a cell's format each time it writes the cell */
    f->text = NULL;
    f->number = NULL;
    f->wrap = new_format(x, 0, 1, NULL);
    f->wrap_top = aligned(new_format(x, 0, 1, NULL), 0, LXW_ALIGN_VERTICAL_TOP);
    f->date = new_format(x, 0, 0, "yyyy-mm-dd");
    f->date_text = aligned(new_format(x, 0, 0, NULL), LXW_ALIGN_RIGHT, 0);
    f->url = new_format(x, 0, 0, NULL);
    f->url_wrap = new_format(x, 0, 1, NULL);
    /* the Summary's rows hold wrapped text beside single lines: all from the top */
    f->label = aligned(new_format(x, 1, 0, NULL), 0, LXW_ALIGN_VERTICAL_TOP);
    f->datetime = aligned(new_format(x, 0, 0, "yyyy-mm-dd hh:mm:ss"), 0, LXW_ALIGN_VERTICAL_TOP);
    f->title = aligned(new_format(x, 1, 1, NULL), 0, LXW_ALIGN_VERTICAL_TOP);
    f->header = new_format(x, 1, 0, NULL);
    f->s_text = aligned(new_format(x, 0, 1, NULL), 0, LXW_ALIGN_VERTICAL_TOP);
    f->s_value = aligned(new_format(x, 0, 1, NULL), LXW_ALIGN_RIGHT, LXW_ALIGN_VERTICAL_TOP);
    f->s_key = aligned(new_format(x, 0, 1, NULL), LXW_ALIGN_LEFT, LXW_ALIGN_VERTICAL_TOP);
    f->s_code = aligned(new_format(x, 0, 0, NULL), LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_TOP);
    f->s_date = aligned(new_format(x, 0, 0, "yyyy-mm-dd"), 0, LXW_ALIGN_VERTICAL_TOP);
    f->s_number = aligned(new_format(x, 0, 0, NULL), 0, LXW_ALIGN_VERTICAL_TOP);
    f->marking = aligned(new_format(x, 1, 1, NULL), LXW_ALIGN_CENTER, LXW_ALIGN_VERTICAL_TOP);
    f->subtitle = aligned(new_format(x, 0, 1, NULL), 0, LXW_ALIGN_VERTICAL_TOP);
    if (!f->wrap || !f->wrap_top || !f->date || !f->date_text || !f->url || !f->url_wrap ||
        !f->label || !f->datetime || !f->title || !f->header || !f->s_text || !f->s_value ||
        !f->s_key || !f->s_code || !f->s_date || !f->s_number || !f->marking || !f->subtitle)
        return xlsx_fail(x, x->summary_name, 0, 0, "adding cell formats",
                         LXW_ERROR_MEMORY_MALLOC_FAILED);
    format_set_underline(f->url, LXW_UNDERLINE_SINGLE);
    format_set_font_color(f->url, 0x0563C1);
    format_set_underline(f->url_wrap, LXW_UNDERLINE_SINGLE);
    format_set_font_color(f->url_wrap, 0x0563C1);
    format_set_font_size(f->title, 14);
    format_set_font_size(f->marking, 12);
    format_set_font_color(f->marking, 0xC00000); /* dark red: a handling banner stands out */
    format_set_font_size(f->subtitle, 12);
    format_set_bg_color(f->header, 0xDCE6F1);
    format_set_bottom(f->header, LXW_BORDER_THIN);
    return CHRONICLE_OK;
}

/* True when the report narrows the dataset: dates, countries or tags. */
static int selects(const chronicle_report *r)
{
    return r->since_ymd || r->until_ymd || r->n_countries || r->n_tags;
}

/* "Analyst workbook: 4 events, 26 Feb 2019 – 26 Feb 2024"; when the report
 * selects, its selection in words in place of the count. */
static chronicle_status word_subject(xlsx_ctx *x, chronicle_buf *subject)
{
    const chronicle_summary *sm = x->host->summary(x->job);
    chronicle_buf what = CHRONICLE_BUF_INIT, period = CHRONICLE_BUF_INIT;
    chronicle_status st = selects(x->report)
                              ? xlsx_words_selection(x, &what)
                              : xlsx_words_count(x, &what, sm->n_events, "count.event");
    if (st == CHRONICLE_OK)
        st = xlsx_words_period(x, &period, sm->first_date_ymd, sm->last_date_ymd);
    const char *args[] = {chronicle_buf_cstr(&what), chronicle_buf_cstr(&period)};
    if (st == CHRONICLE_OK) st = xlsx_words_message(x, subject, "xlsx.property.subject", args, 2);
    chronicle_buf_free(&what);
    chronicle_buf_free(&period);
    return st;
}

/* The report's title, subject, author (xlsx.author, else the report's,
 * else "Chronicle"), company (xlsx.company, else the report's
 * organization), the language; created from the host timestamp, so the
 * same input and SOURCE_DATE_EPOCH give the same bytes. */
static chronicle_status set_properties(xlsx_ctx *x)
{
    const chronicle_report *r = x->report;
    chronicle_buf subject = CHRONICLE_BUF_INIT;
    chronicle_status st = word_subject(x, &subject);
    const char *author = x->host->opt_string(x->job, "author");
    const char *company = x->host->opt_string(x->job, "company");
    if (!author) author = r->author.len ? r->author.ptr : "Chronicle";
    if (!company && r->organization.len) company = r->organization.ptr;
    lxw_doc_properties props = {
        .title = x->title,
        .subject = (char *)chronicle_buf_cstr(&subject),
        .author = (char *)author,
        .company = (char *)company,
        .comments = (char *)xlsx_label(x, "xlsx.property.comments"),
        .created = (time_t)x->host->timestamp(x->job),
    };
    lxw_error err = st == CHRONICLE_OK ? workbook_set_properties(x->wb, &props)
                                       : LXW_ERROR_MEMORY_MALLOC_FAILED;
    chronicle_buf_free(&subject);
    if (!err) return CHRONICLE_OK;
    x->status = xlsx_status_of(err);
    x->host->error(x->job, x->status, "setting the document properties failed: %s",
                   lxw_strerror(err));
    return x->status;
}

static chronicle_status open_workbook(xlsx_ctx *x, const char *path)
{
    lxw_workbook_options opt = {
        .constant_memory = x->constant_memory ? LXW_TRUE : LXW_FALSE,
        .tmpdir = (char *)x->host->scratch_dir(x->job),
        /* entries or archives past 4 GiB need zip64, which Excel 2007 cannot
         * read; in constant-memory mode this workbook is only the frame */
        .use_zip64 = x->zip64 && !x->constant_memory ? LXW_TRUE : LXW_FALSE,
    };
    if (!(x->wb = workbook_new_opt(path, &opt))) {
        x->status = CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "cannot create the workbook: out of memory");
        return x->status;
    }
    if (add_formats(x) != CHRONICLE_OK) return x->status;
    return set_properties(x);
}

/* Without writing anything: a failed export leaves no workbook behind. */
static void discard_workbook(lxw_workbook *wb)
{
    lxw_worksheet *ws;
    STAILQ_FOREACH(ws, wb->worksheets, list_pointers)
    {
        if (ws->optimize_tmpfile) fclose(ws->optimize_tmpfile); /* not closed by _free */
        ws->optimize_tmpfile = NULL;
        ws->file = NULL;
    }
    lxw_workbook_free(wb);
}

/* A zip ends with its end-of-central-directory record (libxlsxwriter writes
 * no archive comment); a truncated file does not. */
static int zip_complete(const char *path)
{
    unsigned char tail[22];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return 0;
    off_t end = lseek(fd, 0, SEEK_END);
    int ok = end >= (off_t)sizeof tail &&
             pread(fd, tail, sizeof tail, end - (off_t)sizeof tail) == (ssize_t)sizeof tail &&
             !memcmp(tail, "PK\x05\x06", 4);
    close(fd);
    return ok;
}

static chronicle_status close_workbook(xlsx_ctx *x, const char *path)
{
    errno = 0;
    lxw_error err = workbook_close(x->wb);
    int sys = errno; /* a failed write or close in the zip leaves its reason here */
    x->wb = NULL;
    if (err) {
        x->status = xlsx_status_of(err);
        if (x->status == CHRONICLE_ERR_IO && sys)
            x->host->error(x->job, x->status, "writing the workbook failed: %s (libxlsxwriter: %s)",
                           strerror(sys), lxw_strerror(err));
        else
            x->host->error(x->job, x->status, "writing the workbook failed: %s", lxw_strerror(err));
    } else if (!zip_complete(path)) {
        x->status = CHRONICLE_ERR_IO;
        x->host->error(x->job, x->status,
                       "the workbook came out incomplete (no zip directory at its end): "
                       "is the disk full?");
    }
    return x->status;
}

/* ---- the export ---- */

static void report_limits(xlsx_ctx *x)
{
    if (x->n_truncated)
        x->host->log(x->job, CHRONICLE_LOG_WARN,
                     "%zu cell%s longer than 32,767 characters truncated (Excel's limit), "
                     "ending in \xE2\x80\xA6; first: %s",
                     x->n_truncated, x->n_truncated == 1 ? "" : "s", x->first_truncated);
    if (x->n_plain_urls)
        x->host->log(x->job, CHRONICLE_LOG_WARN,
                     "%zu URL%s written as plain text: longer than 2,079 characters or past "
                     "65,530 hyperlinks in a sheet (Excel's limits)",
                     x->n_plain_urls, x->n_plain_urls == 1 ? "" : "s");
    if (x->n_rounded)
        x->host->log(x->job, CHRONICLE_LOG_WARN,
                     "%zu number%s rounded to 16 significant digits (libxlsxwriter's precision)",
                     x->n_rounded, x->n_rounded == 1 ? "" : "s");
    if (x->n_too_tall)
        x->host->log(x->job, CHRONICLE_LOG_WARN,
                     "%zu cell%s with more lines than a row shows (409 pt, Excel's tallest): "
                     "shown from the top, the rest only in the cell itself; first: %s",
                     x->n_too_tall, x->n_too_tall == 1 ? "" : "s", x->first_too_tall);
}

/* A sheet whose rows can be streamed: all but a Sources sheet whose links
 * libxlsxwriter would treat as other than web links (cells.c writes those
 * as it writes an http one). */
static int streamable(const xlsx_sheet *s)
{
    for (unsigned c = 0; c < s->n_cols; c++)
        if (s->cols[c].kind == XLSX_URL) return xlsx_sources_links_plain(s->x);
    return 1;
}

/* Constant memory: libxlsxwriter writes the workbook with the streamable
 * sheets' header rows only, into the scratch directory; zip.c copies it to
 * path and streams their rows in. */
static chronicle_status write_streamed(xlsx_ctx *x, xlsx_sheet *sheets, const char *path)
{
    chronicle_buf frame = CHRONICLE_BUF_INIT;
    if (chronicle_buf_appendf(&frame, "%s/frame.xlsx", x->host->scratch_dir(x->job)) !=
        CHRONICLE_OK) {
        x->status = CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "out of memory");
        return x->status;
    }
    const char *fp = chronicle_buf_cstr(&frame);
    if (open_workbook(x, fp) == CHRONICLE_OK && xlsx_summary_write(x) == CHRONICLE_OK) {
        for (size_t i = 0; i < XLSX_N_DATA_SHEETS && x->status == CHRONICLE_OK; i++) {
            sheets[i].own = streamable(&sheets[i]);
            if (sheets[i].own)
                xlsx_sheet_frame(&sheets[i]);
            else
                xlsx_sheet_write(&sheets[i]);
        }
    }
    if (x->status == CHRONICLE_OK && close_workbook(x, fp) == CHRONICLE_OK &&
        xlsx_zip_open(x, fp, path, &x->zip) == CHRONICLE_OK) {
        for (size_t i = 0; i < XLSX_N_DATA_SHEETS && x->status == CHRONICLE_OK; i++)
            if (sheets[i].own) xlsx_sheet_stream(&sheets[i]);
    }
    chronicle_status st = xlsx_zip_close(x->zip);
    x->zip = NULL;
    if (x->status == CHRONICLE_OK) x->status = st;
    unlink(fp);
    chronicle_buf_free(&frame);
    return x->status;
}

static chronicle_status write_all(xlsx_ctx *x, xlsx_sheet *sheets, const char *path)
{
    uint64_t xml_total = 0, xml_largest = 0;
    size_t rows = 0;
    if (xlsx_measure_sheets(x, sheets) != CHRONICLE_OK) return x->status;
    for (size_t i = 0; i < XLSX_N_DATA_SHEETS; i++) {
        xml_total += sheets[i].xml_bytes;
        if (sheets[i].xml_bytes > xml_largest) xml_largest = sheets[i].xml_bytes;
        rows += sheets[i].n_rows;
    }
    choose_mode(x, rows, xml_total);
    const char *zip64 = x->host->opt_string(x->job, "zip64");
    x->zip64 = (zip64 && !strcmp(zip64, "always")) || xml_total > ((uint64_t)3 << 30);
    if (check_space(x, xml_total, xml_largest) != CHRONICLE_OK) return x->status;
    if (x->constant_memory) return write_streamed(x, sheets, path);
    if (open_workbook(x, path) != CHRONICLE_OK) return x->status;
    if (xlsx_summary_write(x) != CHRONICLE_OK) return x->status;
    for (size_t i = 0; i < XLSX_N_DATA_SHEETS; i++)
        if (xlsx_sheet_write(&sheets[i]) != CHRONICLE_OK) return x->status;
    return close_workbook(x, path);
}

/* The report's title, " — GROUP" for a split job: the Summary's first
 * words, the page header's and the Title property's. */
static chronicle_status word_title(xlsx_ctx *x)
{
    const char *group = x->host->group(x->job);
    chronicle_str t = x->report->title;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_status st = chronicle_buf_append(&b, t.ptr ? t.ptr : "", t.len);
    if (st == CHRONICLE_OK && group) st = chronicle_buf_appendf(&b, " \xE2\x80\x94 %s", group);
    if (st == CHRONICLE_OK && (x->title = chronicle_buf_steal(&b))) return CHRONICLE_OK;
    chronicle_buf_free(&b);
    x->status = CHRONICLE_ERR_NOMEM;
    x->host->error(x->job, x->status, "out of memory wording the title");
    return x->status;
}

static chronicle_status export_xlsx(chronicle_job *job, const chronicle_host *host)
{
    xlsx_ctx x = {.job = job, .host = host};
    xlsx_sheet sheets[XLSX_N_DATA_SHEETS];
    if (!xlsx_words_available(host) || !(x.report = host->report(job))) {
        host->error(job, CHRONICLE_ERR_UNSUPPORTED,
                    "this host lends no report or wording services (plugin ABI 1.2)");
        return CHRONICLE_ERR_UNSUPPORTED;
    }
    const char *path = host->output_path(job);
    if (!path) {
        host->error(job, CHRONICLE_ERR_OPTION,
                    "cannot write to standard output (a workbook needs a seekable file); "
                    "use -o FILE");
        return CHRONICLE_ERR_OPTION;
    }
    x.sheet_rows = (size_t)host->opt_int(job, "sheet-rows");
    if (x.sheet_rows < 1 || x.sheet_rows > XLSX_SHEET_ROWS) x.sheet_rows = XLSX_SHEET_ROWS;
    x.tables = host->opt_bool(job, "tables");
    x.zip_level = (int)host->opt_int(job, "compression");
    const char *paper = host->opt_string(job, "page-size");
    x.paper = paper && !strcmp(paper, "letter") ? 1 : 9;
    /* progress: every event, five item sheets, measured then written */
    x.total = (uint64_t)host->event_count(job) * 10;
    xlsx_data_sheets(&x, sheets); /* names the sheets, the Summary too */
    if (word_title(&x) == CHRONICLE_OK && xlsx_sources_index(&x) == CHRONICLE_OK &&
        xlsx_print_prepare(&x) == CHRONICLE_OK) {
        if (write_all(&x, sheets, path) == CHRONICLE_OK) {
            host->progress(job, x.total, x.total);
            report_limits(&x);
        }
    }
    if (x.wb) discard_workbook(x.wb);
    xlsx_sources_free(&x.src);
    chronicle_buf_free(&x.buf);
    chronicle_buf_free(&x.cut);
    chronicle_buf_free(&x.xml);
    chronicle_buf_free(&x.cells);
    free(x.page_header);
    free(x.page_footer);
    free(x.title);
    free(x.ids);
    return x.status;
}
