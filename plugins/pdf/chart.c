/*
 * chart.c — the briefing's bar charts, drawn with libharu's vector
 * operators: a value axis with round ticks and light grid lines, category
 * labels (thinned or shortened with "…" when they do not fit, never
 * past the box's edges), each bar's value, and a break of the axis where
 * a column stands for years left out.  Charts never draw outside the box
 * they are given.
 */
#include <math.h>
#include <string.h>

#include "pdf_internal.h"

#define LABEL_SIZE 7.5f

/* A round tick step (1, 2 or 5 times a power of ten, at least 1) giving
 * about five intervals up to vmax. */
static double nice_step(double vmax)
{
    double raw = vmax / 5.0;
    if (raw <= 1.0) return 1.0;
    double mag = pow(10.0, floor(log10(raw))), norm = raw / mag;
    return (norm <= 1.0 ? 1.0 : norm <= 2.0 ? 2.0 : norm <= 5.0 ? 5.0 : 10.0) * mag;
}

static double bars_max(const pdf_bar *bars, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++)
        if (bars[i].value > m) m = bars[i].value;
    return m;
}

static chronicle_status number_text(pdf_doc *d, double v, chronicle_buf *out)
{
    chronicle_buf_reset(out);
    return pdf_put_number(d, out, v);
}

/* Draws text centred on cx, or right-aligned at cx when right is set. */
static chronicle_status label_at(pdf_doc *d, const char *s, size_t len, float cx, float baseline,
                                 int right, pdf_rgb color)
{
    float w;
    chronicle_status st = pdf_text_width(d, s, len, PDF_REGULAR, LABEL_SIZE, &w);
    if (st != CHRONICLE_OK) return st;
    return pdf_draw_text(d, right ? cx - w : cx - w / 2, baseline, s, len, PDF_REGULAR, LABEL_SIZE,
                         color);
}

/* Draws a label centred under cx but inside lo..hi, unless it would run
 * into the one drawn before (which ends at *shown_to). */
static chronicle_status category_label(pdf_doc *d, const char *s, float cx, float baseline,
                                       float lo, float hi, float *shown_to)
{
    float w;
    size_t len = strlen(s);
    chronicle_status st = pdf_text_width(d, s, len, PDF_REGULAR, LABEL_SIZE, &w);
    float at = fmaxf(lo, fminf(cx - w / 2, hi - w));
    if (st != CHRONICLE_OK || !len || at < *shown_to + 2) return st;
    *shown_to = at + w;
    return pdf_draw_text(d, at, baseline, s, len, PDF_REGULAR, LABEL_SIZE, pdf_grey);
}

/* The axis broken at cx: years left out of the chart.  Two slanted
 * strokes across the base line, the line cleared between them. */
static void axis_break(pdf_doc *d, float cx, float y, float half)
{
    pdf_fill_rect(d, cx - half, y - 1.5f, 2 * half, 3, pdf_white);
    pdf_line(d, cx - half - 2, y - 4, cx - half + 2, y + 4, 0.8f, pdf_grey, 0);
    pdf_line(d, cx + half - 2, y - 4, cx + half + 2, y + 4, 0.8f, pdf_grey, 0);
}

chronicle_status pdf_chart_columns(pdf_doc *d, float x, float top, float w, float h,
                                   const pdf_bar *bars, size_t n)
{
    const float axis_w = 34, foot = 16, head = 12;
    float px = x + axis_w, pw = w - axis_w, py = top - h + foot, ph = h - foot - head;
    double vmax = bars_max(bars, n), step = nice_step(vmax);
    double amax = step * fmax(1.0, ceil(vmax / step));
    chronicle_buf text = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    for (double v = 0; v <= amax + step / 2 && st == CHRONICLE_OK; v += step) {
        float gy = py + (float)(v / amax) * ph;
        pdf_hline(d, px, px + pw, gy, v == 0 ? 0.8f : 0.4f, v == 0 ? pdf_grey : pdf_rule);
        if ((st = number_text(d, v, &text)) == CHRONICLE_OK)
            st = label_at(d, text.ptr, text.len, px - 5, gy - 2.5f, 1, pdf_grey);
    }
    float slot = n ? pw / (float)n : pw, bw = fminf(slot * 0.62f, 42.0f), widest = 0;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        float lw;
        st = pdf_text_width(d, bars[i].label, strlen(bars[i].label), PDF_REGULAR, LABEL_SIZE, &lw);
        widest = fmaxf(widest, lw);
    }
    size_t every = (size_t)ceilf((widest + 4) / slot);
    if (every < 1) every = 1;
    float shown_to = x; /* where the last category label drawn ends */
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        float cx = px + slot * ((float)i + 0.5f), bh = (float)(bars[i].value / amax) * ph;
        if (bars[i].gap) axis_break(d, cx, py, fminf(slot * 0.3f, 4.0f));
        if (bh > 0) pdf_fill_rect(d, cx - bw / 2, py, bw, bh, pdf_blue);
        if ((st = number_text(d, bars[i].value, &text)) != CHRONICLE_OK) break;
        float vw;
        st = pdf_text_width(d, text.ptr, text.len, PDF_REGULAR, LABEL_SIZE, &vw);
        if (st == CHRONICLE_OK && vw <= slot && bars[i].value > 0)
            st = label_at(d, text.ptr, text.len, cx, py + bh + 3, 0, pdf_black);
        if (st == CHRONICLE_OK && i % every == 0)
            st = category_label(d, bars[i].label, cx, py - foot + 6, x, x + w, &shown_to);
    }
    chronicle_buf_free(&text);
    return st;
}

chronicle_status pdf_chart_bars(pdf_doc *d, float x, float top, float w, const pdf_bar *bars,
                                size_t n, float *height)
{
    const float row = 17, bar_h = 10, value_w = 34, foot = 16;
    float label_w = 0;
    chronicle_buf text = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        float lw;
        st = pdf_text_width(d, bars[i].label, strlen(bars[i].label), PDF_REGULAR, LABEL_SIZE, &lw);
        label_w = fmaxf(label_w, lw);
    }
    label_w = fminf(label_w, w * 0.32f) + 8;
    float px = x + label_w, pw = w - label_w - value_w, plot_h = (float)n * row;
    float py = top - plot_h;
    double vmax = bars_max(bars, n), step = nice_step(vmax);
    double amax = step * fmax(1.0, ceil(vmax / step));
    for (double v = 0; v <= amax + step / 2 && st == CHRONICLE_OK; v += step) {
        float gx = px + (float)(v / amax) * pw;
        pdf_line(d, gx, py, gx, top, v == 0 ? 0.8f : 0.4f, v == 0 ? pdf_grey : pdf_rule, 0);
        if ((st = number_text(d, v, &text)) == CHRONICLE_OK)
            st = label_at(d, text.ptr, text.len, gx, py - foot + 6, 0, pdf_grey);
    }
    for (size_t i = 0; i < n && st == CHRONICLE_OK; i++) {
        float cy = top - row * ((float)i + 0.5f), bw = (float)(bars[i].value / amax) * pw;
        if (bw > 0) pdf_fill_rect(d, px, cy - bar_h / 2, bw, bar_h, pdf_blue);
        chronicle_buf_reset(&text);
        st = pdf_fit(d, bars[i].label, strlen(bars[i].label), PDF_REGULAR, LABEL_SIZE, label_w - 8,
                     &text);
        /* right-aligned against the bars; in a mirrored (right-to-left)
         * chart, right-aligned at the chart's right edge, as a column of
         * right-to-left text is */
        if (st == CHRONICLE_OK && d->rtl)
            st = pdf_draw_text(d, x, cy - 2.5f, text.ptr, text.len, PDF_REGULAR, LABEL_SIZE,
                               pdf_black);
        else if (st == CHRONICLE_OK)
            st = label_at(d, text.ptr, text.len, px - 6, cy - 2.5f, 1, pdf_black);
        if (st == CHRONICLE_OK) st = number_text(d, bars[i].value, &text);
        if (st == CHRONICLE_OK)
            st = pdf_draw_text(d, px + bw + 4, cy - 2.5f, text.ptr, text.len, PDF_REGULAR,
                               LABEL_SIZE, pdf_black);
    }
    chronicle_buf_free(&text);
    *height = plot_h + foot;
    return st;
}
