/*
 * loader.h — the conversion of parsed JSON (cJSON) into the model, as the
 * loader (load.c) drives it: the conversion state, the JSON pointer of the
 * value at hand and the messages that carry it (loader_path.c), and the
 * conversion and checking of members and events (convert.c).
 */
#ifndef CHRONICLE_LOADER_H
#define CHRONICLE_LOADER_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "dataset_internal.h"

/* One step of a JSON pointer: a member name, or an array index. */
typedef struct path_seg {
    const char *key; /* NULL: index */
    size_t index;
} path_seg;

#define PATH_MAX_DEPTH 64

/* A worker's conversion of events (load_pipeline.c) leaves what must be
 * done in input order to the merge on the loading thread: interning (the
 * strings to intern are copied into tmp and where each is stored is
 * listed) and the check that an event's id is new. */
typedef struct deferred {
    arena *tmp;
    int intern;          /* list the strings to intern (a load into memory) */
    chronicle_str **fix; /* where each string to intern is stored (malloc) */
    size_t n_fix, cap_fix;
    chronicle_str id; /* the event's id, in tmp; .ptr NULL: none to check */
    size_t id_at;     /* diag entries made (kept or dropped) before the id's check */
} deferred;

/* Conversion state for one file, or for one event read again. */
typedef struct loader {
    chronicle_dataset *ds;
    arena *a;                         /* where converted values go: ds->a, or a scratch arena */
    interner *strings;                /* where short strings are interned; NULL: copied */
    arena scratch;                    /* an indexed load converts each event here */
    int again;                        /* converting an event read again (event cursor) */
    deferred *defer;                  /* a worker's conversion; NULL: on the loading thread */
    struct chronicle__pipeline *pipe; /* events converted on other threads too */
    chronicle_diag *diag;
    const char *file;
    /* the JSON pointer of the value being converted, as segments: it is
     * only turned into text when a message needs it */
    path_seg path[PATH_MAX_DEPTH];
    size_t depth;
    int oom;
    unsigned seen; /* top-level members seen (bit per member) */
} loader;

/* ---- the JSON pointer (loader_path.c) ---- */

/* Steps into member key, or element i; returns the mark path_pop() goes
 * back to.  Past PATH_MAX_DEPTH the depth is counted, not kept. */
static inline size_t path_push_key(loader *L, const char *key)
{
    size_t mark = L->depth;
    if (L->depth < PATH_MAX_DEPTH) L->path[L->depth] = (path_seg){key, 0};
    L->depth++;
    return mark;
}

static inline size_t path_push_index(loader *L, size_t i)
{
    size_t mark = L->depth;
    if (L->depth < PATH_MAX_DEPTH) L->path[L->depth] = (path_seg){NULL, i};
    L->depth++;
    return mark;
}

static inline void path_pop(loader *L, size_t mark)
{
    L->depth = mark;
}

/* Forgets the current pointer (back to the document root). */
static inline void path_reset(loader *L)
{
    L->depth = 0;
}

/* The current pointer as text, "~" and "/" escaped (RFC 6901).  Caller
 * frees; NULL when out of memory. */
char *chronicle__path_text(const loader *L);

/* Reports an error at the current pointer, or at pointer/member. */
void chronicle__load_error(loader *L, chronicle_diag_code code, const char *member, const char *fmt,
                           ...) CHRONICLE_PRINTF(4, 5);
/* Reports a warning at the current pointer (fmt takes one string, arg);
 * none for an event read again: the load told it. */
void chronicle__load_warning(loader *L, chronicle_diag_code code, const char *fmt, const char *arg);

/* "a string", "a number", ... "an object": what v is, for messages. */
const char *chronicle__json_type_name(const cJSON *v);
/* How many bytes of s a message shows: at most 40, cut on a character
 * boundary.  SHOWN(s) gives the arguments of "%.*s%s" ("..." when cut). */
int chronicle__shown_len(const char *s);
#define SHOWN(s)                                                                                   \
    chronicle__shown_len(s), (s), strlen(s) > (size_t)chronicle__shown_len(s) ? "..." : ""

/* ---- conversion (convert.c) ---- */

/* Converts a top-level member ("schema", "title", "description",
 * "sources"); unknown names are ignored. */
void chronicle__convert_top(loader *L, const char *name, const cJSON *item);
/* Reports duplicate keys anywhere inside item (cJSON keeps both): the value
 * of the top-level member name, or with name NULL the NDJSON header line. */
void chronicle__check_members(loader *L, const char *name, const cJSON *item);
/* Checks and converts one event (index is its position in the input,
 * offset and length where its JSON is in the file), every rule of the
 * format and duplicate keys included.  A load appends it to the dataset
 * (an indexed load, its stub) and returns that; an event read again
 * (L->again: the dataset is complete and is not changed) goes into L->a.
 * NULL when it has errors (in L->diag). */
chronicle_event *chronicle__convert_event(loader *L, size_t index, const cJSON *item,
                                          uint64_t offset, size_t length);
/* ---- conversion on worker threads (load_pipeline.c) ----
 * A worker converts an event with a loader of its own whose defer is set,
 * reading the dataset's sources only: so only once the dataset's sources
 * are known (chronicle__loader_sources_known()) and until the loading
 * thread changes them again.  The merge, on the loading thread and in input
 * order, interns the event's id (chronicle__merge_event_id(), at the place
 * deferred.id_at among the event's messages) and then keeps the event
 * (chronicle__merge_event()). */
int chronicle__loader_sources_known(const loader *L);
/* chronicle__convert_event() without the dataset's interners: the event in
 * L->a (NULL when it has errors), its id in L->defer->id. */
chronicle_event *chronicle__convert_event_deferred(loader *L, size_t index, const cJSON *item);
/* Interns id in the dataset's event ids; a duplicate is reported at
 * /events/INDEX/id and gives .ptr NULL (as does running out of memory). */
chronicle_str chronicle__merge_event_id(loader *L, size_t index, chronicle_str id);
/* Interns the strings a worker listed (fix) and keeps e as
 * chronicle__convert_event() would; NULL when out of memory. */
chronicle_event *chronicle__merge_event(loader *L, size_t index, chronicle_event *e,
                                        chronicle_str *const *fix, size_t n_fix, uint64_t offset,
                                        size_t length);

/* After the whole input: required members present, all sources defined. */
void chronicle__finish_checks(loader *L, int ndjson);
/* Notes that the "events" member was present (JSON form). */
void chronicle__loader_mark_events(loader *L);

#endif
