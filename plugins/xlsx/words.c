/*
 * words.c — the workbook's words, all from the host's 1.2 wording services
 * (labels, messages, dates, periods, counts, numbers, attributions, the
 * selection) in the report's language, appended to a chronicle_buf; and the
 * day arithmetic behind Excel's serial dates.  Nothing here knows a month
 * name or a calendar rule: that is the host's.
 */
#include <string.h>

#include "xlsx_internal.h"

/* The host's services write like snprintf: try in the room there is, and
 * once more with room for the whole text when it did not fit. */
#define APPEND(x, out, call)                                                                       \
    do {                                                                                           \
        if (chronicle_buf_reserve((out), 64) != CHRONICLE_OK) return CHRONICLE_ERR_NOMEM;          \
        size_t room_ = (out)->cap - (out)->len;                                                    \
        char *at_ = (out)->ptr + (out)->len;                                                       \
        size_t n_ = (call);                                                                        \
        if (n_ >= room_) {                                                                         \
            if (chronicle_buf_reserve((out), n_ + 1) != CHRONICLE_OK) return CHRONICLE_ERR_NOMEM;  \
            room_ = (out)->cap - (out)->len;                                                       \
            at_ = (out)->ptr + (out)->len;                                                         \
            n_ = (call);                                                                           \
        }                                                                                          \
        (out)->len += n_ < room_ ? n_ : room_ - 1;                                                 \
        (out)->ptr[(out)->len] = '\0';                                                             \
        return CHRONICLE_OK;                                                                       \
    } while (0)

int xlsx_words_available(const chronicle_host *h)
{
    return CHRONICLE_HAS(h, chronicle_host, days_to_ymd) && h->report && h->label &&
           h->format_message && h->format_date && h->format_period && h->format_number &&
           h->format_count && h->format_attribution && h->format_selection && h->ymd_to_days &&
           h->days_to_ymd;
}

const char *xlsx_label(const xlsx_ctx *x, const char *msgid)
{
    return x->host->label(x->job, msgid);
}

chronicle_status xlsx_words_message(xlsx_ctx *x, chronicle_buf *out, const char *msgid,
                                    const char *const *args, size_t n_args)
{
    APPEND(x, out, x->host->format_message(x->job, at_, room_, msgid, args, n_args));
}

chronicle_status xlsx_words_period(xlsx_ctx *x, chronicle_buf *out, uint32_t first, uint32_t last)
{
    APPEND(x, out, x->host->format_period(x->job, at_, room_, first, last, CHRONICLE_DATE_SHORT));
}

chronicle_status xlsx_words_count(xlsx_ctx *x, chronicle_buf *out, uint64_t n, const char *msgid)
{
    APPEND(x, out, x->host->format_count(x->job, at_, room_, n, msgid));
}

chronicle_status xlsx_words_number(xlsx_ctx *x, chronicle_buf *out, double v)
{
    APPEND(x, out, x->host->format_number(x->job, at_, room_, v));
}

chronicle_status xlsx_words_attribution(xlsx_ctx *x, chronicle_buf *out,
                                        const chronicle_source *src)
{
    APPEND(x, out, x->host->format_attribution(x->job, at_, room_, src));
}

chronicle_status xlsx_words_selection(xlsx_ctx *x, chronicle_buf *out)
{
    APPEND(x, out, x->host->format_selection(x->job, at_, room_));
}

/* Excel counts days from 1899-12-30 (serial 25569 is 1970-01-01); before
 * March 1900 its serials include a 29 February 1900 that never was. */
int64_t xlsx_excel_serial(const xlsx_ctx *x, uint32_t ymd)
{
    if (ymd < 19000301) return -1;
    int64_t days = x->host->ymd_to_days(ymd);
    return days == INT64_MIN ? -1 : days + 25569;
}
