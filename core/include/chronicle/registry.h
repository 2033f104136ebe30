/*
 * chronicle/registry.h — finding, probing and describing exporter plugins.
 *
 * Discovery lists <name>.so files in the search path without loading them;
 * probing loads one in a child process (a crashing constructor cannot take
 * the caller down), checks it against the ABI rules of plugin.h and brings
 * back a description: the same data `chronicle plugins --json` prints.
 */
#ifndef CHRONICLE_REGISTRY_H
#define CHRONICLE_REGISTRY_H

#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "plugin.h"
#include "strbuf.h"

/* A declared option, as probed (strings owned by the registry). */
typedef struct chronicle_option_info {
    char *name;
    chronicle_opt_type type;
    char *default_value; /* NULL: none */
    char *help;
    char **choices; /* ENUM: NULL-terminated; else NULL */
    double min, max;
} chronicle_option_info;

typedef struct chronicle_plugin_info {
    char *name; /* from the file name */
    char *path;
    int broken;    /* refused or failed to load: see reason */
    char *reason;  /* why it is broken, or NULL */
    char *shadows; /* a later file of the same name this one hides, or NULL */
    /* the descriptor (valid when !broken) */
    char *version, *summary, *extension, *media_type;
    uint32_t abi_version, struct_size, flags;
    chronicle_option_info *options;
    size_t n_options;
    /* what the plugin printed on its standard output and error while it was
     * probed, cleaned (see chronicle_registry_probe) and at most about
     * 4 KiB, or NULL: print it as the plugin's, never as chronicle's */
    char *load_output;
} chronicle_plugin_info;

typedef struct chronicle_registry chronicle_registry;

/* Zero-initialise, then set what you need. */
typedef struct chronicle_registry_opts {
    /* --plugin-path, in order; a relative entry is made absolute against
     * the current directory (realpath) when the registry is made */
    const char *const *dirs;
    size_t n_dirs;
    int no_env;        /* ignore CHRONICLE_PLUGIN_PATH (tests) */
    double probe_timeout; /* seconds; 0: 10 */
} chronicle_registry_opts;

/* Lists the plugin files of the search path (no loading).  A relative entry
 * of CHRONICLE_PLUGIN_PATH or CHRONICLE_PLUGIN_SYSTEM_PATH is not searched
 * and becomes a warning (see chronicle_registry_warning).  Caller owns *out;
 * free with chronicle_registry_free(). */
chronicle_status chronicle_registry_new(const chronicle_registry_opts *opts,
                                        chronicle_registry **out);
void chronicle_registry_free(chronicle_registry *reg);

/* The directories searched, in order (for messages and `plugins`). */
size_t chronicle_registry_dir_count(const chronicle_registry *reg);
const char *chronicle_registry_dir(const chronicle_registry *reg, size_t i);

/* Search-path entries that were not searched, each a sentence saying which,
 * why and what to do, already cleaned for a terminal:
 *   CHRONICLE_PLUGIN_PATH entry "plugins" is a relative directory and is
 *   not searched (plugins load only from absolute paths; fix: write it as
 *   an absolute path)
 * Print them as warnings wherever the registry is used (plugins, export).
 * Owned by the registry; valid until chronicle_registry_free(). */
size_t chronicle_registry_warning_count(const chronicle_registry *reg);
const char *chronicle_registry_warning(const chronicle_registry *reg, size_t i);

/* Plugin files found, first-wins order by name.  Not yet probed: call
 * chronicle_registry_probe() on the ones you need. */
size_t chronicle_registry_count(const chronicle_registry *reg);
chronicle_plugin_info *chronicle_registry_at(chronicle_registry *reg, size_t i);
chronicle_plugin_info *chronicle_registry_find(chronicle_registry *reg, const char *name);

/* Loads the plugin in a child process and fills info; on refusal
 * info->broken is set and info->reason says why and what to do.  The child
 * runs in a process group of its own, killed whole once it has answered or
 * timed out; its standard output and error go to info->load_output, never
 * to the caller's.  Every string in info is cleaned: no control or bidi
 * characters, valid UTF-8, capped lengths.  Returns CHRONICLE_OK when
 * usable, CHRONICLE_ERR_PLUGIN when broken. */
chronicle_status chronicle_registry_probe(chronicle_registry *reg, chronicle_plugin_info *info);

/* ---- options ---- */

const char *chronicle_opt_type_name(chronicle_opt_type t);

/* A parsed option value. */
typedef struct chronicle_opt_value {
    int set; /* a value or a default is present */
    int b;
    int64_t i;
    double d;
    const char *s; /* owned by whoever parsed it */
} chronicle_opt_value;

/* Parses text as opt's type and checks range/choices.  On failure appends
 * the reason ("must be an integer from 20 to 400") to why. */
chronicle_status chronicle_opt_parse(const chronicle_option_info *opt, const char *text,
                                     chronicle_opt_value *out, chronicle_buf *why);

/* Appends the probed description as JSON (one object). */
chronicle_status chronicle_plugin_info_json(const chronicle_plugin_info *info, chronicle_buf *out);

#endif
