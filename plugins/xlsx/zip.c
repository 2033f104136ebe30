/*
 * zip.c — writes the workbook by copying the one libxlsxwriter made (the
 * "frame": every part, with the big data sheets holding their header row
 * only) and replacing those sheets with XML streamed in by cells.c.
 *
 * libxlsxwriter's constant-memory mode prints every cell with fprintf into
 * a temp file, copies the file into the zip and deflates it at zlib's
 * default level.  Here rows go from the sheet functions straight into
 * libdeflate, at level 1 by default (xlsx.compression; figures in
 * doc/performance.md), and the frame's other entries are copied without
 * being recompressed.
 *
 * libdeflate runs on two threads of its own: each megabyte of rows is
 * deflated apart as a whole stream, which unfinal.c then makes joinable
 * (its last block not final, an empty stored block after it, as zlib's
 * sync flush ends), so the pieces join into one deflate stream; the last
 * piece ends it.  libdeflate takes no preset dictionary, so a piece starts
 * without the 32 KiB before it: at a megabyte that costs a fraction of a
 * percent of the size.  The threads only compress; the plugin's thread
 * writes their output in order and never lets them call the host (the
 * plugin ABI's thread rule).
 *
 * Entries are written as a zip writer that can seek does: local header,
 * data, then the header patched with CRC and sizes.  zip64 (sizes or
 * offsets past 4 GiB) is used only where needed: in the central directory
 * for a field that overflows, and in the local headers of replaced entries
 * when the caller asked for it up front (x->zip64, as libxlsxwriter's
 * use_zip64 is asked for), since their sizes are not known before they are
 * written.  LibreOffice refuses a central record with zip64 sizes below
 * 4 GiB, so a record gets them only when they overflow.
 */
#include <errno.h>
#include <fcntl.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "xlsx_internal.h"

#define OUT_BUF (256u << 10)
#define IN_BUF (1u << 20)
#define N_SLOTS 4
#define N_WORKERS 2
#define U32_MAX 0xFFFFFFFFu

typedef struct zip_entry {
    char *name;
    uint16_t flags, method, time, date;
    int zip64; /* its local header has zip64 sizes */
    uint32_t crc;
    uint64_t csize, usize, offset; /* offset: of the local header */
} zip_entry;

struct xlsx_zip {
    xlsx_ctx *x;
    int in, out;
    zip_entry *frame; /* the frame's entries, in its order */
    size_t n_frame, next;
    zip_entry *done; /* the entries written, for the central directory */
    size_t n_done, cap_done;
    uint64_t at; /* bytes written to out */
    /* the entry being replaced */
    int open;
    zip_entry cur;
    unsigned char *obuf;
    char *new_name;  /* the entry being written, when the frame has none of that name */
    size_t slot_out; /* room in a slot's out: libdeflate's bound, and the join's block */
    /* rows are gathered in slot[fill]; the threads deflate the slots handed
     * to them, and the slots are written out in turn from slot[turn] */
    struct slot {
        unsigned char *in, *out;
        size_t in_len, out_len;
        int last, state, zerr;
        uint32_t crc;
    } slot[N_SLOTS];
    int fill, turn; /* the slot being filled; the next to be written */
    pthread_t worker[N_WORKERS];
    int n_workers;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int quit;
};

enum { SLOT_FREE, SLOT_READY, SLOT_BUSY, SLOT_DONE };

static void *deflater(void *arg);
static chronicle_status drain(xlsx_zip *z, int all);

static uint16_t rd16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static unsigned char *wr16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    return p + 2;
}

static unsigned char *wr32(unsigned char *p, uint32_t v)
{
    return wr16(wr16(p, v & 0xFFFF), v >> 16);
}

static unsigned char *wr64(unsigned char *p, uint64_t v)
{
    return wr32(wr32(p, (uint32_t)v), (uint32_t)(v >> 32));
}

/* Reports a failure once: what (NULL: writing the output, whose name is
 * the host's temporary one) and the system's reason when err is set. */
static chronicle_status fail(xlsx_zip *z, chronicle_status st, const char *what, int err)
{
    xlsx_ctx *x = z->x;
    if (x->status != CHRONICLE_OK) return x->status;
    x->status = st;
    if (err && what)
        x->host->error(x->job, st, "writing the workbook failed: %s: %s", what, strerror(err));
    else if (err)
        x->host->error(x->job, st, "writing the workbook failed: %s", strerror(err));
    else
        x->host->error(x->job, st, "writing the workbook failed: %s", what);
    return st;
}

/* Writes to the output; 0 or an errno.  Either thread, never both at once. */
static int put_raw(xlsx_zip *z, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(z->out, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return k < 0 ? errno : ENOSPC;
        c += k;
        n -= (size_t)k;
        z->at += (uint64_t)k;
    }
    return 0;
}

static chronicle_status put(xlsx_zip *z, const void *p, size_t n)
{
    int err = put_raw(z, p, n);
    return err ? fail(z, CHRONICLE_ERR_IO, NULL, err) : CHRONICLE_OK;
}

static chronicle_status get(xlsx_zip *z, void *p, size_t n, uint64_t off)
{
    char *c = p;
    while (n) {
        ssize_t k = pread(z->in, c, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0)
            return fail(z, CHRONICLE_ERR_IO, "reading libxlsxwriter's workbook back",
                        k < 0 ? errno : EIO);
        c += k;
        n -= (size_t)k;
        off += (uint64_t)k;
    }
    return CHRONICLE_OK;
}

/* ---- reading the frame's central directory ---- */

static chronicle_status read_frame(xlsx_zip *z)
{
    off_t end = lseek(z->in, 0, SEEK_END);
    unsigned char eocd[22];
    if (end < 22 || get(z, eocd, 22, (uint64_t)end - 22) != CHRONICLE_OK ||
        rd32(eocd) != 0x06054b50)
        return fail(z, CHRONICLE_ERR_INTERNAL, "libxlsxwriter's workbook has no zip directory", 0);
    size_t n = rd16(eocd + 10);
    uint64_t size = rd32(eocd + 12), off = rd32(eocd + 16);
    if (off + size > (uint64_t)end)
        return fail(z, CHRONICLE_ERR_INTERNAL, "libxlsxwriter's zip directory is out of place", 0);
    unsigned char *cd = malloc(size ? size : 1);
    z->frame = calloc(n ? n : 1, sizeof *z->frame);
    if (!cd || !z->frame) {
        free(cd);
        return fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
    }
    chronicle_status st = get(z, cd, size, off);
    const unsigned char *p = cd, *stop = cd + size;
    for (size_t i = 0; st == CHRONICLE_OK && i < n; i++) {
        if (stop - p < 46 || rd32(p) != 0x02014b50) {
            st = fail(z, CHRONICLE_ERR_INTERNAL, "libxlsxwriter's zip directory is malformed", 0);
            break;
        }
        zip_entry *e = &z->frame[z->n_frame];
        size_t name_len = rd16(p + 28), extra = rd16(p + 30), comment = rd16(p + 32);
        e->flags = rd16(p + 8);
        e->method = rd16(p + 10);
        e->time = rd16(p + 12);
        e->date = rd16(p + 14);
        e->crc = rd32(p + 16);
        e->csize = rd32(p + 20);
        e->usize = rd32(p + 24);
        e->offset = rd32(p + 42);
        if ((size_t)(stop - p) < 46 + name_len + extra + comment || e->csize == U32_MAX ||
            e->usize == U32_MAX || e->offset == U32_MAX) {
            st = fail(z, CHRONICLE_ERR_INTERNAL, "libxlsxwriter's zip directory is malformed", 0);
            break;
        }
        if (!(e->name = strndup((const char *)p + 46, name_len))) {
            st = fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
            break;
        }
        z->n_frame++;
        p += 46 + name_len + extra + comment;
    }
    free(cd);
    return st;
}

/* ---- writing ---- */

static chronicle_status remember(xlsx_zip *z, const zip_entry *e)
{
    if (z->n_done == z->cap_done) {
        size_t cap = z->cap_done ? z->cap_done * 2 : 16;
        zip_entry *d = realloc(z->done, cap * sizeof *d);
        if (!d) return fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
        z->done = d;
        z->cap_done = cap;
    }
    z->done[z->n_done] = *e;
    if (!(z->done[z->n_done].name = strdup(e->name)))
        return fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
    z->n_done++;
    return CHRONICLE_OK;
}

/* A local header; with zip64, sizes go in the extra field. */
static size_t local_header(unsigned char *h, const zip_entry *e, int zip64)
{
    size_t name_len = strlen(e->name);
    unsigned char *p = wr32(h, 0x04034b50);
    p = wr16(p, zip64 ? 45 : 20);
    p = wr16(p, e->flags & ~8u); /* sizes are in the header: no data descriptor */
    p = wr16(p, e->method);
    p = wr16(p, e->time);
    p = wr16(p, e->date);
    p = wr32(p, e->crc);
    p = wr32(p, zip64 ? U32_MAX : (uint32_t)e->csize);
    p = wr32(p, zip64 ? U32_MAX : (uint32_t)e->usize);
    p = wr16(p, (uint32_t)name_len);
    p = wr16(p, zip64 ? 20 : 0);
    memcpy(p, e->name, name_len);
    p += name_len;
    if (zip64) {
        p = wr16(p, 1);
        p = wr16(p, 16);
        p = wr64(p, e->usize);
        p = wr64(p, e->csize);
    }
    return (size_t)(p - h);
}

/* Copies frame entry e as it is: a fresh local header, the same compressed bytes. */
static chronicle_status copy_entry(xlsx_zip *z, const zip_entry *e)
{
    unsigned char lh[30];
    if (get(z, lh, 30, e->offset) != CHRONICLE_OK) return z->x->status;
    if (rd32(lh) != 0x04034b50)
        return fail(z, CHRONICLE_ERR_INTERNAL, "libxlsxwriter's zip entry is malformed", 0);
    uint64_t data = e->offset + 30 + rd16(lh + 26) + rd16(lh + 28);
    zip_entry w = *e;
    w.offset = z->at;
    w.flags &= ~8u;
    unsigned char h[30 + 512];
    if (strlen(e->name) > 480)
        return fail(z, CHRONICLE_ERR_INTERNAL, "a zip entry name is too long", 0);
    if (put(z, h, local_header(h, &w, 0)) != CHRONICLE_OK) return z->x->status;
    for (uint64_t left = e->csize; left;) {
        size_t n = left < OUT_BUF ? (size_t)left : OUT_BUF;
        if (get(z, z->obuf, n, data) != CHRONICLE_OK || put(z, z->obuf, n) != CHRONICLE_OK)
            return z->x->status;
        data += n;
        left -= n;
    }
    return remember(z, &w);
}

chronicle_status xlsx_zip_open(xlsx_ctx *x, const char *frame, const char *out, xlsx_zip **zp)
{
    xlsx_zip *z = calloc(1, sizeof *z);
    *zp = z;
    if (!z || !(z->obuf = malloc(OUT_BUF))) {
        x->status = CHRONICLE_ERR_NOMEM;
        x->host->error(x->job, x->status, "out of memory");
        return x->status;
    }
    z->x = x;
    pthread_mutex_init(&z->mu, NULL);
    pthread_cond_init(&z->cv, NULL);
    z->in = open(frame, O_RDONLY | O_CLOEXEC);
    z->out = open(out, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (z->in < 0) return fail(z, CHRONICLE_ERR_IO, frame, errno);
    if (z->out < 0) return fail(z, CHRONICLE_ERR_IO, NULL, errno);
    /* the join adds an empty stored block: 3 bits, up to 7 of padding, 4 bytes */
    z->slot_out = libdeflate_deflate_compress_bound(NULL, IN_BUF) + 6;
    for (int i = 0; i < N_SLOTS; i++)
        if (!(z->slot[i].in = malloc(IN_BUF)) || !(z->slot[i].out = malloc(z->slot_out)))
            return fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
    for (; z->n_workers < N_WORKERS; z->n_workers++)
        if (pthread_create(&z->worker[z->n_workers], NULL, deflater, z) != 0)
            return fail(z, CHRONICLE_ERR_NOMEM, "cannot start a thread", 0);
    return read_frame(z);
}

chronicle_status xlsx_zip_copy_until(xlsx_zip *z, const char *name)
{
    while (z->x->status == CHRONICLE_OK && z->next < z->n_frame &&
           !(name && !strcmp(z->frame[z->next].name, name)))
        copy_entry(z, &z->frame[z->next++]);
    if (z->x->status == CHRONICLE_OK && name && z->next == z->n_frame)
        return fail(z, CHRONICLE_ERR_INTERNAL, "a sheet is missing from libxlsxwriter's workbook",
                    0);
    return z->x->status;
}

/* ---- the deflating threads ---- */

/* Deflates one slot as a whole stream; all but the entry's last are made
 * joinable (unfinal.c), so the slots written in turn are one stream. */
static void deflate_slot(struct libdeflate_compressor *c, struct slot *sl, size_t cap)
{
    sl->crc = libdeflate_crc32(0, sl->in, sl->in_len);
    sl->out_len = libdeflate_deflate_compress(c, sl->in, sl->in_len, sl->out, cap);
    if (sl->out_len && !sl->last) sl->out_len = xlsx_deflate_unfinal(sl->out, sl->out_len, cap);
    sl->zerr = sl->out_len == 0;
}

static void *deflater(void *arg)
{
    xlsx_zip *z = arg;
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(z->x->zip_level);
    pthread_mutex_lock(&z->mu);
    for (;;) {
        /* the oldest slot waiting: the plugin's thread writes them in turn */
        int pick = -1;
        for (int k = 0; k < N_SLOTS && pick < 0; k++)
            if (z->slot[(z->turn + k) % N_SLOTS].state == SLOT_READY)
                pick = (z->turn + k) % N_SLOTS;
        if (pick < 0 && z->quit) break;
        if (pick < 0) {
            pthread_cond_wait(&z->cv, &z->mu);
            continue;
        }
        struct slot *sl = &z->slot[pick];
        sl->state = SLOT_BUSY;
        pthread_mutex_unlock(&z->mu);
        if (c)
            deflate_slot(c, sl, z->slot_out);
        else
            sl->zerr = 1;
        pthread_mutex_lock(&z->mu);
        sl->state = SLOT_DONE;
        pthread_cond_broadcast(&z->cv);
    }
    pthread_mutex_unlock(&z->mu);
    libdeflate_free_compressor(c);
    return NULL;
}

/* Writes the deflated slots in turn, until slot[fill] is free to be filled
 * (all 0) or until every slot is (all 1). */
static chronicle_status drain(xlsx_zip *z, int all)
{
    pthread_mutex_lock(&z->mu);
    for (;;) {
        if (all ? z->turn == z->fill && z->slot[z->turn].state == SLOT_FREE
                : z->slot[z->fill].state == SLOT_FREE)
            break;
        struct slot *sl = &z->slot[z->turn];
        if (sl->state != SLOT_DONE) {
            pthread_cond_wait(&z->cv, &z->mu);
            continue;
        }
        pthread_mutex_unlock(&z->mu);
        if (z->x->status == CHRONICLE_OK && sl->zerr)
            fail(z, CHRONICLE_ERR_INTERNAL, "libdeflate failed", 0);
        if (z->x->status == CHRONICLE_OK && put(z, sl->out, sl->out_len) == CHRONICLE_OK) {
            z->cur.crc = (uint32_t)crc32_combine(z->cur.crc, sl->crc, (z_off_t)sl->in_len);
            z->cur.csize += sl->out_len;
        }
        pthread_mutex_lock(&z->mu);
        sl->state = SLOT_FREE;
        sl->in_len = 0;
        z->turn = (z->turn + 1) % N_SLOTS;
    }
    pthread_mutex_unlock(&z->mu);
    return z->x->status;
}

/* Hands slot[fill] to the threads and moves on to the next slot. */
static chronicle_status submit(xlsx_zip *z, int last)
{
    struct slot *sl = &z->slot[z->fill];
    z->cur.usize += sl->in_len;
    sl->last = last;
    pthread_mutex_lock(&z->mu);
    sl->state = SLOT_READY;
    pthread_cond_broadcast(&z->cv);
    pthread_mutex_unlock(&z->mu);
    z->fill = (z->fill + 1) % N_SLOTS;
    return drain(z, 0);
}

chronicle_status xlsx_zip_write(xlsx_zip *z, const void *p, size_t n)
{
    const unsigned char *c = p;
    while (z->x->status == CHRONICLE_OK && n) {
        struct slot *sl = &z->slot[z->fill];
        size_t room = IN_BUF - sl->in_len, k = n < room ? n : room;
        memcpy(sl->in + sl->in_len, c, k);
        sl->in_len += k;
        c += k;
        n -= k;
        if (sl->in_len == IN_BUF) submit(z, 0);
    }
    return z->x->status;
}

/* Opens the entry name at the end of the output: deflated, its local
 * header patched with CRC and sizes by xlsx_zip_end. */
static chronicle_status start_entry(xlsx_zip *z, char *name, uint16_t time, uint16_t date)
{
    z->cur = (zip_entry){
        .name = name, .flags = 0, .method = 8, .time = time, .date = date, .offset = z->at};
    z->cur.zip64 = z->x->zip64;
    z->open = 1;
    unsigned char h[30 + 512 + 20];
    if (strlen(name) > 480)
        return fail(z, CHRONICLE_ERR_INTERNAL, "a zip entry name is too long", 0);
    return put(z, h, local_header(h, &z->cur, z->cur.zip64));
}

chronicle_status xlsx_zip_begin_new(xlsx_zip *z, const char *name)
{
    if (z->x->status != CHRONICLE_OK) return z->x->status;
    for (size_t i = 0; i < z->n_frame; i++)
        if (!strcmp(z->frame[i].name, name))
            return fail(z, CHRONICLE_ERR_INTERNAL,
                        "libxlsxwriter's workbook already has a part streamed in", 0);
    free(z->new_name);
    if (!(z->new_name = strdup(name))) return fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
    const zip_entry *last = z->n_done ? &z->done[z->n_done - 1] : NULL;
    return start_entry(z, z->new_name, last ? last->time : 0, last ? last->date : (1 << 5) | 1);
}

chronicle_status xlsx_zip_begin(xlsx_zip *z, const char *name, char **frame_xml, size_t *len)
{
    *frame_xml = NULL;
    if (xlsx_zip_copy_until(z, name) != CHRONICLE_OK) return z->x->status;
    const zip_entry *e = &z->frame[z->next++];
    /* the frame's XML: small (a header row), inflated whole */
    unsigned char lh[30];
    if (get(z, lh, 30, e->offset) != CHRONICLE_OK) return z->x->status;
    uint64_t data = e->offset + 30 + rd16(lh + 26) + rd16(lh + 28);
    unsigned char *packed = malloc(e->csize ? e->csize : 1);
    char *xml = malloc(e->usize + 1);
    if (!packed || !xml) {
        free(packed);
        free(xml);
        return fail(z, CHRONICLE_ERR_NOMEM, "out of memory", 0);
    }
    int ok = get(z, packed, e->csize, data) == CHRONICLE_OK;
    if (ok && e->method == 8) {
        z_stream in = {0};
        ok = inflateInit2(&in, -MAX_WBITS) == Z_OK;
        in.next_in = packed;
        in.avail_in = (uInt)e->csize;
        in.next_out = (Bytef *)xml;
        in.avail_out = (uInt)e->usize;
        ok = ok && inflate(&in, Z_FINISH) == Z_STREAM_END && in.total_out == e->usize;
        inflateEnd(&in);
    } else if (ok) {
        ok = e->method == 0 && e->csize == e->usize;
        if (ok) memcpy(xml, packed, e->usize);
    }
    free(packed);
    if (!ok) {
        free(xml);
        return z->x->status != CHRONICLE_OK
                   ? z->x->status
                   : fail(z, CHRONICLE_ERR_INTERNAL,
                          "cannot read a sheet of libxlsxwriter's workbook", 0);
    }
    xml[e->usize] = '\0';
    /* the new entry: same name and time, deflated, sizes patched at the end */
    if (start_entry(z, e->name, e->time, e->date) != CHRONICLE_OK) {
        free(xml);
        return z->x->status;
    }
    *frame_xml = xml;
    *len = e->usize;
    return CHRONICLE_OK;
}

chronicle_status xlsx_zip_end(xlsx_zip *z)
{
    if (!z->open) return z->x->status;
    if (z->x->status == CHRONICLE_OK) submit(z, 1);
    drain(z, 1);
    z->open = 0;
    if (z->x->status != CHRONICLE_OK) return z->x->status;
    if (!z->cur.zip64 && (z->cur.usize >= U32_MAX || z->cur.csize >= U32_MAX))
        return fail(z, CHRONICLE_ERR_INTERNAL,
                    "a sheet outgrew 4 GiB though its size was estimated below: zip64 was not "
                    "chosen (please report this)",
                    0);
    unsigned char h[30 + 512 + 20];
    size_t n = local_header(h, &z->cur, z->cur.zip64);
    if (pwrite(z->out, h, n, (off_t)z->cur.offset) != (ssize_t)n)
        return fail(z, CHRONICLE_ERR_IO, NULL, errno ? errno : EIO);
    return remember(z, &z->cur);
}

/* The central directory, zip64 where a field overflows, and the end records. */
static chronicle_status finish(xlsx_zip *z)
{
    uint64_t start = z->at;
    int any64 = z->n_done >= 0xFFFF;
    for (size_t i = 0; i < z->n_done && z->x->status == CHRONICLE_OK; i++) {
        const zip_entry *e = &z->done[i];
        int u64 = e->usize >= U32_MAX, c64 = e->csize >= U32_MAX, o64 = e->offset >= U32_MAX;
        size_t name_len = strlen(e->name),
               extra = (u64 || c64 || o64) ? 4u + 8u * (unsigned)(u64 + c64 + o64) : 0;
        unsigned char h[46 + 512 + 28], *p = wr32(h, 0x02014b50);
        any64 |= u64 || c64 || o64;
        p = wr16(p, extra ? 45 : 20); /* made by: MS-DOS, the version needed */
        p = wr16(p, extra ? 45 : 20);
        p = wr16(p, e->flags & ~8u);
        p = wr16(p, e->method);
        p = wr16(p, e->time);
        p = wr16(p, e->date);
        p = wr32(p, e->crc);
        p = wr32(p, c64 ? U32_MAX : (uint32_t)e->csize);
        p = wr32(p, u64 ? U32_MAX : (uint32_t)e->usize);
        p = wr16(p, (uint32_t)name_len);
        p = wr16(p, (uint32_t)extra);
        p = wr16(p, 0); /* comment */
        p = wr16(p, 0); /* disk */
        p = wr16(p, 0); /* internal attributes */
        p = wr32(p, 0); /* external attributes */
        p = wr32(p, o64 ? U32_MAX : (uint32_t)e->offset);
        memcpy(p, e->name, name_len);
        p += name_len;
        if (extra) {
            p = wr16(p, 1);
            p = wr16(p, (uint32_t)extra - 4);
            if (u64) p = wr64(p, e->usize);
            if (c64) p = wr64(p, e->csize);
            if (o64) p = wr64(p, e->offset);
        }
        put(z, h, (size_t)(p - h));
    }
    uint64_t size = z->at - start, end64 = z->at;
    any64 |= start >= U32_MAX || size >= U32_MAX;
    unsigned char t[56 + 20 + 22], *p = t;
    if (any64) {
        p = wr32(p, 0x06064b50); /* zip64 end of central directory */
        p = wr64(p, 44);
        p = wr16(p, 45);
        p = wr16(p, 45);
        p = wr32(p, 0);
        p = wr32(p, 0);
        p = wr64(p, z->n_done);
        p = wr64(p, z->n_done);
        p = wr64(p, size);
        p = wr64(p, start);
        p = wr32(p, 0x07064b50); /* its locator */
        p = wr32(p, 0);
        p = wr64(p, end64);
        p = wr32(p, 1);
    }
    p = wr32(p, 0x06054b50);
    p = wr16(p, 0);
    p = wr16(p, 0);
    p = wr16(p, any64 && z->n_done >= 0xFFFF ? 0xFFFF : (uint32_t)z->n_done);
    p = wr16(p, any64 && z->n_done >= 0xFFFF ? 0xFFFF : (uint32_t)z->n_done);
    p = wr32(p, size >= U32_MAX ? U32_MAX : (uint32_t)size);
    p = wr32(p, start >= U32_MAX ? U32_MAX : (uint32_t)start);
    p = wr16(p, 0);
    put(z, t, (size_t)(p - t));
    return z->x->status;
}

chronicle_status xlsx_zip_close(xlsx_zip *z)
{
    if (!z) return CHRONICLE_OK;
    chronicle_status st = z->x->status;
    /* the threads finish what they hold (a failed export's slots are
     * dropped), then stop */
    pthread_mutex_lock(&z->mu);
    z->quit = 1;
    pthread_cond_broadcast(&z->cv);
    pthread_mutex_unlock(&z->mu);
    for (int i = 0; i < z->n_workers; i++)
        pthread_join(z->worker[i], NULL);
    pthread_mutex_destroy(&z->mu);
    pthread_cond_destroy(&z->cv);
    if (st == CHRONICLE_OK && !z->open && z->out >= 0 && z->in >= 0 &&
        xlsx_zip_copy_until(z, NULL) == CHRONICLE_OK)
        st = finish(z);
    if (z->out >= 0 && close(z->out) != 0 && st == CHRONICLE_OK)
        st = fail(z, CHRONICLE_ERR_IO, NULL, errno);
    if (z->in >= 0) close(z->in);
    for (size_t i = 0; i < z->n_frame; i++)
        free(z->frame[i].name);
    for (size_t i = 0; i < z->n_done; i++)
        free(z->done[i].name);
    free(z->frame);
    free(z->done);
    free(z->new_name);
    free(z->obuf);
    for (int i = 0; i < N_SLOTS; i++) {
        free(z->slot[i].in);
        free(z->slot[i].out);
    }
    free(z);
    return st;
}
