/*
 * widths.c — column fitting.  libxlsxwriter 1.1.4 has no worksheet_autofit,
 * and constant-memory mode needs widths before the first row, so widths come
 * from the measuring pass: the display width (East Asian wide = 2, combining
 * marks = 0) of the widest line of any cell, capped at XLSX_WIDTH_CAP.
 * Invariant: a measured width never exceeds the byte length it came from,
 * which lets short cells be skipped without decoding them.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "chronicle/utf8.h"
#include "xlsx_internal.h"

unsigned xlsx_text_width(const char *s, size_t len, unsigned cap)
{
    unsigned widest = 0, line = 0;
    size_t i = 0;
    while (i < len && widest <= cap) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\n') {
            line = 0;
            i++;
            continue;
        }
        if (c < 0x80) {
            line++; /* printable ASCII, or tab counted as one column */
            i++;
        } else {
            uint32_t cp;
            size_t n = chronicle_utf8_decode(s + i, len - i, &cp);
            if (!n) n = 1, cp = 0xFFFD;
            int w = chronicle_cp_width(cp);
            line += w < 0 ? 1u : (unsigned)w;
            i += n;
        }
        if (line > widest) widest = line;
    }
    return widest;
}

void xlsx_measure_text(xlsx_sheet *s, lxw_col_t col, const char *v, size_t len)
{
    if (!s->multiline[col] && memchr(v, '\n', len)) s->multiline[col] = 1;
    if (len <= s->width[col]) return; /* cannot be wider than its bytes */
    unsigned w = xlsx_text_width(v, len, XLSX_WIDTH_CAP);
    if (w > s->width[col]) s->width[col] = w;
}

void xlsx_measure_list(xlsx_sheet *s, lxw_col_t col, const chronicle_str *v, size_t n)
{
    size_t bytes = n ? 2 * (n - 1) : 0;
    for (size_t i = 0; i < n; i++) {
        bytes += v[i].len;
        if (!s->multiline[col] && v[i].len && memchr(v[i].ptr, '\n', v[i].len))
            s->multiline[col] = 1;
    }
    if (bytes <= s->width[col]) return;
    unsigned total = 0;
    for (size_t i = 0; i < n && total <= XLSX_WIDTH_CAP; i++)
        total += (i ? 2 : 0) + xlsx_text_width(v[i].ptr, v[i].len, XLSX_WIDTH_CAP);
    if (total > XLSX_WIDTH_CAP + 1) total = XLSX_WIDTH_CAP + 1;
    if (total > s->width[col]) s->width[col] = total;
}

/* a * b = *p + *e exactly (Dekker's product; C11 contracts no a*b+c into
 * an fma by default, which would spoil it). */
static void two_product(double a, double b, double *p, double *e)
{
    const double split = 134217729.0; /* 2^27 + 1 */
    *p = a * b;
    double c = split * a, ah = c - (c - a), al = a - ah;
    c = split * b;
    double bh = c - (c - b), bl = b - bh;
    *e = ((ah * bh - *p) + ah * bl + al * bh) + al * bl;
}

size_t xlsx_format_g(char *out, double v, int sig)
{
    static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    static const double half_unit[] = {0.5,     0.5e-1,  0.5e-2,  0.5e-3,  0.5e-4,  0.5e-5,
                                       0.5e-6,  0.5e-7,  0.5e-8,  0.5e-9,  0.5e-10, 0.5e-11,
                                       0.5e-12, 0.5e-13, 0.5e-14, 0.5e-15, 0.5e-16};
    double a = v < 0 ? -v : v;
    if (sig < 1 || sig > 16 || !(a >= 1e-4 && a < 1e15)) return 0; /* also NaN */
    for (unsigned k = 0; k < sizeof p10 / sizeof *p10; k++) {
        double p, e;
        two_product(a, p10[k], &p, &e);
        if (p >= 1e15) return 0;
        double m = (double)(uint64_t)(p + 0.5);
        if (m / p10[k] != a) continue; /* a is not the double nearest m / 10^k */
        uint64_t M = (uint64_t)m;
        int nd = 1;
        for (uint64_t t = M; t >= 10; t /= 10)
            nd++;
        int lead = nd - 1 - (int)k; /* the exponent %G would show */
        if (nd > sig || lead < -4 || lead >= sig) return 0;
        /* printf rounds a's exact value, a * 10^k = m + r, to sig digits: it
         * shows m when r is well inside half the sig-th digit's unit */
        double r = (p - m) + e;
        if ((r < 0 ? -r : r) >= 0.9 * half_unit[sig - nd]) return 0;
        if (M == 1 && r < 0) return 0; /* just below a power of ten: a finer grid */
        char digits[24], *q = out;
        int n = 0;
        do
            digits[n++] = (char)('0' + M % 10);
        while ((M /= 10));
        while (n < (int)k + 1)
            digits[n++] = '0'; /* 0.05: the leading zeros */
        int skip = 0;          /* trailing zeros of the fraction, which %G drops */
        while (skip < (int)k && digits[skip] == '0')
            skip++;
        if (v < 0) *q++ = '-';
        for (int i = n - 1; i >= (int)k; i--)
            *q++ = digits[i];
        if (skip < (int)k) {
            *q++ = '.';
            for (int i = (int)k - 1; i >= skip; i--)
                *q++ = digits[i];
        }
        return (size_t)(q - out);
    }
    return 0;
}

unsigned xlsx_number_width(double v)
{
    char digits[40];
    if (v == 0) return 1;
    size_t k = xlsx_format_g(digits, v, 10); /* about what General shows */
    if (k) return (unsigned)k;
    int n = snprintf(digits, sizeof digits, "%.10g", v);
    return n > 0 ? (unsigned)n : 1;
}

double xlsx_column_width(const char *header, unsigned widest)
{
    /* headers are bold and carry the filter button: about four more columns */
    unsigned w = (unsigned)strlen(header) + 4;
    unsigned cells = (widest > XLSX_WIDTH_CAP ? XLSX_WIDTH_CAP : widest) + 2;
    if (cells > w) w = cells;
    return w < 6 ? 6.0 : (double)w;
}

int xlsx_column_wraps(const xlsx_sheet *s, unsigned col)
{
    xlsx_kind k = s->cols[col].kind;
    return (k == XLSX_TEXT || k == XLSX_URL) &&
           (s->width[col] > XLSX_WIDTH_CAP || s->multiline[col]);
}
