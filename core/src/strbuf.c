/*
 * strbuf.c — chronicle_buf, the growable string buffer.
 * Invariant: when ptr != NULL, ptr[len] == '\0' and len < cap.
 */
#include "chronicle/strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

chronicle_status chronicle_buf_reserve(chronicle_buf *b, size_t extra)
{
    if (extra > SIZE_MAX / 2 - b->len) return CHRONICLE_ERR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap) return CHRONICLE_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < need)
        cap *= 2;
    char *p = realloc(b->ptr, cap);
    if (!p) return CHRONICLE_ERR_NOMEM;
    if (!b->ptr) p[0] = '\0';
    b->ptr = p;
    b->cap = cap;
    return CHRONICLE_OK;
}

chronicle_status chronicle_buf_append(chronicle_buf *b, const void *data, size_t len)
{
    chronicle_status st = chronicle_buf_reserve(b, len);
    if (st != CHRONICLE_OK) return st;
    if (len) memcpy(b->ptr + b->len, data, len);
    b->len += len;
    b->ptr[b->len] = '\0';
    return CHRONICLE_OK;
}

chronicle_status chronicle_buf_puts(chronicle_buf *b, const char *s)
{
    return chronicle_buf_append(b, s, strlen(s));
}

chronicle_status chronicle_buf_putc(chronicle_buf *b, char c)
{
    return chronicle_buf_append(b, &c, 1);
}

chronicle_status chronicle_buf_vappendf(chronicle_buf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0) return CHRONICLE_ERR_INTERNAL;
    if ((size_t)n < sizeof small) return chronicle_buf_append(b, small, (size_t)n);
    chronicle_status st = chronicle_buf_reserve(b, (size_t)n);
    if (st != CHRONICLE_OK) return st;
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return CHRONICLE_OK;
}

chronicle_status chronicle_buf_appendf(chronicle_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    chronicle_status st = chronicle_buf_vappendf(b, fmt, ap);
    va_end(ap);
    return st;
}

void chronicle_buf_reset(chronicle_buf *b)
{
    chronicle_buf_truncate(b, 0);
}

void chronicle_buf_truncate(chronicle_buf *b, size_t len)
{
    if (len > b->len) return;
    b->len = len;
    if (b->ptr) b->ptr[len] = '\0';
}

const char *chronicle_buf_cstr(const chronicle_buf *b)
{
    return b->ptr ? b->ptr : "";
}

char *chronicle_buf_steal(chronicle_buf *b)
{
    char *p = b->ptr;
    if (!p) p = calloc(1, 1);
    b->ptr = NULL;
    b->len = b->cap = 0;
    return p;
}

void chronicle_buf_free(chronicle_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

chronicle_status chronicle_buf_put_json_string(chronicle_buf *b, const char *s)
{
    chronicle_status st = chronicle_buf_putc(b, '"');
    for (; st == CHRONICLE_OK && *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            st = chronicle_buf_appendf(b, "\\%c", ch);
        else if (ch < 0x20 || ch == 0x7F)
            st = chronicle_buf_appendf(b, "\\u%04x", ch);
        else
            st = chronicle_buf_putc(b, (char)ch);
    }
    return st == CHRONICLE_OK ? chronicle_buf_putc(b, '"') : st;
}
