/*
 * format.c — dates, periods, numbers and attributions in report wording.
 * Locale-independent on purpose: reports must not change with LC_ALL.
 */
#include "chronicle/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const months[] = {"January", "February", "March",     "April",
                                     "May",     "June",     "July",      "August",
                                     "September", "October", "November", "December"};

chronicle_status chronicle_format_date(chronicle_buf *out, uint32_t ymd, chronicle_date_style style)
{
    if (!ymd) return CHRONICLE_OK;
    unsigned y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    if (m < 1 || m > 12) return CHRONICLE_ERR_INTERNAL;
    switch (style) {
    case CHRONICLE_DATE_ISO: return chronicle_buf_appendf(out, "%04u-%02u-%02u", y, m, d);
    case CHRONICLE_DATE_SHORT: return chronicle_buf_appendf(out, "%u %.3s %u", d, months[m - 1], y);
    case CHRONICLE_DATE_LONG: return chronicle_buf_appendf(out, "%u %s %u", d, months[m - 1], y);
    }
    return CHRONICLE_ERR_INTERNAL;
}

chronicle_status chronicle_format_attribution(chronicle_buf *out, const chronicle_source *src)
{
    chronicle_status st = src->outlet.ptr
                              ? chronicle_buf_appendf(out, "as reported by %s", src->outlet.ptr)
                              : chronicle_buf_appendf(out, "as reported in %s", src->document.ptr);
    if (st == CHRONICLE_OK && src->published_ymd) {
        st = chronicle_buf_puts(out, ", ");
        if (st == CHRONICLE_OK)
            st = chronicle_format_date(out, src->published_ymd, CHRONICLE_DATE_SHORT);
    }
    return st;
}

chronicle_status chronicle_format_period(chronicle_buf *out, uint32_t first, uint32_t last,
                                         chronicle_date_style style)
{
    if (!first) return chronicle_buf_puts(out, "no events");
    chronicle_status st = chronicle_format_date(out, first, style);
    if (st != CHRONICLE_OK || !last || last == first) return st;
    st = chronicle_buf_puts(out, " \xE2\x80\x93 "); /* en dash */
    return st == CHRONICLE_OK ? chronicle_format_date(out, last, style) : st;
}

chronicle_status chronicle_format_number(chronicle_buf *out, double v)
{
    if (!isfinite(v)) return chronicle_buf_puts(out, v != v ? "NaN" : v < 0 ? "-inf" : "inf");
    if (fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-6)) return chronicle_buf_appendf(out, "%g", v);
    char digits[64];
    snprintf(digits, sizeof digits, "%.6f", fabs(v));
    /* the separator printf wrote, whatever LC_NUMERIC says: a ',' must not
     * leave dot NULL */
    char *dot = digits + strspn(digits, "0123456789");
    char *end = digits + strlen(digits);
    while (end > dot + 1 && end[-1] == '0') end--;
    if (end == dot + 1) end = dot;
    *end = '\0';
    chronicle_status st = v < 0 ? chronicle_buf_putc(out, '-') : CHRONICLE_OK;
    size_t int_len = (size_t)(dot - digits);
    /* four-digit numbers stay whole (SI, Chicago): 1275 people, the year 2008 */
    int group = int_len > 4;
    for (size_t i = 0; st == CHRONICLE_OK && i < int_len; i++) {
        if (group && i && (int_len - i) % 3 == 0) st = chronicle_buf_putc(out, ',');
        if (st == CHRONICLE_OK) st = chronicle_buf_putc(out, digits[i]);
    }
    if (st == CHRONICLE_OK && end > dot) st = chronicle_buf_putc(out, '.');
    if (st == CHRONICLE_OK && end > dot) st = chronicle_buf_puts(out, dot + 1);
    return st;
}
