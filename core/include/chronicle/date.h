/*
 * chronicle/date.h — the calendar dates of the dataset format: strict
 * YYYY-MM-DD, held as the number YYYYMMDD (so they compare as integers).
 * Pure functions; any thread.
 */
#ifndef CHRONICLE_DATE_H
#define CHRONICLE_DATE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses a strict YYYY-MM-DD calendar date (0001-01-01 .. 9999-12-31) into
 * YYYYMMDD.  Returns 0 when s[0..len) is not a calendar date. */
uint32_t chronicle_date_parse(const char *s, size_t len);

/* Days since 1970-01-01 of a YYYYMMDD date (for spreadsheets and charts);
 * negative before 1970. */
int64_t chronicle_date_days(uint32_t ymd);

#ifdef __cplusplus
}
#endif

#endif
