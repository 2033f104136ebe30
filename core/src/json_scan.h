/*
 * json_scan.h — a strict, validating JSON skipper.
 *
 * It finds where one JSON value ends without building anything, and rejects
 * what cJSON would let through: invalid UTF-8, control characters in strings
 * (raw or escaped, except \t and \n), \u0000, unpaired surrogates, leading
 * zeros, and nesting deeper than a limit.  A value it accepts parses with
 * cJSON to the same tree.  Internal to libchronicle.
 */
#ifndef CHRONICLE_JSON_SCAN_H
#define CHRONICLE_JSON_SCAN_H

#include <stddef.h>

#include "chronicle/diag.h"

#define JSON_MAX_DEPTH 64

typedef enum {
    SCAN_OK,
    SCAN_MORE, /* the input ended inside the value and more may follow */
    SCAN_ERROR
} scan_result;

typedef struct scan_error {
    size_t offset; /* into the buffer passed */
    char reason[96];
    chronicle_diag_code code; /* SYNTAX, ENCODING (text rules) or LIMIT (nesting) */
} scan_error;

/*
 * Skips the value starting at buf[*pos] (no leading white space).  On
 * SCAN_OK, *pos is just past it.  eof says that nothing follows buf[len-1]:
 * then a value cut short is an error instead of SCAN_MORE.  max_depth is the
 * nesting the value may use.
 */
scan_result chronicle__json_skip_value(const char *buf, size_t len, size_t *pos, int eof,
                                       int max_depth, scan_error *err);

/* The first offset at or after pos that is not JSON white space. */
size_t chronicle__json_skip_ws(const char *buf, size_t len, size_t pos);

#endif
