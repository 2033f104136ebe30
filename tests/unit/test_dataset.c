/*
 * test_dataset.c — the loader and validator (load.c, json_scan.c, convert.c)
 * through chronicle_dataset_load_buffer() and chronicle_dataset_load().
 * Every error class is its own test and checks the exact pointer (or line
 * and column) and message a person will read.  In the JSON texts below a
 * single quote stands for a double quote, so documents stay readable.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "chronicle/dataset.h"
#include "dataset_internal.h"
#include "event_cursor.h" /* the events of indexed datasets, read again */
#include "event_index.h"
#include "generate.h"

/* ---- documents ---- */

#define HEAD "'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1','document':'d.txt'}]"
#define DOC(events) "{" HEAD ",'events':[" events "]}"
#define EVENT_FULL(id, date, cc, members)                                                          \
    "{'id':'" id "','title':'E','date':'" date "','location':{'country':'C','country_code':'" cc   \
    "'},'occasion':{'subject':'S'},'sources':['s1']" members "}"
#define EVENT_ON(date, members) EVENT_FULL("e1", date, "AZ", members)
#define EVENT(members) EVENT_ON("2023-02-24", members)
#define NDJSON_HEAD "{" HEAD "}\n"

/* ---- fixture ---- */

typedef struct fixture {
    chronicle_diag *diag;
    chronicle_dataset *ds;
    char *text;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || !(f->diag = chronicle_diag_new(0))) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    chronicle_dataset_free(f->ds);
    chronicle_diag_free(f->diag);
    free(f->text);
    free(f);
    return 0;
}

/* Loads len bytes from a buffer with no NUL after them (so an over-read is
 * caught by the sanitizers), replacing what an earlier call loaded. */
static chronicle_status load_bytes(fixture *f, const char *name, const char *bytes, size_t len,
                                   chronicle_format format)
{
    chronicle_dataset_free(f->ds);
    f->ds = NULL;
    chronicle_diag_clear(f->diag);
    free(f->text);
    f->text = malloc(len ? len : 1);
    assert_non_null(f->text);
    memcpy(f->text, bytes, len);
    chronicle_load_opts opts = {.format = format};
    chronicle_status st = chronicle_dataset_load_buffer(name, f->text, len, &opts, &f->ds, f->diag);
    if (st == CHRONICLE_OK)
        assert_non_null(f->ds);
    else
        assert_null(f->ds);
    return st;
}

/* Loads text with every ' turned into ". */
static chronicle_status load_as(fixture *f, const char *name, const char *text)
{
    size_t len = strlen(text);
    char *json = malloc(len + 1);
    assert_non_null(json);
    for (size_t i = 0; i <= len; i++)
        json[i] = text[i] == '\'' ? '"' : text[i];
    chronicle_status st = load_bytes(f, name, json, len, CHRONICLE_FORMAT_AUTO);
    free(json);
    return st;
}

static chronicle_status load(fixture *f, const char *text)
{
    return load_as(f, "t.json", text);
}

typedef struct want {
    const char *pointer; /* NULL: a syntax error, placed by line and col */
    const char *message;
    unsigned long line, col;
} want;

static void dump(const fixture *f)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < chronicle_diag_count(f->diag); i++) {
        chronicle_buf_reset(&b);
        chronicle_diag_format(chronicle_diag_at(f->diag, i), &b);
        print_message("  got: %s\n", chronicle_buf_cstr(&b));
    }
    chronicle_buf_free(&b);
}

/* Asserts that the diag holds exactly these entries, in this order. */
static void expect_diag(const fixture *f, const want *w, size_t n)
{
    if (chronicle_diag_count(f->diag) != n) dump(f);
    assert_int_equal(chronicle_diag_count(f->diag), n);
    assert_int_equal(chronicle_diag_dropped(f->diag), 0);
    for (size_t i = 0; i < n; i++) {
        const chronicle_diag_entry *e = chronicle_diag_at(f->diag, i);
        if (strcmp(e->message, w[i].message) ||
            (w[i].pointer && (!e->pointer || strcmp(e->pointer, w[i].pointer))))
            dump(f);
        assert_string_equal(e->message, w[i].message);
        assert_non_null(e->file);
        if (w[i].pointer) {
            assert_non_null(e->pointer);
            assert_string_equal(e->pointer, w[i].pointer);
            assert_int_equal(e->line, 0);
        } else {
            assert_null(e->pointer);
            assert_int_equal(e->line, w[i].line);
            assert_int_equal(e->col, w[i].col);
        }
    }
}

#define EXPECT(f, ...)                                                                             \
    do {                                                                                           \
        const want w_[] = {__VA_ARGS__};                                                           \
        expect_diag((f), w_, sizeof w_ / sizeof *w_);                                              \
    } while (0)

static void expect_invalid(fixture *f, const char *text, const char *pointer, const char *message)
{
    assert_int_equal(load(f, text), CHRONICLE_ERR_DATA);
    EXPECT(f, {pointer, message, 0, 0});
}

static void expect_syntax(fixture *f, const char *text, unsigned long line, unsigned long col,
                          const char *message)
{
    assert_int_equal(load(f, text), CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, message, line, col});
}

/* A document cut short: the error is just past its last character. */
static void expect_cut(fixture *f, const char *text, const char *message)
{
    expect_syntax(f, text, 1, strlen(text) + 1, message);
}

static void expect_valid(fixture *f, const char *text)
{
    chronicle_status st = load(f, text);
    if (st != CHRONICLE_OK) dump(f);
    assert_int_equal(st, CHRONICLE_OK);
    assert_int_equal(chronicle_diag_errors(f->diag), 0);
}

/* ---- valid datasets ---- */

static void test_load_minimal_dataset(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_as(f, "data/min.json", DOC(EVENT(""))), CHRONICLE_OK);
    assert_int_equal(chronicle_diag_count(f->diag), 0);

    const chronicle_dataset_info *info = chronicle_dataset_get_info(f->ds);
    assert_string_equal(info->schema.ptr, "chronicle/events@1");
    assert_string_equal(info->title.ptr, "T");
    assert_null(info->description.ptr);
    assert_string_equal(info->path.ptr, "data/min.json");
    assert_string_equal(info->stem.ptr, "min");
    assert_int_equal(info->n_sources, 1);
    assert_int_equal(info->n_events_total, 1);
    assert_string_equal(info->sources[0]->id.ptr, "s1");
    assert_string_equal(info->sources[0]->document.ptr, "d.txt");
    assert_null(info->sources[0]->outlet.ptr);
    assert_int_equal(info->sources[0]->published_ymd, 0);

    assert_int_equal(chronicle_dataset_event_count(f->ds), 1);
    const chronicle_event *e = chronicle_dataset_event(f->ds, 0);
    assert_non_null(e);
    assert_null(chronicle_dataset_event(f->ds, 1));
    assert_string_equal(e->id.ptr, "e1");
    assert_int_equal(e->id.len, 2);
    assert_string_equal(e->date.ptr, "2023-02-24");
    assert_int_equal(e->date_ymd, 20230224);
    assert_int_equal(e->end_date_ymd, 0);
    assert_null(e->end_date.ptr);
    assert_int_equal(e->anniversary, -1);
    assert_string_equal(e->country_code.ptr, "AZ");
    assert_string_equal(e->occasion.ptr, "S");
    assert_null(e->venue.ptr);
    assert_null(e->summary.ptr);
    assert_int_equal(e->n_organizers + e->n_tags + e->n_participants + e->n_statements, 0);
    assert_int_equal(e->n_sources, 1);
    assert_ptr_equal(e->sources[0], chronicle_dataset_source(f->ds, "s1"));
    assert_null(chronicle_dataset_source(f->ds, "s2"));
}

static void test_load_keeps_every_optional_member(void **state)
{
    fixture *f = *state;
    expect_valid(f, "{" HEAD ",'description':'D','events':[{'id':'e1','title':'E',"
                    "'date':'2023-02-24','end_date':'2023-02-26','summary':'Sum',"
                    "'location':{'venue':'V','city':'Baku','country':'Azerbaijan',"
                    "'country_code':'AZ'},"
                    "'occasion':{'subject':'S','anniversary':31,'of_date':'1992-02-25'},"
                    "'organizers':['O1','O2'],'audience':['A'],'tags':['t1'],"
                    "'participants':[{'name':'P','role':'R','organization':'Org','spoke':true},"
                    "{'name':'Q','spoke':false},{'name':'N'}],"
                    "'activities':[{'kind':'speech','title':'AT','description':'AD',"
                    "'performers':['X','Y']}],"
                    "'statements':[{'speaker':'P','summary':'said','quote':'q','source':'s1'}],"
                    "'figures':[{'label':'L','value':1275.5,'unit':'people','note':'n',"
                    "'source':'s1'}],'sources':['s1']}]}");
    const chronicle_event *e = chronicle_dataset_event(f->ds, 0);
    assert_string_equal(chronicle_dataset_get_info(f->ds)->description.ptr, "D");
    assert_int_equal(e->end_date_ymd, 20230226);
    assert_string_equal(e->summary.ptr, "Sum");
    assert_string_equal(e->venue.ptr, "V");
    assert_string_equal(e->city.ptr, "Baku");
    assert_string_equal(e->country.ptr, "Azerbaijan");
    assert_int_equal(e->anniversary, 31);
    assert_string_equal(e->occasion_of_date.ptr, "1992-02-25");
    assert_int_equal(e->occasion_of_date_ymd, 19920225);
    assert_int_equal(e->n_organizers, 2);
    assert_string_equal(e->organizers[1].ptr, "O2");
    assert_int_equal(e->n_audience, 1);
    assert_int_equal(e->n_tags, 1);
    assert_int_equal(e->n_participants, 3);
    assert_int_equal(e->participants[0]->spoke, 1);
    assert_string_equal(e->participants[0]->organization.ptr, "Org");
    assert_int_equal(e->participants[1]->spoke, 0);
    assert_int_equal(e->participants[2]->spoke, -1);
    assert_null(e->participants[2]->role.ptr);
    assert_int_equal(e->n_activities, 1);
    assert_string_equal(e->activities[0]->kind.ptr, "speech");
    assert_int_equal(e->activities[0]->n_performers, 2);
    assert_string_equal(e->activities[0]->performers[1].ptr, "Y");
    assert_int_equal(e->n_statements, 1);
    assert_string_equal(e->statements[0]->quote.ptr, "q");
    assert_ptr_equal(e->statements[0]->source, e->sources[0]);
    assert_int_equal(e->n_figures, 1);
    assert_true(e->figures[0]->value == 1275.5);
    assert_string_equal(e->figures[0]->unit.ptr, "people");
    assert_ptr_equal(e->figures[0]->source, e->sources[0]);
}

static void test_load_accepts_empty_dataset(void **state)
{
    fixture *f = *state;
    expect_valid(f, "{'schema':'chronicle/events@1','title':'T','sources':[],'events':[]}");
    assert_int_equal(chronicle_dataset_event_count(f->ds), 0);
    assert_int_equal(chronicle_dataset_get_info(f->ds)->n_sources, 0);
}

static void test_load_accepts_members_in_any_order(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    expect_valid(f, "{'events':["
                    EVENT(",'statements':[{'speaker':'a','summary':'b','source':'s1'}]")
                    "],'sources':[{'document':'d.txt','id':'s1'}],'title':'T',"
                    "'schema':'chronicle/events@1'}");
    /* clang-format on */
    const chronicle_event *e = chronicle_dataset_event(f->ds, 0);
    assert_ptr_equal(e->statements[0]->source, chronicle_dataset_source(f->ds, "s1"));
    assert_string_equal(e->statements[0]->source->document.ptr, "d.txt");
}

static void test_load_ignores_unknown_members(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    expect_valid(f, "{" HEAD ",'generator':{'name':'x','v':[1,2.5,null,true]},'events':["
                 EVENT(",'colour':'red','location2':{},'participants':[{'name':'P','x':1}]") "]}");
    /* clang-format on */
    assert_int_equal(chronicle_dataset_event(f->ds, 0)->n_participants, 1);
}

static void test_load_accepts_schema_minor_version(void **state)
{
    fixture *f = *state;
    expect_valid(f, "{'schema':'chronicle/events@1.3','title':'T','sources':[],'events':[]}");
    assert_string_equal(chronicle_dataset_get_info(f->ds)->schema.ptr, "chronicle/events@1.3");
}

static void test_load_tolerates_byte_order_mark(void **state)
{
    fixture *f = *state;
    expect_valid(f, "\xEF\xBB\xBF" DOC(EVENT("")));
    /* it is not a column of its own */
    expect_syntax(f, "\xEF\xBB\xBF[]", 1, 1, "expected '{': a dataset is a JSON object");
    assert_int_equal(load_as(f, "t.ndjson", "\xEF\xBB\xBF" NDJSON_HEAD EVENT("") "\n"),
                     CHRONICLE_OK);
}

static void test_load_accepts_text_escapes_and_unicode(void **state)
{
    fixture *f = *state;
    expect_valid(f,
                 DOC(EVENT(",'summary':'tab\\tnl\\n\\u00e9 \\ud83d\\ude00 \\\"q\\\" \\/ ə 中'")));
    assert_string_equal(chronicle_dataset_event(f->ds, 0)->summary.ptr,
                        "tab\tnl\n\xC3\xA9 \xF0\x9F\x98\x80 \"q\" / ə 中");
}

static void test_load_accepts_leap_days_and_equal_end_date(void **state)
{
    fixture *f = *state;
    expect_valid(f, DOC(EVENT_ON("2000-02-29", ",'end_date':'2000-02-29'")));
    assert_int_equal(chronicle_dataset_event(f->ds, 0)->date_ymd, 20000229);
    expect_valid(f, DOC(EVENT_ON("2024-02-29", "")));
}

static void test_load_accepts_whole_anniversary_written_as_real(void **state)
{
    fixture *f = *state;
    expect_valid(f, "{" HEAD ",'events':[{'id':'e1','title':'E','date':'2023-02-24','location':"
                    "{'country':'C','country_code':'XK'},'occasion':{'subject':'S',"
                    "'anniversary':31.0},'sources':['s1']}]}");
    assert_int_equal(chronicle_dataset_event(f->ds, 0)->anniversary, 31);
}

/* ---- wrong types ---- */

static void test_rejects_top_level_array(void **state)
{
    expect_syntax(*state, "[" DOC("") "]", 1, 1, "expected '{': a dataset is a JSON object");
}

static void test_rejects_title_that_is_a_number(void **state)
{
    expect_invalid(*state, "{'schema':'chronicle/events@1','title':5,'sources':[],'events':[]}",
                   "/title", "expected a string, found a number");
}

static void test_rejects_events_that_are_not_an_array(void **state)
{
    expect_invalid(*state, "{" HEAD ",'events':{}}", "/events", "expected an array of events");
}

static void test_rejects_sources_that_are_not_an_array(void **state)
{
    expect_invalid(*state, "{'schema':'chronicle/events@1','title':'T','sources':{},'events':[]}",
                   "/sources", "expected an array, found an object");
}

static void test_rejects_event_that_is_not_an_object(void **state)
{
    expect_invalid(*state, DOC(EVENT("") ",'e2'"), "/events/1",
                   "expected an event object, found a string");
}

static void test_rejects_date_that_is_a_number(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':20230224,'location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S'},'sources':['s1']}"),
                   "/events/0/date", "expected a date string YYYY-MM-DD, found a number");
}

static void test_rejects_location_that_is_a_string(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':'2023-02-24','location':'Baku',"
                       "'occasion':{'subject':'S'},'sources':['s1']}"),
                   "/events/0/location", "expected an object, found a string");
}

static void test_rejects_spoke_yes(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'participants':[{'name':'P','spoke':'yes'}]")),
                   "/events/0/participants/0/spoke", "expected true or false, found a string");
}

static void test_rejects_performers_that_are_not_an_array(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'activities':[{'kind':'concert','performers':'choir'}]")),
                   "/events/0/activities/0/performers", "expected an array, found a string");
}

static void test_rejects_tag_that_is_a_number(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'tags':['a',3]")), "/events/0/tags/1",
                   "expected a string, found a number");
}

static void test_rejects_figure_value_given_as_string(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'figures':[{'label':'L','value':'613','source':'s1'}]")),
                   "/events/0/figures/0/value", "expected a number, found a string");
}

static void test_rejects_figure_value_out_of_range(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'figures':[{'label':'L','value':1e400,'source':'s1'}]")),
                   "/events/0/figures/0/value", "number out of range");
}

static void test_rejects_participant_that_is_not_an_object(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'participants':['P']")), "/events/0/participants/0",
                   "expected an object, found a string");
}

/* ---- missing members ---- */

static void test_reports_every_missing_top_level_member(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "{}"), CHRONICLE_ERR_DATA);
    EXPECT(f, {.pointer = "/schema", .message = "required member is missing"},
           {.pointer = "/title", .message = "required member is missing"},
           {.pointer = "/sources", .message = "required member is missing"},
           {.pointer = "/events", .message = "required member is missing"});
}

static void test_reports_every_missing_event_member(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, DOC("{}")), CHRONICLE_ERR_DATA);
    EXPECT(f, {.pointer = "/events/0/id", .message = "required member is missing"},
           {.pointer = "/events/0/title", .message = "required member is missing"},
           {.pointer = "/events/0/date", .message = "required member is missing"},
           {.pointer = "/events/0/location", .message = "required member is missing"},
           {.pointer = "/events/0/occasion", .message = "required member is missing"},
           {.pointer = "/events/0/sources", .message = "required member is missing"});
}

static void test_reports_missing_members_of_nested_objects(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        load(f, "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1'}],'events':["
                "{'id':'e1','title':'E','date':'2023-02-24','location':{'city':'Baku'},"
                "'occasion':{},'sources':['s1'],'participants':[{'role':'r'}],"
                "'activities':[{}],'statements':[{'summary':'x','source':'s1'}],"
                "'figures':[{}]}]}"),
        CHRONICLE_ERR_DATA);
    EXPECT(f, {.pointer = "/sources/0/document", .message = "required member is missing"},
           {.pointer = "/events/0/location/country", .message = "required member is missing"},
           {.pointer = "/events/0/location/country_code", .message = "required member is missing"},
           {.pointer = "/events/0/occasion/subject", .message = "required member is missing"},
           {.pointer = "/events/0/participants/0/name", .message = "required member is missing"},
           {.pointer = "/events/0/activities/0/kind", .message = "required member is missing"},
           {.pointer = "/events/0/statements/0/speaker", .message = "required member is missing"},
           {.pointer = "/events/0/figures/0/label", .message = "required member is missing"},
           {.pointer = "/events/0/figures/0/value", .message = "required member is missing"},
           {.pointer = "/events/0/figures/0/source", .message = "required member is missing"});
}

static void test_reports_missing_members_after_the_events(void **state)
{
    fixture *f = *state;
    /* the pointer of the last event must not leak into end-of-file checks */
    assert_int_equal(load(f, "{'title':'T','events':[" EVENT("") "]}"), CHRONICLE_ERR_DATA);
    EXPECT(
        f, {.pointer = "/schema", .message = "required member is missing"},
        {.pointer = "/sources", .message = "required member is missing"},
        {.pointer = "/events/0/sources/0", .message = "unknown source \"s1\" (not in /sources)"});
}

static void test_rejects_event_without_sources(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':'2023-02-24','location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S'},'sources':[]}"),
                   "/events/0/sources", "must list at least one item");
}

/* ---- empty strings ---- */

static void test_rejects_empty_event_id(void **state)
{
    expect_invalid(*state, DOC(EVENT_FULL("", "2023-02-24", "AZ", "")), "/events/0/id",
                   "must not be empty");
}

static void test_rejects_title_of_only_spaces(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':' \\t ','date':'2023-02-24','location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S'},'sources':['s1']}"),
                   "/events/0/title", "must not be empty");
}

static void test_rejects_empty_dataset_title(void **state)
{
    expect_invalid(*state, "{'schema':'chronicle/events@1','title':'','sources':[],'events':[]}",
                   "/title", "must not be empty");
}

static void test_rejects_empty_organizer(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'organizers':['A','']")), "/events/0/organizers/1",
                   "must not be empty");
}

static void test_rejects_empty_source_id(void **state)
{
    expect_invalid(
        *state,
        "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'','document':'d'}],"
        "'events':[]}",
        "/sources/0/id", "must not be empty");
}

static void test_accepts_empty_description(void **state)
{
    expect_valid(*state, "{'schema':'chronicle/events@1','title':'T','description':'','sources':[],"
                         "'events':[]}");
}

/* ---- dates ---- */

static void test_rejects_feb_30(void **state)
{
    expect_invalid(*state, DOC(EVENT_ON("2023-02-30", "")), "/events/0/date",
                   "\"2023-02-30\" is not a calendar date (YYYY-MM-DD)");
}

static void test_rejects_month_13(void **state)
{
    expect_invalid(*state, DOC(EVENT_ON("2023-13-01", "")), "/events/0/date",
                   "\"2023-13-01\" is not a calendar date (YYYY-MM-DD)");
}

static void test_rejects_date_without_zero_padding(void **state)
{
    expect_invalid(*state, DOC(EVENT_ON("2023-2-1", "")), "/events/0/date",
                   "\"2023-2-1\" is not a calendar date (YYYY-MM-DD)");
}

static void test_rejects_feb_29_of_1900(void **state)
{
    expect_invalid(*state, DOC(EVENT_ON("1900-02-29", "")), "/events/0/date",
                   "\"1900-02-29\" is not a calendar date (YYYY-MM-DD)");
}

static void test_rejects_end_date_before_date(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'end_date':'2023-02-23'")), "/events/0/end_date",
                   "\"2023-02-23\" is before date \"2023-02-24\"");
}

static void test_rejects_impossible_end_date(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'end_date':'2023-02-29'")), "/events/0/end_date",
                   "\"2023-02-29\" is not a calendar date (YYYY-MM-DD)");
}

static void test_rejects_published_that_is_not_a_date(void **state)
{
    expect_invalid(*state,
                   "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1',"
                   "'document':'d','published':'24 Feb 2023'}],'events':[]}",
                   "/sources/0/published", "\"24 Feb 2023\" is not a calendar date (YYYY-MM-DD)");
}

static void test_rejects_occasion_of_date_that_is_not_a_date(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':'2023-02-24','location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S','of_date':'1992'},"
                       "'sources':['s1']}"),
                   "/events/0/occasion/of_date", "\"1992\" is not a calendar date (YYYY-MM-DD)");
}

static void test_shortens_long_values_in_messages(void **state)
{
    expect_invalid(*state, DOC(EVENT_ON("ééééééééééééééééééééééééééééééééééééééé", "")),
                   "/events/0/date",
                   "\"éééééééééééééééééééé...\" is not a calendar date (YYYY-MM-DD)");
}

/* ---- identity and references ---- */

static void test_rejects_duplicate_event_id(void **state)
{
    expect_invalid(*state, DOC(EVENT("") "," EVENT_ON("2024-01-01", "")), "/events/1/id",
                   "duplicate event id \"e1\"");
}

static void test_rejects_duplicate_source_id(void **state)
{
    expect_invalid(*state,
                   "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1',"
                   "'document':'a'},{'id':'s1','document':'b'}],'events':[]}",
                   "/sources/1/id", "duplicate source id \"s1\"");
}

static void test_rejects_unknown_source_in_statement(void **state)
{
    expect_invalid(*state,
                   DOC(EVENT(",'statements':[{'speaker':'P','summary':'x','source':'s9'}]")),
                   "/events/0/statements/0/source", "unknown source \"s9\" (not in /sources)");
}

static void test_rejects_unknown_source_in_figure(void **state)
{
    expect_invalid(*state, DOC(EVENT(",'figures':[{'label':'L','value':1,'source':'s9'}]")),
                   "/events/0/figures/0/source", "unknown source \"s9\" (not in /sources)");
}

static void test_rejects_unknown_source_in_event_sources(void **state)
{
    /* clang-format off */
    expect_invalid(*state, DOC(EVENT_FULL("e1", "2023-02-24", "AZ", "") ","
                               "{'id':'e2','title':'E','date':'2023-02-24','location':{"
                               "'country':'C','country_code':'AZ'},'occasion':{'subject':'S'},"
                               "'sources':['s1','s9']}"),
                   "/events/1/sources/1", "unknown source \"s9\" (not in /sources)");
    /* clang-format on */
}

static void test_rejects_unknown_sources_declared_after_events(void **state)
{
    fixture *f = *state;
    /* "sources" comes last: references are resolved at the end of the file,
     * and each unknown id is reported once, at its first use, in the order
     * of first use */
    assert_int_equal(load(f,
                          "{'schema':'chronicle/events@1','title':'T','events':["
                          "{'id':'e1','title':'E','date':'2023-02-24','location':{'country':'C',"
                          "'country_code':'AZ'},'occasion':{'subject':'S'},'sources':['s1','s8'],"
                          "'statements':[{'speaker':'P','summary':'x','source':'s9'}],"
                          "'figures':[{'label':'L','value':1,'source':'s7'},"
                          "{'label':'M','value':2,'source':'s9'}]}],"
                          "'sources':[{'id':'s1','document':'d.txt'}]}"),
                     CHRONICLE_ERR_DATA);
    EXPECT(f,
           {.pointer = "/events/0/statements/0/source",
            .message = "source \"s9\" is not in this event's \"sources\" list"},
           {.pointer = "/events/0/figures/0/source",
            .message = "source \"s7\" is not in this event's \"sources\" list"},
           {.pointer = "/events/0/figures/1/source",
            .message = "source \"s9\" is not in this event's \"sources\" list"},
           {.pointer = "/events/0/sources/1", .message = "unknown source \"s8\" (not in /sources)"},
           {.pointer = "/events/0/statements/0/source",
            .message = "unknown source \"s9\" (not in /sources); cited elsewhere too"},
           {.pointer = "/events/0/figures/0/source",
            .message = "unknown source \"s7\" (not in /sources)"});
    assert_int_equal(chronicle_diag_errors(f->diag), 3); /* the first three are warnings */
}

static void test_reports_unknown_sources_in_citation_order(void **state)
{
    fixture *f = *state;
    /* enough stubs to grow the id table several times */
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"events\":[");
    for (int i = 0; i < 300; i++)
        chronicle_buf_appendf(&b,
                              "%s{\"id\":\"e%d\",\"title\":\"E\",\"date\":\"2023-02-24\","
                              "\"location\":{\"country\":\"C\",\"country_code\":\"AZ\"},"
                              "\"occasion\":{\"subject\":\"S\"},\"sources\":[\"x%d\",\"ok\"]}",
                              i ? "," : "", i, 299 - i);
    chronicle_buf_puts(&b, "],\"sources\":[{\"id\":\"ok\",\"document\":\"d\"}]}");
    chronicle_diag_free(f->diag);
    f->diag = chronicle_diag_new(1000);
    assert_int_equal(load_bytes(f, "t.json", b.ptr, b.len, CHRONICLE_FORMAT_AUTO),
                     CHRONICLE_ERR_DATA);
    chronicle_buf_free(&b);
    assert_int_equal(chronicle_diag_count(f->diag), 300);
    for (int i = 0; i < 300; i++) {
        char ptr[32], msg[64];
        snprintf(ptr, sizeof ptr, "/events/%d/sources/0", i);
        snprintf(msg, sizeof msg, "unknown source \"x%d\" (not in /sources)", 299 - i);
        assert_string_equal(chronicle_diag_at(f->diag, (size_t)i)->pointer, ptr);
        assert_string_equal(chronicle_diag_at(f->diag, (size_t)i)->message, msg);
    }
}

static void test_resolves_sources_declared_after_events(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    expect_valid(f, "{'events':[" EVENT(",'figures':[{'label':'L','value':1,'source':'s1'}]")
                    "],'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1',"
                    "'outlet':'Trend','document':'d.txt'}]}");
    /* clang-format on */
    const chronicle_event *e = chronicle_dataset_event(f->ds, 0);
    assert_string_equal(e->figures[0]->source->outlet.ptr, "Trend");
    assert_ptr_equal(e->sources[0], chronicle_dataset_source(f->ds, "s1"));
}

static void test_rejects_source_listed_twice_in_event(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':'2023-02-24','location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S'},'sources':['s1','s1']}"),
                   "/events/0/sources/1", "source \"s1\" is listed twice");
}

static void test_warns_when_statement_source_is_not_listed_by_event(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    assert_int_equal(
        load(f, "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1','document':'a'},"
                "{'id':'s2','document':'b'}],'events':["
                EVENT(",'statements':[{'speaker':'P','summary':'x','source':'s2'}]") "]}"),
        CHRONICLE_OK);
    /* clang-format on */
    assert_int_equal(chronicle_diag_count(f->diag), 1);
    assert_int_equal(chronicle_diag_errors(f->diag), 0);
    const chronicle_diag_entry *e = chronicle_diag_at(f->diag, 0);
    assert_int_equal(e->severity, CHRONICLE_SEV_WARNING);
    assert_string_equal(e->pointer, "/events/0/statements/0/source");
    assert_string_equal(e->message, "source \"s2\" is not in this event's \"sources\" list");
}

/* ---- country codes, anniversaries, URLs, schema ---- */

static void test_rejects_lower_case_country_code(void **state)
{
    expect_invalid(
        *state, DOC(EVENT_FULL("e1", "2023-02-24", "az", "")), "/events/0/location/country_code",
        "\"az\" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. \"AZ\")");
}

static void test_rejects_unassigned_country_code(void **state)
{
    expect_invalid(
        *state, DOC(EVENT_FULL("e1", "2023-02-24", "XX", "")), "/events/0/location/country_code",
        "\"XX\" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. \"AZ\")");
}

static void test_accepts_first_and_last_country_codes(void **state)
{
    fixture *f = *state;
    expect_valid(f, DOC(EVENT_FULL("e1", "2023-02-24", "AD", "")));
    expect_valid(f, DOC(EVENT_FULL("e1", "2023-02-24", "ZW", "")));
    expect_invalid(
        f, DOC(EVENT_FULL("e1", "2023-02-24", "ZZ", "")), "/events/0/location/country_code",
        "\"ZZ\" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. \"AZ\")");
    expect_invalid(
        f, DOC(EVENT_FULL("e1", "2023-02-24", "AZE", "")), "/events/0/location/country_code",
        "\"AZE\" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. \"AZ\")");
}

static void test_rejects_fractional_anniversary(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':'2023-02-24','location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S','anniversary':3.5},"
                       "'sources':['s1']}"),
                   "/events/0/occasion/anniversary", "3.5 is not a whole number from 0 to 100000");
}

static void test_rejects_negative_anniversary(void **state)
{
    expect_invalid(*state,
                   DOC("{'id':'e1','title':'E','date':'2023-02-24','location':{'country':'C',"
                       "'country_code':'AZ'},'occasion':{'subject':'S','anniversary':-1},"
                       "'sources':['s1']}"),
                   "/events/0/occasion/anniversary", "-1 is not a whole number from 0 to 100000");
}

static void test_rejects_url_that_is_not_http(void **state)
{
    fixture *f = *state;
    expect_invalid(f,
                   "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1',"
                   "'document':'d','url':'ftp://example.org/x'}],'events':[]}",
                   "/sources/0/url", "\"ftp://example.org/x\" is not an http or https URL");
    expect_invalid(f,
                   "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1',"
                   "'document':'d','url':'https://'}],'events':[]}",
                   "/sources/0/url", "\"https://\" is not an http or https URL");
    expect_valid(f, "{'schema':'chronicle/events@1','title':'T','sources':[{'id':'s1',"
                    "'document':'d','url':'https://example.org/a?b=c'}],'events':[]}");
    assert_string_equal(chronicle_dataset_source(f->ds, "s1")->url.ptr,
                        "https://example.org/a?b=c");
}

static void test_refuses_schema_major_2(void **state)
{
    expect_invalid(*state, "{'schema':'chronicle/events@2','title':'T','sources':[],'events':[]}",
                   "/schema",
                   "\"chronicle/events@2\" is format version 2; this chronicle reads version 1 "
                   "(upgrade chronicle, or convert the file)");
}

static void test_refuses_other_schemas(void **state)
{
    fixture *f = *state;
    expect_invalid(f, "{'schema':'geojson','title':'T','sources':[],'events':[]}", "/schema",
                   "\"geojson\" is not a Chronicle dataset (expected \"chronicle/events@1\")");
    expect_invalid(f, "{'schema':'chronicle/events@01','title':'T','sources':[],'events':[]}",
                   "/schema",
                   "\"chronicle/events@01\" is not a valid schema version (expected "
                   "\"chronicle/events@1\")");
    expect_invalid(f, "{'schema':'chronicle/events@1.x','title':'T','sources':[],'events':[]}",
                   "/schema",
                   "\"chronicle/events@1.x\" is not a valid schema version (expected "
                   "\"chronicle/events@1\")");
}

/* ---- JSON syntax and text ---- */

static void test_reports_duplicate_keys(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f,
                          "{'schema':'chronicle/events@1','title':'T','x/y~':1,'x/y~':2,'events':["
                          "{'id':'e1','id':'e1','title':'E','date':'2023-02-24','location':{"
                          "'country':'C','country_code':'AZ','country':'D'},'occasion':"
                          "{'subject':'S'},'sources':['s1']}],'title':'U','sources':[{'id':'s1',"
                          "'document':'d','document':'e'}]}"),
                     CHRONICLE_ERR_DATA);
    EXPECT(
        f, {.pointer = "/x~1y~0", .message = "duplicate member (a JSON object may name it once)"},
        {.pointer = "/events/0/id", .message = "duplicate member (a JSON object may name it once)"},
        {.pointer = "/events/0/location/country",
         .message = "duplicate member (a JSON object may name it once)"},
        {.pointer = "/title", .message = "duplicate member (a JSON object may name it once)"},
        {.pointer = "/sources/0/document",
         .message = "duplicate member (a JSON object may name it once)"});
}

static void test_reports_events_given_twice(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, DOC(EVENT(""))), CHRONICLE_OK);
    assert_int_equal(load(f, "{" HEAD ",'events':[" EVENT("") "],'events':[" EVENT("") "]}"),
                     CHRONICLE_ERR_DATA);
    EXPECT(f,
           {.pointer = "/events", .message = "duplicate member (a JSON object may name it once)"});
}

static void test_rejects_invalid_utf8(void **state)
{
    fixture *f = *state;
    expect_syntax(f, "{'title':'caf\xE9'}", 1, 14, "invalid UTF-8 (byte 0xE9)");
    expect_syntax(f, "{'title':'\xED\xA0\x80'}", 1, 11, "invalid UTF-8 (byte 0xED)"); /* U+D800 */
    expect_syntax(f, "{'title':'\xF4\x90\x80\x80'}", 1, 11, "invalid UTF-8 (byte 0xF4)");
    expect_syntax(f, "{'title':'ab\xE4\xB8'}", 1, 13, "invalid UTF-8 (byte 0xE4)"); /* cut */
}

static void test_rejects_invalid_utf8_in_key(void **state)
{
    expect_syntax(*state, "{'k\xC3':1}", 1, 4, "invalid UTF-8 (byte 0xC3)");
}

static void test_rejects_overlong_utf8(void **state)
{
    expect_syntax(*state, "{'k\xC0\xAF':1}", 1, 4, "invalid UTF-8 (byte 0xC0)");
}

static void test_rejects_raw_control_character(void **state)
{
    expect_syntax(*state, "{'title':'a\x01'}", 1, 12, "control character U+0001 in a string");
}

static void test_rejects_raw_tab_in_string(void **state)
{
    expect_syntax(*state, "{'title':'a\tb'}", 1, 12, "control character U+0009 in a string");
}

static void test_rejects_c1_control_character(void **state)
{
    expect_syntax(*state, "{'title':'a\xC2\x85'}", 1, 12, "control character U+0085 in a string");
}

static void test_rejects_escaped_escape_character(void **state)
{
    expect_syntax(*state, "{'title':'a\\u001b[31m'}", 1, 12,
                  "control character U+001B is not allowed in text");
}

static void test_rejects_escaped_nul(void **state)
{
    expect_syntax(*state, "{'title':'a\\u0000'}", 1, 12, "\\u0000 is not allowed in text");
}

static void test_rejects_escaped_backspace(void **state)
{
    expect_syntax(*state, "{'title':'a\\b'}", 1, 12,
                  "control character \\b is not allowed in text");
}

static void test_rejects_lone_surrogate(void **state)
{
    fixture *f = *state;
    expect_syntax(f, "{'title':'\\ud800'}", 1, 11, "unpaired surrogate \\uD800");
    expect_syntax(f, "{'title':'\\udc00\\ud800'}", 1, 11, "unpaired surrogate \\uDC00");
    expect_syntax(f, "{'title':'\\ud800\\u0041'}", 1, 11, "unpaired surrogate \\uD800");
}

static void test_rejects_raw_nul_byte(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_bytes(f, "t.json", "{\"t\":\"a\0\"}", 10, CHRONICLE_FORMAT_AUTO),
                     CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "control character U+0000 in a string", 1, 8});
    assert_int_equal(load_bytes(f, "t.json", "{\"t\":\0}", 7, CHRONICLE_FORMAT_AUTO),
                     CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "unexpected byte 0x00", 1, 6});
}

static void test_rejects_leading_zero(void **state)
{
    expect_syntax(*state, "{'x':[1,012]}", 1, 9, "number with a leading zero");
}

static void test_rejects_malformed_numbers(void **state)
{
    fixture *f = *state;
    expect_syntax(f, "{'x':1.}", 1, 6, "invalid number: digits must follow '.'");
    expect_syntax(f, "{'x':1e}", 1, 6, "invalid number: bad exponent");
    expect_syntax(f, "{'x':-}", 1, 6, "invalid number");
    expect_syntax(f, "{'x':+1}", 1, 6, "unexpected character '+'");
    expect_syntax(f, "{'x':NaN}", 1, 6, "unexpected character 'N'");
}

static void test_rejects_trailing_comma(void **state)
{
    fixture *f = *state;
    expect_syntax(f, "{'x':[1,]}", 1, 9, "unexpected character ']'");
    expect_syntax(f, "{'x':1,}", 1, 8, "expected a member name in quotes");
}

static void test_rejects_content_after_the_object(void **state)
{
    expect_syntax(*state,
                  "{'schema':'chronicle/events@1','title':'T','sources':[],'events':[]}\n x", 2, 2,
                  "unexpected content after the dataset object");
}

/* Deep nesting is an error message, never a stack overflow. */
static void expect_too_deep(fixture *f, const char *prefix, const char *name, unsigned long line,
                            unsigned long col)
{
    const size_t depth = 100000;
    size_t plen = strlen(prefix);
    char *text = malloc(plen + 2 * depth + 2);
    assert_non_null(text);
    memcpy(text, prefix, plen);
    memset(text + plen, '[', depth);
    memset(text + plen + depth, ']', depth);
    memcpy(text + plen + 2 * depth, "]}", 2);
    assert_int_equal(load_bytes(f, name, text, plen + 2 * depth + 2, CHRONICLE_FORMAT_AUTO),
                     CHRONICLE_ERR_DATA);
    free(text);
    EXPECT(f, {NULL, "nesting deeper than 64 levels", line, col});
}

static void test_rejects_100000_deep_nesting(void **state)
{
    fixture *f = *state;
    static const char events[] =
        "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[],\"events\":[";
    static const char member[] = "{\"x\":[";
    static const char ndjson[] =
        "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[]}\n";
    /* the prefix ends at level 2, so its 63rd bracket opens level 65 */
    expect_too_deep(f, events, "t.json", 1, sizeof events - 1 + 63);
    expect_too_deep(f, member, "t.json", 1, sizeof member - 1 + 63);
    /* an NDJSON line is a document of its own, at most 63 levels below the file */
    expect_too_deep(f, ndjson, "t.ndjson", 2, 64);
}

static void test_rejects_100000_deep_top_level_array(void **state)
{
    fixture *f = *state;
    const size_t depth = 100000;
    char *text = malloc(2 * depth);
    assert_non_null(text);
    memset(text, '[', depth);
    memset(text + depth, ']', depth);
    assert_int_equal(load_bytes(f, "t.json", text, 2 * depth, CHRONICLE_FORMAT_AUTO),
                     CHRONICLE_ERR_DATA);
    free(text);
    EXPECT(f, {NULL, "expected '{': a dataset is a JSON object", 1, 1});
}

/* An event whose member "x" holds k nested arrays: 3 + k levels in all. */
static chronicle_status load_nested_event(fixture *f, int k, size_t *x_at)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":"
                           "[{\"id\":\"s1\",\"document\":\"d\"}],\"events\":[{\"x\":");
    *x_at = b.len;
    for (int i = 0; i < k; i++)
        chronicle_buf_putc(&b, '[');
    for (int i = 0; i < k; i++)
        chronicle_buf_putc(&b, ']');
    chronicle_buf_puts(&b, ",\"id\":\"e1\",\"title\":\"E\",\"date\":\"2023-02-24\",\"location\":"
                           "{\"country\":\"C\",\"country_code\":\"AZ\"},\"occasion\":"
                           "{\"subject\":\"S\"},\"sources\":[\"s1\"]}]}");
    chronicle_status st = load_bytes(f, "t.json", b.ptr, b.len, CHRONICLE_FORMAT_AUTO);
    chronicle_buf_free(&b);
    return st;
}

static void test_accepts_nesting_up_to_64_levels(void **state)
{
    fixture *f = *state;
    size_t x_at;
    assert_int_equal(load_nested_event(f, 61, &x_at), CHRONICLE_OK);
    assert_int_equal(load_nested_event(f, 62, &x_at), CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "nesting deeper than 64 levels", 1, x_at + 62});
}

static void test_rejects_truncated_input(void **state)
{
    fixture *f = *state;
    expect_cut(f, "{", "unexpected end of input");
    expect_cut(f, "{'schema'", "unexpected end of input");
    expect_cut(f, "{'schema':", "unexpected end of input");
    expect_cut(f, "{'schema':'chronicle/events@1',", "unexpected end of input");
    expect_syntax(f, "{'schema':'chronicle/ev", 1, 11, "unterminated string");
    expect_cut(f, "{" HEAD ",'events':[", "unexpected end of input in \"events\"");
    expect_cut(f, "{" HEAD ",'events':[" EVENT("") ",", "unexpected end of input in \"events\"");
    expect_cut(f, "{" HEAD ",'events':[{'id':'e1','n':12", "unexpected end of input");
    expect_cut(f, "{" HEAD ",'events':[]", "unexpected end of input");
    expect_syntax(f, "{'x':tru", 1, 6, "unexpected end of input");
    expect_syntax(f, "{'x':'a\\u00", 1, 8, "unterminated string");
}

/* Every proper prefix of a valid document is invalid, and says so. */
static void test_rejects_every_prefix_of_a_valid_document(void **state)
{
    fixture *f = *state;
    static const char full[] =
        "{\"schema\":\"chronicle/events@1\",\"title\":\"T \\u00e9\\ud83d\\ude00\",\"sources\":"
        "[{\"id\":\"s1\",\"document\":\"d\"}],\"events\":[{\"id\":\"e1\",\"title\":\"E\","
        "\"date\":\"2023-02-24\",\"location\":{\"country\":\"C\",\"country_code\":\"AZ\"},"
        "\"occasion\":{\"subject\":\"S\",\"anniversary\":31},\"sources\":[\"s1\"],"
        "\"figures\":[{\"label\":\"L\",\"value\":-12.5e3,\"source\":\"s1\"}],\"x\":[true,false,"
        "null]}]}";
    size_t n = sizeof full - 1;
    assert_int_equal(load_bytes(f, "t.json", full, n, CHRONICLE_FORMAT_AUTO), CHRONICLE_OK);
    for (size_t len = 0; len < n; len++) {
        assert_int_equal(load_bytes(f, "t.json", full, len, CHRONICLE_FORMAT_AUTO),
                         CHRONICLE_ERR_DATA);
        assert_true(chronicle_diag_errors(f->diag) >= 1);
        const chronicle_diag_entry *e =
            chronicle_diag_at(f->diag, chronicle_diag_count(f->diag) - 1);
        if (len) {
            assert_null(e->pointer); /* the last word is a syntax error, with a place */
            assert_int_equal(e->line, 1);
            assert_in_range(e->col, 1, len + 1);
        }
    }
}

static void test_rejects_empty_input(void **state)
{
    fixture *f = *state;
    /* placed at the end of the input, where the object was expected */
    expect_syntax(f, "", 1, 1, "the file is empty (expected a JSON object)");
    expect_syntax(f, " \n\t\r\n", 3, 1, "the file is empty (expected a JSON object)");
    assert_int_equal(load_as(f, "t.ndjson", "\n\n"), CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "the file is empty (expected a header line)", 3, 1});
}

static void test_counts_columns_in_characters(void **state)
{
    fixture *f = *state;
    /* "é" and "中" are one column each, and lines restart the count */
    expect_syntax(f, "{'title':'é中','x':01}", 1, 19, "number with a leading zero");
    expect_syntax(f, "{'title':'é中',\r\n  'x':01}", 2, 7, "number with a leading zero");
}

/* ---- NDJSON ---- */

static void test_ndjson_loads_header_and_events(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    assert_int_equal(load_as(f, "t.ndjson",
                             NDJSON_HEAD "\n" EVENT("") "\r\n\n  \n" EVENT_FULL("e2", "2019-02-26",
                                                                          "QA", "") "\n"),
                     CHRONICLE_OK);
    /* clang-format on */
    assert_int_equal(chronicle_diag_count(f->diag), 0);
    assert_int_equal(chronicle_dataset_event_count(f->ds), 2);
    assert_string_equal(chronicle_dataset_event(f->ds, 1)->country_code.ptr, "QA");
    assert_string_equal(chronicle_dataset_get_info(f->ds)->stem.ptr, "t");
}

static void test_ndjson_without_final_newline(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_as(f, "t.jsonl", NDJSON_HEAD EVENT("")), CHRONICLE_OK);
    assert_int_equal(chronicle_dataset_event_count(f->ds), 1);
}

static void test_ndjson_chosen_by_option(void **state)
{
    fixture *f = *state;
    const char *text = "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[]}\n";
    assert_int_equal(load_bytes(f, "stdin", text, strlen(text), CHRONICLE_FORMAT_NDJSON),
                     CHRONICLE_OK);
    /* the same name read as JSON: content follows the first object */
    char two[256];
    snprintf(two, sizeof two, "%s%s", text, text);
    assert_int_equal(load_bytes(f, "x.ndjson", two, strlen(two), CHRONICLE_FORMAT_JSON),
                     CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "unexpected content after the dataset object", 2, 1});
}

static void test_ndjson_syntax_error_spoils_one_line(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    assert_int_equal(load_as(f, "t.ndjson",
                             NDJSON_HEAD EVENT("") "\n"
                             "{'id':'e2','title':\n"
                             "\n" EVENT_FULL("e3", "2023-02-30", "AZ", "") "\n"
                             EVENT_FULL("e4", "2023-03-01", "AZ", "") "\n"),
                     CHRONICLE_ERR_DATA);
    /* clang-format on */
    /* the broken line is event 1; the lines after it are still checked */
    EXPECT(f, {NULL, "unexpected end of input", 3, 20},
           {.pointer = "/events/2/date",
            .message = "\"2023-02-30\" is not a calendar date (YYYY-MM-DD)"});
}

static void test_ndjson_rejects_trailing_garbage(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_as(f, "t.ndjson", NDJSON_HEAD EVENT("") " x\n"), CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "unexpected content after the value (one value per line)", 2,
               sizeof EVENT("") + 1});
}

static void test_ndjson_header_without_schema(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        load_as(f, "t.ndjson", "{'title':'T','sources':[{'id':'s1','document':'d'}]}\n" EVENT("")),
        CHRONICLE_ERR_DATA);
    EXPECT(f, {.pointer = "/schema", .message = "required member is missing from the header line"});
}

static void test_ndjson_header_must_be_an_object(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_as(f, "t.ndjson", "[1]\n"), CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "the first line must be the header object", 1, 1},
           {.pointer = "/schema", .message = "required member is missing from the header line"},
           {.pointer = "/title", .message = "required member is missing from the header line"},
           {.pointer = "/sources", .message = "required member is missing from the header line"});
}

static void test_ndjson_header_must_not_hold_events(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_as(f, "t.ndjson", "{" HEAD ",'events':[]}\n"), CHRONICLE_ERR_DATA);
    EXPECT(f, {.pointer = "/events",
               .message = "events go on the lines after the header, one per line"});
}

static void test_ndjson_reports_duplicate_keys_once(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    assert_int_equal(load_as(f, "t.ndjson",
                             "{" HEAD ",'title':'U'}\n" EVENT("") "\n"
                             "{'id':'e2','id':'e3','title':'E','date':'2023-02-24','location':"
                             "{'country':'C','country_code':'AZ'},'occasion':{'subject':'S'},"
                             "'sources':['s1']}\n"),
                     CHRONICLE_ERR_DATA);
    /* clang-format on */
    EXPECT(f, {.pointer = "/title", .message = "duplicate member (a JSON object may name it once)"},
           {.pointer = "/events/1/id",
            .message = "duplicate member (a JSON object may name it once)"});
}

/* ---- many errors ---- */

static void test_three_defects_give_three_errors_each_in_its_place(void **state)
{
    fixture *f = *state;
    /* clang-format off */
    assert_int_equal(load(f, "{'schema':'chronicle/events@1','title':'T','sources':["
                             "{'id':'s1','document':'d','published':'2023-02-29'}],'events':["
                             EVENT("") "," EVENT_FULL("e2", "2023-02-24", "XX", "") ","
                             EVENT_FULL("e3", "2023-02-24", "AZ",
                                        ",'figures':[{'label':'L','value':1,'source':'s2'}]")
                             "]}"),
                     CHRONICLE_ERR_DATA);
    /* clang-format on */
    EXPECT(f,
           {.pointer = "/sources/0/published",
            .message = "\"2023-02-29\" is not a calendar date (YYYY-MM-DD)"},
           {.pointer = "/events/1/location/country_code",
            .message =
                "\"XX\" is not an ISO 3166-1 alpha-2 code (two upper-case letters, e.g. \"AZ\")"},
           {.pointer = "/events/2/figures/0/source",
            .message = "unknown source \"s2\" (not in /sources)"});
}

static void test_reports_all_errors_up_to_the_limit(void **state)
{
    fixture *f = *state;
    chronicle_diag_free(f->diag);
    f->diag = chronicle_diag_new(5);
    assert_non_null(f->diag);
    /* eight bad dates: five kept, three counted */
    /* clang-format off */
    assert_int_equal(load(f, DOC(EVENT_FULL("a", "2023-02-30", "AZ", "") ","
                                 EVENT_FULL("b", "2023-02-31", "AZ", "") ","
                                 EVENT_FULL("c", "2023-04-31", "AZ", "") ","
                                 EVENT_FULL("d", "2023-06-31", "AZ", "") ","
                                 EVENT_FULL("e", "2023-09-31", "AZ", "") ","
                                 EVENT_FULL("f", "2023-11-31", "AZ", "") ","
                                 EVENT_FULL("g", "2023-00-01", "AZ", "") ","
                                 EVENT_FULL("h", "2023-01-00", "AZ", ""))),
                     CHRONICLE_ERR_DATA);
    /* clang-format on */
    assert_int_equal(chronicle_diag_count(f->diag), 5);
    assert_int_equal(chronicle_diag_dropped(f->diag), 3);
    assert_int_equal(chronicle_diag_errors(f->diag), 8);
    for (size_t i = 0; i < 5; i++) {
        char ptr[32];
        snprintf(ptr, sizeof ptr, "/events/%zu/date", i);
        assert_string_equal(chronicle_diag_at(f->diag, i)->pointer, ptr);
    }
}

static void test_messages_name_the_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(load_as(f, "dir/x.json", DOC(EVENT_ON("2023-02-30", ""))), CHRONICLE_ERR_DATA);
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_diag_format(chronicle_diag_at(f->diag, 0), &b);
    assert_string_equal(chronicle_buf_cstr(&b),
                        "dir/x.json: /events/0/date: \"2023-02-30\" is not a calendar date "
                        "(YYYY-MM-DD)");
    assert_int_equal(load_as(f, "dir/x.json", "{'x':01}"), CHRONICLE_ERR_DATA);
    chronicle_buf_reset(&b);
    chronicle_diag_format(chronicle_diag_at(f->diag, 0), &b);
    assert_string_equal(chronicle_buf_cstr(&b), "dir/x.json:1:6: number with a leading zero");
    chronicle_buf_free(&b);
}

/* ---- cJSON's per-event block (load.c) ---- */

/* An event of many nodes and a 3 MiB string overflows the 1 MiB block the
 * loader lends cJSON per event: the rest goes to malloc.  The events before
 * and after, parsed in the block, come back whole, and cJSON works as usual
 * outside a load. */
static void test_load_event_larger_than_the_parse_block(void **state)
{
    fixture *f = *state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":"
                           "[{\"id\":\"s1\",\"document\":\"d\"}],\"events\":[");
    const char *tail = "\"location\":{\"country\":\"C\",\"country_code\":\"AZ\"},"
                       "\"occasion\":{\"subject\":\"S\"},\"sources\":[\"s1\"]}";
    chronicle_buf_appendf(&b, "{\"id\":\"a\",\"title\":\"Before\",\"date\":\"2023-01-01\",%s,",
                          tail);
    chronicle_buf_puts(&b, "{\"id\":\"big\",\"title\":\"Big\",\"date\":\"2023-01-02\",\"tags\":[");
    const size_t n_tags = 40000; /* ~64 bytes of cJSON node each: 2.5 MiB */
    for (size_t i = 0; i < n_tags; i++)
        chronicle_buf_appendf(&b, "%s\"t%zu\"", i ? "," : "", i);
    chronicle_buf_puts(&b, "],\"summary\":\"");
    const size_t n_words = (3u << 20) / 8;
    for (size_t i = 0; i < n_words; i++)
        chronicle_buf_puts(&b, "abcdefé ");
    chronicle_buf_appendf(&b, "\",%s,", tail);
    chronicle_buf_appendf(&b, "{\"id\":\"z\",\"title\":\"After\",\"date\":\"2023-01-03\",%s]}",
                          tail);
    assert_int_equal(load_bytes(f, "t.json", b.ptr, b.len, CHRONICLE_FORMAT_JSON), CHRONICLE_OK);
    chronicle_buf_free(&b);

    const chronicle_event *ev[3];
    for (size_t i = 0; i < 3; i++)
        assert_non_null(ev[i] = chronicle_dataset_event(f->ds, i));
    assert_null(chronicle_dataset_event(f->ds, 3));
    assert_string_equal(ev[0]->title.ptr, "Before");
    assert_string_equal(ev[2]->title.ptr, "After");
    assert_string_equal(ev[2]->country_code.ptr, "AZ");
    assert_int_equal(ev[1]->n_tags, n_tags);
    assert_string_equal(ev[1]->tags[0].ptr, "t0");
    assert_string_equal(ev[1]->tags[n_tags - 1].ptr, "t39999");
    assert_int_equal(ev[1]->summary.len, n_words * 9);
    assert_memory_equal(ev[1]->summary.ptr + ev[1]->summary.len - 9, "abcdef\xC3\xA9 ", 9);

    cJSON *o = cJSON_CreateObject();
    assert_non_null(o);
    assert_non_null(cJSON_AddStringToObject(o, "k", "after a load"));
    char *text = cJSON_PrintUnformatted(o);
    assert_string_equal(text, "{\"k\":\"after a load\"}");
    cJSON_free(text);
    cJSON_Delete(o);
}

/* ---- from files: the streaming window ---- */

static char *temp_dir(void)
{
    char tmpl[] = "/tmp/chronicle-test-XXXXXX";
    char *d = mkdtemp(tmpl);
    assert_non_null(d);
    return strdup(d);
}

static char *write_file(const char *dir, const char *name, const char *text, size_t len)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    FILE *fp = fopen(path, "wb");
    assert_non_null(fp);
    assert_int_equal(fwrite(text, 1, len, fp), len);
    assert_int_equal(fclose(fp), 0);
    return path;
}

/* A file larger than the 1 MiB read window, with a defect on its last line
 * and a string longer than the window. */
static void test_load_file_across_read_windows(void **state)
{
    fixture *f = *state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":"
                           "[{\"id\":\"s1\",\"document\":\"d\"}],\n\"events\":[\n");
    const size_t n_events = 20000;
    for (size_t i = 0; i < n_events; i++)
        chronicle_buf_appendf(
            &b,
            "{\"id\":\"e%zu\",\"title\":\"Événement %zu\",\"date\":\"2023-02-24\","
            "\"location\":{\"country\":\"C\",\"country_code\":\"AZ\"},"
            "\"occasion\":{\"subject\":\"S\"},\"sources\":[\"s1\"]},\n",
            i, i);
    chronicle_buf_puts(&b,
                       "{\"id\":\"long\",\"title\":\"E\",\"date\":\"2023-02-24\",\"summary\":\"");
    for (size_t i = 0; i < (3u << 20) / 8; i++)
        chronicle_buf_puts(&b, "abcdefé ");
    chronicle_buf_puts(&b, "\",\"location\":{\"country\":\"C\",\"country_code\":\"AZ\"},"
                           "\"occasion\":{\"subject\":\"S\"},\"sources\":[\"s1\"]}\n]}");
    char *dir = temp_dir();
    char *path = write_file(dir, "big.json", b.ptr, b.len);
    assert_int_equal(chronicle_dataset_load(path, NULL, &f->ds, f->diag), CHRONICLE_OK);
    assert_int_equal(chronicle_dataset_event_count(f->ds), n_events + 1);
    assert_string_equal(chronicle_dataset_event(f->ds, 12345)->title.ptr, "Événement 12345");
    assert_int_equal(chronicle_dataset_event(f->ds, n_events)->summary.len, (3u << 20) / 8 * 9);
    chronicle_dataset_free(f->ds);
    f->ds = NULL;
    unlink(path);
    free(path);

    /* now break the last line: "]}" becomes "]x" */
    b.ptr[b.len - 1] = 'x';
    path = write_file(dir, "big.json", b.ptr, b.len);
    assert_int_equal(chronicle_dataset_load(path, NULL, &f->ds, f->diag), CHRONICLE_ERR_DATA);
    EXPECT(f, {NULL, "expected ',' or '}' after a member", n_events + 4, 2});
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
    chronicle_buf_free(&b);
}

/* A file and a memory buffer with the same bytes get the same words, so
 * what the CLI prints is what these tests check. */
static void test_file_and_buffer_report_alike(void **state)
{
    fixture *f = *state;
    static const char full[] =
        "{\"schema\":\"chronicle/events@1\",\n\"title\":\"T \\u00e9\",\"sources\":[],\n"
        "\"events\":[{\"id\":\"e1\",\"date\":\"2023-02-24\",\"x\":[1.5e3,true,null]}]}";
    char *dir = temp_dir();
    chronicle_buf from_file = CHRONICLE_BUF_INIT, from_memory = CHRONICLE_BUF_INIT;
    for (size_t len = 0; len < sizeof full - 1; len++) {
        char *path = write_file(dir, "cut.json", full, len);
        chronicle_diag_clear(f->diag);
        assert_int_equal(chronicle_dataset_load(path, NULL, &f->ds, f->diag), CHRONICLE_ERR_DATA);
        chronicle_buf_reset(&from_file);
        for (size_t i = 0; i < chronicle_diag_count(f->diag); i++)
            chronicle_diag_format(chronicle_diag_at(f->diag, i), &from_file);
        assert_int_equal(load_bytes(f, path, full, len, CHRONICLE_FORMAT_AUTO), CHRONICLE_ERR_DATA);
        chronicle_buf_reset(&from_memory);
        for (size_t i = 0; i < chronicle_diag_count(f->diag); i++)
            chronicle_diag_format(chronicle_diag_at(f->diag, i), &from_memory);
        assert_string_equal(chronicle_buf_cstr(&from_file), chronicle_buf_cstr(&from_memory));
        unlink(path);
        free(path);
    }
    chronicle_buf_free(&from_file);
    chronicle_buf_free(&from_memory);
    rmdir(dir);
    free(dir);
}

static void test_load_refuses_directory_and_missing_file(void **state)
{
    fixture *f = *state;
    char *dir = temp_dir();
    assert_int_equal(chronicle_dataset_load(dir, NULL, &f->ds, f->diag), CHRONICLE_ERR_IO);
    assert_null(f->ds);
    assert_string_equal(chronicle_diag_at(f->diag, 0)->message,
                        "is a directory, not a dataset file");
    assert_string_equal(chronicle_diag_at(f->diag, 0)->file, dir);
    chronicle_diag_clear(f->diag);
    rmdir(dir);
    assert_int_equal(chronicle_dataset_load(dir, NULL, &f->ds, f->diag), CHRONICLE_ERR_IO);
    assert_string_equal(chronicle_diag_at(f->diag, 0)->message,
                        "cannot open: No such file or directory");
    free(dir);
}

/* ---- indexed datasets: an index in memory, each event read again ---- */

static void assert_same_str(chronicle_str a, chronicle_str b)
{
    if (!a.ptr || !b.ptr) {
        assert_null(a.ptr);
        assert_null(b.ptr);
        return;
    }
    assert_int_equal(a.len, b.len);
    assert_memory_equal(a.ptr, b.ptr, a.len);
    assert_int_equal(b.ptr[b.len], '\0');
}

static void assert_same_strs(const chronicle_str *a, size_t na, const chronicle_str *b, size_t nb)
{
    assert_int_equal(na, nb);
    for (size_t i = 0; i < na; i++)
        assert_same_str(a[i], b[i]);
}

/* Every member of two events, deeply (sources by id: each dataset has its
 * own). */
static void assert_same_event(const chronicle_event *a, const chronicle_event *b)
{
    assert_int_equal(a->struct_size, b->struct_size);
    assert_int_equal(a->date_ymd, b->date_ymd);
    assert_int_equal(a->end_date_ymd, b->end_date_ymd);
    assert_int_equal(a->anniversary, b->anniversary);
    const chronicle_str *sa[] = {
        &a->id,   &a->title,   &a->date,         &a->end_date, &a->summary,         &a->venue,
        &a->city, &a->country, &a->country_code, &a->occasion, &a->occasion_of_date};
    const chronicle_str *sb[] = {
        &b->id,   &b->title,   &b->date,         &b->end_date, &b->summary,         &b->venue,
        &b->city, &b->country, &b->country_code, &b->occasion, &b->occasion_of_date};
    for (size_t i = 0; i < sizeof sa / sizeof *sa; i++)
        assert_same_str(*sa[i], *sb[i]);
    assert_same_strs(a->organizers, a->n_organizers, b->organizers, b->n_organizers);
    assert_same_strs(a->audience, a->n_audience, b->audience, b->n_audience);
    assert_same_strs(a->tags, a->n_tags, b->tags, b->n_tags);
    assert_int_equal(a->n_participants, b->n_participants);
    for (size_t i = 0; i < a->n_participants; i++) {
        const chronicle_participant *p = a->participants[i], *q = b->participants[i];
        assert_int_equal(p->spoke, q->spoke);
        assert_same_str(p->name, q->name);
        assert_same_str(p->role, q->role);
        assert_same_str(p->organization, q->organization);
    }
    assert_int_equal(a->n_activities, b->n_activities);
    for (size_t i = 0; i < a->n_activities; i++) {
        const chronicle_activity *p = a->activities[i], *q = b->activities[i];
        assert_same_str(p->kind, q->kind);
        assert_same_str(p->title, q->title);
        assert_same_str(p->description, q->description);
        assert_same_strs(p->performers, p->n_performers, q->performers, q->n_performers);
    }
    assert_int_equal(a->n_statements, b->n_statements);
    for (size_t i = 0; i < a->n_statements; i++) {
        const chronicle_statement *p = a->statements[i], *q = b->statements[i];
        assert_same_str(p->speaker, q->speaker);
        assert_same_str(p->summary, q->summary);
        assert_same_str(p->quote, q->quote);
        assert_same_str(p->source->id, q->source->id);
    }
    assert_int_equal(a->n_figures, b->n_figures);
    for (size_t i = 0; i < a->n_figures; i++) {
        const chronicle_figure *p = a->figures[i], *q = b->figures[i];
        assert_same_str(p->label, q->label);
        assert_same_str(p->unit, q->unit);
        assert_same_str(p->note, q->note);
        assert_true(p->value == q->value);
        assert_same_str(p->source->id, q->source->id);
    }
    assert_int_equal(a->n_sources, b->n_sources);
    for (size_t i = 0; i < a->n_sources; i++)
        assert_same_str(a->sources[i]->id, b->sources[i]->id);
}

/* Events before "sources" (so their sources start as forward references),
 * every optional member, and sources cited only by statements and figures. */
static const char indexed_doc[] =
    "{'schema':'chronicle/events@1','title':'T','events':["
    "{'id':'e2','title':'Second','date':'2024-02-26','end_date':'2024-02-27',"
    "'location':{'venue':'Hall','city':'Şəki','country':'Azərbaycan','country_code':'AZ'},"
    "'occasion':{'subject':'S','of_date':'1992-02-26','anniversary':32},"
    "'organizers':['Org A','Org B'],'audience':['students'],'tags':['t1','t2'],'sources':['s1'],"
    "'participants':[{'name':'Анна','role':'speaker','organization':'O','spoke':true},{'name':'P2'}"
    "],"
    "'activities':[{'kind':'concert','title':'C','description':'long text','performers':['choir']},"
    "{'kind':'exhibition'},{'kind':'concert'}],"
    "'statements':[{'speaker':'Анна','summary':'said','quote':'q','source':'s2'}],"
    "'figures':[{'label':'people','value':1200.5,'unit':'persons','note':'n','source':'s3'}],"
    "'summary':'A summary.'},"
    "{'id':'e1','title':'First','date':'2023-02-24','location':{'country':'C','country_code':'FR'},"
    "'occasion':{'subject':'S'},'sources':['s2','s1'],'tags':['t1']}],"
    "'sources':[{'id':'s1','document':'d1'},{'id':'s2','outlet':'O2','document':'d2','published':'"
    "2023-02-25'},"
    "{'id':'s3','document':'d3','url':'https://example.org/x'}]}";

static char *write_indexed_doc(const char *dir)
{
    char json[sizeof indexed_doc];
    for (size_t i = 0; i < sizeof json; i++)
        json[i] = indexed_doc[i] == '\'' ? '"' : indexed_doc[i];
    return write_file(dir, "indexed.json", json, sizeof json - 1);
}

static void test_indexed_load_reads_every_event_again(void **state)
{
    fixture *f = *state;
    char *dir = temp_dir();
    char *path = write_indexed_doc(dir);
    chronicle_dataset *full = NULL;
    assert_int_equal(chronicle_dataset_load(path, NULL, &full, f->diag), CHRONICLE_OK);
    chronicle_load_opts opts = {.indexed = 1};
    assert_int_equal(chronicle_dataset_load(path, &opts, &f->ds, f->diag), CHRONICLE_OK);
    assert_false(chronicle_dataset_indexed(full));
    assert_true(chronicle_dataset_indexed(f->ds));
    size_t n = chronicle_dataset_event_count(f->ds);
    assert_int_equal(n, 2);
    assert_int_equal(chronicle_dataset_event_count(full), n);

    /* the index entries hold what selecting, splitting and summarising read */
    const chronicle_event *all[2], *stubs[2];
    for (size_t i = 0; i < n; i++) {
        const chronicle_event *e = all[i] = chronicle_dataset_event(full, i);
        const chronicle_event *s = stubs[i] = chronicle_dataset_event(f->ds, i);
        assert_same_str(e->id, s->id);
        assert_same_str(e->date, s->date);
        assert_same_str(e->end_date, s->end_date);
        assert_same_str(e->country, s->country);
        assert_same_str(e->country_code, s->country_code);
        assert_same_strs(e->organizers, e->n_organizers, s->organizers, s->n_organizers);
        assert_same_strs(e->tags, e->n_tags, s->tags, s->n_tags);
        assert_int_equal(e->date_ymd, s->date_ymd);
        assert_int_equal(e->n_participants, s->n_participants);
        assert_int_equal(e->n_activities, s->n_activities);
        assert_int_equal(e->n_statements, s->n_statements);
        assert_int_equal(e->n_figures, s->n_figures);
        for (size_t k = 0; k < e->n_activities; k++)
            assert_same_str(e->activities[k]->kind, s->activities[k]->kind);
    }
    chronicle_summary *sum_full = NULL, *sum_idx = NULL;
    assert_int_equal(chronicle_summary_build(all, n, &sum_full), CHRONICLE_OK);
    assert_int_equal(chronicle_summary_build(stubs, n, &sum_idx), CHRONICLE_OK);
    assert_int_equal(sum_idx->n_sources_cited, 3); /* s3 only by a figure */
    assert_int_equal(sum_idx->n_sources_cited, sum_full->n_sources_cited);
    assert_int_equal(sum_idx->n_by_activity_kind, 2);
    for (size_t k = 0; k < 2; k++) {
        assert_same_str(sum_full->by_activity_kind[k].key, sum_idx->by_activity_kind[k].key);
        assert_int_equal(sum_full->by_activity_kind[k].count, sum_idx->by_activity_kind[k].count);
    }
    assert_int_equal(sum_idx->n_by_organizer, sum_full->n_by_organizer);
    assert_int_equal(sum_idx->n_statements, sum_full->n_statements);
    chronicle_summary_free(sum_full);
    chronicle_summary_free(sum_idx);

    /* read again one at a time (memory reused), then kept */
    chronicle__event_cursor *r = chronicle__event_cursor_open(f->ds);
    assert_non_null(r);
    chronicle_buf why = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        const chronicle_event *e = chronicle__event_cursor_read(r, stubs[i], 0, &why);
        assert_non_null(e);
        assert_same_event(all[i], e);
        assert_int_equal(e->occasion_of_date_ymd, !strcmp(e->id.ptr, "e2") ? 19920226 : 0);
    }
    const chronicle_event *kept[2];
    for (size_t i = 0; i < n; i++)
        assert_non_null(kept[i] = chronicle__event_cursor_read(r, stubs[i], 1, &why));
    for (size_t i = 0; i < n; i++)
        assert_same_event(all[i], kept[i]);
    assert_int_equal(why.len, 0);
    assert_true(chronicle__dataset_file_unchanged(f->ds, &why));
    chronicle__event_cursor_close(r);
    chronicle_buf_free(&why);
    chronicle_dataset_free(full);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* The core reads an indexed dataset's events as index entries (selecting,
 * sorting, splitting, summarising), never as views: what it makes of them
 * is what it makes of the whole events; the library's callers get views. */
static void test_indexed_selection_holds_entries(void **state)
{
    fixture *f = *state;
    char *dir = temp_dir();
    char *path = write_indexed_doc(dir);
    chronicle_dataset *full = NULL;
    assert_int_equal(chronicle_dataset_load(path, NULL, &full, f->diag), CHRONICLE_OK);
    chronicle_load_opts opts = {.indexed = 1};
    assert_int_equal(chronicle_dataset_load(path, &opts, &f->ds, f->diag), CHRONICLE_OK);

    const chronicle_event **ev = NULL, **whole = NULL, **pub = NULL;
    size_t n = 0, n_whole = 0, n_pub = 0;
    assert_int_equal(chronicle__dataset_select(f->ds, NULL, &ev, &n), CHRONICLE_OK);
    assert_int_equal(chronicle__dataset_select(full, NULL, &whole, &n_whole), CHRONICLE_OK);
    assert_int_equal(chronicle_dataset_select(f->ds, NULL, &pub, &n_pub), CHRONICLE_OK);
    assert_int_equal(n, 2);
    assert_int_equal(n_whole, 2);
    assert_int_equal(n_pub, 2);
    for (size_t i = 0; i < n; i++) {
        const event_entry *x = chronicle__as_entry(ev[i]);
        assert_non_null(x); /* the core's: entries */
        assert_null(chronicle__as_entry(whole[i]));
        assert_null(chronicle__as_entry(pub[i])); /* the library's callers': views */
        assert_ptr_equal(pub[i], chronicle_dataset_event(f->ds, x->index));
        assert_ptr_equal(chronicle__entry_find(pub[i]), x);
        assert_same_str(x->id, whole[i]->id); /* sorted alike: e1 (2023) before e2 */
        assert_same_str(pub[i]->id, whole[i]->id);
        assert_int_equal(x->date_ymd, whole[i]->date_ymd);
    }

    /* the summary of the entries is the whole events' */
    chronicle_summary *a = NULL, *b = NULL, *c = NULL;
    assert_int_equal(chronicle_summary_build(whole, n, &a), CHRONICLE_OK);
    assert_int_equal(chronicle_summary_build(ev, n, &b), CHRONICLE_OK);
    assert_int_equal(chronicle_dataset_summarize(f->ds, NULL, &c), CHRONICLE_OK);
    const chronicle_summary *got[] = {b, c};
    for (size_t k = 0; k < 2; k++) {
        const chronicle_summary *s = got[k];
        assert_int_equal(s->n_events, a->n_events);
        assert_int_equal(s->n_participants, a->n_participants);
        assert_int_equal(s->n_activities, a->n_activities);
        assert_int_equal(s->n_statements, a->n_statements);
        assert_int_equal(s->n_figures, a->n_figures);
        assert_int_equal(s->n_sources_cited, 3);
        assert_same_str(s->first_date, a->first_date);
        assert_same_str(s->last_date, a->last_date); /* e2's end date */
        assert_int_equal(s->n_by_year, a->n_by_year);
        assert_int_equal(s->n_by_country, 2);
        for (size_t i = 0; i < s->n_by_country; i++) {
            assert_same_str(s->by_country[i].key, a->by_country[i].key);
            assert_same_str(s->by_country[i].label, a->by_country[i].label);
        }
        assert_int_equal(s->n_by_organizer, 2);
        assert_int_equal(s->n_by_activity_kind, 2);
        for (size_t i = 0; i < s->n_by_activity_kind; i++) {
            assert_same_str(s->by_activity_kind[i].key, a->by_activity_kind[i].key);
            assert_int_equal(s->by_activity_kind[i].count, a->by_activity_kind[i].count);
        }
    }
    chronicle_summary_free(a);
    chronicle_summary_free(b);
    chronicle_summary_free(c);

    /* filtering and splitting read the entries as they read events */
    chronicle_filter only_t2 = {.tags = (const char *const[]){"t2"}, .n_tags = 1};
    chronicle_filter only_fr = {.countries = (const char *const[]){"fr"}, .n_countries = 1};
    chronicle_filter since = {.since = 20240227}; /* e2's end date overlaps */
    assert_true(chronicle_filter_match(&only_t2, ev[1]));
    assert_false(chronicle_filter_match(&only_t2, ev[0]));
    assert_true(chronicle_filter_match(&only_fr, ev[0]));
    assert_false(chronicle_filter_match(&only_fr, ev[1]));
    assert_true(chronicle_filter_match(&since, ev[1]));
    assert_false(chronicle_filter_match(&since, ev[0]));
    chronicle_split_key keys[] = {CHRONICLE_SPLIT_COUNTRY, CHRONICLE_SPLIT_YEAR,
                                  CHRONICLE_SPLIT_ORGANIZER, CHRONICLE_SPLIT_TAG};
    for (size_t k = 0; k < 4; k++) {
        chronicle_group *g = NULL, *h = NULL;
        size_t ng = 0, nh = 0;
        assert_int_equal(chronicle_split(whole, n, keys[k], &g, &ng), CHRONICLE_OK);
        assert_int_equal(chronicle_split(ev, n, keys[k], &h, &nh), CHRONICLE_OK);
        assert_int_equal(nh, ng);
        for (size_t i = 0; i < ng; i++) {
            assert_string_equal(h[i].name, g[i].name);
            assert_int_equal(h[i].n_events, g[i].n_events);
            for (size_t j = 0; j < g[i].n_events; j++)
                assert_same_str(chronicle__as_entry(h[i].events[j])->id, g[i].events[j]->id);
        }
        chronicle_groups_free(g, ng);
        chronicle_groups_free(h, nh);
    }

    /* a cursor reads the whole event behind an entry and behind its view */
    chronicle__event_cursor *r = chronicle__event_cursor_open(f->ds);
    chronicle_buf why = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < n; i++) {
        assert_same_event(whole[i], chronicle__event_cursor_read(r, ev[i], 0, &why));
        assert_same_event(whole[i], chronicle__event_cursor_read(r, pub[i], 0, &why));
    }
    assert_int_equal(why.len, 0);
    chronicle__event_cursor_close(r);
    free((void *)ev);
    free((void *)whole);
    free((void *)pub);
    chronicle_dataset_free(full);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* An index entry holds keys, not an event: on generated data of realistic
 * shape the index takes less than a third of the whole model (it took 0.46
 * of it while each entry copied a whole chronicle_event). */
static void test_indexed_index_is_lean(void **state)
{
    fixture *f = *state;
    char *dir = temp_dir();
    char path[4096];
    snprintf(path, sizeof path, "%s/gen.json", dir);
    FILE *fp = fopen(path, "w");
    assert_non_null(fp);
    assert_int_equal(chronicle__generate_dataset(fp, 4000, 7), CHRONICLE_OK);
    assert_int_equal(fclose(fp), 0);
    chronicle_dataset *full = NULL;
    assert_int_equal(chronicle_dataset_load(path, NULL, &full, f->diag), CHRONICLE_OK);
    chronicle_load_opts opts = {.indexed = 1};
    assert_int_equal(chronicle_dataset_load(path, &opts, &f->ds, f->diag), CHRONICLE_OK);
    size_t whole = chronicle_dataset_memory(full), index = chronicle_dataset_memory(f->ds);
    print_message("index %zu bytes, whole model %zu bytes (%.2f)\n", index, whole,
                  (double)index / (double)whole);
    assert_true(index * 3 < whole);
    /* views cost only when asked for, and are kept */
    const chronicle_event *v = chronicle_dataset_event(f->ds, 1234);
    assert_ptr_equal(v, chronicle_dataset_event(f->ds, 1234));
    assert_same_str(v->id, chronicle_dataset_event(full, 1234)->id);
    assert_true(chronicle_dataset_memory(f->ds) > index);
    chronicle_dataset_free(full);
    unlink(path);
    rmdir(dir);
    free(dir);
}

static void test_indexed_read_notices_a_changed_file(void **state)
{
    fixture *f = *state;
    char *dir = temp_dir();
    char *path = write_indexed_doc(dir);
    chronicle_load_opts opts = {.indexed = 1};
    assert_int_equal(chronicle_dataset_load(path, &opts, &f->ds, f->diag), CHRONICLE_OK);
    chronicle__event_cursor *r = chronicle__event_cursor_open(f->ds);
    assert_non_null(r);
    chronicle_buf why = CHRONICLE_BUF_INIT;
    /* the same size, another id: only reading the event again can tell */
    FILE *fp = fopen(path, "r+b");
    assert_non_null(fp);
    assert_int_equal(fseek(fp, (long)(strstr(indexed_doc, "'e2'") - indexed_doc), SEEK_SET), 0);
    assert_int_equal(fwrite("\"x2\"", 1, 4, fp), 4);
    assert_int_equal(fclose(fp), 0);
    assert_null(chronicle__event_cursor_read(r, chronicle_dataset_event(f->ds, 0), 0, &why));
    chronicle_buf expect = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&expect,
                          "%s: /events/0/id is not what was loaded: the file changed after "
                          "it was loaded; export it again",
                          path);
    assert_string_equal(chronicle_buf_cstr(&why), chronicle_buf_cstr(&expect));
    /* cut short: the reader says so */
    chronicle_buf_reset(&why);
    assert_int_equal(truncate(path, 40), 0);
    assert_null(chronicle__event_cursor_read(r, chronicle_dataset_event(f->ds, 1), 0, &why));
    assert_non_null(
        strstr(chronicle_buf_cstr(&why), "the file is shorter than when it was loaded"));
    chronicle_buf_reset(&why);
    assert_false(chronicle__dataset_file_unchanged(f->ds, &why));
    assert_non_null(strstr(chronicle_buf_cstr(&why), "the file changed after it was loaded"));
    chronicle__event_cursor_close(r);
    chronicle_buf_free(&why);
    chronicle_buf_free(&expect);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

/* ---- an event read again is checked as the load checked it ---- */

/* A copy of text with every ' turned into ".  Caller frees. */
static char *quoted(const char *text)
{
    char *s = strdup(text);
    assert_non_null(s);
    for (char *p = s; *p; p++)
        if (*p == '\'') *p = '"';
    return s;
}

/* Writes text (' for ") to dir/name, loads it as an indexed dataset, then
 * edits it in place as an editor saving during an export might: find
 * becomes put (as long), the size and modification time stay as loaded.
 * Returns the file's path; the caller frees it and removes the file. */
static char *load_then_edit(fixture *f, const char *dir, const char *name, const char *text,
                            const char *find, const char *put)
{
    char *json = quoted(text), *old = quoted(find), *new = quoted(put);
    char *path = write_file(dir, name, json, strlen(json));
    chronicle_load_opts opts = {.indexed = 1};
    chronicle_dataset_free(f->ds);
    f->ds = NULL;
    assert_int_equal(chronicle_dataset_load(path, &opts, &f->ds, f->diag), CHRONICLE_OK);
    char *at = strstr(json, old);
    assert_non_null(at);
    assert_null(strstr(at + 1, old)); /* found once */
    assert_int_equal(strlen(old), strlen(new));
    struct stat sb;
    assert_int_equal(stat(path, &sb), 0);
    int fd = open(path, O_WRONLY);
    assert_true(fd >= 0);
    ssize_t n = pwrite(fd, new, strlen(new), at - json);
    assert_int_equal(n, (ssize_t)strlen(new));
    struct timespec times[2] = {{.tv_nsec = UTIME_OMIT}, sb.st_mtim};
    assert_int_equal(futimens(fd, times), 0);
    assert_int_equal(close(fd), 0);
    chronicle_buf why = CHRONICLE_BUF_INIT;
    assert_true(
        chronicle__dataset_file_unchanged(f->ds, &why)); /* the size and the time cannot tell */
    chronicle_buf_free(&why);
    free(json);
    free(old);
    free(new);
    return path;
}

/* What reading event index of f->ds again says: NULL is asserted. */
static void read_again_refused(fixture *f, size_t index, chronicle_buf *why)
{
    chronicle__event_cursor *r = chronicle__event_cursor_open(f->ds);
    assert_non_null(r);
    assert_null(chronicle__event_cursor_read(r, chronicle_dataset_event(f->ds, index), 0, why));
    chronicle__event_cursor_close(r);
}

/* The edit spoils event index: reading it again is refused with what a
 * load of the edited file says first, then that the event is not what was
 * loaded. */
static void expect_reread_refused(fixture *f, const char *name, const char *text, const char *find,
                                  const char *put, size_t index)
{
    char *dir = temp_dir();
    char *path = load_then_edit(f, dir, name, text, find, put);
    chronicle_buf why = CHRONICLE_BUF_INIT, said = CHRONICLE_BUF_INIT;
    read_again_refused(f, index, &why);
    chronicle_diag *d = chronicle_diag_new(0);
    chronicle_dataset *now = NULL;
    assert_int_equal(chronicle_dataset_load(path, NULL, &now, d), CHRONICLE_ERR_DATA);
    size_t i = 0; /* the load's first error (indexed_doc has a warning) */
    while (chronicle_diag_at(d, i)->severity != CHRONICLE_SEV_ERROR)
        i++;
    chronicle_diag_format(chronicle_diag_at(d, i), &said);
    chronicle_buf_appendf(&said,
                          "; /events/%zu is not what was loaded: the file changed after it "
                          "was loaded; export it again",
                          index);
    assert_string_equal(chronicle_buf_cstr(&why), chronicle_buf_cstr(&said));
    chronicle_diag_free(d);
    chronicle_buf_free(&why);
    chronicle_buf_free(&said);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

static void test_reread_rejects_raw_control_character(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'long text'", "'long\x01text'", 0);
}

static void test_reread_rejects_invalid_utf8(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'Hall'", "'H\xC3(l'", 0);
}

static void test_reread_rejects_escaped_control_character(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'First'", "'Fi\\bt'", 1);
}

static void test_reread_rejects_leading_zero(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "1200.5", "0120.5", 0);
}

static void test_reread_rejects_duplicate_key(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'title':'First'", "'id':'e1','x':1", 1);
}

static void test_reread_rejects_invalid_date(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'date':'2023-02-24'",
                          "'date':'2023-02-29'", 1);
}

static void test_reread_rejects_dangling_source(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "['s2','s1']", "['s2','s4']", 1);
}

static void test_reread_rejects_wrong_type(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'spoke':true", "'spoke':'ok'", 0);
}

static void test_reread_rejects_content_after_the_event(void **state)
{
    expect_reread_refused(*state, "e.json", indexed_doc, "'tags':['t1']}", "'tags':[]}   x", 1);
}

static void test_reread_rejects_line_break_inside_ndjson_event(void **state)
{
    expect_reread_refused(*state, "e.ndjson", NDJSON_HEAD EVENT("") "\n", "'e1','title'",
                          "'e1'\n'title'", 0);
}

/* Valid, but not what the index holds: what was selected, split and
 * summarised would not be what the plugin reads.  The message names the
 * member. */
static void expect_reread_unlike_index(fixture *f, const char *find, const char *put, size_t index,
                                       const char *member)
{
    char *dir = temp_dir();
    char *path = load_then_edit(f, dir, "e.json", indexed_doc, find, put);
    chronicle_buf why = CHRONICLE_BUF_INIT, said = CHRONICLE_BUF_INIT;
    read_again_refused(f, index, &why);
    chronicle_buf_appendf(&said,
                          "%s: /events/%zu%s is not what was loaded: the file changed after "
                          "it was loaded; export it again",
                          path, index, member);
    assert_string_equal(chronicle_buf_cstr(&why), chronicle_buf_cstr(&said));
    chronicle_buf_free(&why);
    chronicle_buf_free(&said);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

static void test_reread_rejects_event_unlike_its_index_entry(void **state)
{
    expect_reread_unlike_index(*state, "'tags':['t1']}", "'tags':['t2']}", 1, "/tags");
    expect_reread_unlike_index(*state, "'country_code':'FR'", "'country_code':'DE'", 1,
                               "/location/country_code");
    expect_reread_unlike_index(*state, "'kind':'exhibition'", "'kind':'exposition'", 0,
                               "/activities");
    /* s3 was cited by the figure only: the sources the event cites change */
    expect_reread_unlike_index(*state, "'source':'s3'", "'source':'s1'", 0, "/sources");
}

/* A buffer cannot be read again: it is loaded whole, and an invalid file
 * reports the same errors either way. */
static void test_indexed_needs_a_file(void **state)
{
    fixture *f = *state;
    chronicle_load_opts opts = {.indexed = 1};
    const char *doc =
        "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[],\"events\":[]}";
    assert_int_equal(
        chronicle_dataset_load_buffer("b.json", doc, strlen(doc), &opts, &f->ds, f->diag),
        CHRONICLE_OK);
    assert_false(chronicle_dataset_indexed(f->ds));
    chronicle_dataset_free(f->ds);
    f->ds = NULL;
    char *dir = temp_dir();
    static const char bad[] = "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":[],"
                              "\"events\":[{\"id\":\"a\",\"date\":\"2023-02-30\"}]}";
    char *path = write_file(dir, "bad.json", bad, sizeof bad - 1);
    chronicle_buf whole = CHRONICLE_BUF_INIT, indexed = CHRONICLE_BUF_INIT;
    for (int mode = 0; mode < 2; mode++) {
        chronicle_diag_clear(f->diag);
        opts.indexed = mode;
        assert_int_equal(chronicle_dataset_load(path, &opts, &f->ds, f->diag), CHRONICLE_ERR_DATA);
        for (size_t i = 0; i < chronicle_diag_count(f->diag); i++)
            chronicle_diag_format(chronicle_diag_at(f->diag, i), mode ? &indexed : &whole);
    }
    assert_true(whole.len > 0);
    assert_string_equal(chronicle_buf_cstr(&whole), chronicle_buf_cstr(&indexed));
    chronicle_buf_free(&whole);
    chronicle_buf_free(&indexed);
    unlink(path);
    free(path);
    rmdir(dir);
    free(dir);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_load_minimal_dataset),
        T(test_load_keeps_every_optional_member),
        T(test_load_accepts_empty_dataset),
        T(test_load_accepts_members_in_any_order),
        T(test_load_ignores_unknown_members),
        T(test_load_accepts_schema_minor_version),
        T(test_load_tolerates_byte_order_mark),
        T(test_load_accepts_text_escapes_and_unicode),
        T(test_load_accepts_leap_days_and_equal_end_date),
        T(test_load_accepts_whole_anniversary_written_as_real),
        T(test_rejects_top_level_array),
        T(test_rejects_title_that_is_a_number),
        T(test_rejects_events_that_are_not_an_array),
        T(test_rejects_sources_that_are_not_an_array),
        T(test_rejects_event_that_is_not_an_object),
        T(test_rejects_date_that_is_a_number),
        T(test_rejects_location_that_is_a_string),
        T(test_rejects_spoke_yes),
        T(test_rejects_performers_that_are_not_an_array),
        T(test_rejects_tag_that_is_a_number),
        T(test_rejects_figure_value_given_as_string),
        T(test_rejects_figure_value_out_of_range),
        T(test_rejects_participant_that_is_not_an_object),
        T(test_reports_every_missing_top_level_member),
        T(test_reports_every_missing_event_member),
        T(test_reports_missing_members_of_nested_objects),
        T(test_reports_missing_members_after_the_events),
        T(test_rejects_event_without_sources),
        T(test_rejects_empty_event_id),
        T(test_rejects_title_of_only_spaces),
        T(test_rejects_empty_dataset_title),
        T(test_rejects_empty_organizer),
        T(test_rejects_empty_source_id),
        T(test_accepts_empty_description),
        T(test_rejects_feb_30),
        T(test_rejects_month_13),
        T(test_rejects_date_without_zero_padding),
        T(test_rejects_feb_29_of_1900),
        T(test_rejects_end_date_before_date),
        T(test_rejects_impossible_end_date),
        T(test_rejects_published_that_is_not_a_date),
        T(test_rejects_occasion_of_date_that_is_not_a_date),
        T(test_shortens_long_values_in_messages),
        T(test_rejects_duplicate_event_id),
        T(test_rejects_duplicate_source_id),
        T(test_rejects_unknown_source_in_statement),
        T(test_rejects_unknown_source_in_figure),
        T(test_rejects_unknown_source_in_event_sources),
        T(test_rejects_unknown_sources_declared_after_events),
        T(test_reports_unknown_sources_in_citation_order),
        T(test_resolves_sources_declared_after_events),
        T(test_rejects_source_listed_twice_in_event),
        T(test_warns_when_statement_source_is_not_listed_by_event),
        T(test_rejects_lower_case_country_code),
        T(test_rejects_unassigned_country_code),
        T(test_accepts_first_and_last_country_codes),
        T(test_rejects_fractional_anniversary),
        T(test_rejects_negative_anniversary),
        T(test_rejects_url_that_is_not_http),
        T(test_refuses_schema_major_2),
        T(test_refuses_other_schemas),
        T(test_reports_duplicate_keys),
        T(test_reports_events_given_twice),
        T(test_rejects_invalid_utf8),
        T(test_rejects_invalid_utf8_in_key),
        T(test_rejects_overlong_utf8),
        T(test_rejects_raw_control_character),
        T(test_rejects_raw_tab_in_string),
        T(test_rejects_c1_control_character),
        T(test_rejects_escaped_escape_character),
        T(test_rejects_escaped_nul),
        T(test_rejects_escaped_backspace),
        T(test_rejects_lone_surrogate),
        T(test_rejects_raw_nul_byte),
        T(test_rejects_leading_zero),
        T(test_rejects_malformed_numbers),
        T(test_rejects_trailing_comma),
        T(test_rejects_content_after_the_object),
        T(test_rejects_100000_deep_nesting),
        T(test_rejects_100000_deep_top_level_array),
        T(test_accepts_nesting_up_to_64_levels),
        T(test_rejects_truncated_input),
        T(test_rejects_every_prefix_of_a_valid_document),
        T(test_rejects_empty_input),
        T(test_counts_columns_in_characters),
        T(test_ndjson_loads_header_and_events),
        T(test_ndjson_without_final_newline),
        T(test_ndjson_chosen_by_option),
        T(test_ndjson_syntax_error_spoils_one_line),
        T(test_ndjson_rejects_trailing_garbage),
        T(test_ndjson_header_without_schema),
        T(test_ndjson_header_must_be_an_object),
        T(test_ndjson_header_must_not_hold_events),
        T(test_ndjson_reports_duplicate_keys_once),
        T(test_three_defects_give_three_errors_each_in_its_place),
        T(test_reports_all_errors_up_to_the_limit),
        T(test_messages_name_the_file),
        T(test_load_event_larger_than_the_parse_block),
        T(test_load_file_across_read_windows),
        T(test_file_and_buffer_report_alike),
        T(test_load_refuses_directory_and_missing_file),
        T(test_indexed_load_reads_every_event_again),
        T(test_indexed_read_notices_a_changed_file),
        T(test_indexed_selection_holds_entries),
        T(test_indexed_index_is_lean),
        T(test_indexed_needs_a_file),
        T(test_reread_rejects_raw_control_character),
        T(test_reread_rejects_invalid_utf8),
        T(test_reread_rejects_escaped_control_character),
        T(test_reread_rejects_leading_zero),
        T(test_reread_rejects_duplicate_key),
        T(test_reread_rejects_invalid_date),
        T(test_reread_rejects_dangling_source),
        T(test_reread_rejects_wrong_type),
        T(test_reread_rejects_content_after_the_event),
        T(test_reread_rejects_line_break_inside_ndjson_event),
        T(test_reread_rejects_event_unlike_its_index_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
