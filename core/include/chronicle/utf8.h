/*
 * chronicle/utf8.h — UTF-8 decoding, validation and terminal display width.
 * Width follows Unicode East Asian Width (W and F count 2) and treats
 * combining marks and zero-width characters as 0, like wcwidth(3) but
 * independent of the locale.
 */
#ifndef CHRONICLE_UTF8_H
#define CHRONICLE_UTF8_H

#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes one code point from s[0..len).  Returns the number of bytes used
 * (1..4) and stores the code point, or returns 0 for an invalid or truncated
 * sequence (overlong forms, surrogates and values past U+10FFFF are
 * invalid). */
size_t chronicle_utf8_decode(const char *s, size_t len, uint32_t *cp);

/* Returns len when s[0..len) is valid UTF-8, else the offset of the first
 * invalid byte. */
size_t chronicle_utf8_check(const char *s, size_t len);

/* Encodes cp into out (4 bytes room); returns the byte count. */
size_t chronicle_utf8_encode(uint32_t cp, char out[4]);

/* Columns a terminal uses for cp: 0, 1 or 2; -1 for control characters. */
int chronicle_cp_width(uint32_t cp);

/* True for C0, DEL and C1 controls. */
int chronicle_cp_is_control(uint32_t cp);

/* True for the bidirectional formatting characters (U+061C, U+200E-F,
 * U+202A-E, U+2066-9): invisible, they reorder the text around them. */
int chronicle_cp_is_bidi_control(uint32_t cp);

/* Appends s[0..len) with every character that must not reach a terminal
 * replaced by U+FFFD: controls (ESC starts escape sequences; a newline is
 * kept when keep_newlines), bidirectional controls and invalid bytes.  At
 * most cap bytes are appended, a cut text ending in U+2026 within them
 * (SIZE_MAX: no cap).  Text from data or from a plugin goes through this
 * before it is shown. */
chronicle_status chronicle_utf8_append_clean(chronicle_buf *b, const char *s, size_t len,
                                             size_t cap, int keep_newlines);

/* Appends s[0..len) with each bidirectional control
 * (chronicle_cp_is_bidi_control) shown as its code point in ASCII,
 * "<U+202E>", and everything else as it is: right-to-left text keeps its
 * letters and its order, but data can no longer reorder the line it is on
 * in a terminal, a spreadsheet or a calendar, and nothing is silently
 * dropped.  Invalid UTF-8 is copied unchanged (the loader has refused it).
 * Errors: CHRONICLE_ERR_NOMEM. */
chronicle_status chronicle_utf8_append_bidi_visible(chronicle_buf *b, const char *s, size_t len);

/* The bytes of the stand-in for a bidirectional control, "<U+202E>". */
#define CHRONICLE_BIDI_VISIBLE_LEN 8

/* The offset of the first bidirectional control in s[0..len), or len when
 * there is none; stores its code point and byte count.  For writers with
 * buffers of their own (csv, ics): copy up to it, then its stand-in. */
size_t chronicle_utf8_find_bidi(const char *s, size_t len, uint32_t *cp, size_t *n);

/* Writes the stand-in for cp, "<U+" four hex digits ">", NUL-terminated;
 * returns CHRONICLE_BIDI_VISIBLE_LEN. */
size_t chronicle_bidi_visible(uint32_t cp, char out[CHRONICLE_BIDI_VISIBLE_LEN + 1]);

/* The same as a new string; caller owns it (free()); NULL when out of memory. */
char *chronicle_utf8_clean(const char *s, size_t len, size_t cap, int keep_newlines);

/* Display width of a valid UTF-8 string; controls count 1 (they are shown
 * as a replacement character). */
size_t chronicle_utf8_width(const char *s, size_t len);

#ifdef __cplusplus
}
#endif

#endif
