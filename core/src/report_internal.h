/*
 * report_internal.h — the report definition as the export plan reads it
 * (report.c fills it; export.c turns it into each job's chronicle_report).
 */
#ifndef CHRONICLE_REPORT_INTERNAL_H
#define CHRONICLE_REPORT_INTERNAL_H

#include "chronicle/report.h"

/* The metadata keys of -M, in the order they are listed to people. */
enum { META_TITLE, META_SUBTITLE, META_ORGANIZATION, META_AUTHOR, META_MARKING, N_META };

/* One "options" entry: format.key = value, the value as text for
 * chronicle_opt_parse (true/false, a number as written, a string); path is
 * the value taken as a path relative to the definition's directory, what a
 * path option (CHRONICLE_OPT_PATH) uses. */
typedef struct report_option {
    char *format, *key, *value, *path;
} report_option;

struct chronicle_report_def {
    char *file;            /* the definition file read, for messages; NULL: none */
    char *meta[N_META];    /* NULL: not given */
    const char *lang;      /* a tag of wording.h (static); NULL: not given ("en") */
    char *logo;            /* the logo as given, for messages; NULL: none */
    char *logo_path;       /* "/proc/self/fd/N": what plugins open */
    int logo_fd;           /* the checked file, open for the definition's life */
    uint32_t logo_format;  /* chronicle_image_format */
    uint32_t since, until; /* YYYYMMDD; 0: not given */
    char **countries, **tags;
    size_t n_countries, n_tags;
    chronicle_split_key split;
    char **formats;
    size_t n_formats;
    report_option *options;
    size_t n_options;
};

/* "split_by" words: "country", "year", "organizer", "tag"; NULL for NONE. */
const char *chronicle__report_split_name(chronicle_split_key key);

/* A path option names a file the plugin reads (a font, a logo): one that
 * cannot be read is a usage error now, not a failed export later.  why
 * gets "cannot be read: ...". */
chronicle_status chronicle__report_readable_file(const char *path, chronicle_buf *why);

/* What a plugin printed while it was probed: its words, attributed, as
 * warnings (cleaned by the registry). */
void chronicle__report_say_load_output(chronicle_diag *diag, const chronicle_plugin_info *info);

#endif
