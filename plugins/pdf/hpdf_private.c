/*
 * hpdf_private.c — everything the pdf plugin does with libharu's internals,
 * behind the functions of hpdf_private.h: content streams written already
 * deflated, destinations with a null zoom, saving through a checked
 * writer, the resource names content streams use, and a font's /ToUnicode, /W and subset flags.
 * Struct members and the object functions of hpdf_objects.h change between libharu releases without
 * notice, so this file is verified against one release and refuses to build against any other
 * (below).
 */
#define PDF_HPDF_FULL 1 /* pdf_internal.h: libharu's structs, not opaque handles */
#include <hpdf.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_list.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_version.h>

#include "hpdf_private.h"

/* Verified against libharu 2.3.0 (Debian 12's libhpdf-dev 2.3.0+dfsg-1):
 * the members read and written here (_HPDF_Dict_Rec filter, write_fn,
 * stream; _HPDF_PageAttr_Rec contents; _HPDF_FontAttr_Rec fontdef,
 * descendant_font, map_stream; _HPDF_TTFontDefAttr_Rec glyph_tbl.flgs,
 * num_glyphs; _HPDF_MemStreamAttr_Rec buf, buf_siz;
 * _HPDF_Doc_Rec stream, mmgr, xref; _HPDF_Stream_Rec attr), the object
 * functions called (hpdf_objects.h, hpdf_pages.h, hpdf_streams.h) and
 * what libharu does with them when saving.  Another release may move or
 * reinterpret any of them: check each use, compare the briefing's bytes
 * (SOURCE_DATE_EPOCH fixed) with qpdf --check and pdftotext, then add its
 * HPDF_VERSION_ID here and to plugins/pdf/meson.build. */
#if !defined(HPDF_VERSION_ID) || HPDF_VERSION_ID != 20300
#error "hpdf_private.c is verified against libharu 2.3.0 only: see the comment above"
#endif

/* ---- pages ---- */

void pdf_hpdf_page_prepare(HPDF_Page page)
{
    ((HPDF_PageAttr)page->attr)->contents->filter = HPDF_STREAM_FILTER_NONE;
}

/* The compressed stream's filter, written among the dictionary's keys:
 * libharu takes the stream's filter to be "none" and copies its bytes. */
static HPDF_STATUS write_flate_filter(HPDF_Dict dict, HPDF_Stream stream)
{
    (void)dict;
    return HPDF_Stream_WriteStr(stream, "/Filter /FlateDecode\012");
}

chronicle_status pdf_hpdf_page_write(pdf_doc *d, pdf_page *p, const void *zdata, size_t n)
{
    HPDF_Dict first = ((HPDF_PageAttr)p->page->attr)->contents, stream = first;
    if (p->n_streams) {
        stream = HPDF_DictStream_New(d->doc->mmgr, d->doc->xref);
        if (stream && p->n_streams == 1) {
            HPDF_Array all = HPDF_Array_New(d->doc->mmgr);
            if (all && HPDF_Array_Add(all, first) == HPDF_OK &&
                HPDF_Dict_Add(p->page, "Contents", all) == HPDF_OK)
                p->streams = all;
        }
        if (!stream || !p->streams || HPDF_Array_Add(p->streams, stream) != HPDF_OK)
            return pdf_check(d, "adding a content stream to a page");
    }
    stream->filter = HPDF_STREAM_FILTER_NONE;
    stream->write_fn = write_flate_filter;
    if (HPDF_Stream_Write(stream->stream, (const HPDF_BYTE *)zdata, (HPDF_UINT)n) != HPDF_OK)
        return pdf_check(d, "writing a page");
    p->n_streams++;
    return CHRONICLE_OK;
}

HPDF_Destination pdf_hpdf_dest_top(HPDF_Page page, float top)
{
    HPDF_Destination dst = HPDF_Page_CreateDestination(page);
    if (!dst) return NULL;
    HPDF_Array_Clear(dst);
    HPDF_Array_Add(dst, page);
    HPDF_Array_AddName(dst, "XYZ");
    HPDF_Array_Add(dst, HPDF_Null_New(dst->mmgr));
    HPDF_Array_AddReal(dst, top);
    HPDF_Array_Add(dst, HPDF_Null_New(dst->mmgr));
    return dst;
}

const char *pdf_hpdf_page_font_name(HPDF_Page page, HPDF_Font font)
{
    return HPDF_Page_GetLocalFontName(page, font);
}

const char *pdf_hpdf_page_image_name(HPDF_Page page, HPDF_Image image)
{
    return HPDF_Page_GetXObjectName(page, image);
}

/* ---- saving ---- */

typedef struct save_to {
    pdf_doc *d;
    pdf_hpdf_sink sink;
} save_to;

static HPDF_STATUS save_write(HPDF_Stream stream, const HPDF_BYTE *ptr, HPDF_UINT size)
{
    const save_to *to = stream->attr;
    return to->sink(to->d, ptr, size) == CHRONICLE_OK ? HPDF_OK : HPDF_FILE_IO_ERROR;
}

HPDF_STATUS pdf_hpdf_save(pdf_doc *d, pdf_hpdf_sink sink)
{
    HPDF_Doc doc = d->doc;
    save_to to = {d, sink};
    /* the writer's data is this call's: the document is saved once */
    if (!doc->stream && !(doc->stream = HPDF_CallbackWriter_New(doc->mmgr, save_write, &to)))
        return HPDF_GetError(doc) ? HPDF_GetError(doc) : HPDF_FAILD_TO_ALLOC_MEM;
    HPDF_STATUS st = HPDF_SaveToStream(doc);
    doc->stream->attr = NULL;
    return st;
}

/* ---- fonts ---- */

/* Removes key if present; the class must be exact (libharu flags a
 * mismatch as an error). */
static void dict_drop(HPDF_Dict dict, const char *key, HPDF_UINT16 cls)
{
    if (HPDF_Dict_GetItem(dict, key, cls)) HPDF_Dict_RemoveElement(dict, key);
}

chronicle_status pdf_hpdf_font_set_tounicode(pdf_doc *d, HPDF_Font font, const char *path,
                                             const chronicle_buf *cmap)
{
    HPDF_Dict tu = HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT);
    if (!tu || !tu->stream) {
        d->host->error(d->job, CHRONICLE_ERR_INTERNAL,
                       "font %s: libharu wrote no /ToUnicode stream to replace", path);
        return CHRONICLE_ERR_INTERNAL;
    }
    /* the stream dictionary of a ToUnicode CMap needs no CMap keys; libharu's
     * CIDSystemInfo (Identity-H) and CMapName (UTF-8) would be wrong there */
    dict_drop(tu, "CIDSystemInfo", HPDF_OCLASS_DICT);
    dict_drop(tu, "CMapName", HPDF_OCLASS_NAME);
    dict_drop(tu, "WMode", HPDF_OCLASS_NUMBER);
    dict_drop(tu, "Type", HPDF_OCLASS_NAME);
    HPDF_MemStream_FreeData(tu->stream);
    HPDF_Stream_Write(tu->stream, (const HPDF_BYTE *)cmap->ptr, (HPDF_UINT)cmap->len);
    tu->filter = HPDF_STREAM_FILTER_FLATE_DECODE;
    chronicle_buf what = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&what, "writing the ToUnicode map of font %s", path);
    chronicle_status st = pdf_check(d, chronicle_buf_cstr(&what));
    chronicle_buf_free(&what);
    return st;
}

static HPDF_Dict descendant(HPDF_Font font)
{
    HPDF_FontAttr fa = (HPDF_FontAttr)font->attr;
    return fa ? fa->descendant_font : NULL;
}

int pdf_hpdf_font_has_widths(HPDF_Font font)
{
    HPDF_Dict desc = descendant(font);
    return desc && HPDF_Dict_GetItem(desc, "W", HPDF_OCLASS_ARRAY);
}

chronicle_status pdf_hpdf_font_set_widths(pdf_doc *d, HPDF_Font font, const uint32_t *cp,
                                          const unsigned *width, size_t n)
{
    HPDF_Dict desc = descendant(font);
    if (!desc) return CHRONICLE_OK;
    HPDF_Array w = HPDF_Array_New(desc->mmgr), run = NULL;
    for (size_t i = 0; w && i < n; i++) {
        if (!run || cp[i] != cp[i - 1] + 1) {
            HPDF_Array_AddNumber(w, (HPDF_INT32)cp[i]);
            if (!(run = HPDF_Array_New(desc->mmgr)) || HPDF_Array_Add(w, run) != HPDF_OK) break;
        }
        HPDF_Array_AddNumber(run, (HPDF_INT32)width[i]);
    }
    if (w) {
        HPDF_Dict_RemoveElement(desc, "W");
        HPDF_Dict_Add(desc, "W", w);
    }
    return pdf_check(d, "writing the glyph widths");
}

/* Byte at of a memory stream: its data is a list of buf_siz chunks. */
static HPDF_BYTE *mem_at(HPDF_Stream s, HPDF_UINT at)
{
    HPDF_MemStreamAttr m = (HPDF_MemStreamAttr)s->attr;
    HPDF_BYTE *chunk = m->buf_siz ? HPDF_List_ItemAt(m->buf, at / m->buf_siz) : NULL;
    return chunk ? chunk + at % m->buf_siz : NULL;
}

chronicle_status pdf_hpdf_font_alias(pdf_doc *d, HPDF_Font font, uint16_t alias, uint16_t code)
{
    HPDF_FontAttr fa = (HPDF_FontAttr)font->attr;
    HPDF_Dict map = fa ? fa->map_stream : NULL;
    HPDF_Stream s = map ? map->stream : NULL;
    HPDF_UINT from = 2u * code, to = 2u * alias;
    HPDF_BYTE *src = NULL, *dst = NULL;
    /* entries are 2 bytes at even offsets, chunks an even size: never split */
    if (s && s->type == HPDF_STREAM_MEMORY && from + 2 <= HPDF_Stream_Size(s) &&
        to + 2 <= HPDF_Stream_Size(s) && ((HPDF_MemStreamAttr)s->attr)->buf_siz % 2 == 0) {
        src = mem_at(s, from);
        dst = mem_at(s, to);
    }
    if (!src || !dst) {
        d->host->error(d->job, CHRONICLE_ERR_INTERNAL,
                       "libharu wrote no CIDToGIDMap entry for U+%04X to draw mirrored",
                       (unsigned)code);
        return CHRONICLE_ERR_INTERNAL;
    }
    dst[0] = src[0], dst[1] = src[1];
    return CHRONICLE_OK;
}

uint8_t *pdf_hpdf_font_glyph_flags(HPDF_Font font, uint32_t *n_glyphs)
{
    HPDF_FontAttr fa = (HPDF_FontAttr)font->attr;
    *n_glyphs = 0;
    if (!fa || !fa->fontdef || fa->fontdef->type != HPDF_FONTDEF_TYPE_TRUETYPE) return NULL;
    HPDF_TTFontDefAttr ta = (HPDF_TTFontDefAttr)fa->fontdef->attr;
    if (!ta || !ta->glyph_tbl.flgs) return NULL;
    *n_glyphs = ta->num_glyphs;
    return ta->glyph_tbl.flgs;
}
