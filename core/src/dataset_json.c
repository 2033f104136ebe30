/*
 * dataset_json.c — the loaded model written back as JSON in the dataset
 * format (chronicle/dataset_json.h), for bindings: the Python package reads
 * every event through chronicle_dataset_events_json() instead of mirroring
 * chronicle_event in ctypes.
 */
#include "chronicle/dataset_json.h"

#include <stdio.h>
#include <stdlib.h>

#include "event_cursor.h"

typedef struct jw {
    chronicle_buf *out;
    int first; /* no member written yet in the current object */
    chronicle_status st;
} jw;

static void jw_step(jw *w, chronicle_status st)
{
    if (w->st == CHRONICLE_OK) w->st = st;
}

static void jw_key(jw *w, const char *key)
{
    if (!w->first) jw_step(w, chronicle_buf_putc(w->out, ','));
    w->first = 0;
    jw_step(w, chronicle_buf_put_json_string(w->out, key));
    jw_step(w, chronicle_buf_putc(w->out, ':'));
}

static void jw_open(jw *w, char c)
{
    jw_step(w, chronicle_buf_putc(w->out, c));
    w->first = 1;
}

static void jw_close(jw *w, char c)
{
    jw_step(w, chronicle_buf_putc(w->out, c));
    w->first = 0;
}

static void jw_str(jw *w, const char *key, chronicle_str s)
{
    if (!s.ptr) return;
    jw_key(w, key);
    jw_step(w, chronicle_buf_put_json_string(w->out, s.ptr));
}

/* The shortest of %.15g .. %.17g that reads back as v. */
static void jw_number(jw *w, double v)
{
    char text[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(text, sizeof text, "%.*g", prec, v);
        if (strtod(text, NULL) == v) break;
    }
    jw_step(w, chronicle_buf_puts(w->out, text));
}

static void jw_strs(jw *w, const char *key, const chronicle_str *list, size_t n)
{
    if (!n) return;
    jw_key(w, key);
    jw_open(w, '[');
    for (size_t i = 0; i < n; i++) {
        if (i) jw_step(w, chronicle_buf_putc(w->out, ','));
        jw_step(w, chronicle_buf_put_json_string(w->out, list[i].ptr ? list[i].ptr : ""));
    }
    jw_close(w, ']');
}

static void jw_source_ref(jw *w, const chronicle_source *src)
{
    if (src) jw_str(w, "source", src->id);
}

static void source_json(jw *w, const chronicle_source *s)
{
    jw_open(w, '{');
    jw_str(w, "id", s->id);
    jw_str(w, "outlet", s->outlet);
    jw_str(w, "published", s->published);
    jw_str(w, "dateline", s->dateline);
    jw_str(w, "document", s->document);
    jw_str(w, "url", s->url);
    jw_close(w, '}');
}

static void event_json(jw *w, const chronicle_event *e)
{
    jw_open(w, '{');
    jw_str(w, "id", e->id);
    jw_str(w, "title", e->title);
    jw_str(w, "date", e->date);
    jw_str(w, "end_date", e->end_date);
    if (e->venue.ptr || e->city.ptr || e->country.ptr || e->country_code.ptr) {
        jw_key(w, "location");
        jw_open(w, '{');
        jw_str(w, "venue", e->venue);
        jw_str(w, "city", e->city);
        jw_str(w, "country", e->country);
        jw_str(w, "country_code", e->country_code);
        jw_close(w, '}');
    }
    if (e->occasion.ptr || e->anniversary >= 0 || e->occasion_of_date.ptr) {
        jw_key(w, "occasion");
        jw_open(w, '{');
        jw_str(w, "subject", e->occasion);
        if (e->anniversary >= 0) {
            jw_key(w, "anniversary");
            jw_number(w, e->anniversary);
        }
        jw_str(w, "of_date", e->occasion_of_date);
        jw_close(w, '}');
    }
    jw_strs(w, "organizers", e->organizers, e->n_organizers);
    jw_strs(w, "audience", e->audience, e->n_audience);
    if (e->n_participants) {
        jw_key(w, "participants");
        jw_open(w, '[');
        for (size_t i = 0; i < e->n_participants; i++) {
            const chronicle_participant *p = e->participants[i];
            if (i) jw_step(w, chronicle_buf_putc(w->out, ','));
            jw_open(w, '{');
            jw_str(w, "name", p->name);
            jw_str(w, "role", p->role);
            jw_str(w, "organization", p->organization);
            if (p->spoke >= 0) {
                jw_key(w, "spoke");
                jw_step(w, chronicle_buf_puts(w->out, p->spoke ? "true" : "false"));
            }
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    if (e->n_activities) {
        jw_key(w, "activities");
        jw_open(w, '[');
        for (size_t i = 0; i < e->n_activities; i++) {
            const chronicle_activity *a = e->activities[i];
            if (i) jw_step(w, chronicle_buf_putc(w->out, ','));
            jw_open(w, '{');
            jw_str(w, "kind", a->kind);
            jw_str(w, "title", a->title);
            jw_str(w, "description", a->description);
            jw_strs(w, "performers", a->performers, a->n_performers);
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    if (e->n_statements) {
        jw_key(w, "statements");
        jw_open(w, '[');
        for (size_t i = 0; i < e->n_statements; i++) {
            const chronicle_statement *s = e->statements[i];
            if (i) jw_step(w, chronicle_buf_putc(w->out, ','));
            jw_open(w, '{');
            jw_str(w, "speaker", s->speaker);
            jw_str(w, "summary", s->summary);
            jw_str(w, "quote", s->quote);
            jw_source_ref(w, s->source);
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    if (e->n_figures) {
        jw_key(w, "figures");
        jw_open(w, '[');
        for (size_t i = 0; i < e->n_figures; i++) {
            const chronicle_figure *f = e->figures[i];
            if (i) jw_step(w, chronicle_buf_putc(w->out, ','));
            jw_open(w, '{');
            jw_str(w, "label", f->label);
            jw_key(w, "value");
            jw_number(w, f->value);
            jw_str(w, "unit", f->unit);
            jw_source_ref(w, f->source);
            jw_str(w, "note", f->note);
            jw_close(w, '}');
        }
        jw_close(w, ']');
    }
    if (e->n_sources) {
        jw_key(w, "sources");
        jw_open(w, '[');
        for (size_t i = 0; i < e->n_sources; i++) {
            if (i) jw_step(w, chronicle_buf_putc(w->out, ','));
            jw_step(w, chronicle_buf_put_json_string(w->out, e->sources[i]->id.ptr));
        }
        jw_close(w, ']');
    }
    jw_strs(w, "tags", e->tags, e->n_tags);
    jw_str(w, "summary", e->summary);
    jw_close(w, '}');
}

chronicle_status chronicle_event_json(const chronicle_event *ev, chronicle_buf *out)
{
    if (!ev || !out) return CHRONICLE_ERR_OPTION;
    jw w = {out, 1, CHRONICLE_OK};
    event_json(&w, ev);
    return w.st;
}

chronicle_status chronicle_source_json(const chronicle_source *src, chronicle_buf *out)
{
    if (!src || !out) return CHRONICLE_ERR_OPTION;
    jw w = {out, 1, CHRONICLE_OK};
    source_json(&w, src);
    return w.st;
}

chronicle_status chronicle_dataset_info_json(const chronicle_dataset *ds, chronicle_buf *out)
{
    if (!ds || !out) return CHRONICLE_ERR_OPTION;
    const chronicle_dataset_info *info = chronicle_dataset_get_info(ds);
    jw w = {out, 1, CHRONICLE_OK};
    jw_open(&w, '{');
    jw_str(&w, "schema", info->schema);
    jw_str(&w, "title", info->title);
    jw_str(&w, "description", info->description);
    jw_key(&w, "sources");
    jw_open(&w, '[');
    for (size_t i = 0; i < info->n_sources; i++) {
        if (i) jw_step(&w, chronicle_buf_putc(out, ','));
        source_json(&w, info->sources[i]);
    }
    jw_close(&w, ']');
    jw_key(&w, "events");
    jw_step(&w, chronicle_buf_appendf(out, "%zu", chronicle_dataset_event_count(ds)));
    jw_close(&w, '}');
    return w.st;
}

chronicle_status chronicle_dataset_events_json(const chronicle_dataset *ds, size_t first, size_t n,
                                               chronicle_buf *out, chronicle_diag *diag)
{
    if (!ds || !out) return CHRONICLE_ERR_OPTION;
    size_t count = chronicle_dataset_event_count(ds);
    if (first > count) return CHRONICLE_ERR_OPTION;
    if (n > count - first) n = count - first;
    size_t start = out->len;
    jw w = {out, 1, CHRONICLE_OK};
    chronicle__event_cursor *cursor = NULL;
    chronicle_buf why = CHRONICLE_BUF_INIT;
    if (n && !(cursor = chronicle__event_cursor_open(ds))) return CHRONICLE_ERR_NOMEM;
    if (n && !chronicle__dataset_file_unchanged(ds, &why)) w.st = CHRONICLE_ERR_DATA;
    jw_open(&w, '[');
    for (size_t i = first; w.st == CHRONICLE_OK && i < first + n; i++) {
        const chronicle_event *e =
            chronicle__event_cursor_read(cursor, chronicle__dataset_entry(ds, i), 0, &why);
        if (!e) {
            w.st = CHRONICLE_ERR_DATA;
            break;
        }
        if (i > first) jw_step(&w, chronicle_buf_putc(out, ','));
        event_json(&w, e);
    }
    jw_close(&w, ']');
    chronicle__event_cursor_close(cursor);
    if (w.st != CHRONICLE_OK) {
        if (w.st == CHRONICLE_ERR_DATA && diag)
            chronicle_diag_add_coded(diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, NULL, 0, 0, NULL,
                                     "%s", chronicle_buf_cstr(&why));
        chronicle_buf_truncate(out, start);
    }
    chronicle_buf_free(&why);
    return w.st;
}
