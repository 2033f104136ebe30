/*
 * summary.c — counts over a selection of events (by year, country,
 * organiser, activity kind) and grouping for --split-by.  Keys borrow the
 * dataset's strings; only year names are made here.
 */
#define _GNU_SOURCE /* sched_getaffinity */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chronicle/dataset.h"
#include "chronicle/utf8.h"
#include "event_index.h"
#include "summary_internal.h"

/* ---- a small counting map keyed by string content ---- */

#define MEMO_SLOTS 512 /* a power of two */
#define YEARS 10000    /* years 0000-9999 are counted by number */

/* A key's row by the key's address: the dataset interns short strings, so
 * an organiser or an activity kind comes back at the same address, and
 * is found without hashing its bytes. */
typedef struct memo_slot {
    const char *ptr;
    size_t row;
} memo_slot;

typedef struct tally {
    chronicle_count *rows;        /* dense, in first-seen order */
    const chronicle_event **last; /* per row: the event counted last (tally_add_once) */
    size_t n, cap;
    size_t *slots; /* index + 1; 0: empty */
    size_t n_slots;
    memo_slot *memo; /* MEMO_SLOTS, or NULL */
} tally;

static uint32_t hash_str(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static size_t tally_find_bytes(tally *t, chronicle_str key, chronicle_str label);

/* Finds or adds key; returns its row index, or (size_t)-1 when out of memory. */
static size_t tally_find(tally *t, chronicle_str key, chronicle_str label)
{
    if (!t->memo && !(t->memo = calloc(MEMO_SLOTS, sizeof *t->memo)))
        return tally_find_bytes(t, key, label);
    uintptr_t a = (uintptr_t)key.ptr;
    memo_slot *m = &t->memo[(a >> 3 ^ a >> 12) & (MEMO_SLOTS - 1)];
    /* the same address and length: the same bytes */
    if (m->ptr == key.ptr && key.ptr && t->rows[m->row].key.len == key.len) return m->row;
    size_t row = tally_find_bytes(t, key, label);
    if (row != (size_t)-1) *m = (memo_slot){key.ptr, row};
    return row;
}

/* tally_find() by the key's bytes. */
static size_t tally_find_bytes(tally *t, chronicle_str key, chronicle_str label)
{
    if ((t->n + 1) * 2 > t->n_slots) {
        size_t n_slots = t->n_slots ? t->n_slots * 2 : 64;
        size_t *slots = calloc(n_slots, sizeof *slots);
        if (!slots) return (size_t)-1;
        for (size_t i = 0; i < t->n; i++) {
            size_t j = hash_str(t->rows[i].key.ptr, t->rows[i].key.len) & (n_slots - 1);
            while (slots[j])
                j = (j + 1) & (n_slots - 1);
            slots[j] = i + 1;
        }
        free(t->slots);
        t->slots = slots;
        t->n_slots = n_slots;
    }
    size_t j = hash_str(key.ptr, key.len) & (t->n_slots - 1);
    while (t->slots[j]) {
        chronicle_count *r = &t->rows[t->slots[j] - 1];
        if (r->key.len == key.len &&
            (r->key.ptr == key.ptr || !memcmp(r->key.ptr, key.ptr, key.len)))
            return t->slots[j] - 1;
        j = (j + 1) & (t->n_slots - 1);
    }
    if (t->n == t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 16;
        chronicle_count *rows = realloc(t->rows, cap * sizeof *rows);
        if (!rows) return (size_t)-1;
        t->rows = rows;
        const chronicle_event **last = realloc(t->last, cap * sizeof *last);
        if (!last) return (size_t)-1;
        t->last = last;
        t->cap = cap;
    }
    t->last[t->n] = NULL;
    t->rows[t->n] = (chronicle_count){key, label.ptr ? label : key, 0};
    t->slots[j] = ++t->n;
    return t->n - 1;
}

/* ---- a set of pointers ---- */

/* The sources an event cites are the dataset's own objects, one per id:
 * a source seen before (by address) needs no look at its id, which is most
 * of a large selection's citations and most of the summary's time. */
typedef struct ptr_set {
    const void **slots; /* NULL: empty */
    size_t n, n_slots;
} ptr_set;

/* Adds p; 1 when it is new, 0 when it was there, -1 when out of memory. */
static int ptr_set_add(ptr_set *s, const void *p)
{
    if ((s->n + 1) * 2 > s->n_slots) {
        size_t n_slots = s->n_slots ? s->n_slots * 2 : 256;
        const void **slots = calloc(n_slots, sizeof *slots);
        if (!slots) return -1;
        for (size_t i = 0; i < s->n_slots; i++) {
            if (!s->slots[i]) continue;
            size_t j = (size_t)((uintptr_t)s->slots[i] * 0x9E3779B97F4A7C15ull >> 20);
            while (slots[j & (n_slots - 1)])
                j++;
            slots[j & (n_slots - 1)] = s->slots[i];
        }
        free(s->slots);
        s->slots = slots;
        s->n_slots = n_slots;
    }
    size_t j = (size_t)((uintptr_t)p * 0x9E3779B97F4A7C15ull >> 20);
    for (;; j++) {
        const void **slot = &s->slots[j & (s->n_slots - 1)];
        if (*slot == p) return 0;
        if (!*slot) {
            *slot = p;
            s->n++;
            return 1;
        }
    }
}

/* ---- counting ---- */

static int tally_add(tally *t, chronicle_str key, chronicle_str label)
{
    size_t i = tally_find(t, key, label);
    if (i == (size_t)-1) return 0;
    t->rows[i].count++;
    return 1;
}

/* Counts e under key once, however often e names the key (an organiser
 * listed twice is still one event of theirs). */
static int tally_add_once(tally *t, chronicle_str key, const chronicle_event *e)
{
    size_t i = tally_find(t, key, (chronicle_str){NULL, 0});
    if (i == (size_t)-1) return 0;
    if (t->last[i] != e) t->rows[i].count++;
    t->last[i] = e;
    return 1;
}

static void tally_free(tally *t)
{
    free(t->memo);
    free(t->rows);
    free(t->last);
    free(t->slots);
}

static int by_key(const void *a, const void *b)
{
    const chronicle_count *x = a, *y = b;
    return strcmp(x->key.ptr, y->key.ptr);
}

static int by_count_then_key(const void *a, const void *b)
{
    const chronicle_count *x = a, *y = b;
    if (x->count != y->count) return x->count > y->count ? -1 : 1;
    return strcmp(x->key.ptr, y->key.ptr);
}

/* ---- summary ---- */

enum {
    SHARE_MIN_EVENTS = 16384, /* fewer per thread are counted faster than a thread starts */
    MAX_SHARES = 8
};

typedef struct summary_impl {
    chronicle_summary view; /* first: freed through a view pointer */
    tally year, country, organizer, kind;
    size_t *years; /* YEARS: events by year, from date_ymd (or NULL) */
    char (*year_names)[8];
} summary_impl;

static void impl_free(summary_impl *s)
{
    tally_free(&s->year);
    free(s->years);
    tally_free(&s->country);
    tally_free(&s->organizer);
    tally_free(&s->kind);
    free(s->year_names);
    free(s);
}

void chronicle_summary_free(chronicle_summary *s)
{
    if (s) impl_free((summary_impl *)s);
}

/* The sources cited, by id: a source object is looked at once.  Of one
 * dataset's events (by_address), an object is an id: none is looked at. */
typedef struct cited_set {
    ptr_set seen;
    tally ids;
    int by_address;
} cited_set;

static int cite(cited_set *c, const chronicle_source *src)
{
    int fresh = ptr_set_add(&c->seen, src);
    if (fresh < 0) return 0;
    return !fresh || c->by_address || tally_add(&c->ids, src->id, (chronicle_str){NULL, 0});
}

static size_t cited_count(const cited_set *c)
{
    return c->by_address ? c->seen.n : c->ids.n;
}

static void cited_free(cited_set *c)
{
    free(c->seen.slots);
    tally_free(&c->ids);
    *c = (cited_set){0};
}

/* e: an event, or an indexed dataset's entry (event_index.h), which counts
 * statements and figures without keeping them and lists their sources
 * with its own. */
static int count_event(summary_impl *s, cited_set *cited, const chronicle_event *e,
                       const event_keys *k)
{
    chronicle_summary *v = &s->view;
    chronicle_str none = {NULL, 0};
    v->n_participants += k->n_participants;
    v->n_activities += k->n_activities;
    v->n_statements += k->n_statements;
    v->n_figures += k->n_figures;
    /* the year by number: reading the date's text was the summary's
     * costliest cache miss.  Without a number the key points into the date
     * ("2023-..."): 4 bytes, not NUL-terminated, so it is replaced by an
     * owned name after counting */
    uint32_t y = k->date_ymd / 10000;
    if (k->date_ymd && y < YEARS && (s->years || (s->years = calloc(YEARS, sizeof *s->years)))) {
        s->years[y]++;
    } else {
        chronicle_str year = {k->date.ptr, 4};
        if (!tally_add(&s->year, year, none)) return 0;
    }
    if (!tally_add(&s->country, k->country_code, k->country)) return 0;
    for (size_t i = 0; i < k->n_organizers; i++)
        if (!tally_add_once(&s->organizer, chronicle__event_organizer(e, i), e)) return 0;
    for (size_t i = 0; i < k->n_activities; i++)
        if (!tally_add(&s->kind, chronicle__event_kind(e, i), none)) return 0;
    const event_entry *x = chronicle__as_entry(e);
    if (x) {
        for (size_t i = 0; i < x->n_sources; i++)
            if (!cite(cited, chronicle__entry_source(x, i))) return 0;
        return 1;
    }
    /* a statement or figure may cite a source the event's own list lacks
     * (a warning, not an error): it is cited all the same */
    for (size_t i = 0; i < e->n_sources; i++)
        if (!cite(cited, e->sources[i])) return 0;
    /* a view of an indexed dataset's entry (chronicle_dataset_event())
     * holds no statements or figures: their sources are in its sources */
    for (size_t i = 0; e->statements && i < e->n_statements; i++)
        if (!cite(cited, e->statements[i]->source)) return 0;
    for (size_t i = 0; e->figures && i < e->n_figures; i++)
        if (!cite(cited, e->figures[i]->source)) return 0;
    return 1;
}

/* Gives every year row a name of its own, and adds the years counted by
 * number. */
static int name_years(summary_impl *s)
{
    size_t n = s->year.n;
    for (size_t y = 0; s->years && y < YEARS; y++)
        n += s->years[y] != 0;
    if (!n) return 1;
    s->year_names = calloc(n, sizeof *s->year_names);
    if (!s->year_names) return 0;
    size_t k = 0;
    for (; k < s->year.n; k++) {
        memcpy(s->year_names[k], s->year.rows[k].key.ptr, 4);
        s->year.rows[k].key = (chronicle_str){s->year_names[k], 4};
        s->year.rows[k].label = s->year.rows[k].key;
    }
    for (size_t y = 0; s->years && y < YEARS; y++) {
        if (!s->years[y]) continue;
        snprintf(s->year_names[k], sizeof *s->year_names, "%04u", (unsigned)y);
        chronicle_str name = {s->year_names[k++], 4};
        size_t row = tally_find(&s->year, name, name);
        if (row == (size_t)-1) return 0;
        s->year.rows[row].count += s->years[y];
    }
    return 1;
}

/* Counts of one contiguous share of the events, for one thread. */
typedef struct share {
    summary_impl *s;
    cited_set cited;
    const chronicle_event *const *events;
    size_t n;
    int ok;
    pthread_t thread;
} share;

static void *count_share(void *arg)
{
    share *p = arg;
    chronicle_summary *v = &p->s->view;
    p->ok = 1;
    for (size_t i = 0; i < p->n && p->ok; i++) {
        const chronicle_event *e = p->events[i];
        /* bound by memory latency: ask for the event two on, and for the
         * lists of the next one, while this one is counted */
        if (i + 2 < p->n) __builtin_prefetch(p->events[i + 2]);
        if (i + 1 < p->n && !chronicle__as_entry(p->events[i + 1])) {
            const chronicle_event *next = p->events[i + 1];
            __builtin_prefetch(next->organizers);
            __builtin_prefetch(next->activities);
            __builtin_prefetch(next->statements);
            __builtin_prefetch(next->figures);
            __builtin_prefetch(next->sources);
        }
        event_keys k = chronicle__event_keys(e);
        p->ok = count_event(p->s, &p->cited, e, &k);
        /* dates as YYYYMMDD numbers order as their strings do */
        if (!v->first_date.ptr || k.date_ymd < v->first_date_ymd) {
            v->first_date = k.date;
            v->first_date_ymd = k.date_ymd;
        }
        const chronicle_str *last = k.end_date.ptr ? &k.end_date : &k.date;
        uint32_t last_ymd = k.end_date.ptr ? k.end_date_ymd : k.date_ymd;
        if (!v->last_date.ptr || last_ymd > v->last_date_ymd) {
            v->last_date = *last;
            v->last_date_ymd = last_ymd;
        }
    }
    return NULL;
}

/* Adds src's rows to dst: a key new to dst keeps src's label, which is the
 * one first seen since src counted later events. */
static int tally_merge(tally *dst, const tally *src)
{
    for (size_t i = 0; i < src->n; i++) {
        size_t j = tally_find(dst, src->rows[i].key, src->rows[i].label);
        if (j == (size_t)-1) return 0;
        dst->rows[j].count += src->rows[i].count;
    }
    return 1;
}

/* Adds src's sources to dst's. */
static int cited_merge(cited_set *dst, const cited_set *src)
{
    if (!dst->by_address) return tally_merge(&dst->ids, &src->ids);
    for (size_t i = 0; i < src->seen.n_slots; i++)
        if (src->seen.slots[i] && ptr_set_add(&dst->seen, src->seen.slots[i]) < 0) return 0;
    return 1;
}

static int share_merge(share *dst, const share *src)
{
    chronicle_summary *v = &dst->s->view;
    const chronicle_summary *w = &src->s->view;
    v->n_participants += w->n_participants;
    v->n_activities += w->n_activities;
    v->n_statements += w->n_statements;
    v->n_figures += w->n_figures;
    if (w->first_date.ptr && (!v->first_date.ptr || w->first_date_ymd < v->first_date_ymd)) {
        v->first_date = w->first_date;
        v->first_date_ymd = w->first_date_ymd;
    }
    if (w->last_date.ptr && (!v->last_date.ptr || w->last_date_ymd > v->last_date_ymd)) {
        v->last_date = w->last_date;
        v->last_date_ymd = w->last_date_ymd;
    }
    if (src->s->years && !dst->s->years) {
        dst->s->years = src->s->years;
        src->s->years = NULL;
    } else if (src->s->years) {
        for (size_t y = 0; y < YEARS; y++)
            dst->s->years[y] += src->s->years[y];
    }
    return tally_merge(&dst->s->year, &src->s->year) &&
           tally_merge(&dst->s->country, &src->s->country) &&
           tally_merge(&dst->s->organizer, &src->s->organizer) &&
           tally_merge(&dst->s->kind, &src->s->kind) && cited_merge(&dst->cited, &src->cited);
}

/* Threads worth starting for n events: reading a large selection is bound
 * by memory latency (each event's lists are pointers into the arena), which
 * several CPUs hide in parallel. */
static size_t share_count(size_t n)
{
    if (n < SHARE_MIN_EVENTS) return 1;
    size_t cpus = 1;
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) cpus = (size_t)CPU_COUNT(&set);
#else
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online > 0) cpus = (size_t)online;
#endif
    size_t most = n / SHARE_MIN_EVENTS;
    if (cpus > most) cpus = most;
    return cpus < MAX_SHARES ? cpus : MAX_SHARES;
}

static chronicle_status build(const chronicle_event *const *events, size_t n, int by_address,
                              chronicle_summary **out)
{
    *out = NULL;
    share shares[MAX_SHARES] = {{0}};
    size_t n_shares = share_count(n), started = 1;
    for (size_t i = 0; i < n_shares; i++) {
        shares[i].cited.by_address = by_address;
        if (!(shares[i].s = calloc(1, sizeof *shares[i].s))) goto nomem;
        shares[i].events = n ? events + n * i / n_shares : events; /* none: may be NULL */
        shares[i].n = n * (i + 1) / n_shares - n * i / n_shares;
    }
    /* the caller's thread counts the first share; a thread that cannot be
     * started leaves its share to the caller's thread too */
    for (; started < n_shares; started++)
        if (pthread_create(&shares[started].thread, NULL, count_share, &shares[started]) != 0)
            break;
    count_share(&shares[0]);
    for (size_t i = started; i < n_shares; i++)
        count_share(&shares[i]);
    for (size_t i = 1; i < started; i++)
        pthread_join(shares[i].thread, NULL);
    int ok = shares[0].ok;
    for (size_t i = 1; i < n_shares && ok; i++)
        ok = shares[i].ok && share_merge(&shares[0], &shares[i]);
    for (size_t i = 1; i < n_shares; i++) {
        cited_free(&shares[i].cited);
        impl_free(shares[i].s);
        shares[i].s = NULL;
    }
    summary_impl *s = shares[0].s;
    if (!ok || !name_years(s)) goto nomem;
    chronicle_summary *v = &s->view;
    v->struct_size = sizeof *v;
    v->n_events = n;
    v->n_sources_cited = cited_count(&shares[0].cited);
    cited_free(&shares[0].cited);
    if (s->year.n) qsort(s->year.rows, s->year.n, sizeof *s->year.rows, by_key);
    tally *sorted[] = {&s->country, &s->organizer, &s->kind};
    for (size_t i = 0; i < 3; i++)
        if (sorted[i]->n)
            qsort(sorted[i]->rows, sorted[i]->n, sizeof *sorted[i]->rows, by_count_then_key);
    v->by_year = s->year.rows, v->n_by_year = s->year.n;
    v->by_country = s->country.rows, v->n_by_country = s->country.n;
    v->by_organizer = s->organizer.rows, v->n_by_organizer = s->organizer.n;
    v->by_activity_kind = s->kind.rows, v->n_by_activity_kind = s->kind.n;
    *out = v;
    return CHRONICLE_OK;
nomem:
    for (size_t i = 0; i < n_shares; i++) {
        cited_free(&shares[i].cited);
        if (shares[i].s) impl_free(shares[i].s);
    }
    return CHRONICLE_ERR_NOMEM;
}

chronicle_status chronicle_summary_build(const chronicle_event *const *events, size_t n,
                                         chronicle_summary **out)
{
    return build(events, n, 0, out);
}

chronicle_status chronicle__summary_build_own(const chronicle_event *const *events, size_t n,
                                              chronicle_summary **out)
{
    return build(events, n, 1, out);
}

/* ---- split ---- */

chronicle_split_key chronicle_split_key_parse(const char *s)
{
    if (!strcmp(s, "country")) return CHRONICLE_SPLIT_COUNTRY;
    if (!strcmp(s, "year")) return CHRONICLE_SPLIT_YEAR;
    if (!strcmp(s, "organizer") || !strcmp(s, "organiser")) return CHRONICLE_SPLIT_ORGANIZER;
    if (!strcmp(s, "tag")) return CHRONICLE_SPLIT_TAG;
    return CHRONICLE_SPLIT_NONE;
}

typedef struct grouping {
    tally names; /* count = group index + 1 once created */
    chronicle_group *groups;
    size_t n, cap;
} grouping;

static int group_add(grouping *g, chronicle_str name, const chronicle_event *e)
{
    size_t row = tally_find(&g->names, name, name);
    if (row == (size_t)-1) return 0;
    chronicle_count *r = &g->names.rows[row];
    if (!r->count) {
        if (g->n == g->cap) {
            size_t cap = g->cap ? g->cap * 2 : 16;
            chronicle_group *p = realloc(g->groups, cap * sizeof *p);
            if (!p) return 0;
            g->groups = p;
            g->cap = cap;
        }
        chronicle_group *ng = &g->groups[g->n];
        memset(ng, 0, sizeof *ng);
        if (!(ng->name = malloc(name.len + 1))) return 0;
        memcpy(ng->name, name.ptr, name.len);
        ng->name[name.len] = '\0';
        r->count = ++g->n;
    }
    chronicle_group *grp = &g->groups[r->count - 1];
    if (grp->n_events && grp->events[grp->n_events - 1] == e) return 1; /* a tag given twice */
    if (!(grp->n_events & (grp->n_events - 1))) {                       /* grow at powers of two */
        size_t cap = grp->n_events ? grp->n_events * 2 : 4;
        const chronicle_event **p = realloc((void *)grp->events, cap * sizeof *p);
        if (!p) return 0;
        grp->events = p;
    }
    grp->events[grp->n_events++] = e;
    return 1;
}

static int by_group_name(const void *a, const void *b)
{
    return strcmp(((const chronicle_group *)a)->name, ((const chronicle_group *)b)->name);
}

static int split_event(grouping *g, chronicle_split_key key, const chronicle_event *e)
{
    static const chronicle_str none = {"(none)", 6};
    event_keys k = chronicle__event_keys(e); /* an event or an index entry */
    switch (key) {
    case CHRONICLE_SPLIT_COUNTRY:
        return group_add(g, k.country_code, e);
    case CHRONICLE_SPLIT_YEAR:
        return group_add(g, (chronicle_str){k.date.ptr, 4}, e);
    case CHRONICLE_SPLIT_ORGANIZER:
        for (size_t i = 0; i < k.n_organizers; i++)
            if (!group_add(g, chronicle__event_organizer(e, i), e)) return 0;
        return k.n_organizers ? 1 : group_add(g, none, e);
    case CHRONICLE_SPLIT_TAG:
        for (size_t i = 0; i < k.n_tags; i++)
            if (!group_add(g, chronicle__event_tag(e, i), e)) return 0;
        return k.n_tags ? 1 : group_add(g, none, e);
    case CHRONICLE_SPLIT_NONE:
        break;
    }
    return group_add(g, (chronicle_str){"all", 3}, e);
}

chronicle_status chronicle_split(const chronicle_event *const *events, size_t n,
                                 chronicle_split_key key, chronicle_group **out, size_t *n_out)
{
    grouping g = {0};
    *out = NULL;
    *n_out = 0;
    for (size_t i = 0; i < n; i++) {
        if (!split_event(&g, key, events[i])) {
            tally_free(&g.names);
            chronicle_groups_free(g.groups, g.n);
            return CHRONICLE_ERR_NOMEM;
        }
    }
    tally_free(&g.names);
    if (g.n) qsort(g.groups, g.n, sizeof *g.groups, by_group_name);
    *out = g.groups;
    *n_out = g.n;
    return CHRONICLE_OK;
}

void chronicle_groups_free(chronicle_group *groups, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(groups[i].name);
        free((void *)groups[i].events);
    }
    free(groups);
}

char *chronicle_safe_filename(const char *name)
{
    size_t len = strlen(name), o = 0;
    char *out = malloc(65 + 4);
    if (!out) return NULL;
    for (size_t i = 0; i < len && o < 64;) {
        uint32_t cp;
        size_t k = chronicle_utf8_decode(name + i, len - i, &cp);
        if (!k) k = 1, cp = '-';
        int keep = (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
                   (cp >= '0' && cp <= '9') || cp == '.' || cp == '_' ||
                   (cp >= 0xA0 && chronicle_cp_width(cp) > 0);
        if (keep && o + k <= 64) {
            if (!(o == 0 && cp == '.')) { /* no hidden files */
                memcpy(out + o, name + i, k);
                o += k;
            }
        } else if (!keep && o > 0 && out[o - 1] != '-') {
            out[o++] = '-';
        } else if (keep) {
            break; /* the next character would pass the limit */
        }
        i += k;
    }
    while (o > 0 && (out[o - 1] == '-' || out[o - 1] == '.'))
        o--;
    if (o == 0) {
        strcpy(out, "group");
        return out;
    }
    out[o] = '\0';
    return out;
}
