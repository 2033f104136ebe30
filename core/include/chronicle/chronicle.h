/*
 * chronicle/chronicle.h — libchronicle, the whole public API in one
 * include: load a dataset, select its events, export reports through the
 * plugins, read the diagnostics.  Build with
 * `pkg-config --cflags --libs libchronicle`; doc/api.md and chronicle(3)
 * walk through one program.
 *
 * Rules that hold for every header here:
 *   - functions return chronicle_status and fill a caller-owned
 *     chronicle_diag where a person needs words; nothing prints or exits;
 *   - a caller-filled struct carries struct_size (0: the 1.0 layout, which
 *     is what `= {0}` gives); a struct the library fills only grows by
 *     appended members; the others are opaque or say their layout is fixed;
 *   - within major version 1 the library only grows (chronicle/version.h).
 *
 * Plugins do not use this header and never link libchronicle: their one
 * header is chronicle/plugin.h (the `chronicle` pkg-config module).
 */
#ifndef CHRONICLE_CHRONICLE_H
#define CHRONICLE_CHRONICLE_H

#include "chronicle/dataset.h"
#include "chronicle/dataset_json.h"
#include "chronicle/date.h"
#include "chronicle/diag.h"
#include "chronicle/export.h"
#include "chronicle/plugin.h"
#include "chronicle/plugincheck.h"
#include "chronicle/registry.h"
#include "chronicle/report.h"
#include "chronicle/select.h"
#include "chronicle/split.h"
#include "chronicle/strbuf.h"
#include "chronicle/summary.h"
#include "chronicle/utf8.h"
#include "chronicle/version.h"

#endif
