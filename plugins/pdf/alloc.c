/*
 * alloc.c — the memory libharu works in.  libharu makes hundreds of
 * thousands of small objects (dictionaries, names, numbers, list arrays,
 * stream blocks) and frees few of them before the end; in glibc's malloc
 * that was a seventh of a briefing's time, searching bins, plus the page
 * faults of a heap growing 4 KiB at a time.  Here objects come from 2 MiB
 * chunks (huge pages where the kernel grants them) cut into runs of 64 KiB,
 * each run holding objects of one size class (multiples of 8 bytes): the
 * class of an object is its run's, so an object carries no header, and a
 * freed object goes on its class's list for the next one of that size
 * before any fresh memory is touched.  Anything above MAX_SMALL goes to
 * malloc.  Everything is returned at once by pdf_mem_release() after
 * HPDF_Free.
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
#define RUN (64u << 10)
#define RUNS (CHUNK / RUN)
#define GRAIN 8u /* libharu's structs need no more alignment than a pointer's */
#define MAX_SMALL 8192u
#define N_CLASSES (MAX_SMALL / GRAIN + 1)

/* At the start of each chunk, in its first run. */
typedef struct chunk {
    struct chunk *next;
    uint16_t cls[RUNS]; /* per run: the class of its objects */
} chunk;
#define CHUNK_HEAD ((sizeof(chunk) + 15u) & ~15u)

typedef struct free_block {
    struct free_block *next;
} free_block;

static struct {
    chunk *chunks;
    unsigned runs_used; /* runs handed out in the newest chunk */
    uintptr_t *base;    /* every chunk's address, ascending: is a block ours? */
    size_t n_base, cap_base;
    char *at[N_CLASSES]; /* per class: the free part of its newest run */
    char *end[N_CLASSES];
    free_block *free[N_CLASSES]; /* per class: blocks freed by libharu */
} mem;

static int grow(void)
{
    if (mem.n_base == mem.cap_base) {
        size_t cap = mem.cap_base ? 2 * mem.cap_base : 64;
        uintptr_t *b = realloc(mem.base, cap * sizeof *b);
        if (!b) return 0;
        mem.base = b, mem.cap_base = cap;
    }
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
    mem.runs_used = 0;
    size_t i = mem.n_base++;
    while (i && mem.base[i - 1] > (uintptr_t)p) {
        mem.base[i] = mem.base[i - 1];
        i--;
    }
    mem.base[i] = (uintptr_t)p;
    return 1;
}

/* A fresh run for the class: its objects start after the chunk's head in
 * the first run of a chunk. */
static int new_run(uint32_t cls)
{
    if ((!mem.chunks || mem.runs_used == RUNS) && !grow()) return 0;
    unsigned r = mem.runs_used++;
    char *run = (char *)mem.chunks + (size_t)r * RUN;
    mem.chunks->cls[r] = (uint16_t)cls;
    mem.at[cls] = r ? run : run + CHUNK_HEAD;
    mem.end[cls] = run + RUN;
    return 1;
}

static int ours(const void *p)
{
    uintptr_t base = (uintptr_t)p & ~(uintptr_t)(CHUNK - 1);
    size_t lo = 0, hi = mem.n_base;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (mem.base[mid] == base) return 1;
        if (mem.base[mid] < base)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void *HPDF_STDCALL pdf_mem_alloc(HPDF_UINT size)
{
    size_t need = ((size_t)size + GRAIN - 1) / GRAIN * GRAIN;
    if (need > MAX_SMALL) return malloc((size_t)size);
    if (!need) need = GRAIN;
    uint32_t cls = (uint32_t)(need / GRAIN);
    if (mem.free[cls]) {
        free_block *b = mem.free[cls];
        mem.free[cls] = b->next;
        return b;
    }
    if ((!mem.at[cls] || (size_t)(mem.end[cls] - mem.at[cls]) < need) && !new_run(cls)) return NULL;
    void *p = mem.at[cls];
    mem.at[cls] += need;
    return p;
}

void HPDF_STDCALL pdf_mem_free(void *p)
{
    if (!p) return;
    if (!ours(p)) {
        free(p);
        return;
    }
    const chunk *c = (const chunk *)((uintptr_t)p & ~(uintptr_t)(CHUNK - 1));
    uint32_t cls = c->cls[((uintptr_t)p & (CHUNK - 1)) / RUN];
    free_block *b = p;
    b->next = mem.free[cls];
    mem.free[cls] = b;
}

void pdf_mem_release(void)
{
    while (mem.chunks) {
        chunk *c = mem.chunks;
        mem.chunks = c->next;
        munmap(c, CHUNK);
    }
    free(mem.base);
    memset(&mem, 0, sizeof mem);
}
