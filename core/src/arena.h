/*
 * arena.h — bump allocation for the dataset model, and string interning.
 * Everything allocated from an arena is freed at once with chronicle__arena_free();
 * nothing is freed individually.  Internal to libchronicle.
 */
#ifndef CHRONICLE_ARENA_H
#define CHRONICLE_ARENA_H

#include <stddef.h>
#include <stdint.h>

#include "chronicle/plugin.h"

typedef struct arena_chunk arena_chunk;

typedef struct arena {
    arena_chunk *head;
    char *at, *end;
    size_t total; /* bytes obtained from calloc or mmap */
} arena;

typedef struct intern_slot {
    const char *ptr; /* NULL: empty */
    uint32_t len, hash;
} intern_slot;

typedef struct interner {
    arena *a;
    intern_slot *slots; /* open addressing, linear probing */
    size_t cap, n;
} interner;

/* Zeroed memory aligned for any model struct; NULL when out of memory. */
void *chronicle__arena_alloc(arena *a, size_t size);
void chronicle__arena_free(arena *a);
/* Forgets every allocation but keeps the newest (largest) chunk for the
 * next ones: a scratch arena reused for one event after another. */
void chronicle__arena_reset(arena *a);

/* Hands every chunk of src, and what was allocated in it, to dst (freed
 * with dst); src is left empty. */
void chronicle__arena_adopt(arena *dst, arena *src);

/* Copies s[0..len) plus a NUL into the arena. */
chronicle_str chronicle__arena_strdup(arena *a, const char *s, size_t len);

/* Strings up to INTERN_MAX bytes are stored once; longer ones are copied. */
#define INTERN_MAX 64
chronicle_str chronicle__intern(interner *in, const char *s, size_t len);
/* Interns s whatever its length; *found says whether it was there already. */
chronicle_str chronicle__intern_ex(interner *in, const char *s, size_t len, int *found);
void chronicle__interner_free(interner *in);
size_t chronicle__interner_memory(const interner *in);

#endif
