/*
 * chronicle/format.h — wording shared by every report, so the PDF, the
 * workbook and the text summary say the same thing the same way.
 * Part of the utility layer that built-in plugins link statically.
 */
#ifndef CHRONICLE_FORMAT_H
#define CHRONICLE_FORMAT_H

#include <stdint.h>

#include "plugin.h"
#include "strbuf.h"

/* Appends a YYYYMMDD date; nothing for 0. */
chronicle_status chronicle_format_date(chronicle_buf *out, uint32_t ymd, chronicle_date_style style);

/* Appends how a claim is attributed to its source:
 *   "as reported by Trend, 24 Feb 2023"        outlet and date known
 *   "as reported by Trend"                     no date
 *   "as reported in 001_2b7d35f5b2fc6915.txt, 24 Feb 2023"   no outlet: the document
 */
chronicle_status chronicle_format_attribution(chronicle_buf *out, const chronicle_source *src);

/* Appends "from 24 Feb 2023 to 25 Feb 2024" style periods:
 * "24 Feb 2023 – 25 Feb 2024", or one date when first == last, or "no events". */
chronicle_status chronicle_format_period(chronicle_buf *out, uint32_t first, uint32_t last,
                                         chronicle_date_style style);

/* Appends a number as people write it: 613, 1275, 2008, 12,500, 2.5 (thousands
 * separated from five digits on, as SI and Chicago do, so years read as
 * years; up to 6 decimals; no exponent for ordinary magnitudes). */
chronicle_status chronicle_format_number(chronicle_buf *out, double v);

#endif
