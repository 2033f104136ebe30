/*
 * wrap.c — sanitising and greedy line breaking by display width.
 * One pass over the input, words copied whole when they are clean; the only
 * memory used is the caller's output buffer.  Invariant: every line this
 * file ends is at most the width (given a lead narrower than the width).
 */
#include "wrap.h"

#include <stdint.h>
#include <string.h>

#include "chronicle/utf8.h"

static const char spaces[] = "                                                                ";

/* Measures the character at s[0..len) (len > 0): returns its byte count,
 * stores its columns and whether it must be replaced (a control character or
 * an invalid byte, which then counts as one byte and one column; a
 * bidirectional control, shown as "<U+202E>", as that many columns). */
static size_t char_scan(const char *s, size_t len, int *cols, int *bad)
{
    unsigned char c = (unsigned char)s[0];
    if (c >= 0x20 && c < 0x7F) {
        *cols = 1, *bad = 0;
        return 1;
    }
    uint32_t cp;
    size_t n = c < 0x80 ? 0 : chronicle_utf8_decode(s, len, &cp);
    if (!n || chronicle_cp_is_control(cp)) {
        *cols = 1, *bad = 1;
        return n ? n : 1;
    }
    if (chronicle_cp_is_bidi_control(cp)) {
        *cols = CHRONICLE_BIDI_VISIBLE_LEN, *bad = 1;
        return n;
    }
    *cols = chronicle_cp_width(cp);
    *bad = 0;
    return n;
}

chronicle_status text_sanitize(chronicle_buf *out, const char *s, size_t len, int ascii)
{
    const char *bad = ascii ? "?" : "\xEF\xBF\xBD"; /* U+FFFD */
    chronicle_status st = CHRONICLE_OK;
    size_t i = 0, run = 0; /* s[run..i) is clean and not yet appended */
    while (i < len && st == CHRONICLE_OK) {
        unsigned char c = (unsigned char)s[i];
        if ((c >= 0x20 && c < 0x7F) || c == '\n') {
            i++;
            continue;
        }
        int cols, is_bad;
        size_t n = c == '\t' ? 1 : char_scan(s + i, len - i, &cols, &is_bad);
        if (c != '\t' && !is_bad) {
            i += n;
            continue;
        }
        uint32_t cp = 0;
        int bidi = c != '\t' && chronicle_utf8_decode(s + i, n, &cp) == n &&
                   chronicle_cp_is_bidi_control(cp);
        st = text_buf_add(out, s + run, i - run);
        if (st == CHRONICLE_OK)
            st = bidi ? chronicle_utf8_append_bidi_visible(out, s + i, n)
                      : chronicle_buf_puts(out, c == '\t' ? " " : bad);
        i += n;
        run = i;
    }
    if (st == CHRONICLE_OK) st = text_buf_add(out, s + run, i - run);
    return st;
}

/* ---- the line breaker ---- */

typedef struct wrapper {
    chronicle_buf *out;
    size_t width, indent;
    size_t col;        /* display column where the next character goes */
    size_t line_start; /* offset in out of the current line */
    int has_text;      /* the current line holds text after its lead or indent */
    int at_lead;       /* the current line is the first, the one with the lead */
    int indent_owed;   /* the current line's indent is not written yet */
    int ascii;
    chronicle_status st; /* sticky: after a failure everything is a no-op */
    /* Clean input placed on the line but not yet copied: words separated by
     * single spaces are copied together, once per line, not once per word. */
    const char *run, *run_end;
} wrapper;

static void wrap_flush_run(wrapper *w)
{
    if (w->run != w->run_end && w->st == CHRONICLE_OK)
        w->st = text_buf_add(w->out, w->run, (size_t)(w->run_end - w->run));
    w->run = w->run_end = NULL;
}

static void wrap_emit(wrapper *w, const char *s, size_t n, int clean)
{
    if (clean && w->run_end == s && s) {
        w->run_end = s + n;
        return;
    }
    wrap_flush_run(w);
    if (clean) {
        w->run = s;
        w->run_end = s + n;
    } else if (w->st == CHRONICLE_OK) {
        w->st = text_sanitize(w->out, s, n, w->ascii);
    }
}

/* Ends the current line without trailing spaces. */
static void wrap_end_line(wrapper *w)
{
    wrap_flush_run(w);
    if (w->st != CHRONICLE_OK) return;
    chronicle_buf *out = w->out;
    size_t len = out->len;
    while (len > w->line_start && out->ptr[len - 1] == ' ')
        len--;
    /* the newline goes where the trimmed spaces were, or in the room the
     * buffer has (it always has one byte, for its NUL) */
    if (len == out->len && out->cap - len < 2) {
        w->st = chronicle_buf_reserve(out, 1);
        if (w->st != CHRONICLE_OK) return;
    }
    out->ptr[len++] = '\n';
    out->ptr[len] = '\0';
    out->len = len;
}

static void wrap_break(wrapper *w)
{
    wrap_end_line(w);
    w->line_start = w->out->len;
    w->col = w->indent;
    w->has_text = 0;
    w->at_lead = 0;
    w->indent_owed = 1;
}

/* Places text of the given columns on the current line. */
static void wrap_put(wrapper *w, const char *s, size_t n, size_t cols, int clean)
{
    for (size_t k = w->indent_owed ? w->indent : 0; k > 0;) {
        size_t m = k < sizeof spaces - 1 ? k : sizeof spaces - 1;
        wrap_emit(w, spaces, m, 1);
        k -= m;
    }
    w->indent_owed = 0;
    wrap_emit(w, s, n, clean);
    w->col += cols;
    w->has_text = 1;
}

/* The space before a word that continues the line: the input's own single
 * space when it directly follows the run, so the run stays one copy. */
static void wrap_space(wrapper *w, const char *word)
{
    if (!w->has_text) return;
    if (w->run_end && w->run_end + 1 == word && *w->run_end == ' ') {
        w->run_end++;
        w->col++;
    } else {
        wrap_put(w, " ", 1, 1, 1);
    }
}

/* Closing punctuation of CJK text, which must not start a line. */
static int is_no_break_before(uint32_t cp)
{
    static const uint16_t closing[] = {0x3001, 0x3002, 0x3009, 0x300B, 0x300D, 0x300F, 0x3011,
                                       0xFF01, 0xFF09, 0xFF0C, 0xFF0E, 0xFF1A, 0xFF1B, 0xFF1F};
    for (size_t i = 0; i < sizeof closing / sizeof *closing; i++)
        if (cp == closing[i]) return 1;
    return 0;
}

/* Measures the cluster at s[0..n): one character, the zero-width marks that
 * follow it, and CJK closing punctuation when the result still fits on an
 * empty line.  Returns its bytes; stores its columns and cleanliness. */
static size_t cluster_scan(const wrapper *w, const char *s, size_t n, size_t *cols, int *clean)
{
    int c, bad;
    size_t i = char_scan(s, n, &c, &bad);
    *cols = (size_t)c;
    *clean = !bad;
    while (i < n) {
        uint32_t cp = 0;
        size_t k = char_scan(s + i, n - i, &c, &bad);
        if (c == 2 && !bad) chronicle_utf8_decode(s + i, n - i, &cp);
        if (c != 0 && !(is_no_break_before(cp) && w->indent + *cols + 2 <= w->width)) break;
        *cols += (size_t)c;
        i += k;
    }
    return i;
}

/* A word wider than a line, or ideographs filling a line: one cluster at a
 * time, so no line starts with a combining mark or a closing mark. */
static void wrap_long_word(wrapper *w, const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t cols;
        int clean;
        size_t k = cluster_scan(w, s + i, n - i, &cols, &clean);
        if (w->col + cols > w->width && (w->has_text || w->at_lead)) wrap_break(w);
        wrap_put(w, s + i, k, cols, clean);
        i += k;
    }
}

static int starts_wide(const char *s, size_t n)
{
    int cols, bad;
    char_scan(s, n, &cols, &bad);
    return cols == 2;
}

static void wrap_word(wrapper *w, const char *s, size_t n, size_t cols, int clean)
{
    /* Chinese and Japanese text may break between any two ideographs, so a
     * run of them fills the line instead of moving down whole. */
    int ideographic = starts_wide(s, n);
    if (w->has_text) {
        if (w->col + 1 + cols <= w->width) {
            /* the input's own single space joins the run, when it is one */
            wrap_space(w, s);
            wrap_put(w, s, n, cols, clean);
            return;
        }
        if (ideographic && w->col + 3 <= w->width) {
            wrap_space(w, s);
            wrap_long_word(w, s, n);
            return;
        }
        wrap_break(w);
    }
    if (w->col + cols <= w->width) {
        wrap_put(w, s, n, cols, clean);
    } else if (!ideographic && w->at_lead && w->indent + cols <= w->width) {
        wrap_break(w); /* fits on a line of its own, not after the lead */
        wrap_put(w, s, n, cols, clean);
    } else {
        wrap_long_word(w, s, n);
    }
}

/* ---- the fast path: plain words, eight bytes at a time ---- */

#if defined(__GNUC__) && defined(__SSE2__)
#include <emmintrin.h>
#define HAVE_SSE2 1
#define BLOCK16_TRIED(k, len) ((len) >= 16)

/* Bytes of x (as movemask bits) from lo to hi, both from 0x80 up: y is x
 * with its high bit flipped, so that a signed compare orders them. */
static inline unsigned bytes_between(__m128i y, unsigned lo, unsigned hi)
{
    __m128i above = _mm_cmpgt_epi8(y, _mm_set1_epi8((char)((lo - 1) ^ 0x80)));
    __m128i below = _mm_cmplt_epi8(y, _mm_set1_epi8((char)((hi + 1) ^ 0x80)));
    return (unsigned)_mm_movemask_epi8(_mm_and_si128(above, below));
}

static inline unsigned bytes_equal(__m128i x, unsigned c)
{
    return (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8((char)c)));
}

/* The non-ASCII half of plain_bits16(): high has a bit for each byte of
 * x from 0x80 up, and is not 0. */
static inline unsigned plain_high16(__m128i x, unsigned high, unsigned ascii, unsigned *starts)
{
    __m128i y = _mm_xor_si128(x, _mm_set1_epi8((char)0x80));
    __m128i even = _mm_and_si128(x, _mm_set1_epi8((char)0xFE)); /* D0 for D0-D1, D8 for D8-D9 */
    /* a character's bytes after its first: bit i of next1(m) is bit i + 1
     * of m (the byte that follows), of next2(m) bit i + 2 */
#define next1(m) ((m) >> 1)
#define next2(m) ((m) >> 2)
    /* y, signed, is below 0x40 for 80-BF and for the ASCII bytes, which
     * high leaves out */
    unsigned cont = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(y, _mm_set1_epi8(0x40))) & high;
    unsigned c1 = (unsigned)_mm_movemask_epi8(_mm_cmplt_epi8(y, _mm_set1_epi8(0x20))) & high;
    unsigned lead = bytes_between(y, 0xC2, 0xCB) | bytes_equal(even, 0xD0);
    unsigned two = lead & next1(cont) & ~(bytes_equal(x, 0xC2) & next1(c1));
    unsigned arabic = bytes_equal(even, 0xD8), e2 = bytes_equal(x, 0xE2), three = 0;
    if (arabic) {
        unsigned d8 = bytes_equal(x, 0xD8), d9 = arabic & ~d8;
        two |= (d8 & next1(bytes_between(y, 0x80, 0x8F) | bytes_between(y, 0x9D, 0xBF))) |
               (d9 & next1(bytes_between(y, 0x80, 0x8A) | bytes_between(y, 0xA0, 0xAF) |
                           bytes_between(y, 0xB1, 0xBF)));
    }
    if (e2)
        three = e2 & ((next1(bytes_equal(x, 0x80)) &
                       next2(bytes_between(y, 0x90, 0xA7) | bytes_between(y, 0xB0, 0xBF))) |
                      (next1(bytes_equal(x, 0x81)) & next2(c1)));
#undef next1
#undef next2
    *starts = ascii | two | three;
    return ascii | two | two << 1 | three | three << 1 | three << 2;
}

/* The sixteen bytes at s as plain text: printable ASCII (space included,
 * not the second of two spaces; after_space: the byte before s is a space),
 * and the non-ASCII characters of a report that are one column and need no
 * care (test_text_wrap.c checks each against utf8.c; narrow_char() takes
 * most of them, one at a time): the two-byte letters of Latin-1 to IPA
 * (U+00A0-U+02FF, lead bytes C2-CB; not the C1 controls C2 80-9F), Cyrillic
 * (U+0400-U+047F, lead bytes D0-D1) and Arabic (U+0600-U+060F,
 * U+061D-U+064A, U+0660-U+066F, U+0671-U+067F: not the marks, nor the
 * letter mark U+061C), and the dashes, quotes and bullets of General
 * Punctuation (U+2010-U+2027, U+2030-U+205F; E2 80-81 xx).  Returns a bit
 * for each byte of such a character (of one whose first byte is in the
 * block and whose last is too: one that runs past the sixteenth byte waits
 * for the next block); *starts gets a bit for each byte that starts one,
 * *space_bits one for each space.  plain_prefix16() is how many bytes from
 * the first are plain, never ending inside a character. */
static inline unsigned plain_bits16(const char *s, int after_space, unsigned *starts,
                                    unsigned *space_bits)
{
    __m128i x = _mm_loadu_si128((const __m128i *)(const void *)s);
    unsigned sp = bytes_equal(x, ' ');
    unsigned high = (unsigned)_mm_movemask_epi8(x); /* bytes from 0x80 up */
    /* signed compare: bytes from 0x80 up are negative, so below 0x20 too */
    unsigned ascii =
        (unsigned)_mm_movemask_epi8(_mm_andnot_si128(_mm_cmpeq_epi8(x, _mm_set1_epi8(0x7F)),
                                                     _mm_cmpgt_epi8(x, _mm_set1_epi8(0x1F)))) &
        ~(sp & (sp << 1 | (after_space ? 1u : 0u)));
    *space_bits = sp;
    *starts = ascii;
    return high ? plain_high16(x, high, ascii, starts) : ascii;
}

static inline size_t plain_prefix16(const char *s, int after_space, unsigned *starts,
                                    unsigned *space_bits)
{
    return (size_t)__builtin_ctz(~plain_bits16(s, after_space, starts, space_bits) | 0x10000u);
}

/* plain_prefix16() of s[k..len) where fewer than sixteen bytes are left
 * (k + 16 > len >= 16): the last sixteen bytes are looked at, and those
 * before k shifted out.  A character from k on starts at k or after, so
 * the block's first bytes, which may be the middle of one, change nothing
 * from k on; nor does the byte before the block (the space rule looks one
 * byte back, which from k on is in the block). */
static inline size_t plain_tail16(const char *s, size_t len, size_t k, unsigned *starts,
                                  unsigned *space_bits)
{
    size_t skip = k - (len - 16);
    unsigned covered = plain_bits16(s + len - 16, 0, starts, space_bits) >> skip;
    *starts >>= skip;
    *space_bits >>= skip;
    return (size_t)__builtin_ctz(~covered | 1u << (16 - skip));
}
#endif

/* The bits set in a sixteen-bit mask, without libgcc's call (the baseline
 * x86-64 has no popcnt instruction). */
static inline size_t bits16(unsigned v)
{
    v = v - (v >> 1 & 0x5555u);
    v = (v & 0x3333u) + (v >> 2 & 0x3333u);
    v = (v + (v >> 4)) & 0x0F0Fu;
    return (v + (v >> 8)) & 0x1Fu;
}

#ifndef BLOCK16_TRIED
#define BLOCK16_TRIED(k, len) 0
#endif

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HAVE_SWAR 1
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
#define LOWS 0x7F7F7F7F7F7F7F7Full

/* How many of the eight bytes at s, from the first, are printable ASCII
 * (space included) and not the second of two spaces (after_space: the byte
 * before s is a space). */
static size_t plain_prefix(const char *s, int after_space)
{
    uint64_t x, del, sp, y;
    memcpy(&x, s, 8);
    del = x ^ (0x7F * ONES);
    /* the lowest flagged byte of each test is exact, which is all ctz needs */
    uint64_t bad = (x & HIGHS) | ((x - 0x20 * ONES) & ~x & HIGHS) | ((del - ONES) & ~del & HIGHS);
    y = x ^ (0x20 * ONES);
    sp = ~(((y & LOWS) + LOWS) | y | LOWS); /* exactly the spaces */
    bad |= sp & (sp << 8 | (after_space ? 0x80 : 0));
    return bad ? (size_t)__builtin_ctzll(bad) / 8 : 8;
}

/* The offset of the last space among the first n (1..8) bytes at s, or -1. */
static int last_space(const char *s, size_t n)
{
    uint64_t x, y, sp;
    memcpy(&x, s, 8);
    y = x ^ (0x20 * ONES);
    sp = ~(((y & LOWS) + LOWS) | y | LOWS);
    if (n < 8) sp &= (1ull << (8 * n)) - 1;
    return sp ? (63 - __builtin_clzll(sp)) / 8 : -1;
}
#endif

/* Columns of the common one-column characters, found without a table
 * lookup: Latin-1, Latin Extended and IPA (U+00A0-U+02FF), Cyrillic
 * (U+0400-U+0482), Arabic letters (U+0620-U+064A) and the dashes, quotes
 * and bullets of General Punctuation (U+2010-U+2027, U+2030-U+205F) — utf8.c
 * has no control, mark or wide character in these ranges.  Returns the
 * bytes of such a character at s[0..n), or 0 for anything else. */
static size_t narrow_char(const unsigned char *s, size_t n)
{
    if (n >= 2 && s[0] >= 0xC2 && s[0] < 0xE0 && (s[1] & 0xC0) == 0x80) {
        uint32_t cp = (uint32_t)(s[0] & 0x1F) << 6 | (s[1] & 0x3F);
        return (cp >= 0xA0 && cp < 0x300) || (cp >= 0x400 && cp < 0x483) ||
                       (cp >= 0x620 && cp < 0x64B)
                   ? 2
                   : 0;
    }
    if (n >= 3 && s[0] == 0xE2 && (s[1] == 0x80 || s[1] == 0x81) && (s[2] & 0xC0) == 0x80) {
        uint32_t cp = 0x2000 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
        return (cp >= 0x2010 && cp < 0x2028) || (cp >= 0x2030 && cp < 0x2060) ? 3 : 0;
    }
    return 0;
}

/* How much of s[pos..len) — whole words of plain text: single spaces, no
 * tab, newline, control, invalid byte or wide character — fits in avail
 * columns.  s[pos] is not a space.  Returns the end of the last word that
 * fits (pos when none) and stores its columns, and whether the scan ended
 * because the next word is too wide (rather than not plain). */
static size_t fit_words(const char *s, size_t len, size_t pos, size_t avail, size_t *fit_cols,
                        int *overflow)
{
    size_t k = pos, cols = 0, fit = pos;
    *fit_cols = 0;
    *overflow = 0;
    while (k < len) {
#ifdef HAVE_SSE2
        /* plain text sixteen bytes at a time: only the last space matters */
        if (len >= 16 && k < len) {
            unsigned sp, starts;
            size_t n16 = k + 16 <= len
                             ? plain_prefix16(s + k, k > pos && s[k - 1] == ' ', &starts, &sp)
                             : plain_tail16(s, len, k, &starts, &sp);
            size_t room = avail - cols;
            starts &= (1u << n16) - 1;
            if (starts == (1u << n16) - 1) { /* one byte a character */
                if (n16 > room) n16 = room;
                starts &= (1u << n16) - 1;
            } else if (n16) {
                if (bits16(starts) > room) {
                    /* the line ends inside: at the start of character room */
                    unsigned rest = starts;
                    for (size_t r = 0; r < room; r++)
                        rest &= rest - 1;
                    n16 = (size_t)__builtin_ctz(rest);
                    starts &= (1u << n16) - 1;
                }
            }
            if (n16) {
                sp &= (1u << n16) - 1;
                size_t n_cols = starts == (1u << n16) - 1 ? n16 : bits16(starts);
                if (sp) {
                    size_t at = 31 - (size_t)__builtin_clz(sp);
                    fit = k + at;
                    *fit_cols = cols + (n_cols == n16 ? at : bits16(starts & ((1u << at) - 1)));
                }
                k += n16, cols += n_cols;
                continue;
            }
        }
#endif
#ifdef HAVE_SWAR
        /* plain ASCII eight bytes at a time: only the last space matters */
        /* (where sixteen bytes were looked at and none was plain, eight
         * will not be either) */
        size_t n = k + 8 <= len && !BLOCK16_TRIED(k, len)
                       ? plain_prefix(s + k, k > pos && s[k - 1] == ' ')
                       : 0;
        if (n > avail - cols) n = avail - cols;
        if (n) {
            int at = last_space(s + k, n);
            if (at >= 0) {
                fit = k + (size_t)at;
                *fit_cols = cols + (size_t)at;
            }
            k += n, cols += n;
            continue;
        }
#endif
        unsigned char c = (unsigned char)s[k];
        size_t m;
        if (c > 0x20 && c < 0x7F) {
            cols++, k++;
        } else if (c == ' ') {
            if (s[k - 1] == ' ') return fit; /* a second space: fit ends at the first */
            fit = k;
            *fit_cols = cols;
            if (k + 1 < len && (s[k + 1] == ' ' || s[k + 1] == '\t' || s[k + 1] == '\n'))
                return fit;
            cols++, k++;
        } else if (c >= 0x80 && (m = narrow_char((const unsigned char *)s + k, len - k))) {
            cols++, k += m;
        } else if (c >= 0x80) {
            uint32_t cp;
            m = chronicle_utf8_decode(s + k, len - k, &cp);
            if (!m || chronicle_cp_is_control(cp) || chronicle_cp_is_bidi_control(cp)) return fit;
            int cw = chronicle_cp_width(cp);
            if (cw == 2) return fit;
            cols += (size_t)cw, k += m;
        } else {
            return fit; /* tab, newline, control */
        }
        if (cols > avail) {
            *overflow = 1;
            return fit;
        }
    }
    if (s[len - 1] != ' ') {
        fit = len;
        *fit_cols = cols;
    }
    return fit;
}

static size_t lead_width(const char *lead, size_t n)
{
    size_t cols = 0;
    for (size_t i = 0, k; i < n; i += k, cols++) {
        k = (unsigned char)lead[i] < 0x80 ? 1 : narrow_char((const unsigned char *)lead + i, n - i);
        if (!k) return chronicle_utf8_width(lead, n);
    }
    return cols;
}

/* Whether s[0..len) (len > 0) comes out of the line breaker as it is when
 * it fits on the line: no space at either end, no two spaces together, no
 * tab, newline or other control character, no invalid UTF-8, no
 * bidirectional control (shown wider than it is written).  Every other
 * character is at most as many columns as bytes, so len bounds its width. */
static int as_it_is(const char *s, size_t len)
{
    if (s[0] == ' ' || s[len - 1] == ' ') return 0;
    for (size_t i = 0; i < len;) {
#ifdef HAVE_SSE2
        if (len >= 16) {
            unsigned starts, sp;
            size_t n = i + 16 <= len ? plain_prefix16(s + i, i && s[i - 1] == ' ', &starts, &sp)
                                     : plain_tail16(s, len, i, &starts, &sp);
            i += n;
            if (n) continue;
        }
#endif
        unsigned char c = (unsigned char)s[i];
        if (c > 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        if (c == ' ') {
            /* a second space (s[len - 1] is not a space; the space before
             * may have been taken sixteen bytes at a time) */
            if (s[i + 1] == ' ' || (i && s[i - 1] == ' ')) return 0;
            i++;
            continue;
        }
        if (c < 0x80) return 0;
        uint32_t cp;
        size_t n = chronicle_utf8_decode(s + i, len - i, &cp);
        if (!n || chronicle_cp_is_control(cp) || chronicle_cp_is_bidi_control(cp)) return 0;
        i += n;
    }
    return 1;
}

chronicle_status text_wrap(chronicle_buf *out, const char *lead, const char *s, size_t len,
                           const text_wrap_opts *o)
{
    /* Most paragraphs of a report are one short line: those are copied
     * whole, after one look at their characters. */
    size_t lead_len = lead ? strlen(lead) : 0;
    if (len && len <= o->width) {
        size_t lead_cols = o->lead_cols ? o->lead_cols : lead_width(lead, lead_len);
        if (lead_cols + len <= o->width && as_it_is(s, len)) {
            chronicle_status st = chronicle_buf_reserve(out, lead_len + len + 1);
            if (st != CHRONICLE_OK) return st;
            text_copy(out->ptr + out->len, lead, lead_len);
            text_copy(out->ptr + out->len + lead_len, s, len);
            out->len += lead_len + len;
            out->ptr[out->len++] = '\n';
            out->ptr[out->len] = '\0';
            return CHRONICLE_OK;
        }
    }

    wrapper w = {.out = out,
                 .width = o->width,
                 .indent = o->indent,
                 .line_start = out->len,
                 .at_lead = 1,
                 .ascii = o->ascii,
                 .st = CHRONICLE_OK};
    if (w.indent + 2 > w.width) w.indent = w.width > 2 ? w.width - 2 : 0;
    if (lead_len) {
        w.col = o->lead_cols ? o->lead_cols : lead_width(lead, lead_len);
        wrap_emit(&w, lead, lead_len, 1);
    }
    int break_owed = 0;
    size_t i = 0;
    while (i < len && w.st == CHRONICLE_OK) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n') {
            if (c == '\n' && w.has_text) break_owed = 1;
            i++;
            continue;
        }
        if (break_owed) wrap_break(&w);
        break_owed = 0;
        size_t need = w.col + (size_t)w.has_text, fit_cols = 0, end = i;
        int overflow = 0;
        if (need <= w.width) end = fit_words(s, len, i, w.width - need, &fit_cols, &overflow);
        if (end > i) {
            wrap_space(&w, s + i);
            wrap_put(&w, s + i, end - i, fit_cols, 1);
            i = end;
            continue;
        }
        if (overflow && w.has_text) {
            wrap_break(&w); /* a plain word that fits only on the next line */
            continue;
        }
        size_t start = i, cols = 0;
        int clean = 1;
        while (i < len) {
            c = (unsigned char)s[i];
            if (c > 0x20 && c < 0x7F) {
                cols++, i++;
                continue;
            }
            if (c == ' ' || c == '\t' || c == '\n') break;
            int ccols, bad;
            i += char_scan(s + i, len - i, &ccols, &bad);
            cols += (size_t)ccols;
            clean &= !bad;
        }
        wrap_word(&w, s + start, i - start, cols, clean);
    }
    wrap_end_line(&w);
    return w.st;
}
