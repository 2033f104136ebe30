/*
 * struct_size.h — reading a caller-filled public struct that carries
 * struct_size (chronicle_load_opts, chronicle_filter, ...).  The caller may
 * have compiled against older headers, so the library never reads its
 * struct directly past what the caller said it has: it copies
 * min(struct_size, sizeof) bytes into a zeroed local of its own layout
 * (members the caller does not know stay 0, their documented default).
 * struct_size 0 means the 1.0 layout: everything up to and including
 * struct_size itself, which is the last member of that layout.
 */
#ifndef CHRONICLE_STRUCT_SIZE_H
#define CHRONICLE_STRUCT_SIZE_H

#include <stddef.h>
#include <string.h>

/* src may be NULL (then dst is all zeroes: the defaults); size_offset is
 * offsetof(type, struct_size). */
static inline void chronicle__struct_read(void *dst, size_t dst_size, const void *src,
                                          size_t size_offset)
{
    memset(dst, 0, dst_size);
    if (!src) return;
    size_t struct_size, size_1_0 = size_offset + sizeof struct_size;
    memcpy(&struct_size, (const char *)src + size_offset, sizeof struct_size);
    size_t n = struct_size < size_1_0 ? size_1_0 : struct_size;
    memcpy(dst, src, n < dst_size ? n : dst_size);
}

/* Fills *(dst), a local of type type, from the caller's src (a const type *
 * or NULL). */
#define CHRONICLE__STRUCT_READ(type, dst, src)                                                     \
    chronicle__struct_read((dst), sizeof(type), (const type *)(src), offsetof(type, struct_size))

#endif
