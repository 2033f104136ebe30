/*
 * chronicle/plugintest.h — the plugin test kit: a host in your test
 * program, so an exporter can be unit-tested (with cmocka or anything
 * else) without the chronicle binary.  Link with
 * `pkg-config --cflags --libs chronicle chronicle-plugintest`.
 *
 * The mock host loads any dataset file with the real loader, summarises
 * and sorts it as chronicle does, lends the real 1.2 wording services,
 * checks option values by the host's rules, and records what the plugin
 * does: its output, errors, logs and progress.  It also checks two rules
 * the real host cannot see: the thread rule (a non-thread-safe service
 * called off the thread that ran the export is recorded), and ONE_EVENT:
 * when the plugin declares CHRONICLE_PLUGIN_ONE_EVENT, each event_at()
 * result is a copy that is poisoned (unmapped) when the next is read, so
 * a plugin that keeps one crashes at the line that reads it.
 *
 * A job is one export: make it, set options and metadata, run it once,
 * read what happened, free it.  Nothing here prints or exits.
 */
#ifndef CHRONICLE_PLUGINTEST_H
#define CHRONICLE_PLUGINTEST_H

#include <stddef.h>
#include <stdint.h>

#include "plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The services table of a 1.2 host, or of an older one (minor 0 or 1:
 * struct_size and abi_version as that host had them, to test a plugin's
 * fallbacks).  Static; valid for the life of the program. */
const chronicle_host *chronicle_mock_host(void);
const chronicle_host *chronicle_mock_host_abi(uint32_t minor);

/* The path of a fixture shipped with chronicle: "events.json" (the default
 * dataset), "generated-1k.json" (1,000 generated events),
 * "unicode-torture.json" (CJK, right-to-left, combining marks, emoji,
 * 10 kB strings).  Looked up in the colon-separated directories of
 * CHRONICLE_PLUGINTEST_DATA, then where chronicle installed them.  Caller
 * frees; NULL when not found. */
char *chronicle_mock_fixture(const char *name);

/* A job for plugin over the dataset file at path (every event, sorted by
 * date then id), options at their declared defaults, the report's title
 * the dataset's, timestamp 1700000000.  On failure returns the status and,
 * when why is not NULL, *why (caller frees) says what went wrong. */
chronicle_status chronicle_mock_job_new(const chronicle_plugin *plugin, const char *path,
                                        chronicle_job **out, char **why);
void chronicle_mock_job_free(chronicle_job *job);

/* -O NAME.key=value, checked as the host checks it: CHRONICLE_ERR_OPTION
 * for an undeclared key or a value of the wrong type, out of range or not
 * a choice.  value is copied. */
chronicle_status chronicle_mock_set(chronicle_job *job, const char *key, const char *value);
/* The report's metadata (1.2 report()): "title", "subtitle",
 * "organization", "author", "marking", "lang" ("en", "fr", "ru", "az",
 * "zh").  CHRONICLE_ERR_OPTION for an unknown field or language. */
chronicle_status chronicle_mock_set_report(chronicle_job *job, const char *field,
                                           const char *value);
/* --split-by KEY (country, year, organizer, tag) and one of its groups:
 * the job then has that group's events and group() returns it.
 * CHRONICLE_ERR_OPTION when key is unknown; a group with no event leaves
 * the job with none. */
chronicle_status chronicle_mock_set_group(chronicle_job *job, const char *key, const char *group);
/* --since / --until as YYYYMMDD (0: open). */
void chronicle_mock_set_range(chronicle_job *job, uint32_t since, uint32_t until);
void chronicle_mock_set_timestamp(chronicle_job *job, int64_t seconds);
/* write() fails with CHRONICLE_ERR_IO once `bytes` have been written. */
void chronicle_mock_fail_writes_after(chronicle_job *job, size_t bytes);
/* cancelled() returns 1 from its `calls`-th call on (1: at once). */
void chronicle_mock_cancel_after(chronicle_job *job, unsigned calls);
/* Poisoning of ONE_EVENT plugins' events: on (1) by default. */
void chronicle_mock_set_poison(chronicle_job *job, int on);

/* Runs plugin->export_dataset once with host (NULL: chronicle_mock_host())
 * on this thread and returns what it returned; a NEEDS_PATH plugin's file
 * is read back as the output. */
chronicle_status chronicle_mock_run(chronicle_job *job, const chronicle_host *host);

/* What the plugin wrote, NUL-terminated; owned by the job. */
const char *chronicle_mock_output(const chronicle_job *job, size_t *len);
/* The first error() and its code; NULL / CHRONICLE_OK if none. */
const char *chronicle_mock_error(const chronicle_job *job, chronicle_status *code);
/* log() calls, in order. */
size_t chronicle_mock_log_count(const chronicle_job *job);
const char *chronicle_mock_log_at(const chronicle_job *job, size_t i, chronicle_log_level *level);
/* progress(): calls, and the last (done, total). */
size_t chronicle_mock_progress(const chronicle_job *job, uint64_t *done, uint64_t *total);
/* Calls that broke the thread rule, and the first one's description
 * ("event_at() from another thread"); NULL if none. */
size_t chronicle_mock_thread_violations(const chronicle_job *job, const char **first);
/* The job's events as the plugin sees them. */
size_t chronicle_mock_event_count(const chronicle_job *job);

#ifdef __cplusplus
}
#endif
#endif
