/*
 * registry_internal.h — shared between registry.c (discovery),
 * plugin_load.c (checking, loading and probing a plugin file) and options.c
 * (values and the JSON wire format).
 */
#ifndef CHRONICLE_REGISTRY_INTERNAL_H
#define CHRONICLE_REGISTRY_INTERNAL_H

#include <stdio.h>

#include "chronicle/registry.h"

/* Fills the descriptor part of p from the probe's JSON; 0 if malformed.
 * Every string is cleaned and capped (plugin_text_clean): the child that
 * sent it ran the plugin's code. */
int plugin_info_from_json(chronicle_plugin_info *p, const char *text, size_t len);
void option_info_clear(chronicle_option_info *op);
/* Frees what a probe filled in, keeping name and path. */
void plugin_info_clear_probe(chronicle_plugin_info *p);

/* Checks a loaded descriptor against the ABI rules; fills p (descriptor
 * copied as option_info) or sets p->broken + reason.  Runs in the child. */
void plugin_check_descriptor(chronicle_plugin_info *p, const chronicle_plugin *desc);

/* Loads path and returns its descriptor copied into a zeroed struct of the
 * host's size; on failure NULL and *why (malloc'd) says why.  host may be
 * NULL for probing.  The file is opened once after resolving symlinks,
 * checked on that descriptor with every directory above it (see SECURITY in
 * chronicle(1)), and that very file is dlopen()ed. */
const chronicle_plugin *plugin_load(const char *path, const chronicle_host *host,
                                    chronicle_plugin *copy, char **why);

/* Probes p in a child process (see chronicle_registry_probe). */
chronicle_status probe_plugin(chronicle_plugin_info *p, double timeout);
/* A copy of s[0..len) fit for a terminal and a JSON reader: invalid UTF-8,
 * control characters (but '\n' when keep_newlines) and bidi controls become
 * U+FFFD; past cap bytes the text is cut, and ends in U+2026.  Caller owns
 * the result; NULL when out of memory. */
char *plugin_text_clean(const char *s, size_t len, size_t cap, int keep_newlines);

/* "SIGSEGV" for 11 ... */
const char *signal_name(int sig);

#endif
