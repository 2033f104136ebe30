/*
 * heights.c — row heights for wrapped text.  Neither Excel nor LibreOffice
 * grows a row when it opens a workbook (LibreOffice 7.4 keeps the default
 * height, so wrapped text is clipped), and libxlsxwriter 1.1.4 has no
 * autofit: the writer counts the lines itself.  Text is measured with the
 * advance widths of Carlito, the metric-compatible stand-in for the default
 * font Calibri 11 that LibreOffice uses, and broken as LibreOffice breaks it
 * (after spaces and hyphens, inside a word only when the word alone is wider
 * than the cell).  Invariant: every estimate errs on the generous side —
 * widths round up, the line is Excel's narrower one, unknown characters
 * count wide, and a line is Excel's 15 pt where LibreOffice needs 13.4 —
 * so a row may show a little white space, never lose a line.
 */
#include <math.h>
#include <stdint.h>

#include "chronicle/utf8.h"
#include "xlsx_internal.h"

/* Advance widths of Carlito Regular in 1/128 em, rounded up; 255: not in
 * the font.  Printed by carlito_widths.py from fonts-crosextra-carlito. */
static const unsigned char latin[] = {
    29,  42,  52,  64,  65,  92,  88,  29,  39,  39,  64,  64,  32,  40,  33,  50,  65,  65,  65,
    65,  65,  65,  65,  65,  65,  65,  35,  35,  64,  64,  64,  60,  115, 75,  70,  69,  79,  63,
    59,  81,  80,  33,  41,  67,  54,  110, 83,  85,  67,  87,  70,  59,  63,  83,  73,  114, 67,
    63,  60,  40,  50,  40,  64,  64,  38,  62,  68,  55,  68,  64,  40,  61,  68,  30,  31,  59,
    30,  103, 68,  68,  68,  68,  45,  51,  43,  68,  58,  92,  56,  58,  51,  41,  59,  41,  64,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 42,  64,  65,  64,
    65,  64,  64,  51,  107, 52,  66,  64,  255, 65,  51,  44,  64,  43,  43,  38,  71,  75,  33,
    40,  32,  55,  66,  82,  86,  87,  60,  75,  75,  75,  75,  75,  75,  98,  69,  63,  63,  63,
    63,  33,  33,  33,  33,  80,  83,  85,  85,  85,  85,  85,  64,  85,  83,  83,  83,  83,  63,
    67,  68,  62,  62,  62,  62,  62,  62,  99,  55,  64,  64,  64,  64,  30,  30,  30,  30,  68,
    68,  68,  68,  68,  68,  68,  64,  68,  68,  68,  68,  68,  58,  68,  58,  75,  62,  75,  62,
    75,  62,  69,  55,  69,  55,  69,  55,  69,  55,  79,  73,  80,  71,  63,  64,  63,  64,  63,
    64,  63,  64,  63,  64,  81,  61,  81,  61,  81,  61,  81,  61,  80,  68,  84,  69,  33,  30,
    33,  30,  33,  30,  33,  30,  33,  30,  74,  60,  41,  31,  67,  59,  59,  54,  30,  54,  30,
    55,  34,  70,  48,  55,  32,  83,  68,  83,  68,  83,  68,  75,  81,  68,  85,  68,  85,  68,
    85,  68,  111, 109, 70,  45,  70,  45,  70,  45,  59,  51,  59,  51,  59,  51,  59,  51,  63,
    43,  63,  45,  63,  44,  83,  68,  83,  68,  83,  68,  83,  68,  83,  68,  83,  68,  114, 92,
    63,  58,  63,  60,  51,  60,  51,  60,  51,  32,  71,  79,  69,  68,  68,  68,  71,  74,  60,
    80,  88,  69,  68,  67,  63,  83,  61,  59,  64,  81,  73,  101, 37,  35,  67,  59,  37,  60,
    113, 83,  69,  85,  90,  74,  99,  84,  79,  68,  70,  59,  51,  59,  56,  46,  68,  43,  63,
    93,  78,  85,  83,  69,  64,  60,  51,  61,  61,  61,  55,  65,  65,  55,  51,  68,  32,  51,
    74,  42,  139, 130, 118, 97,  85,  60,  124, 114, 98,  75,  62,  33,  30,  85,  68,  83,  68,
    83,  68,  83,  68,  83,  68,  83,  68,  64,  75,  62,  75,  62,  98,  99,  81,  69,  81,  61,
    67,  59,  85,  68,  85,  68,  61,  61,  31,  138, 130, 118, 81,  61,  115, 78,  83,  68,  75,
    62,  98,  99,  85,  68,  75,  62,  75,  62,  63,  64,  63,  64,  33,  30,  33,  30,  85,  68,
    85,  68,  70,  45,  70,  45,  83,  68,  83,  68,  59,  51,  63,  43,  61,  61,  80,  68,  83,
    77,  65,  65,  63,  53,  75,  62,  63,  64,  85,  68,  85,  68,  85,  68,  85,  68,  63,  58,
    41,  79,  43,  31,  106, 106, 75,  69,  55,  54,  63,  51,  51,  58,  58,  71,  85,  74,  63,
    64,  43,  36,  81,  68,  71,  48,  74,  63,  62,  68,  68,  68,  55,  58,  68,  68,  64,  64,
    82,  55,  55,  68,  68,  37,
};

static const unsigned char cyrillic[] = {
    63,  63,  80,  55, 71, 59, 33,  33, 41,  112, 113, 80, 70, 83, 68, 80, 75, 69, 70, 55,
    83,  63,  103, 61, 83, 83, 70,  79, 110, 80,  85,  80, 67, 69, 63, 68, 90, 67, 82, 72,
    112, 114, 79,  98, 68, 71, 113, 72, 62,  69,  62,  45, 72, 64, 89, 55, 70, 70, 60, 66,
    87,  69,  68,  67, 68, 55, 50,  58, 80,  56,  70,  60, 94, 96, 69, 86, 61, 57, 93, 61,
    64,  64,  70,  45, 57, 51, 30,  30, 31,  97,  99,  69, 60, 70, 58, 68,
};

static const unsigned char punctuation[] = {
    255, 255, 65,  64,  116, 116, 51,  64,  32,  32,  32,  32,  54,  54,  54,  54,
    64,  64,  64,  255, 255, 255, 89,  255, 255, 255, 255, 255, 255, 255, 255, 29,
    133, 255, 255, 52,  75,  255, 255, 255, 255, 44,  44,  255, 72,  62,  64,  255,
};

enum {
    EM = 128,          /* table units per em */
    UNKNOWN = 90,      /* a character from a fallback font: wider than most (DejaVu 'n' is 81) */
    WIDE = EM,         /* East Asian wide: a full em */
    BOLD_PERCENT = 107 /* Carlito Bold is at most 7 % wider than Regular */
};

/* Width of cp in 1/128 em of the default font. */
static unsigned advance(uint32_t cp)
{
    unsigned w = 255;
    if (cp >= 0x20 && cp < 0x20 + sizeof latin)
        w = latin[cp - 0x20];
    else if (cp >= 0x400 && cp < 0x400 + sizeof cyrillic)
        w = cyrillic[cp - 0x400];
    else if (cp >= 0x2010 && cp < 0x2010 + sizeof punctuation)
        w = punctuation[cp - 0x2010];
    if (w != 255) return w;
    if (cp == 0xA0) return latin[0]; /* no-break space: a space that does not break */
    if (cp == '\t') return 2 * EM;   /* to the next tab stop (0.72 cm); no break there */
    int cols = chronicle_cp_width(cp);
    return cols == 0 ? 0 : cols == 2 ? WIDE : UNKNOWN;
}

/* Where a line may break after cp without a space: hyphens and dashes. */
static int breaks_after(uint32_t cp)
{
    return cp == '-' || cp == 0x2010 || cp == 0x2012 || cp == 0x2013 || cp == 0x2014;
}

/* The greedy breaking of one paragraph (text between line feeds).  Widths
 * are whole table units (1/128 em), so sums are exact integers, and a sum
 * fits in the line exactly when it fits in the line's whole units. */
typedef struct wrapper {
    uint64_t avail;  /* the line, rounded down to whole units */
    uint64_t line;   /* what the current line holds, trailing spaces included */
    uint64_t spaces; /* trailing spaces on it, which may hang past its end */
    unsigned lines;
} wrapper;

/* Places a word (text between break opportunities) of width w. */
static void place_word(wrapper *r, const char *s, size_t len, uint64_t w)
{
    if (!w) return;
    if (r->line + w <= r->avail) {
        r->line += w;
        r->spaces = 0;
        return;
    }
    if (r->line > r->spaces) { /* a new line; the spaces hang at the old one's end */
        r->lines++;
        r->line = 0;
    }
    r->spaces = 0;
    if (w <= r->avail) {
        r->line = w;
        return;
    }
    /* wider than a line: broken between characters, where LibreOffice may
     * also break earlier (after '/' in a URL, between ideographs): one line
     * more than the characters need */
    size_t i = 0;
    r->lines++;
    while (i < len) {
        uint32_t cp;
        size_t n = chronicle_utf8_decode(s + i, len - i, &cp);
        if (!n) n = 1, cp = 0xFFFD;
        unsigned a = advance(cp);
        if (r->line > 0 && r->line + a > r->avail) {
            r->lines++;
            r->line = 0;
        }
        r->line += a;
        i += n;
    }
}

/* At least the width a byte can add to a text of a single paragraph, in
 * table units: a printable ASCII byte its own width; a byte of a UTF-8
 * sequence (or of a bad one) 139, the widest character below U+0800 (two
 * bytes or more make a character of at most 139: wide ones are 128, unknown
 * ones 90, the punctuation 133); a tab or another control character 2 em;
 * a line feed or carriage return more than any line holds. */
static inline uint64_t byte_bound(unsigned char c)
{
    if (c >= 0x20 && c < 0x7F) return latin[c - 0x20];
    if (c >= 0x80) return 139;
    return c == '\n' || c == '\r' ? (uint64_t)1 << 40 : 2 * EM;
}

/* Whether s fits on one line of avail units however it breaks: when the
 * widths of all its characters add up to no more than the line, the greedy
 * breaking below never starts a second line.  Stops as soon as the bound
 * is past the line, so that a text of many lines costs one line's bytes. */
static int fits_one_line(const char *s, size_t len, uint64_t avail)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t sum = 0;
    size_t i = 0;
    for (; len - i >= 8; i += 8) {
        sum += byte_bound(p[i]) + byte_bound(p[i + 1]) + byte_bound(p[i + 2]) +
               byte_bound(p[i + 3]) + byte_bound(p[i + 4]) + byte_bound(p[i + 5]) +
               byte_bound(p[i + 6]) + byte_bound(p[i + 7]);
        if (sum > avail) return 0;
    }
    for (; i < len; i++)
        sum += byte_bound(p[i]);
    return sum <= avail;
}

/* The line in whole table units: the column width as worksheet_set_column
 * takes it, for size_pt text, bold or not. */
static uint64_t line_units(double width, double size_pt, int bold)
{
    /* Excel's column is trunc(7 * width + 5) pixels, of which about 7 *
     * width hold text: 5.25 pt a character unit.  LibreOffice's is wider,
     * 5.53 pt a unit plus 2 pt: measured by breaking the same texts in
     * columns 10 to 62 wide, where this breaking matched its own. */
    double avail_pt = width * 7.0 * 0.75;
    double avail = avail_pt / size_pt * EM * 100 / (bold ? BOLD_PERCENT : 100);
    return avail > 0 ? (uint64_t)avail : 0;
}

unsigned xlsx_text_lines_walk(const char *s, size_t len, double width, double size_pt, int bold)
{
    wrapper r = {.avail = line_units(width, size_pt, bold), .lines = 1};
    size_t i = 0, word = 0;
    uint64_t w = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c > ' ' && c < 0x7F && c != '-') { /* most of any text: within a word */
            w += latin[c - 0x20];
            i++;
            continue;
        }
        uint32_t cp = c;
        size_t n = 1;
        if (c >= 0x80 && !(n = chronicle_utf8_decode(s + i, len - i, &cp))) n = 1, cp = 0xFFFD;
        if (cp == '\n' || cp == '\r' || cp == ' ') {
            place_word(&r, s + word, i - word, w);
            w = 0;
            if (cp == '\r' && i + 1 < len && s[i + 1] == '\n') n = 2; /* CR LF: one break */
            if (cp == '\n' || cp == '\r') {
                r.lines++;
                r.line = r.spaces = 0;
            } else {
                r.line += latin[0];
                r.spaces += latin[0];
            }
            word = i + n;
        } else {
            w += advance(cp);
            if (breaks_after(cp)) {
                place_word(&r, s + word, i + n - word, w);
                w = 0;
                word = i + n;
            }
        }
        i += n;
    }
    place_word(&r, s + word, len - word, w);
    return r.lines;
}

unsigned xlsx_text_lines(const char *s, size_t len, double width, double size_pt, int bold)
{
    /* a cell that fits on a line: a sum, without breaking it.  Only tried
     * when the line has room for len spaces (29 units, the narrowest
     * ASCII): longer ASCII could not fit, and the sum would be wasted on
     * them, as it was on most cells of the wrapped columns at 100k events */
    uint64_t avail = line_units(width, size_pt, bold);
    if (len <= avail / 29 && fits_one_line(s, len, avail)) return 1;
    return xlsx_text_lines_walk(s, len, width, size_pt, bold);
}

/* Excel's row of Calibri 11 is 15 pt: 1.36 times the size. */
static double line_height(double size_pt)
{
    return size_pt * 15.0 / 11.0;
}

double xlsx_row_height(unsigned lines, double size_pt)
{
    double h = ceil(lines * line_height(size_pt) * 4) / 4; /* Excel keeps quarter points */
    return h > XLSX_ROW_MAX_PT ? XLSX_ROW_MAX_PT : h;
}

int xlsx_lines_fit(unsigned lines, double size_pt)
{
    return lines * line_height(size_pt) <= XLSX_ROW_MAX_PT;
}
