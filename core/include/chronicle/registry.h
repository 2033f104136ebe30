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

#ifdef __cplusplus
extern "C" {
#endif

/* A declared option, as probed (strings owned by the registry).  Filled
 * by the library; members are only ever appended. */
typedef struct chronicle_option_info {
    char *name;
    chronicle_opt_type type;
    char *default_value; /* NULL: none */
    char *help;
    char **choices; /* ENUM: NULL-terminated; else NULL */
    double min, max;
} chronicle_option_info;

/* A plugin file and, once probed, its description.  Filled by the library
 * and owned by the registry; members are only ever appended. */
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

/* Opaque; made by chronicle_registry_new(). */
typedef struct chronicle_registry chronicle_registry;

/*
 * Where to look for plugins.  Caller-filled: zero-initialise, then set what
 * you need.  struct_size 0 means the 1.0 layout (the members up to and
 * including struct_size), which is what `= {0}` gives; to use a member
 * added after 1.0, set struct_size = sizeof(chronicle_registry_opts).
 * Members are only appended.
 */
typedef struct chronicle_registry_opts {
    /* --plugin-path, in order; a relative entry is made absolute against
     * the current directory (realpath) when the registry is made */
    const char *const *dirs;
    size_t n_dirs;
    int no_env;           /* ignore CHRONICLE_PLUGIN_PATH (tests) */
    double probe_timeout; /* seconds; 0: 10 */
    size_t struct_size;   /* 0: the 1.0 layout; else sizeof as the caller compiled it */
} chronicle_registry_opts;

/*
 * Lists the plugin files of the search path (no loading).  The search path,
 * first wins: opts->dirs; CHRONICLE_PLUGIN_PATH; the build tree's plugins
 * when the running libchronicle (or a program linking it statically) is
 * the one in its build tree; the user's directory
 * ($XDG_DATA_HOME/chronicle/plugins-1, else ~/.local/share/...); then the
 * installed plugins — CHRONICLE_PLUGIN_SYSTEM_PATH when set, else
 * chronicle/plugins-1 beside the running libchronicle.so (so a relocated
 * install finds its own) and the plugin directory of the prefix it was
 * built for.  opts->no_env drops the environment and the user's directory.
 * A relative entry of CHRONICLE_PLUGIN_PATH or CHRONICLE_PLUGIN_SYSTEM_PATH
 * is not searched and becomes a warning (see chronicle_registry_warning).
 * opts may be NULL.  Caller owns *out; free with chronicle_registry_free().
 * Errors: CHRONICLE_ERR_NOMEM.
 */
chronicle_status chronicle_registry_new(const chronicle_registry_opts *opts,
                                        chronicle_registry **out);
/* Frees the registry and every chronicle_plugin_info it handed out.  NULL
 * is a no-op. */
void chronicle_registry_free(chronicle_registry *reg);

/* The directories searched, in order (for messages and `plugins`); a
 * missing one is simply empty.  Owned by the registry. */
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

/* Plugin files found, one per name (the first in the search path wins),
 * sorted by name.  Not yet probed: call chronicle_registry_probe() on the
 * ones you need.  chronicle_registry_at() is NULL when i is out of range,
 * chronicle_registry_find() when no plugin has that name.  Owned by the
 * registry; valid until chronicle_registry_free(). */
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

/* "bool", "int", "number", "string", "enum", "path": the type's name as
 * `chronicle plugins NAME` shows it.  Static storage. */
const char *chronicle_opt_type_name(chronicle_opt_type t);

/* A parsed option value.  Caller-allocated and filled by
 * chronicle_opt_parse(), so its layout is fixed: it never grows. */
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

/* Appends the probed description as JSON (one object, as `chronicle
 * plugins --json` prints it) to out.  Errors: CHRONICLE_ERR_NOMEM. */
chronicle_status chronicle_plugin_info_json(const chronicle_plugin_info *info, chronicle_buf *out);

#ifdef __cplusplus
}
#endif

#endif
