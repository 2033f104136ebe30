/*
 * test_example.c — the markdown plugin run against the mock host: what it
 * writes for the two mock events, how its options change that, and how it
 * behaves when a write fails or the job is cancelled.  markdown.c is
 * compiled into this program, so chronicle_plugin_v1() is called directly.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "mock_host.h"

const chronicle_plugin *chronicle_plugin_v1(const chronicle_host *h);

static const chronicle_plugin *plugin(void)
{
    return chronicle_plugin_v1(mock_host());
}

/* Runs one export with the given -O pairs (key, value, ..., NULL). */
static chronicle_job *run(chronicle_status want, ...)
{
    chronicle_job *job = mock_job_new(plugin());
    assert_non_null(job);
    va_list ap;
    va_start(ap, want);
    for (const char *key; (key = va_arg(ap, const char *));)
        assert_true(mock_job_set(job, key, va_arg(ap, const char *)));
    va_end(ap);
    assert_int_equal(plugin()->export_dataset(job, mock_host()), want);
    return job;
}

static void assert_contains(const char *haystack, const char *needle)
{
    assert_non_null(haystack);
    if (haystack && !strstr(haystack, needle)) fail_msg("missing \"%s\" in:\n%s", needle, haystack);
}

static void assert_starts_with(const char *text, const char *prefix)
{
    if (strncmp(text, prefix, strlen(prefix))) fail_msg("\"%s\" does not start:\n%s", prefix, text);
}

static void test_descriptor_matches_the_abi(void **state)
{
    (void)state;
    const chronicle_plugin *p = plugin();
    assert_int_equal(p->struct_size, sizeof(chronicle_plugin));
    assert_int_equal(p->abi_version, CHRONICLE_ABI(1, 0)); /* the lowest host it needs */
    assert_string_equal(p->name, "markdown");
    assert_string_equal(p->extension, "md");
    assert_true(p->flags & CHRONICLE_PLUGIN_STDOUT_OK);
    assert_string_equal(p->options[0].name, "heading-level");
    assert_null(p->options[2].name);
}

static void test_markdown_writes_title_period_and_years(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, NULL);
    const char *out = mock_job_output(job, NULL);
    assert_starts_with(
        out, "# Mock dataset\n\n2023-02-24 \xE2\x80\x93 2024-02-27 \xC2\xB7 2 events\n");
    assert_contains(out, "| 2023 | 1 |\n| 2024 | 1 |\n");
    assert_contains(out, "## Opening of an exhibition, Bakı\n");
    /* a 1.1 host lends no format_date(): the dataset's ISO dates */
    assert_contains(out, "*2023-02-24* \xC2\xB7 City Museum, Bakı, Azerbaijan\n");
    assert_contains(out, "*2024-02-26 \xE2\x80\x93 2024-02-27* \xC2\xB7 Paris, France\n");
    assert_contains(out, "**Organisers:** Example Ministry; City Museum\n");
    assert_null(mock_job_error(job, NULL));
    mock_job_free(job);
}

static void test_markdown_attributes_every_claim(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, NULL);
    const char *out = mock_job_output(job, NULL);
    assert_contains(out, "\xE2\x80\x9CWelcome, everyone\xE2\x80\x9D (as reported by Example Post, "
                         "2023-02-24)\n");
    assert_contains(out,
                    "- Photographs shown: 120 photographs (as reported by Example Post, "
                    "2023-02-24)\n");
    /* no outlet and no date: the document, and no date part */
    assert_contains(out, "concert was held. (as reported in undated-note.txt)\n");
    assert_contains(out, "- Attendees: 2.5 people (as reported in undated-note.txt)\n");
    mock_job_free(job);
}

static void test_markdown_escapes_markup_in_data(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, NULL);
    assert_contains(mock_job_output(job, NULL), "the \\*exhibition\\* \\[opens\\] today.");
    mock_job_free(job);
}

static void test_heading_level_shifts_every_heading(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, "heading-level", "3", NULL);
    const char *out = mock_job_output(job, NULL);
    assert_starts_with(out, "### Mock dataset\n");
    assert_contains(out, "\n#### Concert, Paris\n");
    mock_job_free(job);
}

static void test_toc_links_each_event(void **state)
{
    (void)state;
    chronicle_job *job = run(CHRONICLE_OK, "toc", "true", NULL);
    const char *out = mock_job_output(job, NULL);
    assert_contains(out, "- [Concert, Paris](#event-2)\n");
    assert_contains(out, "<a id=\"event-2\"></a>\n\n## Concert, Paris");
    mock_job_free(job);
    job = run(CHRONICLE_OK, NULL);
    assert_null(strstr(mock_job_output(job, NULL), "](#event-"));
    assert_null(strstr(mock_job_output(job, NULL), "<a id="));
    mock_job_free(job);
}

static void test_group_appears_in_the_title(void **state)
{
    (void)state;
    chronicle_job *job = mock_job_new(plugin());
    mock_job_set_group(job, "AZ");
    assert_int_equal(plugin()->export_dataset(job, mock_host()), CHRONICLE_OK);
    assert_starts_with(mock_job_output(job, NULL), "# Mock dataset \xE2\x80\x94 AZ\n");
    mock_job_free(job);
}

static void test_failed_write_fails_the_export(void **state)
{
    (void)state;
    chronicle_job *job = mock_job_new(plugin());
    mock_job_fail_writes_after(job, 200);
    assert_int_equal(plugin()->export_dataset(job, mock_host()), CHRONICLE_ERR_IO);
    size_t len;
    mock_job_output(job, &len);
    assert_true(len <= 200);
    mock_job_free(job);
}

static void test_cancel_stops_the_export(void **state)
{
    (void)state;
    chronicle_job *job = mock_job_new(plugin());
    mock_job_cancel_after(job, 1);
    assert_int_equal(plugin()->export_dataset(job, mock_host()), CHRONICLE_ERR_CANCELLED);
    assert_null(strstr(mock_job_output(job, NULL), "Concert, Paris\n"));
    mock_job_free(job);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor_matches_the_abi),
        cmocka_unit_test(test_markdown_writes_title_period_and_years),
        cmocka_unit_test(test_markdown_attributes_every_claim),
        cmocka_unit_test(test_markdown_escapes_markup_in_data),
        cmocka_unit_test(test_heading_level_shifts_every_heading),
        cmocka_unit_test(test_toc_links_each_event),
        cmocka_unit_test(test_group_appears_in_the_title),
        cmocka_unit_test(test_failed_write_fails_the_export),
        cmocka_unit_test(test_cancel_stops_the_export),
    };
    return cmocka_run_group_tests_name("markdown plugin (mock host)", tests, NULL, NULL);
}
