/*
 * chronicle/report.h — a report's definition: what its author says about it
 * (title, subtitle, organisation, author, marking, logo, language), what it
 * selects, the formats it is written in and their options
 * (formats/report-v1.md).  It is read from a file (--report), changed key by
 * key (-M KEY=VALUE, --lang) and checked as it is given, so an export never
 * starts from a bad one; chronicle_export_request.report hands it to every
 * job, where plugins see it as chronicle_report (host->report()).
 *
 *     chronicle_report_def *def = chronicle_report_def_new();
 *     st = chronicle_report_def_load(def, "briefing.json", diag);
 *     if (st == CHRONICLE_OK) st = chronicle_report_def_set(def, "lang", "fr", diag);
 *     if (st == CHRONICLE_OK) st = chronicle_report_def_check(def, registry, diag);
 *     req.report = def;   ... chronicle_export(&req, diag) ...
 *     chronicle_report_def_free(def);
 */
#ifndef CHRONICLE_REPORT_H
#define CHRONICLE_REPORT_H

#include <stddef.h>

#include "dataset.h"
#include "diag.h"
#include "registry.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque; made by chronicle_report_def_new(). */
typedef struct chronicle_report_def chronicle_report_def;

/* An empty definition: the dataset's title, English, no branding, every
 * event.  Caller owns it; free with chronicle_report_def_free().  NULL when
 * out of memory. */
chronicle_report_def *chronicle_report_def_new(void);

/* Frees def.  NULL is a no-op. */
void chronicle_report_def_free(chronicle_report_def *def);

/*
 * Reads the definition file at path into def: each member the file names
 * replaces def's value.  A relative logo path is taken relative to the
 * file's directory; the logo is opened and checked now (a regular file, a
 * PNG or JPEG by its first bytes) and the bytes checked are the bytes every
 * job reads.  CHRONICLE_ERR_OPTION: the file is not a valid definition;
 * every defect is in diag, as path:line:col (syntax) or path + JSON pointer
 * with the valid choices named.  CHRONICLE_ERR_IO: the file cannot be read.
 * After an error def may be partly changed: free it.
 */
chronicle_status chronicle_report_def_load(chronicle_report_def *def, const char *path,
                                           chronicle_diag *diag);

/*
 * Sets one metadata key, as -M KEY=VALUE does: title, subtitle,
 * organization, author, marking, logo (relative to the current directory)
 * or lang ("en", "fr", "ru", "az", "zh").  An empty value removes the key
 * (the title goes back to the dataset's, lang to "en").  CHRONICLE_ERR_OPTION
 * for an unknown key or a bad value, def unchanged; diag says why and lists
 * the valid keys or values (the message does not repeat KEY=VALUE: the
 * caller says where it came from).
 */
chronicle_status chronicle_report_def_set(chronicle_report_def *def, const char *key,
                                          const char *value, chronicle_diag *diag);

/*
 * Checks what needs the plugins: every format named (in "formats" and in
 * "options") is in reg and loads, every option is one its plugin declares
 * and has a value its declaration accepts.  Plugins are probed as needed.
 * CHRONICLE_ERR_OPTION (diag: the JSON pointer and the valid names),
 * CHRONICLE_ERR_UNSUPPORTED (a plugin was refused).  chronicle_export()
 * makes the same check; calling it first refuses a bad definition before
 * any dataset is read.
 */
chronicle_status chronicle_report_def_check(const chronicle_report_def *def,
                                            chronicle_registry *reg, chronicle_diag *diag);

/* The formats the definition names (0: none), and its split_by
 * (CHRONICLE_SPLIT_NONE: none): what an export gets when its request
 * leaves them unset. */
size_t chronicle_report_def_format_count(const chronicle_report_def *def);
chronicle_split_key chronicle_report_def_split(const chronicle_report_def *def);

#ifdef __cplusplus
}
#endif

#endif
