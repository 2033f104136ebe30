/*
 * json_scan.c — the validating skipper behind the streaming loader.
 * One pass, no allocation, an explicit stack: 100,000 nested brackets are an
 * error message, never a stack overflow.
 */
#include "json_scan.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chronicle/utf8.h"

#if defined(__GNUC__) && defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_SSE2 1
#endif

static int is_ws(unsigned char c)
{
    return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

size_t chronicle__json_skip_ws(const char *buf, size_t len, size_t pos)
{
    while (pos < len && is_ws((unsigned char)buf[pos]))
        pos++;
    return pos;
}

static scan_result fail(scan_error *err, size_t at, const char *fmt, unsigned v)
{
    err->offset = at;
    err->code = CHRONICLE_DIAG_SYNTAX;
    snprintf(err->reason, sizeof err->reason, fmt, v);
    return SCAN_ERROR;
}

/* fail() for text the JSON grammar allows but Chronicle's text rules do not,
 * or for a limit. */
static scan_result fail_as(chronicle_diag_code code, scan_error *err, size_t at, const char *fmt,
                           unsigned v)
{
    fail(err, at, fmt, v);
    err->code = code;
    return SCAN_ERROR;
}

static int hex4(const char *s, unsigned *out)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        unsigned char c = (unsigned char)s[k];
        unsigned d;
        if (c >= '0' && c <= '9')
            d = c - '0';
        else if (c >= 'a' && c <= 'f')
            d = c - 'a' + 10u;
        else if (c >= 'A' && c <= 'F')
            d = c - 'A' + 10u;
        else
            return 0;
        v = v << 4 | d;
    }
    *out = v;
    return 1;
}

static int forbidden_control(uint32_t cp)
{
    return chronicle_cp_is_control(cp) && cp != '\t' && cp != '\n';
}

/* Skips one escape at s[*i] == '\\'. */
static scan_result skip_escape(const char *s, size_t len, size_t *i, int eof, scan_error *err)
{
    size_t at = *i;
    if (at + 1 >= len) return eof ? fail(err, at, "unterminated string", 0) : SCAN_MORE;
    char e = s[at + 1];
    switch (e) {
    case '"':
    case '\\':
    case '/':
    case 'n':
    case 't':
        *i = at + 2;
        return SCAN_OK;
    case 'b':
    case 'f':
    case 'r':
        return fail_as(CHRONICLE_DIAG_ENCODING, err, at,
                       "control character \\%c is not allowed in text", (unsigned char)e);
    case 'u':
        break;
    default:
        return fail(err, at, "invalid escape \\%c", (unsigned char)e);
    }
    if (at + 6 > len) return eof ? fail(err, at, "unterminated string", 0) : SCAN_MORE;
    unsigned v;
    if (!hex4(s + at + 2, &v)) return fail(err, at, "invalid \\u escape", 0);
    if (v == 0)
        return fail_as(CHRONICLE_DIAG_ENCODING, err, at, "\\u0000 is not allowed in text", 0);
    if (forbidden_control(v))
        return fail_as(CHRONICLE_DIAG_ENCODING, err, at,
                       "control character U+%04X is not allowed in text", v);
    if (v >= 0xDC00 && v <= 0xDFFF)
        return fail_as(CHRONICLE_DIAG_ENCODING, err, at, "unpaired surrogate \\u%04X", v);
    if (v >= 0xD800 && v <= 0xDBFF) {
        if (at + 12 > len) {
            /* what follows must still be able to become "\uDC00": a lone
             * surrogate near the end of the input is not a cut-off string */
            size_t have = len - (at + 6);
            if ((have >= 1 && s[at + 6] != '\\') || (have >= 2 && s[at + 7] != 'u'))
                return fail_as(CHRONICLE_DIAG_ENCODING, err, at, "unpaired surrogate \\u%04X", v);
            return eof ? fail(err, at, "unterminated string", 0) : SCAN_MORE;
        }
        unsigned lo;
        if (s[at + 6] != '\\' || s[at + 7] != 'u' || !hex4(s + at + 8, &lo) || lo < 0xDC00 ||
            lo > 0xDFFF)
            return fail_as(CHRONICLE_DIAG_ENCODING, err, at, "unpaired surrogate \\u%04X", v);
        *i = at + 12;
        return SCAN_OK;
    }
    *i = at + 6;
    return SCAN_OK;
}

/* Eight bytes at a time: the first position from p whose word holds a byte
 * that ends a run of plain text (a quote, a backslash, a control character,
 * DEL or a byte >= 0x80), or the last whole word's end.  The byte loop after
 * it finds the exact byte.  Strings are most of a dataset's bytes: this is
 * the skipper's inner loop. */
static size_t plain_run(const char *s, size_t len, size_t p)
{
#ifdef HAVE_SSE2
    /* sixteen at a time, and the exact byte: as signed bytes, both the
     * control characters and the bytes >= 0x80 are below ' ' */
    const __m128i vquote = _mm_set1_epi8('"'), vbslash = _mm_set1_epi8('\\'),
                  vdel = _mm_set1_epi8(0x7F), vspace = _mm_set1_epi8(' ');
    while (p + 16 <= len) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + p));
        __m128i hit =
            _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, vquote), _mm_cmpeq_epi8(v, vbslash)),
                         _mm_or_si128(_mm_cmpeq_epi8(v, vdel), _mm_cmplt_epi8(v, vspace)));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask) return p + (size_t)__builtin_ctz(mask);
        p += 16;
    }
#endif
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    while (p + 8 <= len) {
        uint64_t w;
        memcpy(&w, s + p, 8);
        uint64_t quote = w ^ (ones * '"'), bslash = w ^ (ones * '\\'), del = w ^ (ones * 0x7F);
        /* a byte b is zero in x when (x - 1) sets its high bit and x's is clear */
        uint64_t special = ((quote - ones) & ~quote) | ((bslash - ones) & ~bslash) |
                           ((del - ones) & ~del) | (w - ones * 0x20) | w;
        if (special & highs) break;
        p += 8;
    }
    return p;
}

/* The length of the run of two- and three-byte UTF-8 characters at s[p]
 * that need no second look: well formed, not C1 controls (U+0080..U+009F),
 * not surrogates.  0 when s[p] does not start one; the general decoder
 * then decides, and says why when it refuses.  Most non-ASCII text in a
 * dataset (Cyrillic, Arabic, CJK, Azerbaijani letters) is such a run. */
static size_t utf8_plain(const char *str, size_t len, size_t p)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t at = p;
    for (;;) {
        unsigned char c = s[at];
        if (c >= 0xC2 && c <= 0xDF && at + 1 < len) {
            unsigned char c1 = s[at + 1];
            if ((c1 & 0xC0) != 0x80 || (c == 0xC2 && c1 < 0xA0)) break;
            at += 2;
        } else if (c >= 0xE1 && c <= 0xEF && c != 0xED && at + 2 < len) {
            if ((s[at + 1] & 0xC0) != 0x80 || (s[at + 2] & 0xC0) != 0x80) break;
            at += 3;
        } else {
            break;
        }
        if (at >= len || s[at] < 0xC2) break;
    }
    return at - p;
}

/* Skips the string at s[*i] == '"'. */
static scan_result skip_string(const char *s, size_t len, size_t *i, int eof, scan_error *err)
{
    size_t p = *i + 1;
    for (;;) {
        p = plain_run(s, len, p);
        while (p < len) {
            unsigned char c = (unsigned char)s[p];
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x7F) break;
            p++;
        }
        if (p >= len) return eof ? fail(err, *i, "unterminated string", 0) : SCAN_MORE;
        unsigned char c = (unsigned char)s[p];
        if (c == '"') {
            *i = p + 1;
            return SCAN_OK;
        }
        if (c == '\\') {
            scan_result r = skip_escape(s, len, &p, eof, err);
            if (r != SCAN_OK) return r;
            continue;
        }
        if (c < 0x20 || c == 0x7F)
            return fail_as(CHRONICLE_DIAG_ENCODING, err, p, "control character U+%04X in a string",
                           c);
        size_t n = utf8_plain(s, len, p);
        if (n) {
            p += n;
            continue;
        }
        uint32_t cp;
        n = chronicle_utf8_decode(s + p, len - p, &cp);
        if (!n) {
            if (!eof && len - p < 4) return SCAN_MORE;
            return fail_as(CHRONICLE_DIAG_ENCODING, err, p, "invalid UTF-8 (byte 0x%02X)", c);
        }
        if (forbidden_control(cp))
            return fail_as(CHRONICLE_DIAG_ENCODING, err, p, "control character U+%04X in a string",
                           cp);
        p += n;
    }
}

static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static scan_result skip_number(const char *s, size_t len, size_t *i, int eof, scan_error *err)
{
    size_t p = *i;
    if (s[p] == '-') p++;
    if (p >= len) goto cut;
    if (s[p] == '0') {
        p++;
        if (p < len && is_digit(s[p])) return fail(err, *i, "number with a leading zero", 0);
    } else if (is_digit(s[p])) {
        while (p < len && is_digit(s[p]))
            p++;
    } else {
        return fail(err, *i, "invalid number", 0);
    }
    if (p < len && s[p] == '.') {
        p++;
        if (p >= len) goto cut;
        if (!is_digit(s[p])) return fail(err, *i, "invalid number: digits must follow '.'", 0);
        while (p < len && is_digit(s[p]))
            p++;
    }
    if (p < len && (s[p] == 'e' || s[p] == 'E')) {
        p++;
        if (p < len && (s[p] == '+' || s[p] == '-')) p++;
        if (p >= len) goto cut;
        if (!is_digit(s[p])) return fail(err, *i, "invalid number: bad exponent", 0);
        while (p < len && is_digit(s[p]))
            p++;
    }
    if (p >= len && !eof) return SCAN_MORE; /* more digits may follow */
    *i = p;
    return SCAN_OK;
cut:
    return eof ? fail(err, *i, "unexpected end of input in a number", 0) : SCAN_MORE;
}

static scan_result skip_literal(const char *s, size_t len, size_t *i, int eof, scan_error *err)
{
    static const char *const words[] = {"true", "false", "null"};
    for (size_t k = 0; k < 3; k++) {
        size_t n = strlen(words[k]);
        if (s[*i] != words[k][0]) continue;
        size_t have = len - *i < n ? len - *i : n;
        if (memcmp(s + *i, words[k], have)) break;
        if (have < n) return eof ? fail(err, *i, "unexpected end of input", 0) : SCAN_MORE;
        *i += n;
        return SCAN_OK;
    }
    unsigned char c = (unsigned char)s[*i];
    if (c >= 0x20 && c < 0x7F) return fail(err, *i, "unexpected character '%c'", c);
    return fail(err, *i, "unexpected byte 0x%02X", c);
}

enum state { S_VALUE, S_VALUE_OR_CLOSE, S_KEY_OR_CLOSE, S_KEY, S_COLON, S_AFTER };

scan_result chronicle__json_skip_value(const char *s, size_t len, size_t *pos, int eof,
                                       int max_depth, scan_error *err)
{
    char stack[JSON_MAX_DEPTH];
    int depth = 0;
    if (max_depth > JSON_MAX_DEPTH) max_depth = JSON_MAX_DEPTH;
    enum state st = S_VALUE;
    size_t i = *pos;
    for (;;) {
        if (st != S_VALUE || depth > 0) i = chronicle__json_skip_ws(s, len, i);
        if (i >= len) return eof ? fail(err, i, "unexpected end of input", 0) : SCAN_MORE;
        char c = s[i];
        scan_result r = SCAN_OK;
        switch (st) {
        case S_KEY_OR_CLOSE:
        case S_KEY:
            if (c == '}' && st == S_KEY_OR_CLOSE) goto close;
            if (c != '"') return fail(err, i, "expected a string key", 0);
            r = skip_string(s, len, &i, eof, err);
            st = S_COLON;
            break;
        case S_COLON:
            if (c != ':') return fail(err, i, "expected ':' after a key", 0);
            i++;
            st = S_VALUE;
            break;
        case S_VALUE_OR_CLOSE:
            if (c == ']') goto close;
            /* fall through */
        case S_VALUE:
            if (c == '{' || c == '[') {
                if (depth >= max_depth)
                    return fail_as(CHRONICLE_DIAG_LIMIT, err, i, "nesting deeper than %u levels",
                                   (unsigned)JSON_MAX_DEPTH);
                stack[depth++] = c;
                i++;
                st = c == '{' ? S_KEY_OR_CLOSE : S_VALUE_OR_CLOSE;
                continue;
            }
            if (c == '"')
                r = skip_string(s, len, &i, eof, err);
            else if (c == '-' || is_digit(c))
                r = skip_number(s, len, &i, eof, err);
            else
                r = skip_literal(s, len, &i, eof, err);
            st = S_AFTER;
            break;
        case S_AFTER:
            if (c == ',') {
                i++;
                st = stack[depth - 1] == '{' ? S_KEY : S_VALUE;
                continue;
            }
            if (c == (stack[depth - 1] == '{' ? '}' : ']')) goto close;
            return fail(err, i,
                        stack[depth - 1] == '{' ? "expected ',' or '}'" : "expected ',' or ']'", 0);
        }
        if (r != SCAN_OK) return r;
        if (st == S_AFTER && depth == 0) break;
        continue;
    close:
        depth--;
        i++;
        st = S_AFTER;
        if (depth == 0) break;
    }
    *pos = i;
    return SCAN_OK;
}
