/*
 * fonts.c — the briefing's fonts: finding the TrueType files, reading their
 * cmap (formats 4 and 12) to know which characters each one has, choosing
 * the face per character (main, then the CJK fallback, then the Noto font
 * of the character's script, read and embedded only when a character needs
 * it, then a visible U+FFFD), the coverage report (what no font has, by
 * script and where in the data), and replacing the /ToUnicode CMap libharu
 * 2.3.0 writes (an invalid begincidrange) with a correct bfchar/bfrange map
 * that gives Arabic presentation forms back as their letters.
 * Invariant: a character is only ever drawn with a face whose cmap has it.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chronicle/utf8.h"
#include "hpdf_private.h"
#include "pdf_internal.h"
#include "unshape_table.h"

#define BMP_BITS 8192 /* bytes in a bitmap of the 65,536 BMP code points */

/* Where fonts live when the build-time path has gone (Debian, Fedora, Arch, BSD). */
static const char *const font_dirs[] = {"/usr/share/fonts/truetype/dejavu",
                                        "/usr/share/fonts/dejavu",
                                        "/usr/share/fonts/dejavu-sans-fonts",
                                        "/usr/share/fonts/TTF",
                                        "/usr/local/share/fonts/dejavu",
                                        "/usr/local/share/fonts",
                                        NULL};
static const char *const fallback_paths[] = {
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/google-droid-sans-fonts/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/TTF/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/droid/DroidSansFallback.ttf", NULL};

/* glyph cache entry: known bit, how the character is drawn, face, width */
#define G_KNOWN 0x80000000u
#define G_KIND_SHIFT 24
#define G_FACE_SHIFT 16
enum { KIND_SELF, KIND_SPACE, KIND_MISSING };

static int bit_get(const uint8_t *map, uint32_t cp)
{
    return map[cp >> 3] >> (cp & 7) & 1;
}

static void bit_set(uint8_t *map, uint32_t cp)
{
    map[cp >> 3] |= (uint8_t)(1u << (cp & 7));
}
/* ---- scripts: the blocks of Unicode, named for the coverage report, with
 * the Noto families (fonts-noto-core: NotoSans<family>-Regular.ttf) that
 * may draw them, tried in order.  Sorted; gaps are "other characters". ---- */

typedef struct script_block {
    uint32_t first, last;
    const char *script;
    const char *noto; /* space-separated families, or NULL */
} script_block;

static const script_block blocks[] = {
    {0x0000, 0x02FF, "Latin", NULL},
    {0x0300, 0x036F, "combining marks", NULL},
    {0x0370, 0x03FF, "Greek", NULL},
    {0x0400, 0x052F, "Cyrillic", NULL},
    {0x0530, 0x058F, "Armenian", "Armenian"},
    {0x0590, 0x05FF, "Hebrew", "Hebrew"},
    {0x0600, 0x06FF, "Arabic", "Arabic"},
    {0x0700, 0x074F, "Syriac", "Syriac"},
    {0x0750, 0x077F, "Arabic", "Arabic"},
    {0x0780, 0x07BF, "Thaana", "Thaana"},
    {0x07C0, 0x07FF, "N'Ko", "NKo"},
    {0x0800, 0x083F, "Samaritan", "Samaritan"},
    {0x0840, 0x085F, "Mandaic", "Mandaic"},
    {0x0860, 0x086F, "Syriac", "Syriac"},
    {0x08A0, 0x08FF, "Arabic", "Arabic"},
    {0x0900, 0x097F, "Devanagari", "Devanagari"},
    {0x0980, 0x09FF, "Bengali", "Bengali"},
    {0x0A00, 0x0A7F, "Gurmukhi", "Gurmukhi"},
    {0x0A80, 0x0AFF, "Gujarati", "Gujarati"},
    {0x0B00, 0x0B7F, "Oriya", "Oriya"},
    {0x0B80, 0x0BFF, "Tamil", "Tamil"},
    {0x0C00, 0x0C7F, "Telugu", "Telugu"},
    {0x0C80, 0x0CFF, "Kannada", "Kannada"},
    {0x0D00, 0x0D7F, "Malayalam", "Malayalam"},
    {0x0D80, 0x0DFF, "Sinhala", "Sinhala"},
    {0x0E00, 0x0E7F, "Thai", "Thai"},
    {0x0E80, 0x0EFF, "Lao", "Lao"},
    {0x0F00, 0x0FFF, "Tibetan", NULL},
    {0x1000, 0x109F, "Myanmar", "Myanmar"},
    {0x10A0, 0x10FF, "Georgian", "Georgian"},
    {0x1100, 0x11FF, "Hangul", NULL},
    {0x1200, 0x139F, "Ethiopic", "Ethiopic"},
    {0x13A0, 0x13FF, "Cherokee", "Cherokee"},
    {0x1400, 0x167F, "Canadian Aboriginal", "CanadianAboriginal"},
    {0x1680, 0x169F, "Ogham", "Ogham"},
    {0x16A0, 0x16FF, "Runic", "Runic"},
    {0x1700, 0x171F, "Tagalog", "Tagalog"},
    {0x1720, 0x173F, "Hanunoo", "Hanunoo"},
    {0x1740, 0x175F, "Buhid", "Buhid"},
    {0x1760, 0x177F, "Tagbanwa", "Tagbanwa"},
    {0x1780, 0x17FF, "Khmer", "Khmer"},
    {0x1800, 0x18AF, "Mongolian", "Mongolian"},
    {0x18B0, 0x18FF, "Canadian Aboriginal", "CanadianAboriginal"},
    {0x1900, 0x194F, "Limbu", "Limbu"},
    {0x1950, 0x197F, "Tai Le", "TaiLe"},
    {0x1980, 0x19DF, "New Tai Lue", "NewTaiLue"},
    {0x19E0, 0x19FF, "Khmer", "Khmer"},
    {0x1A00, 0x1A1F, "Buginese", "Buginese"},
    {0x1A20, 0x1AAF, "Tai Tham", "TaiTham"},
    {0x1AB0, 0x1AFF, "combining marks", NULL},
    {0x1B00, 0x1B7F, "Balinese", "Balinese"},
    {0x1B80, 0x1BBF, "Sundanese", "Sundanese"},
    {0x1BC0, 0x1BFF, "Batak", "Batak"},
    {0x1C00, 0x1C4F, "Lepcha", "Lepcha"},
    {0x1C50, 0x1C7F, "Ol Chiki", "OlChiki"},
    {0x1C80, 0x1C8F, "Cyrillic", NULL},
    {0x1C90, 0x1CBF, "Georgian", "Georgian"},
    {0x1CC0, 0x1CCF, "Sundanese", "Sundanese"},
    {0x1CD0, 0x1CFF, "Devanagari", "Devanagari"},
    {0x1D00, 0x1DBF, "Latin", NULL},
    {0x1DC0, 0x1DFF, "combining marks", NULL},
    {0x1E00, 0x1EFF, "Latin", NULL},
    {0x1F00, 0x1FFF, "Greek", NULL},
    {0x2000, 0x2BFF, "symbols and punctuation", "Symbols Symbols2 Math"},
    {0x2C00, 0x2C5F, "Glagolitic", "Glagolitic"},
    {0x2C60, 0x2C7F, "Latin", NULL},
    {0x2C80, 0x2CFF, "Coptic", "Coptic"},
    {0x2D00, 0x2D2F, "Georgian", "Georgian"},
    {0x2D30, 0x2D7F, "Tifinagh", "Tifinagh"},
    {0x2D80, 0x2DDF, "Ethiopic", "Ethiopic"},
    {0x2DE0, 0x2DFF, "Cyrillic", NULL},
    {0x2E00, 0x2E7F, "symbols and punctuation", "Symbols2"},
    {0x2E80, 0x312F, "Chinese, Japanese and Korean", NULL},
    {0x3130, 0x318F, "Hangul", NULL},
    {0x3190, 0x9FFF, "Chinese, Japanese and Korean", NULL},
    {0xA000, 0xA4CF, "Yi", "Yi"},
    {0xA4D0, 0xA4FF, "Lisu", "Lisu"},
    {0xA500, 0xA63F, "Vai", "Vai"},
    {0xA640, 0xA69F, "Cyrillic", NULL},
    {0xA6A0, 0xA6FF, "Bamum", "Bamum"},
    {0xA700, 0xA7FF, "Latin", NULL},
    {0xA800, 0xA82F, "Syloti Nagri", "SylotiNagri"},
    {0xA830, 0xA83F, "Indic number forms", "IndicSiyaqNumbers"},
    {0xA840, 0xA87F, "Phags-pa", "PhagsPa"},
    {0xA880, 0xA8DF, "Saurashtra", "Saurashtra"},
    {0xA8E0, 0xA8FF, "Devanagari", "Devanagari"},
    {0xA900, 0xA92F, "Kayah Li", "KayahLi"},
    {0xA930, 0xA95F, "Rejang", "Rejang"},
    {0xA960, 0xA97F, "Hangul", NULL},
    {0xA980, 0xA9DF, "Javanese", "Javanese"},
    {0xA9E0, 0xA9FF, "Myanmar", "Myanmar"},
    {0xAA00, 0xAA5F, "Cham", "Cham"},
    {0xAA60, 0xAA7F, "Myanmar", "Myanmar"},
    {0xAA80, 0xAADF, "Tai Viet", "TaiViet"},
    {0xAAE0, 0xAAFF, "Meetei Mayek", "MeeteiMayek"},
    {0xAB00, 0xAB2F, "Ethiopic", "Ethiopic"},
    {0xAB30, 0xAB6F, "Latin", NULL},
    {0xAB70, 0xABBF, "Cherokee", "Cherokee"},
    {0xABC0, 0xABFF, "Meetei Mayek", "MeeteiMayek"},
    {0xAC00, 0xD7FF, "Hangul", NULL},
    {0xE000, 0xF8FF, "private use", NULL},
    {0xF900, 0xFAFF, "Chinese, Japanese and Korean", NULL},
    {0xFB00, 0xFB12, "Latin", NULL},
    {0xFB13, 0xFB1C, "Armenian", "Armenian"},
    {0xFB1D, 0xFB4F, "Hebrew", "Hebrew"},
    {0xFB50, 0xFDFF, "Arabic", "Arabic"},
    {0xFE00, 0xFE0F, "variation selectors", NULL},
    {0xFE10, 0xFE6F, "symbols and punctuation", NULL},
    {0xFE70, 0xFEFF, "Arabic", "Arabic"},
    {0xFF00, 0xFFEF, "Chinese, Japanese and Korean", NULL},
    {0xFFF0, 0xFFFF, "specials", NULL},
    {0x10000, 0x100FF, "Linear B", NULL},
    {0x10100, 0x1013F, "Aegean numbers", NULL},
    {0x10280, 0x1029F, "Lycian", NULL},
    {0x102A0, 0x102DF, "Carian", NULL},
    {0x10300, 0x1032F, "Old Italic", NULL},
    {0x10330, 0x1034F, "Gothic", NULL},
    {0x10380, 0x1039F, "Ugaritic", NULL},
    {0x103A0, 0x103DF, "Old Persian", NULL},
    {0x10400, 0x1044F, "Deseret", NULL},
    {0x10450, 0x1047F, "Shavian", NULL},
    {0x10480, 0x104AF, "Osmanya", NULL},
    {0x10600, 0x1077F, "Linear A", NULL},
    {0x10800, 0x1083F, "Cypriot", NULL},
    {0x10900, 0x1091F, "Phoenician", NULL},
    {0x10A00, 0x10A5F, "Kharoshthi", NULL},
    {0x11000, 0x1107F, "Brahmi", NULL},
    {0x12000, 0x1254F, "Cuneiform", NULL},
    {0x13000, 0x1345F, "Egyptian hieroglyphs", NULL},
    {0x14400, 0x1467F, "Anatolian hieroglyphs", NULL},
    {0x1D400, 0x1D7FF, "mathematical letters", NULL},
    {0x1F000, 0x1FAFF, "emoji and pictographs", NULL},
    {0x20000, 0x3FFFF, "Chinese, Japanese and Korean", NULL},
    {0xE0000, 0xE007F, "tags", NULL},
    {0xE0100, 0xE01EF, "variation selectors", NULL},
};
#define N_BLOCKS (sizeof blocks / sizeof blocks[0])

/* The block of cp, or N_BLOCKS when it is in none of them. */
static size_t block_of(uint32_t cp)
{
    size_t lo = 0, hi = N_BLOCKS;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (cp < blocks[mid].first)
            hi = mid;
        else if (cp > blocks[mid].last)
            lo = mid + 1;
        else
            return mid;
    }
    return N_BLOCKS;
}

/* ---- reading the cmap ---- */

typedef struct ttf {
    const uint8_t *p;
    size_t len;
} ttf;

static int rd16(const ttf *t, size_t off, uint32_t *v)
{
    if (off > t->len || t->len - off < 2) return 0;
    *v = (uint32_t)t->p[off] << 8 | t->p[off + 1];
    return 1;
}

static int rd32(const ttf *t, size_t off, uint32_t *v)
{
    if (off > t->len || t->len - off < 4) return 0;
    *v = (uint32_t)t->p[off] << 24 | (uint32_t)t->p[off + 1] << 16 | (uint32_t)t->p[off + 2] << 8 |
         t->p[off + 3];
    return 1;
}

static int cmap_format4(const ttf *t, size_t sub, uint8_t *cover)
{
    uint32_t seg2;
    if (!rd16(t, sub + 6, &seg2) || seg2 == 0 || seg2 % 2) return 0;
    size_t ends = sub + 14, starts = ends + seg2 + 2, deltas = starts + seg2,
           ranges = deltas + seg2;
    for (size_t i = 0; i < seg2 / 2; i++) {
        uint32_t end, start, delta, range;
        if (!rd16(t, ends + 2 * i, &end) || !rd16(t, starts + 2 * i, &start) ||
            !rd16(t, deltas + 2 * i, &delta) || !rd16(t, ranges + 2 * i, &range))
            return 0;
        for (uint32_t c = start; c <= end && c < 0xFFFF; c++) {
            uint32_t gid = 0;
            if (!range) {
                gid = (c + delta) & 0xFFFF;
            } else if (rd16(t, ranges + 2 * i + range + 2 * (c - start), &gid) && gid) {
                gid = (gid + delta) & 0xFFFF;
            }
            if (gid) bit_set(cover, c);
        }
    }
    return 1;
}

static int cmap_format12(const ttf *t, size_t sub, uint8_t *cover)
{
    uint32_t n;
    if (!rd32(t, sub + 12, &n)) return 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t start, end, gid;
        size_t g = sub + 16 + (size_t)i * 12;
        if (!rd32(t, g, &start) || !rd32(t, g + 4, &end) || !rd32(t, g + 8, &gid)) return 0;
        for (uint32_t c = start; c <= end && c <= 0xFFFF; c++)
            if (gid + (c - start)) bit_set(cover, c);
    }
    return 1;
}

/* Fills cover from the best Unicode subtable: (3,1) or (0,x) format 4 — the
 * one libharu itself uses — else format 12.  Returns an error text or NULL. */
static const char *cmap_read(const ttf *t, uint8_t *cover)
{
    uint32_t tag, n_tables, cmap = 0, n_sub;
    if (!rd32(t, 0, &tag)) return "the file is too short";
    if (tag == 0x74746366) return "font collections (.ttc) are not supported";
    if (tag == 0x4F54544F)
        return "CFF-based OpenType fonts are not supported; use a TrueType (.ttf) font";
    if (tag != 0x00010000 && tag != 0x74727565) return "not a TrueType font";
    if (!rd16(t, 4, &n_tables)) return "not a TrueType font";
    for (uint32_t i = 0; i < n_tables && !cmap; i++) {
        uint32_t name, off;
        if (!rd32(t, 12 + 16 * (size_t)i, &name) || !rd32(t, 12 + 16 * (size_t)i + 8, &off))
            return "truncated table directory";
        if (name == 0x636D6170) cmap = off;
    }
    if (!cmap || !rd16(t, cmap + 2, &n_sub)) return "no cmap table";
    size_t best4 = 0, best12 = 0;
    for (uint32_t i = 0; i < n_sub; i++) {
        uint32_t plat, enc, off, fmt;
        size_t rec = cmap + 4 + 8 * (size_t)i;
        if (!rd16(t, rec, &plat) || !rd16(t, rec + 2, &enc) || !rd32(t, rec + 4, &off) ||
            !rd16(t, cmap + off, &fmt))
            return "truncated cmap table";
        int unicode = plat == 0 || (plat == 3 && (enc == 1 || enc == 10));
        if (unicode && fmt == 4 && (!best4 || (plat == 3 && enc == 1))) best4 = cmap + off;
        if (unicode && fmt == 12 && !best12) best12 = cmap + off;
    }
    if (best4 && cmap_format4(t, best4, cover)) return NULL;
    if (best12 && cmap_format12(t, best12, cover)) return NULL;
    return "no usable Unicode cmap (format 4 or 12)";
}

/* A font that cannot be used: an error, or for a script font (found, not
 * chosen by the person running the export) a warning, and its characters
 * are missing. */
static chronicle_status face_refuse(pdf_doc *d, int soft, chronicle_status st, const char *fmt,
                                    const char *path, const char *why)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    if (chronicle_buf_appendf(&b, fmt, path, why) != CHRONICLE_OK) return CHRONICLE_ERR_NOMEM;
    if (soft)
        d->host->log(d->job, CHRONICLE_LOG_WARN, "%s; its characters are shown as U+FFFD", b.ptr);
    else
        d->host->error(d->job, st, "%s", b.ptr);
    chronicle_buf_free(&b);
    return st;
}

/* Reads path and fills the face's coverage.  Errors name the file. */
static chronicle_status face_read(pdf_doc *d, pdf_face *f, const char *path, int soft)
{
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    uint8_t *data = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return face_refuse(d, soft, CHRONICLE_ERR_IO, "cannot open font %s: %s", path,
                           strerror(errno));
    long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    if (size < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        st = face_refuse(d, soft, CHRONICLE_ERR_IO, "cannot read font %s: %s", path,
                         strerror(errno));
        goto out;
    }
    if (!(data = malloc(size ? (size_t)size : 1))) goto out;
    if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
        st = face_refuse(d, soft, CHRONICLE_ERR_IO, "cannot read font %s: %s", path,
                         ferror(fp) ? strerror(errno) : "unexpected end of file");
        goto out;
    }
    if (!(f->cover = calloc(1, BMP_BITS)) || !(f->used = calloc(1, BMP_BITS)) ||
        !(f->path = strdup(path)))
        goto out;
    ttf t = {data, (size_t)size};
    const char *why = cmap_read(&t, f->cover);
    if (why) {
        st = face_refuse(d, soft, CHRONICLE_ERR_DATA, "font %s: %s", path, why);
        goto out;
    }
    f->data = data, f->len = (size_t)size;
    data = NULL;
    st = CHRONICLE_OK;
out:
    free(data);
    fclose(fp);
    return st;
}

/* Hands the file to libharu (which embeds a subset of it). */
static chronicle_status face_load(pdf_doc *d, pdf_face *f)
{
    const char *name = HPDF_LoadTTFontFromFile(d->doc, f->path, HPDF_TRUE);
    if (name) f->font = HPDF_GetFont(d->doc, name, "UTF-8");
    if (f->font && !d->hpdf_code) return CHRONICLE_OK;
    chronicle_buf what = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&what, "cannot use font %s", f->path);
    chronicle_status st = pdf_check(d, chronicle_buf_cstr(&what));
    chronicle_buf_free(&what);
    if (st != CHRONICLE_OK) return st;
    d->host->error(d->job, CHRONICLE_ERR_DATA, "cannot use font %s: libharu refused it", f->path);
    return CHRONICLE_ERR_DATA;
}

/* The option's value, or when it is the build-time default and that file
 * has gone, the same file name in a known font directory. */
static const char *font_locate(pdf_doc *d, const char *key, const char *def, const char *file,
                               chronicle_buf *scratch)
{
    const char *v = d->host->opt_string(d->job, key);
    if (!v) v = def;
    if (strcmp(v, def) != 0 || access(v, R_OK) == 0) return v;
    for (const char *const *dir = font_dirs; *dir; dir++) {
        chronicle_buf_reset(scratch);
        if (chronicle_buf_appendf(scratch, "%s/%s", *dir, file) != CHRONICLE_OK) break;
        if (access(scratch->ptr, R_OK) == 0) return scratch->ptr;
    }
    d->host->error(d->job, CHRONICLE_ERR_IO,
                   "cannot open font %s: %s, nor %s in the usual font directories; install "
                   "fonts-dejavu-core or pass -O pdf.%s=PATH",
                   def, strerror(ENOENT), file, key);
    return NULL;
}

static chronicle_status fallback_locate(pdf_doc *d)
{
    pdf_fonts *f = &d->fonts;
    f->fallback_state = -1;
    /* a Chinese briefing's own words need the CJK font, whatever pdf.fallback says */
    const chronicle_str *lang = &d->report->lang;
    int cjk = lang->len >= 2 && !strncmp(lang->ptr, "zh", 2);
    if (!cjk && !d->host->opt_bool(d->job, "fallback")) return CHRONICLE_OK;
    const char *v = d->host->opt_string(d->job, "fallback-font");
    int is_default = !v || !strcmp(v, PDF_DEFAULT_FALLBACK_FONT);
    if (is_default) {
        v = NULL;
        if (access(PDF_DEFAULT_FALLBACK_FONT, R_OK) == 0) v = PDF_DEFAULT_FALLBACK_FONT;
        for (const char *const *p = fallback_paths; !v && *p; p++)
            if (access(*p, R_OK) == 0) v = *p;
        if (!v) return CHRONICLE_OK; /* none installed: replacements, and a warning */
    }
    if (f->face[PDF_FACE_REGULAR].path && !strcmp(v, f->face[PDF_FACE_REGULAR].path))
        return CHRONICLE_OK;
    chronicle_status st = face_read(d, &f->face[PDF_FACE_FALLBACK], v, 0);
    if (st == CHRONICLE_OK) f->fallback_state = 0;
    return st;
}

static int weight_face(const pdf_fonts *f, pdf_weight w)
{
    return w == PDF_BOLD && !f->bold_shared ? PDF_FACE_BOLD : PDF_FACE_REGULAR;
}

/* ---- the script fonts and the coverage report ---- */

#define MAX_FAMILIES 32
#define MAX_PLACES 5

typedef struct family {
    const char *name; /* in blocks[].noto, len bytes */
    size_t len;
    int face[2]; /* per weight: a face index, -1 none, -2 not looked for yet */
} family;

typedef struct pdf_coverage {
    int chain;  /* pdf.fallback: the script fonts may be used */
    int strict; /* pdf.strict-glyphs */
    int ascii;  /* the regular face has every printable ASCII character */
    family fam[MAX_FAMILIES];
    size_t n_fam;
    uint8_t *seen;  /* per BMP code point: 0 not looked at, 1 drawn, 2 missing */
    size_t missing; /* characters of the text scanned no font has */
    size_t by_block[N_BLOCKS + 1];
    chronicle_buf places; /* the first MAX_PLACES fields holding them */
    size_t n_fields;      /* fields holding one (the first MAX_PLACES are listed) */
} pdf_coverage;

/* Where the Noto fonts live: Debian's fonts-noto-core, then Arch and others. */
static const char *const noto_dirs[] = {PDF_DEFAULT_NOTO_DIR, "/usr/share/fonts/noto",
                                        "/usr/share/fonts/TTF", "/usr/local/share/fonts/noto",
                                        NULL};

static void face_clear(pdf_face *f)
{
    free(f->path);
    free(f->cover);
    free(f->used);
    free(f->data);
    memset(f, 0, sizeof *f);
}

static family *family_get(pdf_coverage *c, const char *name, size_t len)
{
    for (size_t i = 0; i < c->n_fam; i++)
        if (c->fam[i].len == len && !memcmp(c->fam[i].name, name, len)) return &c->fam[i];
    if (c->n_fam == MAX_FAMILIES) return NULL;
    family *fm = &c->fam[c->n_fam++];
    *fm = (family){name, len, {-2, -2}};
    return fm;
}

/* The face of a family in a weight, its cmap read the first time it is
 * asked for; -1 when it is not installed (or unusable: a warning said so). */
static int family_face(pdf_doc *d, family *fm, int bold, chronicle_status *st)
{
    pdf_fonts *f = &d->fonts;
    if (fm->face[bold] != -2) return fm->face[bold];
    fm->face[bold] = -1;
    if (f->n_faces == PDF_N_FACES) return -1;
    chronicle_buf path = CHRONICLE_BUF_INIT;
    for (const char *const *dir = noto_dirs; *dir; dir++) {
        chronicle_buf_reset(&path);
        *st = chronicle_buf_appendf(&path, "%s/NotoSans%.*s-%s.ttf", *dir, (int)fm->len, fm->name,
                                    bold ? "Bold" : "Regular");
        if (*st != CHRONICLE_OK) break;
        if (access(path.ptr, R_OK) != 0) continue;
        pdf_face *face = &f->face[f->n_faces];
        *st = face_read(d, face, path.ptr, 1);
        if (*st == CHRONICLE_OK) {
            fm->face[bold] = f->n_faces++;
        } else {
            face_clear(face);
            if (*st != CHRONICLE_ERR_NOMEM) *st = CHRONICLE_OK; /* warned; not drawn */
        }
        break;
    }
    chronicle_buf_free(&path);
    return fm->face[bold];
}

/* The first face of the chain that has cp: the weight's main face, the
 * CJK fallback, then the script fonts of cp's block (bold ones for bold
 * text where they exist); -1 when none has it.  Reads cmaps, loads nothing. */
static int face_for(pdf_doc *d, pdf_weight w, uint32_t cp, chronicle_status *st)
{
    pdf_fonts *f = &d->fonts;
    pdf_coverage *c = f->coverage;
    int face = weight_face(f, w);
    *st = CHRONICLE_OK;
    if (bit_get(f->face[face].cover, cp)) return face;
    if (f->fallback_state >= 0 && bit_get(f->face[PDF_FACE_FALLBACK].cover, cp))
        return PDF_FACE_FALLBACK;
    size_t b = block_of(cp);
    if (!c || !c->chain || b == N_BLOCKS || !blocks[b].noto) return -1;
    for (const char *p = blocks[b].noto; *p;) {
        size_t len = strcspn(p, " ");
        family *fm = family_get(c, p, len);
        for (int bold = w == PDF_BOLD; fm && bold >= 0; bold--) {
            int i = family_face(d, fm, bold, st);
            if (*st != CHRONICLE_OK) return -1;
            if (i >= 0 && bit_get(f->face[i].cover, cp)) return i;
        }
        p += len + (p[len] == ' ');
    }
    return -1;
}

/* Makes face i drawable (hands it to libharu).  A script font libharu
 * refuses is dropped with a warning: its characters become missing, and
 * *usable says so. */
static chronicle_status face_ensure(pdf_doc *d, int i, int *usable)
{
    pdf_face *face = &d->fonts.face[i];
    *usable = 1;
    if (face->font) return CHRONICLE_OK;
    if (i < PDF_FACE_SCRIPT || d->hpdf_code) {
        chronicle_status st = face_load(d, face);
        if (st == CHRONICLE_OK && i == PDF_FACE_FALLBACK) d->fonts.fallback_state = 1;
        return st;
    }
    const char *name = HPDF_LoadTTFontFromFile(d->doc, face->path, HPDF_TRUE);
    if (name) face->font = HPDF_GetFont(d->doc, name, "UTF-8");
    if (face->font && !d->hpdf_code) return CHRONICLE_OK;
    chronicle_buf why = CHRONICLE_BUF_INIT;
    pdf_hpdf_describe(&why, "cannot use font", d->hpdf_code, d->hpdf_detail);
    d->host->log(d->job, CHRONICLE_LOG_WARN, "%s (%s): its characters are shown as the replacement",
                 chronicle_buf_cstr(&why), face->path);
    chronicle_buf_free(&why);
    HPDF_ResetError(d->doc);
    d->hpdf_code = d->hpdf_detail = 0;
    face->font = NULL;
    memset(face->cover, 0, BMP_BITS); /* never chosen again */
    *usable = 0;
    return CHRONICLE_OK;
}

/* ---- the coverage scan: the data's text against the chain ---- */

/* Whether no face has cp (characters beyond U+FFFF never: libharu's CIDs
 * are 16-bit).  Each BMP code point is looked up once. */
static int cp_missing(pdf_doc *d, uint32_t cp, chronicle_status *st)
{
    pdf_coverage *c = d->fonts.coverage;
    *st = CHRONICLE_OK;
    if (cp > 0xFFFF) return 1;
    if (!c->seen[cp]) {
        int face = face_for(d, PDF_REGULAR, cp, st);
        if (*st != CHRONICLE_OK) return 0;
        c->seen[cp] = face >= 0 ? 1 : 2;
    }
    return c->seen[cp] == 2;
}

/* Where a text is: "event ID", and its field as the dataset spells it. */
typedef struct scan_at {
    const char *owner; /* "event", "source", "report" */
    const chronicle_str *id;
} scan_at;

#define NO_INDEX ((size_t)-1)

/* Explicit bidi controls and marks: bidi.c applies them and draws none. */
static int is_bidi_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

static chronicle_status scan_text(pdf_doc *d, const scan_at *at, const chronicle_str *s,
                                  const char *field, size_t i, const char *sub)
{
    pdf_coverage *c = d->fonts.coverage;
    size_t found = 0;
    chronicle_status st = CHRONICLE_OK;
    for (size_t k = 0; k < s->len;) {
        if ((unsigned char)s->ptr[k] < 0x80 && c->ascii) {
            k++;
            continue;
        }
        uint32_t cp;
        size_t n = chronicle_utf8_decode(s->ptr + k, s->len - k, &cp);
        k += n ? n : 1; /* the loader has rejected invalid UTF-8 */
        if (!n || chronicle_cp_is_control(cp) || is_bidi_control(cp)) continue;
        if (!cp_missing(d, cp, &st)) {
            if (st != CHRONICLE_OK) return st;
            continue;
        }
        found++;
        c->by_block[block_of(cp)]++;
    }
    if (!found) return CHRONICLE_OK;
    c->missing += found;
    if (c->n_fields++ >= MAX_PLACES) return CHRONICLE_OK;
    chronicle_buf *b = &c->places;
    if (b->len) st = chronicle_buf_puts(b, ", ");
    if (st == CHRONICLE_OK) st = chronicle_buf_puts(b, at->owner);
    if (st == CHRONICLE_OK && at->id && at->id->len)
        st = chronicle_buf_appendf(b, " %.*s", (int)(at->id->len > 80 ? 80 : at->id->len),
                                   at->id->ptr);
    if (st == CHRONICLE_OK) st = chronicle_buf_appendf(b, " %s", field);
    if (st == CHRONICLE_OK && i != NO_INDEX) st = chronicle_buf_appendf(b, "[%zu]", i);
    if (st == CHRONICLE_OK && sub) st = chronicle_buf_appendf(b, ".%s", sub);
    return st;
}

static chronicle_status scan_list(pdf_doc *d, const scan_at *at, const chronicle_str *v, size_t n,
                                  const char *field)
{
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++)
        st = scan_text(d, at, &v[i], field, i, NULL);
    return st;
}

/* Every text of an event the briefing draws. */
static chronicle_status scan_event(pdf_doc *d, const chronicle_event *e)
{
    const scan_at at = {"event", &e->id};
    const struct {
        const chronicle_str *s;
        const char *name;
    } fields[] = {{&e->title, "title"},
                  {&e->summary, "summary"},
                  {&e->venue, "location.venue"},
                  {&e->city, "location.city"},
                  {&e->country, "location.country"},
                  {&e->occasion, "occasion.subject"}};
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0] && st == CHRONICLE_OK; i++)
        st = scan_text(d, &at, fields[i].s, fields[i].name, NO_INDEX, NULL);
    if (st == CHRONICLE_OK) st = scan_list(d, &at, e->organizers, e->n_organizers, "organizers");
    if (st == CHRONICLE_OK) st = scan_list(d, &at, e->audience, e->n_audience, "audience");
    if (st == CHRONICLE_OK) st = scan_list(d, &at, e->tags, e->n_tags, "tags");
    for (size_t i = 0; i < e->n_participants && st == CHRONICLE_OK; i++) {
        const chronicle_participant *p = e->participants[i];
        st = scan_text(d, &at, &p->name, "participants", i, "name");
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &p->role, "participants", i, "role");
        if (st == CHRONICLE_OK)
            st = scan_text(d, &at, &p->organization, "participants", i, "organization");
    }
    for (size_t i = 0; i < e->n_activities && st == CHRONICLE_OK; i++) {
        const chronicle_activity *a = e->activities[i];
        st = scan_text(d, &at, &a->kind, "activities", i, "kind");
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &a->title, "activities", i, "title");
        if (st == CHRONICLE_OK)
            st = scan_text(d, &at, &a->description, "activities", i, "description");
        for (size_t k = 0; k < a->n_performers && st == CHRONICLE_OK; k++)
            st = scan_text(d, &at, &a->performers[k], "activities", i, "performers");
    }
    for (size_t i = 0; i < e->n_statements && st == CHRONICLE_OK; i++) {
        const chronicle_statement *s = e->statements[i];
        st = scan_text(d, &at, &s->speaker, "statements", i, "speaker");
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &s->summary, "statements", i, "summary");
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &s->quote, "statements", i, "quote");
    }
    for (size_t i = 0; i < e->n_figures && st == CHRONICLE_OK; i++) {
        const chronicle_figure *f = e->figures[i];
        st = scan_text(d, &at, &f->label, "figures", i, "label");
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &f->unit, "figures", i, "unit");
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &f->note, "figures", i, "note");
    }
    return st;
}

/* The events, the sources and the report's own words: what no face of the
 * chain has, counted by script, with the first fields that hold it. */
static chronicle_status coverage_scan(pdf_doc *d)
{
    const chronicle_host *h = d->host;
    chronicle_status st = CHRONICLE_OK;
    size_t n = h->event_count(d->job);
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        if (i % 1024 == 0 && h->cancelled(d->job)) return CHRONICLE_ERR_CANCELLED;
        st = scan_event(d, h->event_at(d->job, i));
    }
    const chronicle_dataset_info *ds = h->dataset(d->job);
    for (size_t i = 0; i < ds->n_sources && st == CHRONICLE_OK; i++) {
        const chronicle_source *src = ds->sources[i];
        const scan_at at = {"source", &src->id};
        st = scan_text(d, &at, &src->outlet, "outlet", NO_INDEX, NULL);
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &src->dateline, "dateline", NO_INDEX, NULL);
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &src->document, "document", NO_INDEX, NULL);
        if (st == CHRONICLE_OK) st = scan_text(d, &at, &src->url, "url", NO_INDEX, NULL);
    }
    const chronicle_report *r = d->report;
    const scan_at rep = {"report", NULL};
    const struct {
        const chronicle_str *s;
        const char *name;
    } words[] = {{&r->title, "title"},
                 {&r->subtitle, "subtitle"},
                 {&r->organization, "organization"},
                 {&r->author, "author"},
                 {&r->marking, "marking"}};
    for (size_t i = 0; i < sizeof words / sizeof words[0] && st == CHRONICLE_OK; i++)
        st = scan_text(d, &rep, words[i].s, words[i].name, NO_INDEX, NULL);
    const char *title = h->opt_string(d->job, "title");
    if (title && st == CHRONICLE_OK) {
        const chronicle_str t = {title, strlen(title)};
        const scan_at opt = {"option", NULL};
        st = scan_text(d, &opt, &t, "pdf.title", NO_INDEX, NULL);
    }
    return st;
}

typedef struct script_count {
    const char *script;
    size_t n;
} script_count;

static int by_count(const void *a, const void *b)
{
    const script_count *x = a, *y = b;
    if (x->n != y->n) return x->n < y->n ? 1 : -1;
    return strcmp(x->script, y->script);
}

/* "9 characters could not be drawn: 5 emoji and pictographs, 4 Linear B;
 * in event e1 title, ...", and what to do about it. */
static chronicle_status coverage_words(const pdf_doc *d, chronicle_buf *b)
{
    const pdf_coverage *c = d->fonts.coverage;
    script_count v[N_BLOCKS + 1];
    size_t n = 0, beyond = 0;
    for (size_t i = 0; i <= N_BLOCKS; i++) {
        if (!c->by_block[i]) continue;
        const char *name = i < N_BLOCKS ? blocks[i].script : "other characters";
        if (i < N_BLOCKS && blocks[i].first > 0xFFFF) beyond += c->by_block[i];
        size_t k = 0;
        while (k < n && strcmp(v[k].script, name))
            k++;
        if (k == n) v[n++] = (script_count){name, 0};
        v[k].n += c->by_block[i];
    }
    qsort(v, n, sizeof v[0], by_count);
    chronicle_status st = chronicle_buf_appendf(b, "%zu character%s could not be drawn (",
                                                c->missing, c->missing == 1 ? "" : "s");
    for (size_t k = 0; k < n && st == CHRONICLE_OK; k++)
        st = chronicle_buf_appendf(b, "%s%zu %s", k ? ", " : "", v[k].n, v[k].script);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_appendf(b, "): no font of the briefing has %s; in %s",
                                   c->missing == 1 ? "it" : "them", c->places.ptr);
    if (st == CHRONICLE_OK && c->n_fields > MAX_PLACES)
        st = chronicle_buf_appendf(b, " and %zu more field%s", c->n_fields - MAX_PLACES,
                                   c->n_fields - MAX_PLACES == 1 ? "" : "s");
    if (st == CHRONICLE_OK && beyond)
        st = chronicle_buf_appendf(b,
                                   "; %zu %s beyond U+FFFF (emoji among them), which libharu "
                                   "cannot draw from any font",
                                   beyond, beyond == 1 ? "is" : "are");
    if (st == CHRONICLE_OK && beyond < c->missing)
        st = chronicle_buf_puts(b, c->chain ? "; install a font for the script (Debian: "
                                              "fonts-noto-core) or pass -O pdf.fallback-font=PATH"
                                            : "; -O pdf.fallback=true uses the fallback fonts");
    return st;
}

/* The coverage report, once: a warning, or with pdf.strict-glyphs an
 * error before anything is written. */
static chronicle_status coverage_report(pdf_doc *d)
{
    pdf_coverage *c = d->fonts.coverage;
    if (!c->missing) return CHRONICLE_OK;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_status st = coverage_words(d, &b);
    if (st != CHRONICLE_OK) {
        /* out of memory: no words */
    } else if (c->strict) {
        d->host->error(d->job, CHRONICLE_ERR_DATA,
                       "%s; the briefing is not written (-O pdf.strict-glyphs=false draws them "
                       "as U+FFFD)",
                       b.ptr);
        st = CHRONICLE_ERR_DATA;
    } else {
        d->host->log(d->job, CHRONICLE_LOG_WARN,
                     "%s; they are shown as U+FFFD (-O pdf.strict-glyphs=true makes this an "
                     "error)",
                     b.ptr);
    }
    chronicle_buf_free(&b);
    return st;
}

chronicle_status pdf_fonts_open(pdf_doc *d)
{
    pdf_fonts *f = &d->fonts;
    chronicle_buf path = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    const char *v = font_locate(d, "font", PDF_DEFAULT_FONT, "DejaVuSans.ttf", &path);
    if (!v) st = CHRONICLE_ERR_IO;
    if (!v || (st = face_read(d, &f->face[PDF_FACE_REGULAR], v, 0)) != CHRONICLE_OK) goto out;
    if ((st = face_load(d, &f->face[PDF_FACE_REGULAR])) != CHRONICLE_OK) goto out;
    v = font_locate(d, "font-bold", PDF_DEFAULT_FONT_BOLD, "DejaVuSans-Bold.ttf", &path);
    if (!v) {
        st = CHRONICLE_ERR_IO;
        goto out;
    }
    if (!strcmp(v, f->face[PDF_FACE_REGULAR].path)) {
        f->bold_shared = 1;
    } else {
        if ((st = face_read(d, &f->face[PDF_FACE_BOLD], v, 0)) != CHRONICLE_OK) goto out;
        if ((st = face_load(d, &f->face[PDF_FACE_BOLD])) != CHRONICLE_OK) goto out;
    }
    if ((st = fallback_locate(d)) != CHRONICLE_OK) goto out;
    st = CHRONICLE_ERR_NOMEM;
    if (!(f->glyph[0] = calloc(65536, sizeof(uint32_t)))) goto out;
    if (!(f->glyph[1] = calloc(65536, sizeof(uint32_t)))) goto out;
    f->replacement = bit_get(f->face[PDF_FACE_REGULAR].cover, 0xFFFD) ? 0xFFFD : '?';
    f->n_faces = PDF_FACE_SCRIPT;
    if (!(f->coverage = calloc(1, sizeof *f->coverage))) goto out;
    if (!(f->coverage->seen = calloc(65536, 1))) goto out;
    f->coverage->chain = d->host->opt_bool(d->job, "fallback");
    f->coverage->strict = d->host->opt_bool(d->job, "strict-glyphs");
    f->coverage->ascii = 1;
    for (uint32_t c = 0x20; c < 0x7F; c++)
        f->coverage->ascii &= bit_get(f->face[PDF_FACE_REGULAR].cover, c);
    if ((st = coverage_scan(d)) == CHRONICLE_OK) st = coverage_report(d);
out:
    chronicle_buf_free(&path);
    return st;
}

void pdf_fonts_free(pdf_fonts *f)
{
    for (int i = 0; i < PDF_N_FACES; i++) {
        free(f->face[i].path);
        free(f->face[i].cover);
        free(f->face[i].used);
        free(f->face[i].data);
    }
    free(f->glyph[0]);
    free(f->glyph[1]);
    if (f->coverage) {
        free(f->coverage->seen);
        chronicle_buf_free(&f->coverage->places);
        free(f->coverage);
    }
    memset(f, 0, sizeof *f);
}

/* ---- choosing a face per character ---- */

static chronicle_status glyph_width(pdf_doc *d, HPDF_Font font, uint32_t cp, unsigned *out)
{
    char utf8[4];
    size_t n = chronicle_utf8_encode(cp, utf8);
    HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)utf8, (HPDF_UINT)n);
    *out = tw.width;
    return d->hpdf_code ? pdf_check(d, "measuring text") : CHRONICLE_OK;
}

/* The replacement in a weight: the weight's face when it has it. */
static chronicle_status missing_entry(pdf_doc *d, pdf_weight w, uint32_t *entry)
{
    pdf_fonts *f = &d->fonts;
    int face = weight_face(f, w);
    if (!bit_get(f->face[face].cover, f->replacement)) face = PDF_FACE_REGULAR;
    unsigned width;
    chronicle_status st = glyph_width(d, f->face[face].font, f->replacement, &width);
    *entry = G_KNOWN | (uint32_t)KIND_MISSING << G_KIND_SHIFT | (uint32_t)face << G_FACE_SHIFT |
             (width & 0xFFFF);
    return st;
}

static chronicle_status glyph_resolve(pdf_doc *d, pdf_weight w, uint32_t cp, uint32_t *entry)
{
    pdf_fonts *f = &d->fonts;
    int face = weight_face(f, w), kind = KIND_SELF, usable = 0;
    uint32_t drawn = cp;
    chronicle_status st = CHRONICLE_OK;
    if (cp == '\t' || cp == '\r' || cp == '\n') {
        kind = KIND_SPACE, drawn = ' ';
    } else if (chronicle_cp_is_control(cp) || (cp >= 0xD800 && cp <= 0xDFFF)) {
        return missing_entry(d, w, entry);
    } else {
        /* a script font libharu refuses is dropped: then look again */
        while (!usable) {
            if ((face = face_for(d, w, cp, &st)) < 0) return st ? st : missing_entry(d, w, entry);
            if ((st = face_ensure(d, face, &usable)) != CHRONICLE_OK) return st;
        }
    }
    unsigned width;
    if ((st = glyph_width(d, f->face[face].font, drawn, &width)) != CHRONICLE_OK) return st;
    *entry = G_KNOWN | (uint32_t)kind << G_KIND_SHIFT | (uint32_t)face << G_FACE_SHIFT |
             (width & 0xFFFF);
    return CHRONICLE_OK;
}

/* The lam of a lam-alef ligature, drawn as U+FEFF where a face has it;
 * where none has, nothing is drawn (the ligature still shows). */
static chronicle_status filler_get(pdf_doc *d, pdf_weight w, pdf_glyph *out)
{
    pdf_fonts *f = &d->fonts;
    if (!f->filler[w]) {
        chronicle_status st = glyph_resolve(d, w, 0xFEFF, &f->filler[w]);
        if (st != CHRONICLE_OK) return st;
    }
    uint32_t e = f->filler[w];
    int kind = (int)(e >> G_KIND_SHIFT & 3);
    *out = (pdf_glyph){(int)(e >> G_FACE_SHIFT & 0xFF), 0xFEFF, 0, 0, kind != KIND_SELF};
    return CHRONICLE_OK;
}

uint32_t pdf_fonts_alias(pdf_fonts *f, uint32_t drawn, uint32_t text)
{
    for (size_t k = 0; k < f->n_alias; k++)
        if (f->alias_drawn[k] == drawn && f->alias_text[k] == text) return PDF_ALIAS_FIRST + k;
    if (f->n_alias == PDF_N_ALIASES || drawn > 0xFFFF || text > 0xFFFF) return drawn;
    f->alias_drawn[f->n_alias] = drawn;
    f->alias_text[f->n_alias] = text;
    return PDF_ALIAS_FIRST + f->n_alias++;
}

/* The alias k of cp, or -1. */
static int alias_of(const pdf_fonts *f, uint32_t cp)
{
    return cp >= PDF_ALIAS_FIRST && cp - PDF_ALIAS_FIRST < f->n_alias ? (int)(cp - PDF_ALIAS_FIRST)
                                                                      : -1;
}

chronicle_status pdf_glyph_get(pdf_doc *d, pdf_weight w, uint32_t cp, pdf_glyph *out)
{
    pdf_fonts *f = &d->fonts;
    if (cp == PDF_LAM_FILLER) return filler_get(d, w, out);
    int k = alias_of(f, cp);
    if (k >= 0) {
        uint32_t drawn = f->alias_drawn[k];
        chronicle_status st = pdf_glyph_get(d, w, drawn, out);
        if (st == CHRONICLE_OK && !out->missing && !out->none && out->cp == drawn) out->cp = cp;
        return st;
    }
    /* invisible by definition, and U+FEFF's code is the filler's; bidi
     * controls have done their work in bidi.c (or have none to do) */
    if (cp == 0xFEFF || is_bidi_control(cp)) {
        *out = (pdf_glyph){PDF_FACE_REGULAR, cp, 0, 0, 1};
        return CHRONICLE_OK;
    }
    uint32_t key = cp > 0xFFFF ? 0xFFFF : cp; /* U+FFFF is a noncharacter: also missing */
    uint32_t e = f->glyph[w][key];
    if (!(e & G_KNOWN)) {
        /* outside the BMP: libharu's CIDs are 16-bit, so it cannot be drawn */
        chronicle_status st = key == 0xFFFF ? missing_entry(d, w, &e) : glyph_resolve(d, w, cp, &e);
        if (st != CHRONICLE_OK) return st;
        f->glyph[w][key] = e;
    }
    int kind = (int)(e >> G_KIND_SHIFT & 3);
    out->face = (int)(e >> G_FACE_SHIFT & 0xFF);
    out->width = e & 0xFFFF;
    out->missing = kind == KIND_MISSING;
    out->cp = kind == KIND_SELF ? cp : kind == KIND_SPACE ? ' ' : f->replacement;
    out->none = 0;
    return CHRONICLE_OK;
}

/* ---- composite glyphs ---- */

/* Offset of table tag in the font, or 0. */
static size_t table_find(const ttf *t, uint32_t tag)
{
    uint32_t n, name, off;
    if (!rd16(t, 4, &n)) return 0;
    for (uint32_t i = 0; i < n; i++)
        if (rd32(t, 12 + 16 * (size_t)i, &name) && name == tag &&
            rd32(t, 12 + 16 * (size_t)i + 8, &off))
            return off;
    return 0;
}

typedef struct glyf_index {
    size_t loca, glyf;
    int long_loca;
} glyf_index;

/* Where glyph gid starts in the file; 0 when it is empty or unreadable. */
static size_t glyph_at(const ttf *t, const glyf_index *g, uint32_t gid)
{
    uint32_t a, b;
    if (g->long_loca) {
        if (!rd32(t, g->loca + 4 * (size_t)gid, &a) || !rd32(t, g->loca + 4 * (size_t)gid + 4, &b))
            return 0;
    } else {
        if (!rd16(t, g->loca + 2 * (size_t)gid, &a) || !rd16(t, g->loca + 2 * (size_t)gid + 2, &b))
            return 0;
        a *= 2, b *= 2;
    }
    return b > a ? g->glyf + a : 0;
}

/* Flags the components of composite glyph gid; pushes the newly flagged. */
static void glyph_components(const ttf *t, const glyf_index *g, uint32_t gid, HPDF_BYTE *flags,
                             uint32_t n_glyphs, uint32_t *stack, size_t *top)
{
    size_t at = glyph_at(t, g, gid);
    uint32_t contours, fl, comp;
    if (!at || !rd16(t, at, &contours) || !(contours & 0x8000)) return;
    at += 10;
    do {
        if (!rd16(t, at, &fl) || !rd16(t, at + 2, &comp)) return;
        at += 4 + (fl & 1 ? 4 : 2) + (fl & 8 ? 2 : fl & 0x40 ? 4 : fl & 0x80 ? 8 : 0);
        if (comp < n_glyphs && !flags[comp]) {
            flags[comp] = 1;
            stack[(*top)++] = comp;
        }
    } while (fl & 0x20);
}

/* libharu 2.3.0 marks the components of a composite glyph only one level
 * deep, and reads their indices as signed 16-bit numbers: in fonts with
 * more than 32,767 glyphs (DroidSansFallbackFull) the components of many
 * CJK characters are left out of the subset, and those characters draw
 * incomplete.  Flag every component, recursively, before saving. */
static chronicle_status face_keep_components(pdf_face *f)
{
    uint32_t n;
    uint8_t *flags = pdf_hpdf_font_glyph_flags(f->font, &n);
    ttf t = {f->data, f->len};
    uint32_t fmt;
    size_t head = table_find(&t, 0x68656164);
    glyf_index g = {table_find(&t, 0x6C6F6361), table_find(&t, 0x676C7966), 0};
    if (!flags || !head || !g.loca || !g.glyf || !rd16(&t, head + 50, &fmt)) return CHRONICLE_OK;
    g.long_loca = fmt == 1;
    uint32_t *stack = malloc((n ? n : 1) * sizeof *stack);
    size_t top = 0;
    if (!stack) return CHRONICLE_ERR_NOMEM;
    for (uint32_t gid = 0; gid < n; gid++)
        if (flags[gid]) stack[top++] = gid;
    while (top) {
        uint32_t gid = stack[--top];
        glyph_components(&t, &g, gid, flags, n, stack, &top);
    }
    free(stack);
    return CHRONICLE_OK;
}

/* ---- widths ---- */

/* libharu writes a /W width for every code point of the BMP the font has
 * (some 24 KB per font, in an uncompressed dictionary); only the code
 * points drawn need one. */
static chronicle_status face_trim_widths(pdf_doc *d, pdf_fonts *fonts, pdf_face *f)
{
    if (!pdf_hpdf_font_has_widths(f->font)) return CHRONICLE_OK;
    size_t n = 0;
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        n += (size_t)bit_get(f->used, cp);
    uint32_t *cps = malloc((n ? n : 1) * sizeof *cps);
    unsigned *widths = malloc((n ? n : 1) * sizeof *widths);
    chronicle_status st = cps && widths ? CHRONICLE_OK : CHRONICLE_ERR_NOMEM;
    n = 0;
    for (uint32_t cp = 0; cp < 0x10000 && st == CHRONICLE_OK; cp++) {
        if (!bit_get(f->used, cp)) continue;
        cps[n] = cp;
        int k = alias_of(fonts, cp);
        st = glyph_width(d, f->font, k >= 0 ? fonts->alias_drawn[k] : cp, &widths[n++]);
    }
    if (st == CHRONICLE_OK) st = pdf_hpdf_font_set_widths(d, f->font, cps, widths, n);
    free(cps);
    free(widths);
    return st;
}

/* ---- ToUnicode ---- */

static int unshape_cmp(const void *key, const void *row)
{
    uint32_t cp = *(const uint32_t *)key, form = *(const uint16_t *)row;
    return cp < form ? -1 : cp > form;
}

/* The letters an Arabic presentation form draws, into base; 0 for any
 * other code point, which stands for itself.  U+FEFF is only ever drawn as
 * the lam of a lam-alef ligature (PDF_LAM_FILLER), whose glyph gives the
 * alef. */
static size_t unshape(uint32_t cp, uint32_t base[4])
{
    if (cp == 0xFEFF) {
        base[0] = 0x0644;
        return 1;
    }
    if (cp < 0xFB50 || cp > 0xFEFF) return 0;
    const uint16_t *row =
        bsearch(&cp, unshape_table, PDF_UNSHAPE_ROWS, sizeof *unshape_table, unshape_cmp);
    size_t n = 0;
    while (row && n < 4 && row[1 + n])
        base[n] = row[1 + n], n++;
    return n;
}

static chronicle_status cmap_block(chronicle_buf *b, const char *kind, const uint32_t *v, size_t n,
                                   int ranges)
{
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i += 100) {
        size_t m = n - i < 100 ? n - i : 100;
        st = chronicle_buf_appendf(b, "%zu begin%s\n", m, kind);
        for (size_t k = i; k < i + m && st == CHRONICLE_OK; k++) {
            uint32_t lo = v[2 * k], hi = v[2 * k + 1];
            st = ranges ? chronicle_buf_appendf(b, "<%04X> <%04X> <%04X>\n", (unsigned)lo,
                                                (unsigned)hi, (unsigned)lo)
                        : chronicle_buf_appendf(b, "<%04X> <%04X>\n", (unsigned)lo, (unsigned)lo);
        }
        if (st == CHRONICLE_OK) st = chronicle_buf_appendf(b, "end%s\n", kind);
    }
    return st;
}

/* What code cp of a face reads as: the letters of a presentation form,
 * the character a mirrored glyph stands for; 0 when it reads as itself. */
static size_t text_of(const pdf_fonts *f, uint32_t cp, uint32_t base[4])
{
    int k = alias_of(f, cp);
    if (k < 0) return unshape(cp, base);
    base[0] = f->alias_text[k];
    return 1;
}

/* The presentation forms, each to the letters it draws. */
static chronicle_status cmap_forms(const pdf_fonts *f, chronicle_buf *b, const uint32_t *form,
                                   size_t n)
{
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i += 100) {
        size_t m = n - i < 100 ? n - i : 100;
        st = chronicle_buf_appendf(b, "%zu beginbfchar\n", m);
        for (size_t k = i; k < i + m && st == CHRONICLE_OK; k++) {
            uint32_t base[4];
            size_t nb = text_of(f, form[k], base);
            st = chronicle_buf_appendf(b, "<%04X> <", (unsigned)form[k]);
            for (size_t j = 0; j < nb && st == CHRONICLE_OK; j++)
                st = chronicle_buf_appendf(b, "%04X", (unsigned)base[j]);
            if (st == CHRONICLE_OK) st = chronicle_buf_puts(b, ">\n");
        }
        if (st == CHRONICLE_OK) st = chronicle_buf_puts(b, "endbfchar\n");
    }
    return st;
}

/* The CMap text: CIDs are code points (libharu's UTF-8 mode uses Identity-H
 * with CID = Unicode), so each used code maps to itself, but for the
 * Arabic presentation forms bidi.c shapes letters into: those map back to
 * their letters (a lam-alef ligature and its filler to alef and lam), so
 * that copying and pdftotext give the text as written.  Ranges never cross a high byte, as
 * the CMap rules require. */
static chronicle_status cmap_text(const pdf_fonts *f, const uint8_t *used, chronicle_buf *b)
{
    uint32_t *singles = malloc(2 * 65536 * sizeof *singles), *ranges = NULL, *forms = NULL;
    size_t n_single = 0, n_range = 0, n_form = 0;
    uint32_t base[4];
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    if (!singles || !(ranges = malloc(2 * 65536 * sizeof *ranges)) ||
        !(forms = malloc((PDF_UNSHAPE_ROWS + 1 + PDF_N_ALIASES) * sizeof *forms)))
        goto out;
    for (uint32_t c = 0; c < 0x10000; c++) {
        if (!bit_get(used, c)) continue;
        if (text_of(f, c, base)) {
            forms[n_form++] = c;
            continue;
        }
        uint32_t e = c;
        while (e + 1 < 0x10000 && (e + 1) >> 8 == c >> 8 && bit_get(used, e + 1) &&
               !text_of(f, e + 1, base))
            e++;
        uint32_t *dst = e > c ? ranges + 2 * n_range++ : singles + 2 * n_single++;
        dst[0] = c, dst[1] = e;
        c = e;
    }
    st = chronicle_buf_puts(b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
                               "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 "
                               ">> def\n/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
                               "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
    if (st == CHRONICLE_OK) st = cmap_block(b, "bfchar", singles, n_single, 0);
    if (st == CHRONICLE_OK) st = cmap_forms(f, b, forms, n_form);
    if (st == CHRONICLE_OK) st = cmap_block(b, "bfrange", ranges, n_range, 1);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_puts(b, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
                                   "end\nend\n");
out:
    free(singles);
    free(ranges);
    free(forms);
    return st;
}

static chronicle_status face_fix_tounicode(pdf_doc *d, pdf_face *f, chronicle_buf *text)
{
    chronicle_buf_reset(text);
    chronicle_status st = cmap_text(&d->fonts, f->used, text);
    return st == CHRONICLE_OK ? pdf_hpdf_font_set_tounicode(d, f->font, f->path, text) : st;
}

chronicle_status pdf_fonts_finish(pdf_doc *d)
{
    pdf_fonts *f = &d->fonts;
    chronicle_buf text = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    for (int i = 0; i < PDF_N_FACES && st == CHRONICLE_OK; i++) {
        if (!f->face[i].font) continue;
        st = face_fix_tounicode(d, &f->face[i], &text);
        if (st == CHRONICLE_OK) st = face_trim_widths(d, f, &f->face[i]);
        for (size_t k = 0; k < f->n_alias && st == CHRONICLE_OK; k++)
            if (bit_get(f->face[i].used, PDF_ALIAS_FIRST + (uint32_t)k))
                st = pdf_hpdf_font_alias(d, f->face[i].font, (uint16_t)(PDF_ALIAS_FIRST + k),
                                         (uint16_t)f->alias_drawn[k]);
        if (st == CHRONICLE_OK) st = face_keep_components(&f->face[i]);
    }
    chronicle_buf_free(&text);
    /* the data's characters were reported by the scan; this is for the
     * rest (the briefing's own words, a bold face with fewer characters) */
    if (st != CHRONICLE_OK || !f->n_missing || f->coverage->missing) return st;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    st = chronicle_buf_appendf(
        &b,
        "%zu character%s could not be drawn (in none of the fonts: %s%s%s, or outside the Basic "
        "Multilingual Plane, or a control character)",
        f->n_missing, f->n_missing == 1 ? "" : "s", f->face[PDF_FACE_REGULAR].path,
        f->fallback_state < 0 ? "; no fallback font" : ", ",
        f->fallback_state < 0 ? "" : f->face[PDF_FACE_FALLBACK].path);
    if (st != CHRONICLE_OK) {
        /* out of memory: no words */
    } else if (f->coverage->strict) {
        d->host->error(d->job, CHRONICLE_ERR_DATA,
                       "%s; the briefing is not written (-O pdf.strict-glyphs=false draws them "
                       "as the replacement)",
                       b.ptr);
        st = CHRONICLE_ERR_DATA;
    } else {
        d->host->log(d->job, CHRONICLE_LOG_WARN, "%s and %s shown as %s", b.ptr,
                     f->n_missing == 1 ? "is" : "are",
                     f->replacement == 0xFFFD ? "U+FFFD \xEF\xBF\xBD" : "'?'");
    }
    chronicle_buf_free(&b);
    return st;
}

void pdf_fonts_mark(pdf_fonts *f, int face, uint32_t cp)
{
    if (cp <= 0xFFFF) bit_set(f->face[face].used, cp);
}
