/*
 * widths.c — column fitting.  libxlsxwriter 1.1.4 has no worksheet_autofit,
 * and constant-memory mode needs widths before the first row, so widths come
 * from the measuring pass: the display width (East Asian wide = 2, combining
 * marks = 0) of the widest line of any cell, capped at XLSX_WIDTH_CAP.
 * Invariant: a measured width never exceeds the byte length it came from,
 * which lets short cells be skipped without decoding them.
 */
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

unsigned xlsx_number_width(double v)
{
    char digits[40];
    int n = snprintf(digits, sizeof digits, "%.10g", v); /* about what General shows */
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
