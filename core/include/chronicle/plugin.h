/*
 * chronicle/plugin.h — the exporter plugin ABI, version 1.2.
 *
 * A plugin is a shared object exporting one symbol, chronicle_plugin_v1(),
 * which returns a static descriptor.  Plugins never link libchronicle: every
 * service they need arrives in the chronicle_host function table.
 *
 * Growth rules (what keeps old plugins working):
 *   - every struct that crosses the ABI starts with uint32_t struct_size;
 *   - structs grow only by appending members; test for them with CHRONICLE_HAS;
 *   - dataset arrays are arrays of pointers (no stride trap), except the
 *     frozen-layout chronicle_str, chronicle_count and chronicle_option;
 *   - a descriptor's abi_version is the lowest host ABI the plugin needs,
 *     not the header it was built with: a plugin that uses nothing added
 *     after 1.1 says CHRONICLE_ABI(1, 1) and loads in a 1.1 host.
 * Each member of the host table and of the views says which ABI added it
 * ("1.2:"); a member without a mark is 1.0.
 *
 * This header is C11 and C++ compatible and depends on nothing but libc.
 */
#ifndef CHRONICLE_PLUGIN_H
#define CHRONICLE_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CHRONICLE_ABI_MAJOR 1
#define CHRONICLE_ABI_MINOR 2
#define CHRONICLE_ABI(maj, min) ((uint32_t)(maj) << 16 | (uint32_t)(min))
#define CHRONICLE_ABI_VERSION CHRONICLE_ABI(CHRONICLE_ABI_MAJOR, CHRONICLE_ABI_MINOR)
#define CHRONICLE_ABI_MAJOR_OF(v) ((uint32_t)(v) >> 16)
#define CHRONICLE_ABI_MINOR_OF(v) ((uint32_t)(v)&0xffffu)

#if defined(__GNUC__)
#define CHRONICLE_EXPORT __attribute__((visibility("default")))
#define CHRONICLE_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define CHRONICLE_EXPORT
#define CHRONICLE_PRINTF(f, a)
#endif

/* True if the struct behind p (which starts with uint32_t struct_size) has member m. */
#define CHRONICLE_HAS(p, type, m)                                                                  \
    (offsetof(type, m) + sizeof(((const type *)0)->m) <= (p)->struct_size)

typedef enum chronicle_status {
    CHRONICLE_OK = 0,
    CHRONICLE_ERR_IO,          /* reading or writing a file failed */
    CHRONICLE_ERR_NOMEM,       /* out of memory */
    CHRONICLE_ERR_OPTION,      /* an option or argument is invalid */
    CHRONICLE_ERR_DATA,        /* the dataset is invalid */
    CHRONICLE_ERR_UNSUPPORTED, /* a version or feature this build does not support */
    CHRONICLE_ERR_CANCELLED,   /* the job was cancelled */
    CHRONICLE_ERR_INTERNAL,    /* a bug or a library failure */
    CHRONICLE_ERR_PLUGIN       /* a plugin could not be loaded or failed */
} chronicle_status;

typedef enum chronicle_log_level {
    CHRONICLE_LOG_DEBUG,
    CHRONICLE_LOG_INFO,
    CHRONICLE_LOG_WARN
} chronicle_log_level;

/* A UTF-8 string view, always NUL-terminated at ptr[len].  ptr == NULL: the
 * field is absent (then len == 0).  Frozen layout. */
typedef struct chronicle_str {
    const char *ptr;
    size_t len;
} chronicle_str;

/* ---- read-only dataset views: borrowed, valid until export_dataset returns
 * (an event from event_at(): see CHRONICLE_PLUGIN_ONE_EVENT) ---- */

typedef struct chronicle_source {
    uint32_t struct_size;
    chronicle_str id, outlet, published, dateline, document, url;
    uint32_t published_ymd; /* published as YYYYMMDD, 0 when absent */
} chronicle_source;

typedef struct chronicle_participant {
    uint32_t struct_size;
    int32_t spoke; /* -1 unknown, 0 no, 1 yes */
    chronicle_str name, role, organization;
} chronicle_participant;

typedef struct chronicle_activity {
    uint32_t struct_size;
    chronicle_str kind, title, description;
    const chronicle_str *performers;
    size_t n_performers;
} chronicle_activity;

typedef struct chronicle_statement {
    uint32_t struct_size;
    chronicle_str speaker, summary, quote;
    const chronicle_source *source; /* resolved; never NULL */
} chronicle_statement;

typedef struct chronicle_figure {
    uint32_t struct_size;
    chronicle_str label, unit, note;
    double value;
    const chronicle_source *source; /* resolved; never NULL */
} chronicle_figure;

typedef struct chronicle_event {
    uint32_t struct_size;
    uint32_t date_ymd;     /* date as YYYYMMDD, e.g. 20230224 */
    uint32_t end_date_ymd; /* 0 when absent */
    int32_t anniversary;   /* -1 when absent */
    chronicle_str id, title, date, end_date, summary;
    chronicle_str venue, city, country, country_code;
    chronicle_str occasion, occasion_of_date; /* occasion.subject, occasion.of_date */
    const chronicle_str *organizers;
    size_t n_organizers;
    const chronicle_str *audience;
    size_t n_audience;
    const chronicle_str *tags;
    size_t n_tags;
    const chronicle_participant *const *participants;
    size_t n_participants;
    const chronicle_activity *const *activities;
    size_t n_activities;
    const chronicle_statement *const *statements;
    size_t n_statements;
    const chronicle_figure *const *figures;
    size_t n_figures;
    const chronicle_source *const *sources; /* resolved, in the event's order */
    size_t n_sources;
    uint32_t occasion_of_date_ymd; /* 1.2: occasion.of_date as YYYYMMDD, 0 when absent */
} chronicle_event;

/* One row of a count table.  Frozen layout. */
typedef struct chronicle_count {
    chronicle_str key;   /* "2023", "AZ", an organiser, an activity kind */
    chronicle_str label; /* display name: the country name for by_country, else == key */
    size_t count;
} chronicle_count;

/* Counts over the events of one job (after filtering and splitting). */
typedef struct chronicle_summary {
    uint32_t struct_size;
    size_t n_events, n_participants, n_activities, n_statements, n_figures;
    size_t n_sources_cited;              /* distinct sources cited by these events */
    chronicle_str first_date, last_date; /* absent when n_events == 0 */
    const chronicle_count *by_year;      /* ascending year */
    size_t n_by_year;
    const chronicle_count *by_country; /* descending count, then key */
    size_t n_by_country;
    const chronicle_count *by_organizer; /* descending count, then key */
    size_t n_by_organizer;
    const chronicle_count *by_activity_kind; /* descending count, then key */
    size_t n_by_activity_kind;
    uint32_t first_date_ymd, last_date_ymd; /* 1.2: first_date, last_date as YYYYMMDD; 0: none */
} chronicle_summary;

/* The dataset as a whole (not filtered). */
typedef struct chronicle_dataset_info {
    uint32_t struct_size;
    chronicle_str schema, title, description;
    chronicle_str path; /* the file it was loaded from, as spelled: never print it in
                         * a report (1.2: chronicle_report says what was selected) */
    chronicle_str stem; /* its base name without extension, e.g. "events" */
    const chronicle_source *const *sources;
    size_t n_sources;
    size_t n_events_total; /* before filtering */
} chronicle_dataset_info;

/* ---- 1.2: the report, as its author defined it (--report, -M, --lang) ---- */

typedef enum chronicle_text_direction {
    CHRONICLE_LTR = 0,
    CHRONICLE_RTL = 1
} chronicle_text_direction;

typedef enum chronicle_image_format {
    CHRONICLE_IMAGE_NONE = 0,
    CHRONICLE_IMAGE_PNG,
    CHRONICLE_IMAGE_JPEG
} chronicle_image_format;

typedef struct chronicle_report {
    uint32_t struct_size;
    uint32_t direction;  /* chronicle_text_direction of lang */
    chronicle_str lang;  /* "en" (the default), "fr", "ru", "az", "zh" */
    chronicle_str title; /* the author's title, else the dataset's; never absent */
    chronicle_str subtitle, organization, author;
    chronicle_str marking; /* a handling banner ("OFFICIAL-SENSITIVE"), shown as given */
    chronicle_str logo;    /* a path to open, to an image the host has checked; absent: none */
    uint32_t logo_format;  /* chronicle_image_format */
    /* The selection, as given (format_selection() puts it in words). */
    uint32_t since_ymd, until_ymd;  /* 0: not given */
    const chronicle_str *countries; /* ISO 3166-1 alpha-2, as given */
    size_t n_countries;
    const chronicle_str *tags;
    size_t n_tags;
    chronicle_str split_by; /* "country", "year", "organizer"; absent: not split */
} chronicle_report;

/* Date styles of format_date() and format_period(), as CLDR gives them for
 * the report's language ("en" follows CLDR's international English). */
typedef enum chronicle_date_style {
    CHRONICLE_DATE_ISO, /* 2023-02-24, in every language */
    CHRONICLE_DATE_SHORT, /* 24 Feb 2023 · 24 févr. 2023 · 24 февр. 2023 г. · 2023年2月24日 */
    CHRONICLE_DATE_LONG /* 24 February 2023 · 24 février 2023 · 24 февраля 2023 г. */
} chronicle_date_style;

typedef struct chronicle_cursor chronicle_cursor; /* 1.2: opaque, see cursor_open() */

/* ---- declared options: frozen layout for ABI 1 (array element) ---- */

typedef enum chronicle_opt_type {
    CHRONICLE_OPT_END = 0,
    CHRONICLE_OPT_BOOL,
    CHRONICLE_OPT_INT,
    CHRONICLE_OPT_DOUBLE,
    CHRONICLE_OPT_STRING,
    CHRONICLE_OPT_ENUM,
    CHRONICLE_OPT_PATH
} chronicle_opt_type;

typedef struct chronicle_option {
    const char *name; /* [a-z0-9-]+: -O pdf.page-size=letter */
    chronicle_opt_type type;
    const char *default_value;  /* text, parsed and checked by the host; NULL: none */
    const char *help;           /* one line for `chronicle plugins NAME` */
    const char *const *choices; /* ENUM only: NULL-terminated */
    double min, max;            /* INT/DOUBLE bounds; ignored when min > max */
    const void *reserved[2];    /* must be NULL */
} chronicle_option;

/* ---- services the host lends to every call (function table, append-only) ---- */

typedef struct chronicle_job chronicle_job; /* opaque: one export run */

/*
 * Thread rule: call everything from the thread that entered export_dataset,
 * except progress() and cancelled(), which are thread-safe, and (1.2) the
 * wording services, error(), log() and the cursors, which are too.
 *
 * 1.2 text services write like snprintf: at most size bytes into buf,
 * always NUL-terminated when size > 0, and return the length of the whole
 * text (without the NUL), so a caller with too small a buffer calls again.
 * They follow the report's language, never the process locale, and never
 * translate data: names, titles and claims stay as the dataset has them.
 */
typedef struct chronicle_host {
    uint32_t struct_size;     /* sizeof as compiled into the host */
    uint32_t abi_version;     /* the host's CHRONICLE_ABI_VERSION */
    const char *host_version; /* "1.0.0" */

    /* The dataset: filtered and sorted by date, then id.  event_at() returns
     * NULL only when i >= event_count().  When an event cannot be read (a
     * large dataset is read again from its file, which changed), the job has
     * failed: you get an event with the right id and date and nothing else,
     * and cancelled() turns true, so return soon. */
    const chronicle_dataset_info *(*dataset)(const chronicle_job *job);
    size_t (*event_count)(const chronicle_job *job);
    const chronicle_event *(*event_at)(const chronicle_job *job, size_t i);
    const chronicle_summary *(*summary)(const chronicle_job *job);
    const chronicle_source *(*source_by_id)(const chronicle_job *job, const char *id);
    /* Seconds since the epoch: SOURCE_DATE_EPOCH when set.  Never call time(). */
    int64_t (*timestamp)(const chronicle_job *job);
    /* The group of a --split-by job ("AZ", "2023"), or NULL. */
    const char *(*group)(const chronicle_job *job);

    /* Options: validated against the declarations, defaults applied.  Asking
     * for an undeclared name is a plugin bug: 0 / NULL is returned. */
    int (*opt_bool)(const chronicle_job *job, const char *name);
    int64_t (*opt_int)(const chronicle_job *job, const char *name);
    double (*opt_double)(const chronicle_job *job, const char *name);
    const char *(*opt_string)(const chronicle_job *job, const char *name); /* NULL: unset */

    /* Output, host-owned and atomic: never rename or unlink it yourself.
     * write() appends to the output (file or stdout).  output_path() is the
     * temporary file to fill when a library wants a file name (NULL when
     * writing to stdout).  scratch_dir() is a private directory for library
     * temp files, removed after the job. */
    chronicle_status (*write)(chronicle_job *job, const void *buf, size_t len);
    const char *(*output_path)(chronicle_job *job);
    const char *(*scratch_dir)(chronicle_job *job);

    /* Diagnostics.  error() copies the text and marks the job failed. */
    void (*error)(chronicle_job *job, chronicle_status code, const char *fmt, ...)
        CHRONICLE_PRINTF(3, 4);
    void (*log)(chronicle_job *job, chronicle_log_level lvl, const char *fmt, ...)
        CHRONICLE_PRINTF(3, 4);
    void (*progress)(chronicle_job *job, uint64_t done, uint64_t total);
    int (*cancelled)(const chronicle_job *job);

    /* Members from here on are tested with CHRONICLE_HAS(host, chronicle_host, m). */

    /* 1.2: the report's definition: title, branding, marking, language,
     * selection.  Valid until export_dataset returns. */
    const chronicle_report *(*report)(const chronicle_job *job);
    /* 1.2: a fixed word of a report in its language, by message id
     * ("cover.generated", listed in formats/messages.md), falling back to
     * English.  An unknown id comes back as itself, as gettext does.  The
     * text lives as long as the plugin is loaded. */
    const char *(*label)(const chronicle_job *job, const char *msgid);
    /* 1.2: a message with arguments: {1} ... {9} in the translated text are
     * replaced by args[0] ... args[8] (data, not translated). */
    size_t (*format_message)(const chronicle_job *job, char *buf, size_t size, const char *msgid,
                             const char *const *args, size_t n_args);
    /* 1.2: a YYYYMMDD date in a style; "" for 0 or an impossible date. */
    size_t (*format_date)(const chronicle_job *job, char *buf, size_t size, uint32_t ymd,
                          chronicle_date_style style);
    /* 1.2: a period: one date when first == last or last == 0, else both
     * joined as the language joins them; "no events" (in words) for first == 0. */
    size_t (*format_period)(const chronicle_job *job, char *buf, size_t size, uint32_t first,
                            uint32_t last, chronicle_date_style style);
    /* 1.2: a number with the language's digits, grouping and decimal sign
     * (up to six decimals, no exponent for ordinary magnitudes). */
    size_t (*format_number)(const chronicle_job *job, char *buf, size_t size, double value);
    /* 1.2: a count with its noun in the plural form the language wants for
     * n ("1 event", "21 событие", "5 событий"); msgid names the noun
     * ("count.event", formats/messages.md). */
    size_t (*format_count)(const chronicle_job *job, char *buf, size_t size, uint64_t n,
                           const char *msgid);
    /* 1.2: an ordinal in the form the language wants for n ("31st
     * anniversary", "31e anniversaire", "31-я годовщина", "31周年"): msgid
     * names the phrase ("ordinal.anniversary", formats/messages.md), whose
     * form the language's CLDR ordinal rule picks. */
    size_t (*format_ordinal)(const chronicle_job *job, char *buf, size_t size, uint64_t n,
                             const char *msgid);
    /* 1.2: how a claim is attributed to its source: "as reported by Trend,
     * 24 Feb 2023"; the document's name when the outlet is unknown. */
    size_t (*format_attribution)(const chronicle_job *job, char *buf, size_t size,
                                 const chronicle_source *src);
    /* 1.2: what the report covers, in one line: "12 of 40 events · country
     * AZ · from 1 January 2023" (the whole dataset: "all 40 events"). */
    size_t (*format_selection)(const chronicle_job *job, char *buf, size_t size);
    /* 1.2: day arithmetic on YYYYMMDD dates (proleptic Gregorian, years
     * 1-9999): days since 1970-01-01 (INT64_MIN for an impossible date),
     * and back (0 out of range).  days_to_ymd(timestamp / 86400) is the
     * generation date. */
    int64_t (*ymd_to_days)(uint32_t ymd);
    uint32_t (*days_to_ymd)(int64_t days);

    /* 1.2: cursors over the job's events, one per thread.  A cursor reads
     * the same events as event_at(), in the same order, for an in-memory
     * and an indexed (--memory low) dataset alike; an event it gives is
     * valid until the next cursor_event() or cursor_close() on the same
     * cursor (CHRONICLE_PLUGIN_ONE_EVENT, per cursor, whatever the flags).
     * Open and close from any thread; use each cursor from one thread at a
     * time.  cursor_open() returns NULL when out of memory (error() has said
     * so); cursor_event() fails as event_at() does. */
    chronicle_cursor *(*cursor_open)(chronicle_job *job);
    const chronicle_event *(*cursor_event)(chronicle_cursor *cursor, size_t i);
    void (*cursor_close)(chronicle_cursor *cursor);

    /* Later members are appended here, each marked with its ABI version. */
} chronicle_host;

/* ---- the descriptor a plugin returns ---- */

enum {
    CHRONICLE_PLUGIN_STDOUT_OK = 1u << 0,  /* streams through write(): `-o -` allowed */
    CHRONICLE_PLUGIN_NEEDS_PATH = 1u << 1, /* fills output_path() (libxlsxwriter, libharu) */
    /* 1.1: the plugin keeps nothing from an event_at() result (the event,
     * its strings, its participants ...) past its next event_at() call, so
     * the host may reuse one event's memory for the next when it reads a
     * large dataset again from its file.  The summary, dataset info and
     * sources stay valid throughout.  A 1.0 host ignores the flag. */
    CHRONICLE_PLUGIN_ONE_EVENT = 1u << 2
};

typedef struct chronicle_plugin {
    uint32_t struct_size;  /* sizeof(chronicle_plugin) as compiled */
    uint32_t abi_version;  /* the lowest host ABI it needs: CHRONICLE_ABI(1, 2) for a
                            * plugin that uses the 1.2 services, CHRONICLE_ABI(1, 0)
                            * for one that uses none of 1.1 or 1.2 */
    const char *name;      /* "pdf"; equals the file's base name */
    const char *version;   /* the plugin's own version */
    const char *summary;   /* one line */
    const char *extension; /* "pdf", no dot */
    const char *media_type;
    uint32_t flags;
    const chronicle_option *options; /* ends with {0}; may be NULL */
    chronicle_status (*export_dataset)(chronicle_job *job, const chronicle_host *host);
    /* later members are appended, each marked with its ABI version */
} chronicle_plugin;

typedef const chronicle_plugin *(*chronicle_plugin_entry_fn)(const chronicle_host *host);

#define CHRONICLE_PLUGIN_SYMBOL "chronicle_plugin_v1"

/* The single exported symbol.  Return NULL to refuse this host. */
#define CHRONICLE_PLUGIN_DEFINE(desc)                                                              \
    CHRONICLE_EXPORT const chronicle_plugin *chronicle_plugin_v1(const chronicle_host *h);         \
    const chronicle_plugin *chronicle_plugin_v1(const chronicle_host *h)                           \
    {                                                                                              \
        (void)h;                                                                                   \
        return &(desc);                                                                            \
    }

#ifdef __cplusplus
}
#endif
#endif /* CHRONICLE_PLUGIN_H */
