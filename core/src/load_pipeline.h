/*
 * load_pipeline.h — the events of a large load parsed and converted on
 * every CPU (load_pipeline.c), and what the loader (load.c) lends it.
 * Internal to libchronicle.
 */
#ifndef CHRONICLE_LOAD_PIPELINE_H
#define CHRONICLE_LOAD_PIPELINE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "loader.h"

/* How a load uses threads; zero members mean the defaults. */
typedef struct chronicle__load_tuning {
    unsigned threads;   /* threads that convert events, the loading one included; 0: one per
                           CPU (sched_getaffinity), 1: the loading thread alone */
    size_t min_bytes;   /* a smaller input loads on one thread; 0: 2 MiB */
    size_t batch_bytes; /* events are handed out about this many bytes at a time; 0: 256 KiB */
} chronicle__load_tuning;

/* chronicle_dataset_load() and chronicle_dataset_load_buffer() with tuning t
 * (NULL: the defaults): the result and the messages are the same whatever t
 * says; the tests compare them. */
chronicle_status chronicle__dataset_load_tuned(const char *path, const chronicle_load_opts *opts,
                                               const chronicle__load_tuning *t,
                                               chronicle_dataset **out, chronicle_diag *diag);
chronicle_status chronicle__dataset_load_buffer_tuned(const char *name, const char *buf, size_t len,
                                                      const chronicle_load_opts *opts,
                                                      const chronicle__load_tuning *t,
                                                      chronicle_dataset **out,
                                                      chronicle_diag *diag);

/* The CPUs this process may run on (at least 1). */
unsigned chronicle__cpu_count(void);

typedef struct chronicle__pipeline chronicle__pipeline;

/* A pipeline for L's events, threads threads converting (L's included),
 * about batch_bytes of JSON a batch.  Only while the dataset's sources are
 * known and do not change (see loader.h).  NULL when no thread can be
 * started or memory is short: then load on this thread. */
chronicle__pipeline *chronicle__pipeline_new(loader *L, unsigned threads, size_t batch_bytes);

/* Hands over the event /events/INDEX, json[0..len) (accepted by the
 * skipper), at offset in the file.  Its messages and its place in the
 * dataset come in input order, at the latest by chronicle__pipeline_drain().
 * 0 when the load must stop (L->oom). */
int chronicle__pipeline_add(chronicle__pipeline *p, const char *json, size_t len, size_t index,
                            uint64_t offset);

/* An NDJSON event line, line[0..len) without its line break, line number
 * lineno of the file at offset: the worker checks it as the loading thread
 * would (the skipper at chronicle__event_depth(1), nothing after the value)
 * and places a refusal by line and column (in characters: the line's start
 * is always in the loader's window).  The same return as
 * chronicle__pipeline_add(). */
int chronicle__pipeline_add_line(chronicle__pipeline *p, const char *line, size_t len, size_t index,
                                 uint64_t offset, unsigned long lineno);

/* Converts and merges every event handed over, so that L->diag and the
 * dataset are as one thread would leave them.  0 when L->oom. */
int chronicle__pipeline_drain(chronicle__pipeline *p);

/* Stops the threads and frees p; what the events hold becomes the
 * dataset's.  Drain first: events not merged are dropped. */
void chronicle__pipeline_free(chronicle__pipeline *p);

/* ---- lent by load.c ---- */

/* The nesting an event may use, in an NDJSON line or in "events". */
int chronicle__event_depth(int ndjson);

/* This thread's block for cJSON's nodes (see load.c); 0 when out of memory
 * (cJSON then uses malloc).  End frees it. */
int chronicle__load_thread_begin(void);
void chronicle__load_thread_end(void);
/* Parses an event's JSON, accepted by the skipper, in this thread's block:
 * the tree lives until the next event is parsed.  NULL: out of memory. */
cJSON *chronicle__parse_event(const char *buf, size_t len);
/* Frees what chronicle__parse_event() returned, if anything needs it. */
void chronicle__free_event_json(cJSON *v);

#endif
