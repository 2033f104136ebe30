/*
 * chronicle/strbuf.h — the one growable string buffer, used wherever text is
 * built (diagnostics, formatters, the text exporter).  Always NUL-terminated
 * once anything has been appended; a zeroed buffer is a valid empty buffer.
 */
#ifndef CHRONICLE_STRBUF_H
#define CHRONICLE_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Caller-allocated (often on the stack), so its layout is fixed: it never
 * grows.  Every append returns CHRONICLE_OK or CHRONICLE_ERR_NOMEM (the
 * buffer then keeps what it had). */
typedef struct chronicle_buf {
    char *ptr; /* NULL until the first append */
    size_t len;
    size_t cap;
} chronicle_buf;

#define CHRONICLE_BUF_INIT                                                                         \
    {                                                                                              \
        NULL, 0, 0                                                                                 \
    }

/* Makes room for extra more bytes (plus the NUL). */
chronicle_status chronicle_buf_reserve(chronicle_buf *b, size_t extra);
/* Appends len bytes of data (which may hold NULs). */
chronicle_status chronicle_buf_append(chronicle_buf *b, const void *data, size_t len);
/* Appends the string s. */
chronicle_status chronicle_buf_puts(chronicle_buf *b, const char *s);
/* Appends one byte. */
chronicle_status chronicle_buf_putc(chronicle_buf *b, char c);
/* Appends printf(3)-formatted text. */
chronicle_status chronicle_buf_appendf(chronicle_buf *b, const char *fmt, ...)
    CHRONICLE_PRINTF(2, 3);
/* The same with a va_list (left indeterminate, as by vprintf(3)). */
chronicle_status chronicle_buf_vappendf(chronicle_buf *b, const char *fmt, va_list ap)
    CHRONICLE_PRINTF(2, 0);
/* Appends s (UTF-8) as a JSON string: quotes, backslashes and control
 * characters escaped. */
chronicle_status chronicle_buf_put_json_string(chronicle_buf *b, const char *s);
/* Empties the buffer, keeping its memory. */
void chronicle_buf_reset(chronicle_buf *b);
/* Shortens to len bytes (len <= b->len). */
void chronicle_buf_truncate(chronicle_buf *b, size_t len);
/* The text so far; "" for an empty buffer.  Valid until the next append. */
const char *chronicle_buf_cstr(const chronicle_buf *b);
/* Caller owns the result (free()); the buffer is left empty.  Never NULL
 * unless out of memory. */
char *chronicle_buf_steal(chronicle_buf *b);
/* Frees the memory; the buffer is left empty and usable. */
void chronicle_buf_free(chronicle_buf *b);

#ifdef __cplusplus
}
#endif

#endif
