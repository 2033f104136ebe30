/*
 * convert.c — turns parsed JSON values into the read-only model, checking
 * every rule of formats/events-v1.md on the way.  Each defect is reported
 * with the JSON pointer of the value at fault and conversion goes on, so one
 * run lists every error of a file (the pointer and the messages:
 * loader_path.c).  Strings are copied into the dataset's arena; no cJSON
 * node outlives the call that converts it.  Sources are kept by sources.c,
 * an indexed dataset's stubs made by event_index.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "loader.h"

enum { SEEN_SCHEMA = 1, SEEN_TITLE = 2, SEEN_DESCRIPTION = 4, SEEN_SOURCES = 8, SEEN_EVENTS = 16 };

enum { REQUIRED = 1, NONEMPTY = 2, INTERN = 4 };

static void *alloc(loader *L, size_t size)
{
    void *p = chronicle__arena_alloc(L->a, size);
    if (!p) L->oom = 1;
    return p;
}

/* Stores s in *dst: interned (flags INTERN) or copied.  A worker's
 * conversion (L->defer) copies a string to intern into its scratch and
 * lists dst: the merge interns it in the dataset, in input order. */
static void store(loader *L, chronicle_str *dst, const char *s, int flags)
{
    size_t len = strlen(s);
    deferred *d = L->defer;
    if (flags & INTERN && d && d->intern && len <= INTERN_MAX) {
        if (d->n_fix == d->cap_fix) {
            size_t cap = d->cap_fix ? d->cap_fix * 2 : 256;
            chronicle_str **p = realloc(d->fix, cap * sizeof *p);
            if (!p) {
                L->oom = 1;
                return;
            }
            d->fix = p;
            d->cap_fix = cap;
        }
        *dst = chronicle__arena_strdup(d->tmp, s, len);
        d->fix[d->n_fix++] = dst;
    } else {
        *dst = flags & INTERN && L->strings ? chronicle__intern(L->strings, s, len)
                                            : chronicle__arena_strdup(L->a, s, len);
    }
    if (!dst->ptr) L->oom = 1;
}

static int blank(const char *s)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    return *s == '\0';
}

/* ---- typed members ---- */

static const cJSON *field(loader *L, const cJSON *obj, const char *name, int flags)
{
    /* cJSON_GetObjectItemCaseSensitive(), without a call to strcmp for
     * every member that does not start with name's first letter */
    const cJSON *v = obj->child;
    while (v && v->string && (v->string[0] != name[0] || strcmp(v->string, name)))
        v = v->next;
    if (v && !v->string) v = NULL;
    if (!v && (flags & REQUIRED))
        chronicle__load_error(L, CHRONICLE_DIAG_REQUIRED, name, "required member is missing");
    return v;
}

/* 1 when the member is valid or absent-and-optional; *out is set when present. */
static int take_str(loader *L, const cJSON *obj, const char *name, int flags, chronicle_str *out)
{
    const cJSON *v = field(L, obj, name, flags);
    if (!v) return !(flags & REQUIRED);
    if (!cJSON_IsString(v)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, name, "expected a string, found %s",
                              chronicle__json_type_name(v));
        return 0;
    }
    if ((flags & NONEMPTY) && blank(v->valuestring)) {
        chronicle__load_error(L, CHRONICLE_DIAG_EMPTY, name, "must not be empty");
        return 0;
    }
    store(L, out, v->valuestring, flags);
    return 1;
}

static int take_date(loader *L, const cJSON *obj, const char *name, int flags, chronicle_str *out,
                     uint32_t *ymd)
{
    const cJSON *v = field(L, obj, name, flags);
    if (!v) return !(flags & REQUIRED);
    if (!cJSON_IsString(v)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, name,
                              "expected a date string YYYY-MM-DD, found %s",
                              chronicle__json_type_name(v));
        return 0;
    }
    uint32_t d = chronicle_date_parse(v->valuestring, strlen(v->valuestring));
    if (!d) {
        chronicle__load_error(L, CHRONICLE_DIAG_DATE, name,
                              "\"%.*s%s\" is not a calendar date (YYYY-MM-DD)",
                              SHOWN(v->valuestring));
        return 0;
    }
    store(L, out, v->valuestring, INTERN);
    if (ymd) *ymd = d;
    return 1;
}

static int take_bool(loader *L, const cJSON *obj, const char *name, int32_t *out)
{
    const cJSON *v = field(L, obj, name, 0);
    if (!v) return 1;
    if (!cJSON_IsBool(v)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, name, "expected true or false, found %s",
                              chronicle__json_type_name(v));
        return 0;
    }
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return 1;
}

/* An array member: NULL and no error when absent and optional. */
static const cJSON *take_array(loader *L, const cJSON *obj, const char *name, int flags, int *ok)
{
    const cJSON *v = field(L, obj, name, flags);
    if (!v) {
        if (flags & REQUIRED) *ok = 0;
        return NULL;
    }
    if (!cJSON_IsArray(v)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, name, "expected an array, found %s",
                              chronicle__json_type_name(v));
        *ok = 0;
        return NULL;
    }
    if ((flags & NONEMPTY) && !v->child) {
        chronicle__load_error(L, CHRONICLE_DIAG_EMPTY, name, "must list at least one item");
        *ok = 0;
    }
    return v;
}

static int take_str_array(loader *L, const cJSON *obj, const char *name, int flags,
                          const chronicle_str **out, size_t *n_out)
{
    int ok = 1;
    const cJSON *arr = take_array(L, obj, name, flags, &ok);
    if (!arr) return ok;
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
    chronicle_str *items = n ? alloc(L, n * sizeof *items) : NULL;
    size_t mark = path_push_key(L, name);
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        if (!cJSON_IsString(v)) {
            size_t m = path_push_index(L, i);
            chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected a string, found %s",
                                  chronicle__json_type_name(v));
            path_pop(L, m);
            ok = 0;
        } else if (blank(v->valuestring)) {
            size_t m = path_push_index(L, i);
            chronicle__load_error(L, CHRONICLE_DIAG_EMPTY, NULL, "must not be empty");
            path_pop(L, m);
            ok = 0;
        } else if (items) {
            store(L, &items[i], v->valuestring, flags | INTERN);
        }
        i++;
    }
    path_pop(L, mark);
    *out = items;
    *n_out = items ? n : 0;
    return ok;
}

/* ---- sources ---- */

/* A stub for a source cited before "sources": it belongs to the dataset
 * even while an event is converted into a scratch arena. */
static source_rec *source_new(loader *L, const char *id)
{
    source_rec *r = chronicle__source_stub(&L->ds->sources_by_id, &L->ds->a, &L->ds->strings, id);
    if (!r) L->oom = 1;
    return r;
}

/* The source a statement, figure or event cites; a stub while the dataset's
 * "sources" have not been read yet. */
static const chronicle_source *cite(loader *L, const char *id)
{
    source_rec *r = chronicle__source_lookup(&L->ds->sources_by_id, id, strlen(id));
    if (r && r->defined) return &r->view;
    if (L->seen & SEEN_SOURCES) {
        chronicle__load_error(L, CHRONICLE_DIAG_UNKNOWN_SOURCE, NULL,
                              "unknown source \"%.*s%s\" (not in /sources)", SHOWN(id));
        return NULL;
    }
    if (!r && !(r = source_new(L, id))) return NULL;
    if (!r->first_ref && !(r->first_ref = chronicle__path_text(L))) L->oom = 1;
    r->n_refs++;
    return &r->view;
}

static int is_url(const char *s)
{
    if (strncmp(s, "https://", 8) && strncmp(s, "http://", 7)) return 0;
    const char *host = strstr(s, "//") + 2;
    if (!*host || *host == '/') return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ') return 0;
    return 1;
}

static void convert_source(loader *L, const cJSON *obj)
{
    chronicle_str id = {0};
    if (!take_str(L, obj, "id", REQUIRED | NONEMPTY, &id)) return;
    source_rec *r = chronicle__source_lookup(&L->ds->sources_by_id, id.ptr, id.len);
    if (r && r->defined) {
        chronicle__load_error(L, CHRONICLE_DIAG_DUPLICATE_ID, "id",
                              "duplicate source id \"%.*s%s\"", SHOWN(id.ptr));
        return;
    }
    if (!r && !(r = source_new(L, id.ptr))) return;
    chronicle_source *s = &r->view;
    take_str(L, obj, "outlet", NONEMPTY | INTERN, &s->outlet);
    take_date(L, obj, "published", 0, &s->published, &s->published_ymd);
    take_str(L, obj, "dateline", NONEMPTY | INTERN, &s->dateline);
    take_str(L, obj, "document", REQUIRED | NONEMPTY | INTERN, &s->document);
    if (take_str(L, obj, "url", NONEMPTY, &s->url) && s->url.ptr && !is_url(s->url.ptr))
        chronicle__load_error(L, CHRONICLE_DIAG_URL, "url",
                              "\"%.*s%s\" is not an http or https URL", SHOWN(s->url.ptr));
    r->defined = 1;
    free(r->first_ref);
    r->first_ref = NULL;
    chronicle_dataset *ds = L->ds;
    if (ds->n_sources == ds->cap_sources) {
        size_t cap = ds->cap_sources ? ds->cap_sources * 2 : 16;
        source_rec **p = realloc(ds->sources, cap * sizeof *p);
        if (!p) {
            L->oom = 1;
            return;
        }
        ds->sources = p;
        ds->cap_sources = cap;
    }
    ds->sources[ds->n_sources++] = r;
}

static void convert_sources(loader *L, const cJSON *arr)
{
    if (!cJSON_IsArray(arr)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected an array, found %s",
                              chronicle__json_type_name(arr));
        return;
    }
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        size_t m = path_push_index(L, i++);
        if (cJSON_IsObject(v))
            convert_source(L, v);
        else
            chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected an object, found %s",
                                  chronicle__json_type_name(v));
        path_pop(L, m);
    }
}

/* ---- top level ---- */

static void convert_schema(loader *L, const cJSON *v)
{
    static const char prefix[] = "chronicle/events@";
    if (!cJSON_IsString(v)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected a string, found %s",
                              chronicle__json_type_name(v));
        return;
    }
    const char *s = v->valuestring;
    if (strncmp(s, prefix, sizeof prefix - 1)) {
        chronicle__load_error(
            L, CHRONICLE_DIAG_SCHEMA, NULL,
            "\"%.*s%s\" is not a Chronicle dataset (expected \"chronicle/events@1\")", SHOWN(s));
        return;
    }
    const char *p = s + sizeof prefix - 1;
    unsigned long major = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 9)
        major = major * 10 + (unsigned long)(*p++ - '0'), digits++;
    if (*p == '.' && p[1] >= '0' && p[1] <= '9') {
        p++;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (!digits || *p || (digits > 1 && s[sizeof prefix - 1] == '0')) { /* "@01": no */
        chronicle__load_error(
            L, CHRONICLE_DIAG_SCHEMA, NULL,
            "\"%.*s%s\" is not a valid schema version (expected \"chronicle/events@1\")", SHOWN(s));
        return;
    }
    if (major != 1) {
        chronicle__load_error(
            L, CHRONICLE_DIAG_VERSION, NULL,
            "\"%.*s%s\" is format version %lu; this chronicle reads version 1 (upgrade "
            "chronicle, or convert the file)",
            SHOWN(s), major);
        return;
    }
    store(L, &L->ds->info.schema, s, 0);
}

void chronicle__convert_top(loader *L, const char *name, const cJSON *item)
{
    static const struct {
        const char *name;
        unsigned bit;
    } known[] = {{"schema", SEEN_SCHEMA},
                 {"title", SEEN_TITLE},
                 {"description", SEEN_DESCRIPTION},
                 {"sources", SEEN_SOURCES}};
    unsigned bit = 0;
    for (size_t i = 0; i < sizeof known / sizeof *known; i++)
        if (!strcmp(name, known[i].name)) bit = known[i].bit;
    if (!bit) return; /* unknown members are ignored: forward compatibility */
    size_t m = path_push_key(L, name);
    if (L->seen &
        bit) { /* reported by chronicle__check_members() or the loader: the first one counts */
        path_pop(L, m);
        return;
    }
    chronicle_dataset_info *info = &L->ds->info;
    if (bit == SEEN_SCHEMA) {
        convert_schema(L, item);
    } else if (bit == SEEN_SOURCES) {
        convert_sources(L, item);
    } else if (!cJSON_IsString(item)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected a string, found %s",
                              chronicle__json_type_name(item));
    } else if (bit == SEEN_TITLE && blank(item->valuestring)) {
        chronicle__load_error(L, CHRONICLE_DIAG_EMPTY, NULL, "must not be empty");
    } else if (bit == SEEN_TITLE) {
        store(L, &info->title, item->valuestring, 0);
    } else {
        store(L, &info->description, item->valuestring, 0);
    }
    L->seen |= bit;
    path_pop(L, m);
}

void chronicle__finish_checks(loader *L, int ndjson)
{
    static const struct {
        const char *name;
        unsigned bit;
    } required[] = {{"schema", SEEN_SCHEMA}, {"title", SEEN_TITLE}, {"sources", SEEN_SOURCES}};
    path_reset(L); /* the last event's pointer is still set */
    for (size_t i = 0; i < sizeof required / sizeof *required; i++)
        if (!(L->seen & required[i].bit))
            chronicle__load_error(L, CHRONICLE_DIAG_REQUIRED, required[i].name,
                                  ndjson ? "required member is missing from the header line"
                                         : "required member is missing");
    if (!ndjson && !(L->seen & SEEN_EVENTS))
        chronicle__load_error(L, CHRONICLE_DIAG_REQUIRED, "events", "required member is missing");
    /* stubs left: ids cited but never defined, reported in the order first
     * cited (the hash table's order would change with its size) */
    const source_rec **stubs;
    size_t n;
    if (!chronicle__source_stubs_left(&L->ds->sources_by_id, &stubs, &n)) {
        L->oom = 1;
        return;
    }
    for (size_t i = 0; i < n; i++)
        chronicle_diag_add_coded(
            L->diag, CHRONICLE_DIAG_UNKNOWN_SOURCE, CHRONICLE_SEV_ERROR, L->file, 0, 0,
            stubs[i]->first_ref, "unknown source \"%.*s%s\" (not in /sources)%s",
            SHOWN(stubs[i]->view.id.ptr), stubs[i]->n_refs > 1 ? "; cited elsewhere too" : "");
    free(stubs);
}

void chronicle__loader_mark_events(loader *L)
{
    L->seen |= SEEN_EVENTS;
}

/* ---- events ---- */

static const char iso_codes[] =
    "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ "
    "BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM "
    "DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS "
    "GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN "
    "KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ "
    "MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM "
    "PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV "
    "SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI "
    "VN VU WF WS XK YE YT ZA ZM ZW";

static int is_country_code(const char *s)
{
    if (!(s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z' && !s[2])) return 0;
    /* stepping by 3 from "ZW" would jump over the NUL: bound by the size */
    for (size_t i = 0; i + 2 < sizeof iso_codes; i += 3)
        if (iso_codes[i] == s[0] && iso_codes[i + 1] == s[1]) return 1;
    return 0;
}

static void convert_location(loader *L, const cJSON *ev, chronicle_event *e)
{
    const cJSON *loc = field(L, ev, "location", REQUIRED);
    if (!loc) return;
    size_t m = path_push_key(L, "location");
    if (!cJSON_IsObject(loc)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected an object, found %s",
                              chronicle__json_type_name(loc));
    } else {
        take_str(L, loc, "venue", NONEMPTY | INTERN, &e->venue);
        take_str(L, loc, "city", NONEMPTY | INTERN, &e->city);
        take_str(L, loc, "country", REQUIRED | NONEMPTY | INTERN, &e->country);
        if (take_str(L, loc, "country_code", REQUIRED | INTERN, &e->country_code) &&
            !is_country_code(e->country_code.ptr))
            chronicle__load_error(
                L, CHRONICLE_DIAG_COUNTRY_CODE, "country_code",
                "\"%.*s%s\" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. "
                "\"AZ\")",
                SHOWN(e->country_code.ptr));
    }
    path_pop(L, m);
}

static void convert_occasion(loader *L, const cJSON *ev, chronicle_event *e)
{
    e->anniversary = -1;
    const cJSON *occ = field(L, ev, "occasion", REQUIRED);
    if (!occ) return;
    size_t m = path_push_key(L, "occasion");
    if (!cJSON_IsObject(occ)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected an object, found %s",
                              chronicle__json_type_name(occ));
        path_pop(L, m);
        return;
    }
    take_str(L, occ, "subject", REQUIRED | NONEMPTY | INTERN, &e->occasion);
    take_date(L, occ, "of_date", 0, &e->occasion_of_date, &e->occasion_of_date_ymd);
    const cJSON *a = field(L, occ, "anniversary", 0);
    if (a) {
        double d = cJSON_IsNumber(a) ? a->valuedouble : -1;
        if (!cJSON_IsNumber(a))
            chronicle__load_error(L, CHRONICLE_DIAG_TYPE, "anniversary",
                                  "expected a whole number, found %s",
                                  chronicle__json_type_name(a));
        else if (!(d >= 0 && d <= 100000) || d != (double)(int32_t)d)
            chronicle__load_error(L, CHRONICLE_DIAG_RANGE, "anniversary",
                                  "%g is not a whole number from 0 to 100000", d);
        else
            e->anniversary = (int32_t)d;
    }
    path_pop(L, m);
}

typedef void *(*item_fn)(loader *L, const cJSON *obj, const chronicle_event *e);

/* Converts an optional array of objects into a pointer array. */
static void convert_list(loader *L, const cJSON *ev, const char *name, const chronicle_event *e,
                         item_fn fn, const void *const **out, size_t *n_out)
{
    int ok = 1;
    const cJSON *arr = take_array(L, ev, name, 0, &ok);
    if (!arr) return;
    size_t n = (size_t)cJSON_GetArraySize(arr), i = 0, kept = 0;
    const void **items = n ? alloc(L, n * sizeof *items) : NULL;
    size_t m = path_push_key(L, name);
    const cJSON *v;
    cJSON_ArrayForEach(v, arr)
    {
        size_t mi = path_push_index(L, i++);
        if (!cJSON_IsObject(v)) {
            chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected an object, found %s",
                                  chronicle__json_type_name(v));
        } else {
            void *item = fn(L, v, e);
            if (item && items) items[kept++] = item;
        }
        path_pop(L, mi);
    }
    path_pop(L, m);
    *out = items;
    *n_out = kept;
}

static void *convert_participant(loader *L, const cJSON *obj, const chronicle_event *e)
{
    (void)e;
    chronicle_participant *p = alloc(L, sizeof *p);
    if (!p) return NULL;
    p->struct_size = sizeof *p;
    p->spoke = -1;
    take_str(L, obj, "name", REQUIRED | NONEMPTY | INTERN, &p->name);
    take_str(L, obj, "role", NONEMPTY | INTERN, &p->role);
    take_str(L, obj, "organization", NONEMPTY | INTERN, &p->organization);
    take_bool(L, obj, "spoke", &p->spoke);
    return p;
}

static void *convert_activity(loader *L, const cJSON *obj, const chronicle_event *e)
{
    (void)e;
    chronicle_activity *a = alloc(L, sizeof *a);
    if (!a) return NULL;
    a->struct_size = sizeof *a;
    take_str(L, obj, "kind", REQUIRED | NONEMPTY | INTERN, &a->kind);
    take_str(L, obj, "title", NONEMPTY | INTERN, &a->title);
    take_str(L, obj, "description", NONEMPTY, &a->description);
    take_str_array(L, obj, "performers", 0, &a->performers, &a->n_performers);
    return a;
}

/* The source a statement or figure cites, checked against the dataset and
 * (as a warning) against the event's own list. */
static const chronicle_source *cited_source(loader *L, const cJSON *obj, const chronicle_event *e)
{
    chronicle_str id = {0};
    if (!take_str(L, obj, "source", REQUIRED | NONEMPTY, &id) || !id.ptr) return NULL;
    size_t m = path_push_key(L, "source");
    const chronicle_source *src = cite(L, id.ptr);
    int listed = 0;
    for (size_t i = 0; src && i < e->n_sources; i++)
        listed |= e->sources[i] == src;
    if (src && !listed && e->n_sources)
        chronicle__load_warning(L, CHRONICLE_DIAG_SOURCE_NOT_LISTED,
                                "source \"%s\" is not in this event's \"sources\" list", id.ptr);
    path_pop(L, m);
    return src;
}

static void *convert_statement(loader *L, const cJSON *obj, const chronicle_event *e)
{
    chronicle_statement *s = alloc(L, sizeof *s);
    if (!s) return NULL;
    s->struct_size = sizeof *s;
    take_str(L, obj, "speaker", REQUIRED | NONEMPTY | INTERN, &s->speaker);
    take_str(L, obj, "summary", REQUIRED | NONEMPTY, &s->summary);
    take_str(L, obj, "quote", NONEMPTY, &s->quote);
    s->source = cited_source(L, obj, e);
    return s;
}

static void *convert_figure(loader *L, const cJSON *obj, const chronicle_event *e)
{
    chronicle_figure *f = alloc(L, sizeof *f);
    if (!f) return NULL;
    f->struct_size = sizeof *f;
    take_str(L, obj, "label", REQUIRED | NONEMPTY | INTERN, &f->label);
    take_str(L, obj, "unit", NONEMPTY | INTERN, &f->unit);
    take_str(L, obj, "note", NONEMPTY, &f->note);
    const cJSON *v = field(L, obj, "value", REQUIRED);
    if (v && !cJSON_IsNumber(v))
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, "value", "expected a number, found %s",
                              chronicle__json_type_name(v));
    else if (v && !isfinite(v->valuedouble))
        chronicle__load_error(L, CHRONICLE_DIAG_RANGE, "value", "number out of range");
    else if (v)
        f->value = v->valuedouble;
    f->source = cited_source(L, obj, e);
    return f;
}

static void convert_event_sources(loader *L, const cJSON *ev, chronicle_event *e)
{
    const chronicle_str *ids = NULL;
    size_t n = 0;
    if (!take_str_array(L, ev, "sources", REQUIRED | NONEMPTY, &ids, &n) || !n) return;
    const chronicle_source **srcs = alloc(L, n * sizeof *srcs);
    if (!srcs) return;
    size_t m = path_push_key(L, "sources"), kept = 0;
    for (size_t i = 0; i < n; i++) {
        size_t mi = path_push_index(L, i);
        const chronicle_source *s = cite(L, ids[i].ptr);
        for (size_t j = 0; s && j < kept; j++) {
            if (srcs[j] == s) {
                chronicle__load_error(L, CHRONICLE_DIAG_DUPLICATE_ITEM, NULL,
                                      "source \"%s\" is listed twice", ids[i].ptr);
                s = NULL;
            }
        }
        if (s) srcs[kept++] = s;
        path_pop(L, mi);
    }
    path_pop(L, m);
    e->sources = srcs;
    e->n_sources = kept;
}

static int append_event(chronicle_dataset *ds, chronicle_event *e)
{
    if (ds->n_events == ds->cap_events) {
        size_t cap = ds->cap_events ? ds->cap_events * 2 : 256;
        chronicle_event **p = realloc(ds->events, cap * sizeof *p);
        if (!p) return 0;
        ds->events = p;
        ds->cap_events = cap;
    }
    ds->events[ds->n_events++] = e;
    return 1;
}

static void convert_event_body(loader *L, const cJSON *ev, chronicle_event *e)
{
    const cJSON *id = field(L, ev, "id", REQUIRED);
    if (id && !cJSON_IsString(id)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, "id", "expected a string, found %s",
                              chronicle__json_type_name(id));
    } else if (id && blank(id->valuestring)) {
        chronicle__load_error(L, CHRONICLE_DIAG_EMPTY, "id", "must not be empty");
    } else if (id && L->again) {
        store(L, &e->id, id->valuestring, 0); /* its uniqueness was checked by the load */
    } else if (id && L->defer) {
        /* the merge checks that it is new, and reports it in this place */
        deferred *d = L->defer;
        d->id = chronicle__arena_strdup(d->tmp, id->valuestring, strlen(id->valuestring));
        d->id_at = chronicle_diag_count(L->diag) + chronicle_diag_dropped(L->diag);
        if (!d->id.ptr) L->oom = 1;
    } else if (id) {
        int found = 0;
        e->id = chronicle__intern_ex(&L->ds->event_ids, id->valuestring, strlen(id->valuestring),
                                     &found);
        if (!e->id.ptr) L->oom = 1;
        if (found)
            chronicle__load_error(L, CHRONICLE_DIAG_DUPLICATE_ID, "id",
                                  "duplicate event id \"%.*s%s\"", SHOWN(id->valuestring));
    }
    take_str(L, ev, "title", REQUIRED | NONEMPTY, &e->title);
    take_date(L, ev, "date", REQUIRED, &e->date, &e->date_ymd);
    if (take_date(L, ev, "end_date", 0, &e->end_date, &e->end_date_ymd) && e->end_date_ymd &&
        e->date_ymd && e->end_date_ymd < e->date_ymd)
        chronicle__load_error(L, CHRONICLE_DIAG_DATE_ORDER, "end_date",
                              "\"%s\" is before date \"%s\"", e->end_date.ptr, e->date.ptr);
    convert_location(L, ev, e);
    convert_occasion(L, ev, e);
    take_str_array(L, ev, "organizers", 0, &e->organizers, &e->n_organizers);
    take_str_array(L, ev, "audience", 0, &e->audience, &e->n_audience);
    take_str_array(L, ev, "tags", 0, &e->tags, &e->n_tags);
    convert_event_sources(L, ev, e);
    convert_list(L, ev, "participants", e, convert_participant,
                 (const void *const **)&e->participants, &e->n_participants);
    convert_list(L, ev, "activities", e, convert_activity, (const void *const **)&e->activities,
                 &e->n_activities);
    convert_list(L, ev, "statements", e, convert_statement, (const void *const **)&e->statements,
                 &e->n_statements);
    convert_list(L, ev, "figures", e, convert_figure, (const void *const **)&e->figures,
                 &e->n_figures);
    take_str(L, ev, "summary", NONEMPTY, &e->summary);
}

/* Duplicate keys are legal JSON that cJSON silently resolves (first wins);
 * in a dataset they are almost always an editing mistake. */
static void check_duplicate_keys(loader *L, const cJSON *v)
{
    if (!cJSON_IsObject(v) && !cJSON_IsArray(v)) return;
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        if (cJSON_IsObject(v)) {
            for (const cJSON *prev = v->child; prev != c; prev = prev->next) {
                if (prev->string[0] == c->string[0] && !strcmp(prev->string, c->string)) {
                    chronicle__load_error(L, CHRONICLE_DIAG_DUPLICATE_MEMBER, c->string,
                                          "duplicate member (a JSON object may name it once)");
                    break;
                }
            }
        }
        if (c->child) {
            size_t m = cJSON_IsObject(v) ? path_push_key(L, c->string) : path_push_index(L, i);
            check_duplicate_keys(L, c);
            path_pop(L, m);
        }
    }
}

void chronicle__check_members(loader *L, const char *name, const cJSON *item)
{
    path_reset(L);
    if (name) path_push_key(L, name);
    check_duplicate_keys(L, item);
    path_reset(L);
}

/* The event /events/INDEX, converted into L->a; NULL when it has errors. */
static chronicle_event *convert_one(loader *L, size_t index, const cJSON *ev)
{
    path_reset(L);
    path_push_key(L, "events");
    path_push_index(L, index);
    size_t errors = chronicle_diag_errors(L->diag);
    check_duplicate_keys(L, ev);
    if (!cJSON_IsObject(ev)) {
        chronicle__load_error(L, CHRONICLE_DIAG_TYPE, NULL, "expected an event object, found %s",
                              chronicle__json_type_name(ev));
        return NULL;
    }
    chronicle_event *e = alloc(L, sizeof *e);
    if (!e) return NULL;
    e->struct_size = sizeof *e;
    convert_event_body(L, ev, e);
    return chronicle_diag_errors(L->diag) == errors && !L->oom ? e : NULL;
}

/* Keeps e, event /events/INDEX converted without errors: appended to the
 * dataset, or its stub (an indexed load). */
static chronicle_event *keep_event(loader *L, chronicle_event *e, size_t index, uint64_t offset,
                                   size_t length)
{
    if (L->ds->indexed && !(e = chronicle__event_stub_new(L->ds, e, index, offset, length)))
        L->oom = 1;
    if (e && !append_event(L->ds, e)) L->oom = 1;
    return L->oom ? NULL : e;
}

chronicle_event *chronicle__convert_event(loader *L, size_t index, const cJSON *ev, uint64_t offset,
                                          size_t length)
{
    if (L->again) {
        L->seen |= SEEN_SOURCES; /* every source is known: none is made */
        return convert_one(L, index, ev);
    }
    /* an indexed load converts (and so checks) the whole event in scratch
     * memory, and keeps a stub */
    if (L->ds->indexed) {
        chronicle__arena_reset(&L->scratch);
        L->a = &L->scratch;
        L->strings = NULL;
    }
    chronicle_event *e = convert_one(L, index, ev);
    L->a = &L->ds->a;
    L->strings = &L->ds->strings;
    /* an invalid event is not kept: the load fails anyway */
    if (!e) return NULL;
    return keep_event(L, e, index, offset, length);
}

int chronicle__loader_sources_known(const loader *L)
{
    return (L->seen & SEEN_SOURCES) != 0;
}

chronicle_event *chronicle__convert_event_deferred(loader *L, size_t index, const cJSON *ev)
{
    L->defer->id = (chronicle_str){0};
    return convert_one(L, index, ev);
}

chronicle_str chronicle__merge_event_id(loader *L, size_t index, chronicle_str id)
{
    int found = 0;
    chronicle_str kept = chronicle__intern_ex(&L->ds->event_ids, id.ptr, id.len, &found);
    if (!kept.ptr) L->oom = 1;
    if (!found) return kept;
    path_reset(L);
    path_push_key(L, "events");
    path_push_index(L, index);
    chronicle__load_error(L, CHRONICLE_DIAG_DUPLICATE_ID, "id", "duplicate event id \"%.*s%s\"",
                          SHOWN(id.ptr));
    return (chronicle_str){0};
}

chronicle_event *chronicle__merge_event(loader *L, size_t index, chronicle_event *e,
                                        chronicle_str *const *fix, size_t n_fix, uint64_t offset,
                                        size_t length)
{
    for (size_t i = 0; i < n_fix && !L->oom; i++) {
        *fix[i] = chronicle__intern(L->strings, fix[i]->ptr, fix[i]->len);
        if (!fix[i]->ptr) L->oom = 1;
    }
    return L->oom ? NULL : keep_event(L, e, index, offset, length);
}
