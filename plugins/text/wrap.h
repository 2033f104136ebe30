/*
 * wrap.h — the text exporter's sanitiser and line breaker, by display width.
 * Kept apart from text.c so that tests/unit/test_text_wrap.c can call them;
 * inside the plugin they are hidden (not exported from text.so).
 */
#ifndef TEXT_WRAP_H
#define TEXT_WRAP_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "chronicle/strbuf.h"

typedef struct text_wrap_opts {
    size_t width;  /* columns per line, at least 2 */
    size_t indent; /* spaces that start every line after the first */
    int ascii;     /* replace unsafe characters with '?' instead of U+FFFD */
    /* the lead's columns when the caller knows them (its own text, measured
     * once), or 0: text_wrap() measures the lead */
    size_t lead_cols;
} text_wrap_opts;

/* memcpy of a short piece without a call: the pieces of a report are a few
 * dozen bytes, and the library call, not the copy, was most of their cost.
 * Overlapping moves of 8 or 16 bytes, never past either end. */
static inline void text_copy(char *d, const char *s, size_t n)
{
    if (n > 64) {
        memcpy(d, s, n);
    } else if (n >= 16) {
        uint64_t a, b;
        for (size_t i = 0; i + 16 < n; i += 16) {
            memcpy(&a, s + i, 8), memcpy(&b, s + i + 8, 8);
            memcpy(d + i, &a, 8), memcpy(d + i + 8, &b, 8);
        }
        memcpy(&a, s + n - 16, 8), memcpy(&b, s + n - 8, 8);
        memcpy(d + n - 16, &a, 8), memcpy(d + n - 8, &b, 8);
    } else if (n >= 8) {
        uint64_t a, b;
        memcpy(&a, s, 8), memcpy(&b, s + n - 8, 8);
        memcpy(d, &a, 8), memcpy(d + n - 8, &b, 8);
    } else if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, s, 4), memcpy(&b, s + n - 4, 4);
        memcpy(d, &a, 4), memcpy(d + n - 4, &b, 4);
    } else {
        for (size_t i = 0; i < n; i++)
            d[i] = s[i];
    }
}

/* chronicle_buf_append without a call when there is room: the exporter
 * appends a few hundred short pieces per event. */
static inline chronicle_status text_buf_add(chronicle_buf *b, const char *s, size_t n)
{
    if (b->ptr && b->cap - b->len > n) {
        text_copy(b->ptr + b->len, s, n);
        b->len += n;
        b->ptr[b->len] = '\0';
        return CHRONICLE_OK;
    }
    return chronicle_buf_append(b, s, n);
}

/* Appends s[0..len) made safe for a terminal: control characters (C0 other
 * than newline and tab, DEL, C1 — so no escape sequence survives) and every
 * byte of invalid UTF-8 become U+FFFD ('?' when ascii); a bidirectional
 * control (U+202A-E, U+2066-9, U+200E-F, U+061C), which would reorder the
 * line, is shown as "<U+202E>" (chronicle_utf8_append_bidi_visible); a tab
 * becomes a space; newlines are kept.  Right-to-left letters are kept as
 * they are.  Errors: CHRONICLE_ERR_NOMEM. */
chronicle_status text_sanitize(chronicle_buf *out, const char *s, size_t len, int ascii);

/* Appends one paragraph: lead (the caller's own, already safe text such as
 * "  • " or a padded label) followed by s[0..len), sanitised as above and
 * broken at spaces so that no line is wider than o->width columns (wide East
 * Asian characters count 2, combining marks 0).  Lines after the first start
 * with o->indent spaces (a hanging indent; reduced when it leaves fewer than
 * 2 columns).  A word wider than a line is broken between characters, never
 * inside a UTF-8 sequence and never before a combining mark.  A newline in s
 * starts a new line; runs of spaces collapse to one; no line ends with a
 * space; the paragraph ends with '\n'.  The lead must be narrower than the
 * width.  Linear in len; allocates only by growing out. */
chronicle_status text_wrap(chronicle_buf *out, const char *lead, const char *s, size_t len,
                           const text_wrap_opts *o);

#endif
