/*
 * wording.h — the report's words in its language: labels, messages, dates,
 * periods, numbers, counts, attributions and the selection line, from the
 * catalogs compiled out of po/ (wording_catalog.h).  Internal to the host;
 * plugins reach it through the 1.2 services of chronicle_host.
 *
 * Every text function writes like snprintf: at most size bytes into buf,
 * NUL-terminated when size > 0, and returns the length of the whole text.
 * All are thread-safe and pure: no process locale, no global state.  A
 * NULL lang means English.
 */
#ifndef CHRONICLE_WORDING_H
#define CHRONICLE_WORDING_H

#include <stddef.h>
#include <stdint.h>

#include "chronicle/plugin.h"

typedef struct wording_lang wording_lang;

/* The language with this tag ("en" "fr" "ru" "az" "zh"), or NULL. */
const wording_lang *chronicle__wording_find(const char *tag);
/* The valid tags, for a message: "en, fr, ru, az, zh". */
const char *chronicle__wording_tags(void);
/* English, the default and the fallback. */
const wording_lang *chronicle__wording_english(void);
const char *chronicle__wording_tag(const wording_lang *lang);
chronicle_text_direction chronicle__wording_direction(const wording_lang *lang);

/* The text of msgid (its first form when it is plural), else the English
 * text, else msgid itself.  Static storage. */
const char *chronicle__wording_label(const wording_lang *lang, const char *msgid);

/* msgid's text with {1}..{9} replaced by args[0..8] (NULL: ""); a
 * placeholder without an argument is left as it is. */
size_t chronicle__wording_message(const wording_lang *lang, char *buf, size_t size,
                                  const char *msgid, const char *const *args, size_t n_args);

/* A YYYYMMDD date; "" for 0 or an impossible date. */
size_t chronicle__wording_date(const wording_lang *lang, char *buf, size_t size, uint32_t ymd,
                               chronicle_date_style style);
/* first alone when last is 0 or first; both by date.interval; period.none for first == 0. */
size_t chronicle__wording_period(const wording_lang *lang, char *buf, size_t size, uint32_t first,
                                 uint32_t last, chronicle_date_style style);
size_t chronicle__wording_number(const wording_lang *lang, char *buf, size_t size, double value);
/* msgid's plural form for n, {n} the number formatted. */
size_t chronicle__wording_count(const wording_lang *lang, char *buf, size_t size, uint64_t n,
                                const char *msgid);
/* msgid's ordinal form for n ("31st anniversary"): the language's CLDR
 * ordinal category picks the form, {n} is n formatted. */
size_t chronicle__wording_ordinal(const wording_lang *lang, char *buf, size_t size, uint64_t n,
                                  const char *msgid);
size_t chronicle__wording_attribution(const wording_lang *lang, char *buf, size_t size,
                                      const chronicle_source *src);
/* "12 of 40 events · country AZ · tag x · from DATE · until DATE", or "all 40 events". */
size_t chronicle__wording_selection(const wording_lang *lang, char *buf, size_t size,
                                    const chronicle_report *report, size_t n_events,
                                    size_t n_total);

/* Proleptic Gregorian, years 1 to 9999: days since 1970-01-01, INT64_MIN
 * for an impossible date; and back, 0 out of range. */
int64_t chronicle__wording_ymd_to_days(uint32_t ymd);
uint32_t chronicle__wording_days_to_ymd(int64_t days);

#endif
