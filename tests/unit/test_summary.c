/*
 * test_summary.c — counts over a selection (chronicle_summary_build),
 * grouping for --split-by (chronicle_split) and the file names made from
 * group names (chronicle_safe_filename): summary.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "chronicle/dataset.h"
#include "chronicle/utf8.h"

#define EV(id, date, cc, country, members)                                                         \
    "{\"id\":\"" id "\",\"title\":\"T\",\"date\":\"" date                                          \
    "\",\"location\":{\"country\":\"" country "\",\"country_code\":\"" cc                          \
    "\"},\"occasion\":{\"subject\":\"S\"}" members "}"

/* clang-format off */
/* Sorted by date then id: q19, a23, b23, f23, d24. */
static const char dataset_json[] =
    "{\"schema\":\"chronicle/events@1\",\"title\":\"T\",\"sources\":["
    "{\"id\":\"s1\",\"document\":\"1.txt\"},{\"id\":\"s2\",\"document\":\"2.txt\"},"
    "{\"id\":\"s3\",\"document\":\"3.txt\"},{\"id\":\"s4\",\"document\":\"4.txt\"}],"
    "\"events\":["
    EV("b23", "2023-02-24", "AZ", "Azerbaijan",
       ",\"sources\":[\"s1\"],\"organizers\":[\"Embassy\",\"Ministry\"],\"tags\":[\"memorial\"],"
       "\"participants\":[{\"name\":\"P\"},{\"name\":\"Q\"}],"
       "\"activities\":[{\"kind\":\"speech\"},{\"kind\":\"speech\"},{\"kind\":\"concert\"}],"
       "\"statements\":[{\"speaker\":\"P\",\"summary\":\"x\",\"source\":\"s1\"}]") ","
    EV("d24", "2024-02-26", "DE", "Germany",
       ",\"sources\":[\"s2\"],\"organizers\":[\"Embassy\"],\"tags\":[\"memorial\",\"art\"],"
       "\"activities\":[{\"kind\":\"exhibition\"}],"
       "\"figures\":[{\"label\":\"L\",\"value\":1,\"source\":\"s3\"}]") ","
    EV("q19", "2019-02-26", "QA", "Qatar",
       ",\"end_date\":\"2019-02-27\",\"sources\":[\"s1\"],\"organizers\":[\"Ministry\"],"
       "\"participants\":[{\"name\":\"R\"}]") ","
    EV("a23", "2023-02-20", "AZ", "Azərbaycan",
       ",\"sources\":[\"s2\",\"s1\"],\"organizers\":[\"Embassy\",\"Embassy\"],"
       "\"activities\":[{\"kind\":\"concert\"}]") ","
    EV("f23", "2023-12-30", "FR", "France",
       ",\"end_date\":\"2024-12-31\",\"sources\":[\"s2\"],\"tags\":[\"art\",\"art\"]") "]}";
/* clang-format on */

typedef struct fixture {
    chronicle_dataset *ds;
    const chronicle_event **ev; /* sorted */
    size_t n;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    chronicle_diag *d = chronicle_diag_new(0);
    if (!f || !d) return -1;
    chronicle_status st = chronicle_dataset_load_buffer("t.json", dataset_json,
                                                        sizeof dataset_json - 1, NULL, &f->ds, d);
    chronicle_diag_free(d);
    if (st != CHRONICLE_OK || chronicle_dataset_select(f->ds, NULL, &f->ev, &f->n) != CHRONICLE_OK)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    free((void *)f->ev);
    chronicle_dataset_free(f->ds);
    free(f);
    return 0;
}

static void expect_row(const chronicle_count *row, const char *key, const char *label, size_t n)
{
    assert_string_equal(row->key.ptr, key);
    assert_int_equal(row->key.len, strlen(key));
    assert_string_equal(row->label.ptr, label);
    assert_int_equal(row->count, n);
}

static chronicle_summary *build(const fixture *f)
{
    chronicle_summary *s = NULL;
    assert_int_equal(chronicle_summary_build(f->ev, f->n, &s), CHRONICLE_OK);
    assert_non_null(s);
    assert_int_equal(s->struct_size, sizeof *s);
    return s;
}

/* ---- summary ---- */

static void test_summary_counts_events_and_their_parts(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    assert_int_equal(s->n_events, 5);
    assert_int_equal(s->n_participants, 3);
    assert_int_equal(s->n_activities, 5);
    assert_int_equal(s->n_statements, 1);
    assert_int_equal(s->n_figures, 1);
    chronicle_summary_free(s);
}

static void test_summary_counts_by_year_ascending(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    assert_int_equal(s->n_by_year, 3);
    expect_row(&s->by_year[0], "2019", "2019", 1);
    expect_row(&s->by_year[1], "2023", "2023", 3);
    expect_row(&s->by_year[2], "2024", "2024", 1);
    chronicle_summary_free(s);
}

static void test_summary_counts_by_country_descending_then_key(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    assert_int_equal(s->n_by_country, 4);
    /* the label is the country name as first met in the selection (sorted) */
    expect_row(&s->by_country[0], "AZ", "Azərbaycan", 2);
    expect_row(&s->by_country[1], "DE", "Germany", 1);
    expect_row(&s->by_country[2], "FR", "France", 1);
    expect_row(&s->by_country[3], "QA", "Qatar", 1);
    chronicle_summary_free(s);
}

static void test_summary_counts_events_per_organizer(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    /* a23 names "Embassy" twice: it is still one event of the Embassy's */
    assert_int_equal(s->n_by_organizer, 2);
    expect_row(&s->by_organizer[0], "Embassy", "Embassy", 3);
    expect_row(&s->by_organizer[1], "Ministry", "Ministry", 2);
    chronicle_summary_free(s);
}

static void test_summary_counts_activities_by_kind(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    assert_int_equal(s->n_by_activity_kind, 3);
    expect_row(&s->by_activity_kind[0], "concert", "concert", 2);
    expect_row(&s->by_activity_kind[1], "speech", "speech", 2);
    expect_row(&s->by_activity_kind[2], "exhibition", "exhibition", 1);
    chronicle_summary_free(s);
}

static void test_summary_period_includes_end_dates(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    assert_string_equal(s->first_date.ptr, "2019-02-26");
    assert_string_equal(s->last_date.ptr, "2024-12-31"); /* f23 ends after d24 */
    assert_int_equal(s->first_date_ymd, 20190226);
    assert_int_equal(s->last_date_ymd, 20241231);
    chronicle_summary_free(s);
    /* q19 alone: its end date is the last date */
    assert_int_equal(chronicle_summary_build(f->ev, 1, &s), CHRONICLE_OK);
    assert_string_equal(s->first_date.ptr, "2019-02-26");
    assert_string_equal(s->last_date.ptr, "2019-02-27");
    assert_int_equal(s->last_date_ymd, 20190227);
    chronicle_summary_free(s);
}

static void test_summary_counts_distinct_sources_cited(void **state)
{
    fixture *f = *state;
    chronicle_summary *s = build(f);
    /* s1 and s2 in events' lists, s3 only by d24's figure; s4 by nobody */
    assert_int_equal(s->n_sources_cited, 3);
    chronicle_summary_free(s);
    assert_int_equal(chronicle_summary_build(f->ev, 2, &s), CHRONICLE_OK); /* q19, a23 */
    assert_int_equal(s->n_sources_cited, 2);
    chronicle_summary_free(s);
}

static void test_summary_of_no_events(void **state)
{
    (void)state;
    chronicle_summary *s = NULL;
    assert_int_equal(chronicle_summary_build(NULL, 0, &s), CHRONICLE_OK);
    assert_int_equal(s->n_events, 0);
    assert_null(s->first_date.ptr);
    assert_null(s->last_date.ptr);
    assert_int_equal(s->first_date_ymd + s->last_date_ymd, 0);
    assert_int_equal(s->n_by_year + s->n_by_country + s->n_by_organizer, 0);
    assert_int_equal(s->n_sources_cited, 0);
    chronicle_summary_free(s);
    chronicle_summary_free(NULL);
}

static void expect_scaled(const chronicle_count *got, size_t n_got, const chronicle_count *one,
                          size_t n_one, size_t times)
{
    assert_int_equal(n_got, n_one);
    for (size_t i = 0; i < n_one; i++)
        expect_row(&got[i], one[i].key.ptr, one[i].label.ptr, one[i].count * times);
}

/* A selection large enough to be counted by several threads gives what one
 * thread gives: the same rows in the same order, the labels first met, the
 * counts of every share added up.  The fixture is repeated, rotated so that
 * a share may start at any event (off 2 meets AZ as "Azerbaijan" first). */
static void test_summary_of_a_large_selection_adds_up_its_shares(void **state)
{
    fixture *f = *state;
    enum { TIMES = 20011 }; /* 100,055 events: shares start mid-cycle */
    const chronicle_event **many = malloc(TIMES * f->n * sizeof *many);
    assert_non_null(many);
    for (size_t off = 0; off < f->n; off++) {
        const chronicle_event *cycle[8];
        for (size_t i = 0; i < f->n; i++)
            cycle[i] = f->ev[(i + off) % f->n];
        for (size_t i = 0; i < TIMES * f->n; i++)
            many[i] = cycle[i % f->n];
        chronicle_summary *one = NULL, *s = NULL;
        assert_int_equal(chronicle_summary_build(cycle, f->n, &one), CHRONICLE_OK);
        assert_int_equal(chronicle_summary_build(many, TIMES * f->n, &s), CHRONICLE_OK);
        assert_int_equal(s->n_events, TIMES * f->n);
        assert_int_equal(s->n_participants, TIMES * one->n_participants);
        assert_int_equal(s->n_activities, TIMES * one->n_activities);
        assert_int_equal(s->n_statements, TIMES * one->n_statements);
        assert_int_equal(s->n_figures, TIMES * one->n_figures);
        assert_int_equal(s->n_sources_cited, one->n_sources_cited);
        assert_int_equal(s->first_date_ymd, one->first_date_ymd);
        assert_int_equal(s->last_date_ymd, one->last_date_ymd);
        assert_string_equal(s->first_date.ptr, one->first_date.ptr);
        assert_string_equal(s->last_date.ptr, one->last_date.ptr);
        expect_scaled(s->by_year, s->n_by_year, one->by_year, one->n_by_year, TIMES);
        expect_scaled(s->by_country, s->n_by_country, one->by_country, one->n_by_country, TIMES);
        expect_scaled(s->by_organizer, s->n_by_organizer, one->by_organizer, one->n_by_organizer,
                      TIMES);
        expect_scaled(s->by_activity_kind, s->n_by_activity_kind, one->by_activity_kind,
                      one->n_by_activity_kind, TIMES);
        if (off == 2) assert_string_equal(s->by_country[0].label.ptr, "Azerbaijan");
        chronicle_summary_free(one);
        chronicle_summary_free(s);
    }
    free((void *)many);
}

/* ---- split ---- */

typedef struct group_want {
    const char *name;
    const char *ids; /* comma-separated, in input order */
} group_want;

static void expect_groups(const fixture *f, chronicle_split_key key, const group_want *w, size_t n)
{
    chronicle_group *g = NULL;
    size_t n_groups = 0;
    assert_int_equal(chronicle_split(f->ev, f->n, key, &g, &n_groups), CHRONICLE_OK);
    for (size_t i = 0; i < n_groups; i++) {
        char ids[128] = "";
        for (size_t j = 0; j < g[i].n_events; j++) {
            strcat(ids, j ? "," : "");
            strcat(ids, g[i].events[j]->id.ptr);
        }
        print_message("group %s: %s\n", g[i].name, ids);
        if (i < n) {
            assert_string_equal(g[i].name, w[i].name);
            assert_string_equal(ids, w[i].ids);
        }
    }
    assert_int_equal(n_groups, n);
    chronicle_groups_free(g, n_groups);
}

#define EXPECT_GROUPS(f, key, ...)                                                                 \
    do {                                                                                           \
        const group_want w_[] = {__VA_ARGS__};                                                     \
        expect_groups((f), (key), w_, sizeof w_ / sizeof *w_);                                     \
    } while (0)

static void test_split_by_country(void **state)
{
    EXPECT_GROUPS(*state, CHRONICLE_SPLIT_COUNTRY, {"AZ", "a23,b23"}, {"DE", "d24"}, {"FR", "f23"},
                  {"QA", "q19"});
}

static void test_split_by_year(void **state)
{
    EXPECT_GROUPS(*state, CHRONICLE_SPLIT_YEAR, {"2019", "q19"}, {"2023", "a23,b23,f23"},
                  {"2024", "d24"});
}

static void test_split_by_organizer_puts_an_event_in_each_group(void **state)
{
    /* b23 has two organisers; f23 has none */
    EXPECT_GROUPS(*state, CHRONICLE_SPLIT_ORGANIZER, {"(none)", "f23"}, {"Embassy", "a23,b23,d24"},
                  {"Ministry", "q19,b23"});
}

static void test_split_by_tag_has_a_none_group(void **state)
{
    EXPECT_GROUPS(*state, CHRONICLE_SPLIT_TAG, {"(none)", "q19,a23"}, {"art", "f23,d24"},
                  {"memorial", "b23,d24"});
}

static void test_split_none_is_one_group(void **state)
{
    EXPECT_GROUPS(*state, CHRONICLE_SPLIT_NONE, {"all", "q19,a23,b23,f23,d24"});
}

static void test_split_of_no_events(void **state)
{
    (void)state;
    chronicle_group *g = (chronicle_group *)1;
    size_t n = 99;
    assert_int_equal(chronicle_split(NULL, 0, CHRONICLE_SPLIT_COUNTRY, &g, &n), CHRONICLE_OK);
    assert_int_equal(n, 0);
    chronicle_groups_free(g, n);
}

static void test_split_key_names(void **state)
{
    (void)state;
    assert_int_equal(chronicle_split_key_parse("country"), CHRONICLE_SPLIT_COUNTRY);
    assert_int_equal(chronicle_split_key_parse("year"), CHRONICLE_SPLIT_YEAR);
    assert_int_equal(chronicle_split_key_parse("organizer"), CHRONICLE_SPLIT_ORGANIZER);
    assert_int_equal(chronicle_split_key_parse("organiser"), CHRONICLE_SPLIT_ORGANIZER);
    assert_int_equal(chronicle_split_key_parse("tag"), CHRONICLE_SPLIT_TAG);
    assert_int_equal(chronicle_split_key_parse("Country"), CHRONICLE_SPLIT_NONE);
    assert_int_equal(chronicle_split_key_parse(""), CHRONICLE_SPLIT_NONE);
}

/* ---- safe file names ---- */

static void expect_safe(const char *name, const char *want)
{
    char *got = chronicle_safe_filename(name);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(got);
}

/* The properties every result must have, whatever the input. */
static void check_safe(const char *name)
{
    char *got = chronicle_safe_filename(name);
    assert_non_null(got);
    size_t len = strlen(got);
    assert_in_range(len, 1, 64);
    assert_int_equal(chronicle_utf8_check(got, len), len); /* no cut sequence */
    assert_true(got[0] != '.');
    assert_null(strchr(got, '/'));
    assert_null(strchr(got, '\\'));
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = chronicle_utf8_decode(got + i, len - i, &cp);
        assert_true(k > 0);
        assert_false(chronicle_cp_is_control(cp));
        i += k;
    }
    assert_true(strcmp(got, "..") && strcmp(got, "."));
    free(got);
}

static void test_safe_filename_keeps_plain_names(void **state)
{
    (void)state;
    expect_safe("AZ", "AZ");
    expect_safe("2023", "2023");
    expect_safe("memorial_day.v2", "memorial_day.v2");
}

static void test_safe_filename_keeps_unicode_letters(void **state)
{
    (void)state;
    expect_safe("Azərbaycan", "Azərbaycan");
    expect_safe("北京", "北京");
}

static void test_safe_filename_replaces_separators_and_spaces(void **state)
{
    (void)state;
    expect_safe("Embassy of Azerbaijan / Qatar", "Embassy-of-Azerbaijan-Qatar");
    expect_safe("a\\b:c", "a-b-c");
}

static void test_safe_filename_defuses_parent_paths(void **state)
{
    (void)state;
    expect_safe("../../etc", "etc");
    expect_safe("../../etc/passwd", "etc-passwd");
    check_safe("../..");
}

static void test_safe_filename_has_no_leading_dot(void **state)
{
    (void)state;
    expect_safe(".hidden", "hidden");
    expect_safe("...x", "x");
    expect_safe("x.", "x");
}

static void test_safe_filename_drops_control_characters(void **state)
{
    (void)state;
    expect_safe("a\x1b[31mb", "a-31mb");
    expect_safe("a\nb\tc\x7f", "a-b-c");
    expect_safe("a\xC2\x85z", "a-z");     /* U+0085, a C1 control */
    expect_safe("a\xE2\x80\xAEz", "a-z"); /* U+202E right-to-left override */
}

static void test_safe_filename_empty_becomes_group(void **state)
{
    (void)state;
    expect_safe("", "group");
    expect_safe("///", "group");
    expect_safe("..", "group");
    expect_safe("\x01\x02", "group");
}

static void test_safe_filename_limits_length_on_character_boundary(void **state)
{
    (void)state;
    char long_ascii[201];
    memset(long_ascii, 'a', 200);
    long_ascii[200] = '\0';
    char *got = chronicle_safe_filename(long_ascii);
    assert_int_equal(strlen(got), 64);
    free(got);

    /* 63 ASCII bytes, then "ə" (2 bytes): it does not fit and is not cut */
    char edge[80];
    memset(edge, 'b', 63);
    strcpy(edge + 63, "əəə");
    got = chronicle_safe_filename(edge);
    assert_int_equal(strlen(got), 63);
    free(got);

    /* 3-byte characters: 21 of them fill 63 bytes */
    char cjk[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(cjk, "中");
    got = chronicle_safe_filename(cjk);
    assert_int_equal(strlen(got), 63);
    assert_int_equal(chronicle_utf8_check(got, 63), 63);
    free(got);
}

static void test_safe_filename_survives_invalid_utf8(void **state)
{
    (void)state;
    expect_safe("a\xff\xfe"
                "b",
                "a-b");
    check_safe("\xE4\xB8");
    check_safe("\xC3");
}

static void test_safe_filename_properties_hold_for_odd_names(void **state)
{
    (void)state;
    static const char *const names[] = {
        "",
        ".",
        "..",
        "...",
        "/",
        "./a",
        "a/..",
        "-",
        "--x--",
        " ",
        "\t",
        "~",
        "$HOME",
        "a b",
        "\xEF\xBB\xBF",
        "é\xCC\x81",
        "\xF0\x9F\x98\x80\xF0\x9F\x98\x80",
        "CON",
        "nul.txt",
        "a\x7f",
        "\xC2\xA0x",
        "x\xE2\x80\x8B",
        ".\xE4\xB8\xAD",
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++)
        check_safe(names[i]);
    /* every length of a long mixed text */
    char buf[300];
    const char *piece = "aé中😀/.";
    buf[0] = '\0';
    while (strlen(buf) + strlen(piece) < sizeof buf)
        strcat(buf, piece);
    for (size_t len = strlen(buf); len > 0; len--) {
        buf[len] = '\0';
        check_safe(buf);
    }
}

int main(void)
{
#define T(name) cmocka_unit_test(name)
    const struct CMUnitTest tests[] = {
        T(test_summary_counts_events_and_their_parts),
        T(test_summary_counts_by_year_ascending),
        T(test_summary_counts_by_country_descending_then_key),
        T(test_summary_counts_events_per_organizer),
        T(test_summary_counts_activities_by_kind),
        T(test_summary_period_includes_end_dates),
        T(test_summary_counts_distinct_sources_cited),
        T(test_summary_of_no_events),
        T(test_summary_of_a_large_selection_adds_up_its_shares),
        T(test_split_by_country),
        T(test_split_by_year),
        T(test_split_by_organizer_puts_an_event_in_each_group),
        T(test_split_by_tag_has_a_none_group),
        T(test_split_none_is_one_group),
        T(test_split_of_no_events),
        T(test_split_key_names),
        T(test_safe_filename_keeps_plain_names),
        T(test_safe_filename_keeps_unicode_letters),
        T(test_safe_filename_replaces_separators_and_spaces),
        T(test_safe_filename_defuses_parent_paths),
        T(test_safe_filename_has_no_leading_dot),
        T(test_safe_filename_drops_control_characters),
        T(test_safe_filename_empty_becomes_group),
        T(test_safe_filename_limits_length_on_character_boundary),
        T(test_safe_filename_survives_invalid_utf8),
        T(test_safe_filename_properties_hold_for_odd_names),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
