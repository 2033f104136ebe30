/*
 * alloc.c — the memory libharu works in.  libharu makes hundreds of
 * thousands of small objects (dictionaries, names, numbers, list arrays,
 * 4 KiB stream blocks) and frees few of them before the end; in glibc's
 * malloc that was a seventh of a briefing's time, searching bins, plus the
 * page faults of a heap growing 4 KiB at a time.  Here objects come from
 * 2 MiB chunks (huge pages where the kernel grants them), sizes are rounded
 * to classes of 16 bytes, and a freed object goes on its class's list for
 * the next one of that size.  Anything above MAX_SMALL goes to malloc.
 * Everything is returned at once by pdf_mem_release() after HPDF_Free.
 *
 * libharu's allocation hooks take no context, so the state is per process:
 * one briefing at a time, as the host runs every job in its own process.
 * Under AddressSanitizer libharu uses malloc, so its objects keep their
 * redzones.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "pdf_internal.h"

#define CHUNK (2u << 20)
#define GRAIN 16u
#define MAX_SMALL 8192u
#define N_CLASSES (MAX_SMALL / GRAIN + 1)

/* Every block starts with its class (0: a malloc'd block); 16 bytes, so
 * the object after it is 16-byte aligned. */
typedef struct header {
    _Alignas(16) uint32_t cls;
} header;

typedef struct free_block {
    struct free_block *next;
} free_block;

typedef struct chunk {
    struct chunk *next;
} chunk;

static struct {
    chunk *chunks;
    char *at, *end;              /* the free part of the newest chunk */
    free_block *free[N_CLASSES]; /* per class: blocks freed by libharu */
} mem;

static int grow(void)
{
    /* map one chunk more than needed, keep the 2 MiB-aligned part */
    char *m =
        mmap(NULL, 2 * (size_t)CHUNK, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return 0;
    char *p = (char *)(((uintptr_t)m + CHUNK - 1) & ~(uintptr_t)(CHUNK - 1));
    if (p > m) munmap(m, (size_t)(p - m));
    char *tail = p + CHUNK, *end = m + 2 * (size_t)CHUNK;
    if (tail < end) munmap(tail, (size_t)(end - tail));
#ifdef MADV_HUGEPAGE
    (void)madvise(p, CHUNK, MADV_HUGEPAGE); /* a hint: without it, 4 KiB pages */
#endif
    chunk *c = (chunk *)(void *)p;
    c->next = mem.chunks;
    mem.chunks = c;
    mem.at = p + sizeof(header); /* the chunk's link fits in the first 16 bytes */
    mem.end = p + CHUNK;
    return 1;
}

void *HPDF_STDCALL pdf_mem_alloc(HPDF_UINT size)
{
    size_t need = ((size_t)size + GRAIN - 1) / GRAIN * GRAIN;
    if (need > MAX_SMALL) {
        header *h = malloc(sizeof *h + (size_t)size);
        if (!h) return NULL;
        h->cls = 0;
        return h + 1;
    }
    uint32_t cls = (uint32_t)(need / GRAIN);
    if (!cls) cls = 1;
    if (mem.free[cls]) {
        free_block *b = mem.free[cls];
        mem.free[cls] = b->next;
        return b;
    }
    size_t total = sizeof(header) + (size_t)cls * GRAIN;
    if ((!mem.at || (size_t)(mem.end - mem.at) < total) && !grow()) return NULL;
    header *h = (header *)(void *)mem.at;
    mem.at += total;
    h->cls = cls;
    return h + 1;
}

void HPDF_STDCALL pdf_mem_free(void *p)
{
    if (!p) return;
    header *h = (header *)p - 1;
    if (!h->cls) {
        free(h);
        return;
    }
    free_block *b = p;
    b->next = mem.free[h->cls];
    mem.free[h->cls] = b;
}

void pdf_mem_release(void)
{
    while (mem.chunks) {
        chunk *c = mem.chunks;
        mem.chunks = c->next;
        munmap(c, CHUNK);
    }
    memset(&mem, 0, sizeof mem);
}
