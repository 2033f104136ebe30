/*
 * dataset.c — accessors over a loaded dataset, calendar dates, and
 * selection (filter + stable sort by date, then id).
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dataset_internal.h"
#include "event_cursor.h"
#include "struct_size.h"
#include "summary_internal.h"

void chronicle__dataset_destroy(chronicle_dataset *ds)
{
    if (!ds) return;
    chronicle__source_map_free(&ds->sources_by_id);
    free(ds->sources);
    free(ds->events);
    chronicle__index_free(ds);
    if (ds->fd >= 0) close(ds->fd);
    chronicle__interner_free(&ds->strings);
    chronicle__interner_free(&ds->event_ids);
    chronicle__arena_free(&ds->a);
    free(ds);
}

void chronicle_dataset_free(chronicle_dataset *ds)
{
    chronicle__dataset_destroy(ds);
}

const chronicle_dataset_info *chronicle_dataset_get_info(const chronicle_dataset *ds)
{
    return &ds->info;
}

size_t chronicle_dataset_event_count(const chronicle_dataset *ds)
{
    return ds->n_events;
}

int chronicle_dataset_indexed(const chronicle_dataset *ds)
{
    return ds->indexed;
}

const chronicle_event *chronicle__dataset_entry(const chronicle_dataset *ds, size_t i)
{
    return i < ds->n_events ? ds->events[i] : NULL;
}

const chronicle_event *chronicle_dataset_event(const chronicle_dataset *ds, size_t i)
{
    if (i >= ds->n_events) return NULL;
    return ds->indexed ? chronicle__entry_view(ds, i) : ds->events[i];
}

const chronicle_source *chronicle_dataset_source(const chronicle_dataset *ds, const char *id)
{
    const source_rec *r = chronicle__source_lookup(&ds->sources_by_id, id, strlen(id));
    return r && r->defined ? &r->view : NULL;
}

size_t chronicle_dataset_memory(const chronicle_dataset *ds)
{
    return ds->a.total + chronicle__interner_memory(&ds->strings) +
           chronicle__interner_memory(&ds->event_ids) + ds->cap_events * sizeof *ds->events +
           ds->sources_by_id.cap * sizeof(void *) +
           (ds->kinds.cap + ds->kept.cap) * (sizeof(void *) + 4) + ds->table.cap * sizeof(void *) +
           ds->views_a.total + (ds->views ? ds->n_events * sizeof *ds->views : 0);
}

/* ---- dates ---- */

static int leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : days[m - 1];
}

uint32_t chronicle_date_parse(const char *s, size_t len)
{
    if (len != 10 || s[4] != '-' || s[7] != '-') return 0;
    unsigned v[8], k = 0;
    for (size_t i = 0; i < 10; i++) {
        if (i == 4 || i == 7) continue;
        if (s[i] < '0' || s[i] > '9') return 0;
        v[k++] = (unsigned)(s[i] - '0');
    }
    unsigned y = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3];
    unsigned m = v[4] * 10 + v[5], d = v[6] * 10 + v[7];
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > month_days(y, m)) return 0;
    return y * 10000 + m * 100 + d;
}

int64_t chronicle_date_days(uint32_t ymd)
{
    /* days from civil (Howard Hinnant's algorithm) */
    int64_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* ---- selection ---- */

/* f is this library's layout (see struct_size.h): callers copy theirs first. */
static int filter_match(const chronicle_filter *f, const chronicle_event *ev)
{
    event_keys k = chronicle__event_keys(ev); /* an event or an index entry */
    if (f->since && k.date_ymd < f->since && (!k.end_date_ymd || k.end_date_ymd < f->since))
        return 0;
    if (f->until && k.date_ymd > f->until) return 0;
    if (f->n_countries) {
        int hit = 0;
        for (size_t i = 0; i < f->n_countries && !hit; i++)
            hit = !strcasecmp(f->countries[i], k.country_code.ptr);
        if (!hit) return 0;
    }
    if (f->n_tags) {
        int hit = 0;
        for (size_t i = 0; i < f->n_tags && !hit; i++)
            for (size_t j = 0; j < k.n_tags && !hit; j++)
                hit = !strcmp(f->tags[i], chronicle__event_tag(ev, j).ptr);
        if (!hit) return 0;
    }
    return 1;
}

int chronicle_filter_match(const chronicle_filter *f, const chronicle_event *ev)
{
    if (!f) return 1;
    chronicle_filter own;
    CHRONICLE__STRUCT_READ(chronicle_filter, &own, f);
    return filter_match(&own, ev);
}

/* What the sort compares, copied out of the events: sorting the events
 * themselves chased a pointer into the model at every comparison, and with
 * 100k events spread over 280 MB each of those was a cache miss. */
typedef struct sort_key {
    uint32_t date;
    uint64_t id8; /* the id's first 8 bytes, big-endian: compares like strcmp */
    const char *id;
    const chronicle_event *ev;
} sort_key;

#define PREFETCH_AHEAD 16

static sort_key key_of(const chronicle_event *e)
{
    const event_entry *x = chronicle__as_entry(e); /* an event or an index entry */
    chronicle_str id = x ? x->id : e->id;
    sort_key k = {.date = x ? x->date_ymd : e->date_ymd, .id = id.ptr, .ev = e};
    for (size_t i = 0; i < 8; i++)
        k.id8 = k.id8 << 8 | (i < id.len ? (unsigned char)id.ptr[i] : 0u);
    return k;
}

static int before(const sort_key *a, const sort_key *b)
{
    if (a->date != b->date) return a->date < b->date;
    if (a->id8 != b->id8) return a->id8 < b->id8;
    return strcmp(a->id, b->id) < 0;
}

/* Bottom-up merge sort by date, then id: stable, O(n log n).  Most
 * datasets are kept in date order already: then one look at the keys is
 * all (the sort is stable, so its result is the same order). */
chronicle_status chronicle_events_sort(const chronicle_event **ev, size_t n)
{
    if (n < 2) return CHRONICLE_OK;
    sort_key *keys = malloc(2 * n * sizeof *keys);
    if (!keys) return CHRONICLE_ERR_NOMEM;
    /* Each key is two cache misses (the event, then its id), so the loop
     * asks for both ahead: the event PREFETCH_AHEAD keys on, the id of the
     * event it asked for half as far back. */
    size_t inversions = 0;
    for (size_t i = 0; i < n; i++) {
        if (i + PREFETCH_AHEAD < n) __builtin_prefetch(ev[i + PREFETCH_AHEAD]);
        if (i + PREFETCH_AHEAD / 2 < n)
            __builtin_prefetch(chronicle__event_id(ev[i + PREFETCH_AHEAD / 2]).ptr);
        keys[i] = key_of(ev[i]);
        inversions += i && before(&keys[i], &keys[i - 1]);
    }
    sort_key *src = keys, *dst = keys + n;
    for (size_t width = 1; inversions && width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = before(&src[j], &src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        sort_key *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; inversions && i < n; i++)
        ev[i] = src[i].ev;
    free(keys);
    return CHRONICLE_OK;
}

chronicle_status chronicle__dataset_select(const chronicle_dataset *ds, const chronicle_filter *f,
                                           const chronicle_event ***out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!ds->n_events) return CHRONICLE_OK;
    const chronicle_event **sel = malloc(ds->n_events * sizeof *sel);
    if (!sel) return CHRONICLE_ERR_NOMEM;
    chronicle_filter own; /* all zero, matching everything, when f is NULL */
    CHRONICLE__STRUCT_READ(chronicle_filter, &own, f);
    size_t k = 0;
    if (!own.since && !own.until && !own.n_countries && !own.n_tags) {
        /* everything: no event is looked at here */
        memcpy(sel, ds->events, ds->n_events * sizeof *sel);
        k = ds->n_events;
    } else {
        for (size_t i = 0; i < ds->n_events; i++)
            if (filter_match(&own, ds->events[i])) sel[k++] = ds->events[i];
    }
    chronicle_status st = chronicle_events_sort(sel, k);
    if (st != CHRONICLE_OK || !k) {
        free(sel);
        return st;
    }
    *out = sel;
    *n = k;
    return CHRONICLE_OK;
}

chronicle_status chronicle_dataset_summarize(const chronicle_dataset *ds, const chronicle_filter *f,
                                             chronicle_summary **out)
{
    const chronicle_event **ev = NULL;
    size_t n = 0;
    *out = NULL;
    chronicle_status st = chronicle__dataset_select(ds, f, &ev, &n);
    if (st == CHRONICLE_OK) st = chronicle__summary_build_own(ev, n, out);
    free((void *)ev);
    return st;
}

chronicle_status chronicle_dataset_select(const chronicle_dataset *ds, const chronicle_filter *f,
                                          const chronicle_event ***out, size_t *n)
{
    chronicle_status st = chronicle__dataset_select(ds, f, out, n);
    /* the library's callers read what they select: views of the entries */
    for (size_t i = 0; st == CHRONICLE_OK && ds->indexed && i < *n; i++) {
        const event_entry *x = chronicle__as_entry((*out)[i]);
        if (!((*out)[i] = chronicle__entry_view(ds, x->index))) st = CHRONICLE_ERR_NOMEM;
    }
    if (st != CHRONICLE_OK) {
        free((void *)*out);
        *out = NULL;
        *n = 0;
    }
    return st;
}
