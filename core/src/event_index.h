/*
 * event_index.h — the index of an indexed dataset (event_index.c): one
 * entry an event, holding the keys the core reads of it without the file
 * (selecting, sorting, splitting, summarising, and checking an event read
 * again), and where the whole event is in the file.
 *
 * An entry is not a chronicle_event: it travels through the core as a
 * const chronicle_event * (a dataset's events, selections, groups, a job's
 * events) and starts with CHRONICLE__ENTRY_TAG where an event has its
 * struct_size, so the readers below tell the two apart.  It never reaches
 * a plugin (an event cursor gives the whole event, event_cursor.h), nor a
 * caller of chronicle_dataset_event() (a view made from it, kept until
 * the dataset is freed).
 */
#ifndef CHRONICLE_EVENT_INDEX_H
#define CHRONICLE_EVENT_INDEX_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "chronicle/dataset.h"

/* Not the size of any struct: no chronicle_event ever has it. */
#define CHRONICLE__ENTRY_TAG 0x1de70001u

/* What entries share, each held once by the dataset and named by its
 * number here: the strings entries hold (const chronicle_str *), one
 * activity for each kind (const chronicle_activity *, holding the kind
 * only), and the sources they cite (const chronicle_source *).  Object 0 is
 * the absent string.  Complete once the load is. */
typedef struct entry_table {
    const void **objs;
    size_t n, cap;
} entry_table;

typedef struct event_entry {
    uint32_t tag; /* CHRONICLE__ENTRY_TAG */
    uint32_t date_ymd, end_date_ymd;
    int32_t anniversary;
    uint64_t offset;       /* of the event's JSON value in the file */
    size_t index;          /* its place among the input's events: /events/INDEX */
    chronicle_str id;      /* in the dataset's event_ids */
    const entry_table *of; /* the dataset's; the numbers below are its objects */
    uint32_t length;       /* of the event's JSON, bytes */
    uint32_t date, end_date, country, country_code;
    uint32_t n_participants, n_statements, n_figures; /* counted, not kept */
    uint32_t n_organizers, n_tags, n_activities, n_sources;
    /* n_organizers then n_tags strings, n_activities kinds, then n_sources
     * sources: every source the event cites, in its list or by a statement
     * or figure, each once */
    uint32_t items[];
} event_entry;

/* The numbers of shared objects by key (an interned string, a source). */
typedef struct kind_map {
    const void **keys;
    uint32_t *vals;
    size_t cap, n;
} kind_map;

/* The entry of e, event /events/INDEX of the file at offset, length bytes
 * long, as converted by the load (possibly in scratch memory): made in
 * ds's arena, with every string it keeps interned in ds, and returned as
 * the const chronicle_event * the dataset's events are.  NULL when out of
 * memory. */
chronicle_event *chronicle__event_stub_new(chronicle_dataset *ds, const chronicle_event *e,
                                           size_t index, uint64_t offset, size_t length);

/* The member of e, an event read again, that is not what its entry holds,
 * as a pointer below the event ("/id", "/tags"); NULL when e matches
 * everything the entry holds.  stub: an entry, or its view. */
const char *chronicle__event_stub_differs(const chronicle_event *stub, const chronicle_event *e);

/* The entry behind ev, an entry or the view of one (never a whole event). */
const event_entry *chronicle__entry_find(const chronicle_event *ev);

/* A view of event i of indexed ds, made on first use and kept until ds is
 * freed (any thread); NULL when out of memory. */
const chronicle_event *chronicle__entry_view(const chronicle_dataset *ds, size_t i);

/* Frees the views of ds and the maps of its index. */
void chronicle__index_free(chronicle_dataset *ds);

/* ---- reading an event or an entry alike ---- */

/* ev as an index entry, or NULL when it is a whole event. */
static inline const event_entry *chronicle__as_entry(const chronicle_event *ev)
{
    uint32_t tag;
    memcpy(&tag, ev, sizeof tag);
    return tag == CHRONICLE__ENTRY_TAG ? (const event_entry *)(const void *)ev : NULL;
}

/* What the core reads of ev, whichever it is. */
typedef struct event_keys {
    uint32_t date_ymd, end_date_ymd;
    chronicle_str id, date, end_date, country, country_code;
    size_t n_participants, n_activities, n_statements, n_figures;
    size_t n_organizers, n_tags;
} event_keys;

/* String k of x's table. */
static inline chronicle_str chronicle__entry_str(const event_entry *x, uint32_t k)
{
    return *(const chronicle_str *)x->of->objs[k];
}

/* The i-th source x cites (i < x->n_sources). */
static inline const chronicle_source *chronicle__entry_source(const event_entry *x, size_t i)
{
    return x->of->objs[x->items[x->n_organizers + x->n_tags + x->n_activities + i]];
}

static inline event_keys chronicle__event_keys(const chronicle_event *ev)
{
    const event_entry *x = chronicle__as_entry(ev);
    if (x)
        return (event_keys){x->date_ymd,
                            x->end_date_ymd,
                            x->id,
                            chronicle__entry_str(x, x->date),
                            chronicle__entry_str(x, x->end_date),
                            chronicle__entry_str(x, x->country),
                            chronicle__entry_str(x, x->country_code),
                            x->n_participants,
                            x->n_activities,
                            x->n_statements,
                            x->n_figures,
                            x->n_organizers,
                            x->n_tags};
    return (event_keys){ev->date_ymd,     ev->end_date_ymd, ev->id,           ev->date,
                        ev->end_date,     ev->country,      ev->country_code, ev->n_participants,
                        ev->n_activities, ev->n_statements, ev->n_figures,    ev->n_organizers,
                        ev->n_tags};
}

static inline chronicle_str chronicle__event_id(const chronicle_event *ev)
{
    const event_entry *x = chronicle__as_entry(ev);
    return x ? x->id : ev->id;
}

static inline chronicle_str chronicle__event_organizer(const chronicle_event *ev, size_t i)
{
    const event_entry *x = chronicle__as_entry(ev);
    return x ? chronicle__entry_str(x, x->items[i]) : ev->organizers[i];
}

static inline chronicle_str chronicle__event_tag(const chronicle_event *ev, size_t i)
{
    const event_entry *x = chronicle__as_entry(ev);
    return x ? chronicle__entry_str(x, x->items[x->n_organizers + i]) : ev->tags[i];
}

static inline chronicle_str chronicle__event_kind(const chronicle_event *ev, size_t i)
{
    const event_entry *x = chronicle__as_entry(ev);
    if (!x) return ev->activities[i]->kind;
    const chronicle_activity *a = x->of->objs[x->items[x->n_organizers + x->n_tags + i]];
    return a->kind;
}

#endif
