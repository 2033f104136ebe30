/*
 * fonts.c — the briefing's fonts: finding the TrueType files, reading their
 * cmap (formats 4 and 12) to know which characters each one has, choosing
 * the face per character (main, then fallback, then a visible U+FFFD), and
 * replacing the /ToUnicode CMap libharu 2.3.0 writes (an invalid
 * begincidrange) with a correct bfchar/bfrange map of the characters drawn.
 * Invariant: a character is only ever drawn with a face whose cmap has it.
 */
#include <errno.h>
#include <hpdf_font.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chronicle/utf8.h"
#include "pdf_internal.h"

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

/* glyph cache entry: known bit, face, how the character is drawn, width */
#define G_KNOWN 0x80000000u
#define G_FACE_SHIFT 28
#define G_KIND_SHIFT 24
enum { KIND_SELF, KIND_SPACE, KIND_MISSING };

static int bit_get(const uint8_t *map, uint32_t cp)
{
    return map[cp >> 3] >> (cp & 7) & 1;
}

static void bit_set(uint8_t *map, uint32_t cp)
{
    map[cp >> 3] |= (uint8_t)(1u << (cp & 7));
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

/* Reads path and fills the face's coverage.  Errors name the file. */
static chronicle_status face_read(pdf_doc *d, pdf_face *f, const char *path)
{
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    uint8_t *data = NULL;
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        d->host->error(d->job, CHRONICLE_ERR_IO, "cannot open font %s: %s", path, strerror(errno));
        return CHRONICLE_ERR_IO;
    }
    long size = fseek(fp, 0, SEEK_END) == 0 ? ftell(fp) : -1;
    if (size < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        d->host->error(d->job, CHRONICLE_ERR_IO, "cannot read font %s: %s", path, strerror(errno));
        st = CHRONICLE_ERR_IO;
        goto out;
    }
    if (!(data = malloc(size ? (size_t)size : 1))) goto out;
    if (fread(data, 1, (size_t)size, fp) != (size_t)size) {
        d->host->error(d->job, CHRONICLE_ERR_IO, "cannot read font %s: %s", path,
                       ferror(fp) ? strerror(errno) : "unexpected end of file");
        st = CHRONICLE_ERR_IO;
        goto out;
    }
    if (!(f->cover = calloc(1, BMP_BITS)) || !(f->used = calloc(1, BMP_BITS)) ||
        !(f->path = strdup(path)))
        goto out;
    ttf t = {data, (size_t)size};
    const char *why = cmap_read(&t, f->cover);
    if (why) {
        d->host->error(d->job, CHRONICLE_ERR_DATA, "font %s: %s", path, why);
        st = CHRONICLE_ERR_DATA;
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
    chronicle_status st = face_read(d, &f->face[PDF_FACE_FALLBACK], v);
    if (st == CHRONICLE_OK) f->fallback_state = 0;
    return st;
}

chronicle_status pdf_fonts_open(pdf_doc *d)
{
    pdf_fonts *f = &d->fonts;
    chronicle_buf path = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    const char *v = font_locate(d, "font", PDF_DEFAULT_FONT, "DejaVuSans.ttf", &path);
    if (!v) st = CHRONICLE_ERR_IO;
    if (!v || (st = face_read(d, &f->face[PDF_FACE_REGULAR], v)) != CHRONICLE_OK) goto out;
    if ((st = face_load(d, &f->face[PDF_FACE_REGULAR])) != CHRONICLE_OK) goto out;
    v = font_locate(d, "font-bold", PDF_DEFAULT_FONT_BOLD, "DejaVuSans-Bold.ttf", &path);
    if (!v) {
        st = CHRONICLE_ERR_IO;
        goto out;
    }
    if (!strcmp(v, f->face[PDF_FACE_REGULAR].path)) {
        f->bold_shared = 1;
    } else {
        if ((st = face_read(d, &f->face[PDF_FACE_BOLD], v)) != CHRONICLE_OK) goto out;
        if ((st = face_load(d, &f->face[PDF_FACE_BOLD])) != CHRONICLE_OK) goto out;
    }
    if ((st = fallback_locate(d)) != CHRONICLE_OK) goto out;
    st = CHRONICLE_ERR_NOMEM;
    if (!(f->glyph[0] = calloc(65536, sizeof(uint32_t)))) goto out;
    if (!(f->glyph[1] = calloc(65536, sizeof(uint32_t)))) goto out;
    f->replacement = bit_get(f->face[PDF_FACE_REGULAR].cover, 0xFFFD) ? 0xFFFD : '?';
    st = CHRONICLE_OK;
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
    memset(f, 0, sizeof *f);
}

/* ---- choosing a face per character ---- */

static int weight_face(const pdf_fonts *f, pdf_weight w)
{
    return w == PDF_BOLD && !f->bold_shared ? PDF_FACE_BOLD : PDF_FACE_REGULAR;
}

static chronicle_status glyph_width(pdf_doc *d, HPDF_Font font, uint32_t cp, unsigned *out)
{
    char utf8[4];
    size_t n = chronicle_utf8_encode(cp, utf8);
    HPDF_TextWidth tw = HPDF_Font_TextWidth(font, (const HPDF_BYTE *)utf8, (HPDF_UINT)n);
    *out = tw.width;
    return d->hpdf_code ? pdf_check(d, "measuring text") : CHRONICLE_OK;
}

static int fallback_has(pdf_doc *d, uint32_t cp, chronicle_status *st)
{
    pdf_fonts *f = &d->fonts;
    *st = CHRONICLE_OK;
    if (f->fallback_state < 0 || !bit_get(f->face[PDF_FACE_FALLBACK].cover, cp)) return 0;
    if (f->fallback_state == 0) {
        /* loaded only when a character needs it, so only then embedded */
        if ((*st = face_load(d, &f->face[PDF_FACE_FALLBACK])) != CHRONICLE_OK) return 0;
        f->fallback_state = 1;
    }
    return 1;
}

static chronicle_status glyph_resolve(pdf_doc *d, pdf_weight w, uint32_t cp, uint32_t *entry)
{
    pdf_fonts *f = &d->fonts;
    int face = weight_face(f, w), kind = KIND_SELF;
    uint32_t drawn = cp;
    chronicle_status st = CHRONICLE_OK;
    if (cp == '\t' || cp == '\r' || cp == '\n') {
        kind = KIND_SPACE, drawn = ' ';
    } else if (chronicle_cp_is_control(cp) || (cp >= 0xD800 && cp <= 0xDFFF)) {
        kind = KIND_MISSING, drawn = f->replacement;
    } else if (bit_get(f->face[face].cover, cp)) {
        /* the main face has it */
    } else if (fallback_has(d, cp, &st)) {
        face = PDF_FACE_FALLBACK;
    } else if (st != CHRONICLE_OK) {
        return st;
    } else {
        kind = KIND_MISSING, drawn = f->replacement;
        face = weight_face(f, w);
        if (!bit_get(f->face[face].cover, drawn)) face = PDF_FACE_REGULAR;
    }
    unsigned width;
    if ((st = glyph_width(d, f->face[face].font, drawn, &width)) != CHRONICLE_OK) return st;
    *entry = G_KNOWN | (uint32_t)face << G_FACE_SHIFT | (uint32_t)kind << G_KIND_SHIFT |
             (width & 0xFFFF);
    return CHRONICLE_OK;
}

chronicle_status pdf_glyph_get(pdf_doc *d, pdf_weight w, uint32_t cp, pdf_glyph *out)
{
    pdf_fonts *f = &d->fonts;
    uint32_t key = cp > 0xFFFF ? 0xFFFF : cp; /* U+FFFF is a noncharacter: also missing */
    uint32_t e = f->glyph[w][key];
    if (!(e & G_KNOWN)) {
        if (key == 0xFFFF) {
            /* outside the BMP: libharu's CIDs are 16-bit, so it cannot be drawn */
            uint32_t r = f->replacement;
            int face = weight_face(f, w);
            if (!bit_get(f->face[face].cover, r)) face = PDF_FACE_REGULAR;
            unsigned width;
            chronicle_status st = glyph_width(d, f->face[face].font, r, &width);
            if (st != CHRONICLE_OK) return st;
            e = G_KNOWN | (uint32_t)face << G_FACE_SHIFT | (uint32_t)KIND_MISSING << G_KIND_SHIFT |
                (width & 0xFFFF);
        } else {
            chronicle_status st = glyph_resolve(d, w, cp, &e);
            if (st != CHRONICLE_OK) return st;
        }
        f->glyph[w][key] = e;
    }
    int kind = (int)(e >> G_KIND_SHIFT & 3);
    out->face = (int)(e >> G_FACE_SHIFT & 3);
    out->width = e & 0xFFFF;
    out->missing = kind == KIND_MISSING;
    out->cp = kind == KIND_SELF ? cp : kind == KIND_SPACE ? ' ' : f->replacement;
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
    HPDF_FontAttr fa = (HPDF_FontAttr)f->font->attr;
    if (!fa || !fa->fontdef || fa->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE) return CHRONICLE_OK;
    HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)fa->fontdef->attr;
    ttf t = {f->data, f->len};
    uint32_t fmt;
    size_t head = table_find(&t, 0x68656164);
    glyf_index g = {table_find(&t, 0x6C6F6361), table_find(&t, 0x676C7966), 0};
    if (!ta || !ta->glyph_tbl.flgs || !head || !g.loca || !g.glyf || !rd16(&t, head + 50, &fmt))
        return CHRONICLE_OK;
    g.long_loca = fmt == 1;
    uint32_t n = ta->num_glyphs, *stack = malloc((n ? n : 1) * sizeof *stack);
    size_t top = 0;
    if (!stack) return CHRONICLE_ERR_NOMEM;
    for (uint32_t gid = 0; gid < n; gid++)
        if (ta->glyph_tbl.flgs[gid]) stack[top++] = gid;
    while (top) {
        uint32_t gid = stack[--top];
        glyph_components(&t, &g, gid, ta->glyph_tbl.flgs, n, stack, &top);
    }
    free(stack);
    return CHRONICLE_OK;
}

/* ---- widths ---- */

/* libharu writes a /W width for every code point of the BMP the font has
 * (some 24 KB per font, in an uncompressed dictionary); only the code
 * points drawn need one. */
static chronicle_status face_trim_widths(pdf_doc *d, pdf_face *f)
{
    HPDF_FontAttr fa = (HPDF_FontAttr)f->font->attr;
    HPDF_Dict desc = fa ? fa->descendant_font : NULL;
    if (!desc || !HPDF_Dict_GetItem(desc, "W", HPDF_OCLASS_ARRAY)) return CHRONICLE_OK;
    HPDF_Array w = HPDF_Array_New(desc->mmgr), run = NULL;
    for (uint32_t cp = 0; w && cp < 0x10000; cp++) {
        if (!bit_get(f->used, cp)) continue;
        unsigned width;
        chronicle_status st = glyph_width(d, f->font, cp, &width);
        if (st != CHRONICLE_OK) return st;
        if (!run || !bit_get(f->used, cp - 1)) {
            HPDF_Array_AddNumber(w, (HPDF_INT32)cp);
            if (!(run = HPDF_Array_New(desc->mmgr)) || HPDF_Array_Add(w, run) != HPDF_OK) break;
        }
        HPDF_Array_AddNumber(run, (HPDF_INT32)width);
    }
    if (w) {
        HPDF_Dict_RemoveElement(desc, "W");
        HPDF_Dict_Add(desc, "W", w);
    }
    return pdf_check(d, "writing the glyph widths");
}

/* ---- ToUnicode ---- */

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

/* The CMap text: CIDs are code points (libharu's UTF-8 mode uses Identity-H
 * with CID = Unicode), so each used code maps to itself.  Ranges never
 * cross a high byte, as the CMap rules require. */
static chronicle_status cmap_text(const uint8_t *used, chronicle_buf *b)
{
    uint32_t *singles = malloc(2 * 65536 * sizeof *singles), *ranges = NULL;
    size_t n_single = 0, n_range = 0;
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    if (!singles || !(ranges = malloc(2 * 65536 * sizeof *ranges))) goto out;
    for (uint32_t c = 0; c < 0x10000; c++) {
        if (!bit_get(used, c)) continue;
        uint32_t e = c;
        while (e + 1 < 0x10000 && (e + 1) >> 8 == c >> 8 && bit_get(used, e + 1))
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
    if (st == CHRONICLE_OK) st = cmap_block(b, "bfrange", ranges, n_range, 1);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_puts(b, "endcmap\nCMapName currentdict /CMap defineresource pop\n"
                                   "end\nend\n");
out:
    free(singles);
    free(ranges);
    return st;
}

/* Removes key if present; the class must be exact (libharu flags a
 * mismatch as an error). */
static void dict_drop(HPDF_Dict dict, const char *key, HPDF_UINT16 cls)
{
    if (HPDF_Dict_GetItem(dict, key, cls)) HPDF_Dict_RemoveElement(dict, key);
}

static chronicle_status face_fix_tounicode(pdf_doc *d, pdf_face *f, chronicle_buf *text)
{
    HPDF_Dict tu = HPDF_Dict_GetItem(f->font, "ToUnicode", HPDF_OCLASS_DICT);
    if (!tu || !tu->stream) {
        d->host->error(d->job, CHRONICLE_ERR_INTERNAL,
                       "font %s: libharu wrote no /ToUnicode stream to replace", f->path);
        return CHRONICLE_ERR_INTERNAL;
    }
    chronicle_buf_reset(text);
    chronicle_status st = cmap_text(f->used, text);
    if (st != CHRONICLE_OK) return st;
    /* the stream dictionary of a ToUnicode CMap needs no CMap keys; libharu's
     * CIDSystemInfo (Identity-H) and CMapName (UTF-8) would be wrong there */
    dict_drop(tu, "CIDSystemInfo", HPDF_OCLASS_DICT);
    dict_drop(tu, "CMapName", HPDF_OCLASS_NAME);
    dict_drop(tu, "WMode", HPDF_OCLASS_NUMBER);
    dict_drop(tu, "Type", HPDF_OCLASS_NAME);
    HPDF_MemStream_FreeData(tu->stream);
    HPDF_Stream_Write(tu->stream, (const HPDF_BYTE *)text->ptr, (HPDF_UINT)text->len);
    tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    chronicle_buf what = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&what, "writing the ToUnicode map of font %s", f->path);
    st = pdf_check(d, chronicle_buf_cstr(&what));
    chronicle_buf_free(&what);
    return st;
}

chronicle_status pdf_fonts_finish(pdf_doc *d)
{
    pdf_fonts *f = &d->fonts;
    chronicle_buf text = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    for (int i = 0; i < PDF_N_FACES && st == CHRONICLE_OK; i++) {
        if (!f->face[i].font) continue;
        st = face_fix_tounicode(d, &f->face[i], &text);
        if (st == CHRONICLE_OK) st = face_trim_widths(d, &f->face[i]);
        if (st == CHRONICLE_OK) st = face_keep_components(&f->face[i]);
    }
    chronicle_buf_free(&text);
    if (st == CHRONICLE_OK && f->n_missing)
        d->host->log(d->job, CHRONICLE_LOG_WARN,
                     "%zu character%s could not be drawn (in none of the fonts: %s%s%s, or "
                     "outside the Basic Multilingual Plane, or a control character) and %s shown "
                     "as %s",
                     f->n_missing, f->n_missing == 1 ? "" : "s", f->face[PDF_FACE_REGULAR].path,
                     f->fallback_state < 0 ? "; no fallback font" : ", ",
                     f->fallback_state < 0 ? "" : f->face[PDF_FACE_FALLBACK].path,
                     f->n_missing == 1 ? "is" : "are",
                     f->replacement == 0xFFFD ? "U+FFFD \xEF\xBF\xBD" : "'?'");
    return st;
}

void pdf_fonts_mark(pdf_fonts *f, int face, uint32_t cp)
{
    if (cp <= 0xFFFF) bit_set(f->face[face].used, cp);
}
