/*
 * hpdf_private.c — everything the pdf plugin does with libharu's internals,
 * behind the functions of hpdf_private.h: content streams written already
 * deflated, destinations with a null zoom, saving through a checked
 * writer, the resource names content streams use, and a font's /ToUnicode, /W and subset flags.
 * Struct members and the object functions of hpdf_objects.h change between libharu releases without
 * notice, so this file is verified against one release and refuses to build against any other
 * (below).
 */
#define _GNU_SOURCE 1   /* O_TMPFILE */
#define PDF_HPDF_FULL 1 /* pdf_internal.h: libharu's structs, not opaque handles */
#include <hpdf.h>
#include <hpdf_font.h>
#include <hpdf_fontdef.h>
#include <hpdf_list.h>
#include <hpdf_objects.h>
#include <hpdf_pages.h>
#include <hpdf_streams.h>
#include <hpdf_version.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* ---- holding less: finished bytes in a temporary file ----
 *
 * libharu keeps every object until the document is saved.  What is
 * finished goes to an unlinked temporary file instead and comes back only
 * while saving: the deflated content of each page (a stream libharu reads
 * through spilled_read), and the leading entries of a dictionary that
 * nothing changes any more (a link, an outline entry, the start of a page
 * and of its resources), written as libharu would write them and dropped
 * from the dictionary; its before_write hook puts them back in the file at
 * the same place, so the saved bytes are those of the document kept whole.
 * One briefing per process (like alloc.c): the state is the file's. */

enum { SPILL_PENDING = 1 << 20, SPILL_WINDOW = 1 << 18, SPILL_RECENT = 4, SPILL_RECENT_MAX = 256 };

/* A dictionary whose leading entries are in the file: where (40 bits),
 * how many bytes (20 bits) and the dictionary's own hook, called after them
 * (4 bits: its index in spill.hooks, 0 none).  16 bytes a dictionary. */
typedef struct frozen {
    const void *dict; /* NULL: a free slot */
    uint64_t where;
} frozen;
#define FROZEN_OFF_BITS 40
#define FROZEN_LEN_BITS 20
#define FROZEN_HOOKS 16

static struct spill {
    int fd;                 /* -1: none, libharu keeps everything */
    uint64_t size;          /* bytes in the file, pending ones included */
    unsigned char *pending; /* the last bytes, not written yet */
    size_t n_pending;
    unsigned char *window; /* bytes read back while saving */
    uint64_t window_off;
    size_t window_len;
    frozen *table; /* open addressing by dictionary; at most 3/4 full */
    size_t n_table, cap_table;
    struct {
        uint64_t off;
        uint32_t len;
        unsigned char bytes[SPILL_RECENT_MAX];
    } recent[SPILL_RECENT]; /* short runs of entries written lately: shared */
    unsigned next_recent;
    HPDF_Stream out;                               /* the document's output, while saving */
    HPDF_Dict_BeforeWriteFunc hooks[FROZEN_HOOKS]; /* [0]: none */
    chronicle_buf entries;                         /* scratch: the entries being frozen */
    int stuck;      /* the file took no more (a full disk): what follows stays in memory */
    int read_errno; /* of a failed read back */
} spill = {.fd = -1};

static chronicle_status spill_failed(pdf_doc *d, const char *what, int err)
{
    d->host->error(d->job, CHRONICLE_ERR_IO, "%s the briefing's temporary file: %s", what,
                   strerror(err));
    return CHRONICLE_ERR_IO;
}

/* The pending bytes, to the file. */
static int spill_flush(void)
{
    size_t done = 0;
    uint64_t at = spill.size - spill.n_pending;
    while (done < spill.n_pending) {
        ssize_t w =
            pwrite(spill.fd, spill.pending + done, spill.n_pending - done, (off_t)(at + done));
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return w < 0 ? errno : ENOSPC;
        done += (size_t)w;
    }
    spill.n_pending = 0;
    return 0;
}

/* Takes n bytes at the end of the file: pending, or written at once when
 * they would not fit.  0 when the file can take no more (a full disk: the
 * pending bytes then stay in memory, and so does everything after them, as
 * without a file; the output, written last, reports the disk). */
static int spill_take(const void *data, size_t n, uint64_t *off)
{
    if (spill.fd < 0 || spill.stuck) return 0;
    if (spill.n_pending + n > SPILL_PENDING && spill_flush()) {
        spill.stuck = 1;
        return 0;
    }
    *off = spill.size;
    if (n > SPILL_PENDING) {
        for (size_t done = 0; done < n;) {
            ssize_t w =
                pwrite(spill.fd, (const char *)data + done, n - done, (off_t)(spill.size + done));
            if (w < 0 && errno == EINTR) continue;
            if (w <= 0) {
                spill.stuck = 1;
                return 0;
            }
            done += (size_t)w;
        }
    } else {
        memcpy(spill.pending + spill.n_pending, data, n);
        spill.n_pending += n;
    }
    spill.size += n;
    return 1;
}

/* Up to *n bytes of the file from off, in place; NULL when the read failed. */
static const unsigned char *spill_at(uint64_t off, size_t *n)
{
    uint64_t written = spill.size - spill.n_pending;
    if (off >= written) { /* still pending: a full disk took none of it */
        if (*n > spill.size - off) *n = (size_t)(spill.size - off);
        return spill.pending + (off - written);
    }
    if (*n > written - off) *n = (size_t)(written - off);
    if (off < spill.window_off || off >= spill.window_off + spill.window_len) {
        ssize_t r;
        do
            r = pread(spill.fd, spill.window, SPILL_WINDOW, (off_t)off);
        while (r < 0 && errno == EINTR);
        if (r <= 0) {
            spill.read_errno = r < 0 ? errno : EIO;
            return NULL;
        }
        spill.window_off = off, spill.window_len = (size_t)r;
    }
    size_t avail = (size_t)(spill.window_off + spill.window_len - off);
    if (*n > avail) *n = avail;
    return spill.window + (off - spill.window_off);
}

chronicle_status pdf_hpdf_spill_open(pdf_doc *d)
{
    const char *dir = d->host->scratch_dir(d->job);
    if (!dir) return CHRONICLE_OK;
    int fd = -1;
#ifdef O_TMPFILE
    fd = open(dir, O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
#endif
    if (fd < 0) { /* a file system without O_TMPFILE: a random name, removed at once */
        chronicle_buf path = CHRONICLE_BUF_INIT;
        if (chronicle_buf_appendf(&path, "%s/pdf-XXXXXX", dir) != CHRONICLE_OK)
            return CHRONICLE_ERR_NOMEM;
        fd = mkstemp(path.ptr);
        if (fd >= 0) {
            unlink(path.ptr);
            fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
        chronicle_buf_free(&path);
    }
    if (fd < 0) return CHRONICLE_OK; /* everything stays in memory, as before */
    spill.pending = malloc(SPILL_PENDING);
    spill.window = malloc(SPILL_WINDOW);
    if (!spill.pending || !spill.window) {
        close(fd);
        pdf_hpdf_spill_close();
        return CHRONICLE_ERR_NOMEM;
    }
    spill.fd = fd;
    return CHRONICLE_OK;
}

void pdf_hpdf_spill_close(void)
{
    if (spill.fd >= 0) close(spill.fd);
    free(spill.pending);
    free(spill.window);
    free(spill.table);
    chronicle_buf_free(&spill.entries);
    memset(&spill, 0, sizeof spill);
    spill.fd = -1;
}

/* ---- content read back from the file ---- */

typedef struct spilled {
    uint64_t off;
    uint32_t len, pos;
} spilled;

static HPDF_STATUS spilled_read(HPDF_Stream s, HPDF_BYTE *buf, HPDF_UINT *size)
{
    spilled *sp = s->attr;
    HPDF_UINT want = *size, got = 0;
    if (want > sp->len - sp->pos) want = sp->len - sp->pos;
    while (got < want) {
        size_t n = want - got;
        const unsigned char *p = spill_at(sp->off + sp->pos, &n);
        if (!p) {
            *size = got;
            return HPDF_SetError(s->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)spill.read_errno);
        }
        memcpy(buf + got, p, n);
        got += (HPDF_UINT)n, sp->pos += (uint32_t)n;
    }
    *size = got;
    return sp->pos == sp->len ? HPDF_STREAM_EOF : HPDF_OK;
}

static HPDF_STATUS spilled_seek(HPDF_Stream s, HPDF_INT pos, HPDF_WhenceMode mode)
{
    spilled *sp = s->attr;
    int64_t at = mode == HPDF_SEEK_CUR   ? sp->pos + (int64_t)pos
                 : mode == HPDF_SEEK_END ? sp->len + (int64_t)pos
                                         : (int64_t)pos;
    if (at < 0 || at > sp->len) return HPDF_SetError(s->error, HPDF_STREAM_EOF, 0);
    sp->pos = (uint32_t)at;
    return HPDF_OK;
}

static HPDF_INT32 spilled_tell(HPDF_Stream s)
{
    return (HPDF_INT32)((spilled *)s->attr)->pos;
}

static HPDF_UINT32 spilled_size(HPDF_Stream s)
{
    return ((spilled *)s->attr)->len;
}

static void spilled_free(HPDF_Stream s)
{
    HPDF_FreeMem(s->mmgr, s->attr);
    s->attr = NULL;
}

/* The stream's data becomes the n bytes of data, put in the file; 0 when
 * the file takes no more (or memory ran out: libharu's handler has it). */
static int spill_stream(pdf_doc *d, HPDF_Dict dict, const void *data, size_t n)
{
    HPDF_MMgr mmgr = d->doc->mmgr;
    HPDF_Stream s = HPDF_GetMem(mmgr, sizeof(HPDF_Stream_Rec));
    spilled *sp = s ? HPDF_GetMem(mmgr, sizeof *sp) : NULL;
    if (!sp || !spill_take(data, n, &sp->off)) {
        if (sp) HPDF_FreeMem(mmgr, sp);
        if (s) HPDF_FreeMem(mmgr, s);
        return 0;
    }
    sp->len = (uint32_t)n, sp->pos = 0;
    memset(s, 0, sizeof *s);
    s->sig_bytes = HPDF_STREAM_SIG_BYTES;
    s->type = HPDF_STREAM_UNKNOWN;
    s->mmgr = mmgr;
    s->error = mmgr->error;
    s->read_fn = spilled_read;
    s->seek_fn = spilled_seek;
    s->tell_fn = spilled_tell;
    s->size_fn = spilled_size;
    s->free_fn = spilled_free;
    s->attr = sp;
    HPDF_Stream_Free(dict->stream);
    dict->stream = s;
    return 1;
}

/* ---- dictionaries frozen into the file ---- */

/* The slot of dict in the table, or the free slot where it would go. */
static frozen *frozen_slot(const void *dict)
{
    uintptr_t h = (uintptr_t)dict;
    h = (h ^ (h >> 17)) * (uintptr_t)0x9E3779B97F4A7C15u;
    for (size_t i = (size_t)(h >> 7);; i++) {
        frozen *f = &spill.table[i & (spill.cap_table - 1)];
        if (!f->dict || f->dict == dict) return f;
    }
}

static frozen *frozen_find(const void *dict)
{
    frozen *f = spill.cap_table ? frozen_slot(dict) : NULL;
    return f && f->dict ? f : NULL;
}

static frozen *frozen_add(const void *dict)
{
    if (4 * (spill.n_table + 1) > 3 * spill.cap_table) {
        size_t old_cap = spill.cap_table, cap = old_cap ? 2 * old_cap : 4096;
        frozen *old = spill.table, *t = calloc(cap, sizeof *t);
        if (!t) return NULL;
        spill.table = t, spill.cap_table = cap;
        for (size_t i = 0; i < old_cap; i++)
            if (old[i].dict) *frozen_slot(old[i].dict) = old[i];
        free(old);
    }
    frozen *f = frozen_slot(dict);
    f->dict = dict;
    spill.n_table++;
    return f;
}

/* While saving, in place of the dictionary's hook: its frozen entries,
 * right after the "<<" libharu has written, then the hook. */
static HPDF_STATUS frozen_write(HPDF_Dict dict)
{
    frozen *f = frozen_find(dict);
    if (!f || !spill.out) return HPDF_SetError(dict->error, HPDF_INVALID_OBJECT, 0);
    uint64_t off = f->where & (((uint64_t)1 << FROZEN_OFF_BITS) - 1);
    uint64_t end = off + (f->where >> FROZEN_OFF_BITS & ((1u << FROZEN_LEN_BITS) - 1));
    HPDF_Dict_BeforeWriteFunc hook = spill.hooks[f->where >> (FROZEN_OFF_BITS + FROZEN_LEN_BITS)];
    while (off < end) {
        size_t n = (size_t)(end - off);
        const unsigned char *p = spill_at(off, &n);
        if (!p)
            return HPDF_SetError(dict->error, HPDF_FILE_IO_ERROR, (HPDF_STATUS)spill.read_errno);
        HPDF_STATUS st = HPDF_Stream_Write(spill.out, p, (HPDF_UINT)n);
        if (st != HPDF_OK) return st;
        off += n;
    }
    return hook ? hook(dict) : HPDF_OK;
}

/* The index of a dictionary's own hook in spill.hooks; FROZEN_HOOKS when
 * there is no room (there are three: none, an outline's, a page's). */
static unsigned hook_index(HPDF_Dict_BeforeWriteFunc fn)
{
    unsigned i = 0;
    if (!fn) return 0;
    while (++i < FROZEN_HOOKS && spill.hooks[i] && spill.hooks[i] != fn)
        ;
    if (i < FROZEN_HOOKS) spill.hooks[i] = fn;
    return i;
}

/* The list's room becomes what it holds: a dictionary of libharu's starts
 * with room for 20 entries, 176 bytes that a frozen one no longer needs. */
static void list_fit(HPDF_List l)
{
    if (l->count == l->block_siz) return;
    void **obj = l->count ? HPDF_GetMem(l->mmgr, l->count * (HPDF_UINT)sizeof *obj) : NULL;
    if (l->count && !obj) return;
    if (obj) memcpy(obj, l->obj, l->count * sizeof *obj);
    HPDF_FreeMem(l->mmgr, l->obj);
    l->obj = obj;
    l->block_siz = l->count;
}

static HPDF_STATUS entries_write(HPDF_Stream s, const HPDF_BYTE *ptr, HPDF_UINT size)
{
    return chronicle_buf_append(s->attr, ptr, size) == CHRONICLE_OK ? HPDF_OK
                                                                    : HPDF_FAILD_TO_ALLOC_MEM;
}

/* The bytes of the entries, in the file: a short run written lately (a
 * page's /Type and /MediaBox, its /ProcSet) is shared. */
static int entries_put(const chronicle_buf *b, uint64_t *off)
{
    int short_run = b->len <= SPILL_RECENT_MAX;
    for (unsigned i = 0; short_run && i < SPILL_RECENT; i++)
        if (spill.recent[i].len == b->len && !memcmp(spill.recent[i].bytes, b->ptr, b->len)) {
            *off = spill.recent[i].off;
            return 1;
        }
    if (!spill_take(b->ptr, b->len, off)) return 0;
    if (short_run) {
        unsigned i = spill.next_recent++ % SPILL_RECENT;
        spill.recent[i].off = *off;
        spill.recent[i].len = (uint32_t)b->len;
        memcpy(spill.recent[i].bytes, b->ptr, b->len);
    }
    return 1;
}

static int hidden(const HPDF_DictElement e)
{
    return (((const HPDF_Obj_Header *)e->value)->obj_id & HPDF_OTYPE_HIDDEN) != 0;
}

/* Moves the entries of dict before the one named stop (every entry: NULL)
 * to the file, written as HPDF_Dict_Write writes them.  Hidden entries
 * (libharu's bookkeeping, never written) stay.  The caller vouches that
 * nothing changes or looks up those entries again, and that the
 * dictionary is written only by saving the document. */
static chronicle_status freeze(pdf_doc *d, HPDF_Dict dict, const char *stop)
{
    if (spill.fd < 0 || !dict || frozen_find(dict)) return CHRONICLE_OK;
    HPDF_List list = dict->list;
    HPDF_UINT end = 0, i, j;
    while (end < list->count && !(stop && !strcmp(((HPDF_DictElement)list->obj[end])->key, stop)))
        end++;
    chronicle_buf_reset(&spill.entries);
    HPDF_Stream_Rec w;
    memset(&w, 0, sizeof w);
    w.sig_bytes = HPDF_STREAM_SIG_BYTES;
    w.type = HPDF_STREAM_CALLBACK;
    w.mmgr = dict->mmgr;
    w.error = dict->error;
    w.write_fn = entries_write;
    w.attr = &spill.entries;
    HPDF_STATUS hs = HPDF_OK;
    for (i = 0; i < end && hs == HPDF_OK; i++) {
        HPDF_DictElement e = list->obj[i];
        if (hidden(e)) continue;
        if ((hs = HPDF_Stream_WriteEscapeName(&w, e->key)) == HPDF_OK &&
            (hs = HPDF_Stream_WriteChar(&w, ' ')) == HPDF_OK &&
            (hs = HPDF_Obj_Write(e->value, &w, NULL)) == HPDF_OK)
            hs = HPDF_Stream_WriteStr(&w, "\012");
    }
    if (hs != HPDF_OK) return pdf_check(d, "holding a finished object");
    unsigned hook = hook_index(dict->before_write_fn);
    if (!spill.entries.len || spill.entries.len >> FROZEN_LEN_BITS || hook == FROZEN_HOOKS)
        return CHRONICLE_OK; /* nothing to take, or too much: kept as it is */
    uint64_t off;
    if (!entries_put(&spill.entries, &off) || off >> FROZEN_OFF_BITS) return CHRONICLE_OK;
    frozen *f = frozen_add(dict);
    if (!f) return CHRONICLE_ERR_NOMEM;
    f->where = off | (uint64_t)spill.entries.len << FROZEN_OFF_BITS |
               (uint64_t)hook << (FROZEN_OFF_BITS + FROZEN_LEN_BITS);
    dict->before_write_fn = frozen_write;
    for (i = 0, j = 0; i < list->count; i++) {
        HPDF_DictElement e = list->obj[i];
        if (i < end && !hidden(e)) {
            HPDF_Obj_Free(dict->mmgr, e->value);
            HPDF_FreeMem(dict->mmgr, e);
        } else {
            list->obj[j++] = e;
        }
    }
    list->count = j;
    list_fit(list);
    return CHRONICLE_OK;
}

chronicle_status pdf_hpdf_annot_done(pdf_doc *d, HPDF_Annotation annot)
{
    return freeze(d, annot, NULL);
}

chronicle_status pdf_hpdf_outline_done(pdf_doc *d, HPDF_Outline item)
{
    /* its next sibling's link stays: the parent counts its children by it */
    return item && !HPDF_Dict_GetItem(item, "First", HPDF_OCLASS_DICT) ? freeze(d, item, "Next")
                                                                       : CHRONICLE_OK;
}

/* ---- pages ---- */

chronicle_status pdf_hpdf_page_prepare(pdf_doc *d, HPDF_Page page)
{
    HPDF_PageAttr attr = (HPDF_PageAttr)page->attr;
    attr->contents->filter = HPDF_STREAM_FILTER_NONE;
    /* the graphics state of libharu's drawing calls, which the plugin
     * makes none of (its content is its own): 240 bytes a page */
    while (attr->gstate)
        attr->gstate = HPDF_GState_Free(page->mmgr, attr->gstate);
    list_fit(attr->contents->list);
    /* /Type and /MediaBox (set by now) are final, and so is /ProcSet, which
     * leads the resources, before the fonts the page will use */
    chronicle_status st = freeze(d, page, "Contents");
    return st == CHRONICLE_OK
               ? freeze(d, HPDF_Dict_GetItem(page, "Resources", HPDF_OCLASS_DICT), NULL)
               : st;
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
    list_fit(stream->list); /* its one entry, /Length */
    int in_file = spill_stream(d, stream, zdata, n);
    if (in_file && stream == first) /* libharu's drawing target (the plugin draws none) */
        ((HPDF_PageAttr)p->page->attr)->stream = first->stream;
    if (!in_file &&
        HPDF_Stream_Write(stream->stream, (const HPDF_BYTE *)zdata, (HPDF_UINT)n) != HPDF_OK)
        return pdf_check(d, "writing a page");
    p->n_streams++;
    return CHRONICLE_OK;
}

/* A name of libharu's takes 176 bytes, most of them room for 127
 * characters; a destination's /XYZ needs four.  Only HPDF_Name_SetValue,
 * never called on it, writes past the value's end. */
static HPDF_Name short_name(HPDF_MMgr mmgr, const char *value)
{
    size_t len = strlen(value);
    HPDF_Name n = HPDF_GetMem(mmgr, (HPDF_UINT)(offsetof(HPDF_Name_Rec, value) + len + 1));
    if (!n) return NULL;
    memset(&n->header, 0, sizeof n->header);
    n->header.obj_class = HPDF_OCLASS_NAME;
    n->error = mmgr->error;
    memcpy(n->value, value, len + 1);
    return n;
}

HPDF_Destination pdf_hpdf_dest_top(HPDF_Page page, float top)
{
    HPDF_Destination dst = HPDF_Page_CreateDestination(page);
    if (!dst) return NULL;
    HPDF_Array_Clear(dst);
    HPDF_Array_Add(dst, page);
    HPDF_Array_Add(dst, short_name(dst->mmgr, "XYZ"));
    HPDF_Array_Add(dst, HPDF_Null_New(dst->mmgr));
    HPDF_Array_AddReal(dst, top);
    HPDF_Array_Add(dst, HPDF_Null_New(dst->mmgr));
    list_fit(dst->list);
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
    /* what the file does not take (a full disk) is read from memory */
    if (spill.fd >= 0 && !spill.stuck && spill_flush()) spill.stuck = 1;
    spill.out = doc->stream;
    HPDF_STATUS st = HPDF_SaveToStream(doc);
    spill.out = NULL;
    doc->stream->attr = NULL;
    if (spill.read_errno && d->out_status == CHRONICLE_OK) {
        d->out_status = spill_failed(d, "reading back", spill.read_errno);
        return HPDF_FILE_IO_ERROR;
    }
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
