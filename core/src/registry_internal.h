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
 * Every string is cleaned and capped (chronicle_utf8_clean): the child that
 * sent it ran the plugin's code. */
int chronicle__plugin_info_from_json(chronicle_plugin_info *p, const char *text, size_t len);
/* Frees what a probe filled in, keeping name and path. */
void chronicle__plugin_info_clear_probe(chronicle_plugin_info *p);

/* Loads path and returns its descriptor copied into a zeroed struct of the
 * host's size; on failure NULL and *why (malloc'd) says why.  host may be
 * NULL for probing.  The file is opened once after resolving symlinks,
 * checked on that descriptor with every directory above it (see SECURITY in
 * chronicle(1)), and that very file is dlopen()ed. */
const chronicle_plugin *chronicle__plugin_load(const char *path, const chronicle_host *host,
                                               chronicle_plugin *copy, char **why);

/* Probes p in a child process (see chronicle_registry_probe). */
chronicle_status chronicle__probe_plugin(chronicle_plugin_info *p, double timeout);

/* "SIGSEGV" for 11 ... */
const char *chronicle__signal_name(int sig);

#endif
