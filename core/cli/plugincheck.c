/*
 * plugincheck.c — `chronicle plugin-check PATH.so`: runs the conformance
 * suite (chronicle/plugincheck.h) and prints one line per check, or one
 * JSON object per check per line with --json.  Exit status: 0 when every
 * check passed, 1 when one failed, 64 for a usage error, 66 when the
 * dataset cannot be read.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "chronicle/plugincheck.h"
#include "chronicle/strbuf.h"
#include "chronicle/utf8.h"
#include "cli.h"
#include "config.h"

typedef struct out {
    int json;
} out;

static void put_clean(chronicle_buf *b, const char *s)
{
    chronicle_utf8_append_clean(b, s, strlen(s), SIZE_MAX, 0);
}

static const char *outcome_name(chronicle_check_outcome o, int upper)
{
    switch (o) {
    case CHRONICLE_CHECK_PASS:
        return upper ? "PASS" : "pass";
    case CHRONICLE_CHECK_FAIL:
        return upper ? "FAIL" : "fail";
    default:
        return upper ? "SKIP" : "skip";
    }
}

static void on_result(void *ctx, const chronicle_check_result *r)
{
    const out *o = ctx;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    if (o->json) {
        chronicle_buf_puts(&b, "{\"check\":");
        chronicle_buf_put_json_string(&b, r->id);
        chronicle_buf_appendf(&b, ",\"result\":\"%s\",\"reason\":", outcome_name(r->outcome, 0));
        chronicle_buf_put_json_string(&b, r->reason);
        chronicle_buf_puts(&b, ",\"fix\":");
        if (r->fix)
            chronicle_buf_put_json_string(&b, r->fix);
        else
            chronicle_buf_puts(&b, "null");
        if (r->seconds >= 0) chronicle_buf_appendf(&b, ",\"seconds\":%.3f", r->seconds);
        if (r->peak_kib >= 0) chronicle_buf_appendf(&b, ",\"peak_kib\":%ld", r->peak_kib);
        if (r->n_events >= 0) chronicle_buf_appendf(&b, ",\"events\":%ld", r->n_events);
        chronicle_buf_putc(&b, '}');
    } else {
        chronicle_buf_appendf(&b, "%s %-16s ", outcome_name(r->outcome, 1), r->id);
        put_clean(&b, r->reason);
        if (r->seconds >= 0 && r->peak_kib >= 0)
            chronicle_buf_appendf(&b, " (%.3f s, peak %.1f MiB)", r->seconds,
                                  (double)r->peak_kib / 1024.0);
        if (r->fix) {
            chronicle_buf_puts(&b, "; fix: ");
            put_clean(&b, r->fix);
        }
    }
    puts(chronicle_buf_cstr(&b));
    fflush(stdout);
    chronicle_buf_free(&b);
}

/* source (under data/) in the source tree when this chronicle runs from
 * its build directory, else the installed copy DATADIR/chronicle/data/name. */
char *cli_data_file(const char *name, const char *source)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    int in_build = 0;
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        if (slash) *slash = '\0';
        in_build = !strcmp(exe, CHRONICLE_BUILD_ROOT "/core");
    }
    chronicle_buf b = CHRONICLE_BUF_INIT;
    if (in_build)
        chronicle_buf_appendf(&b, "%s/data/%s", CHRONICLE_SOURCE_ROOT, source);
    else
        chronicle_buf_appendf(&b, "%s/%s", CHRONICLE_DATADIR, name);
    return chronicle_buf_steal(&b);
}

static int usage(const char *what, const char *arg)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    put_clean(&b, arg ? arg : "");
    fprintf(stderr, "chronicle: plugin-check: %s%s\n(see: chronicle --help)\n", what,
            chronicle_buf_cstr(&b));
    chronicle_buf_free(&b);
    return 64;
}

int cli_plugin_check(int argc, char **argv)
{
    static const struct option longs[] = {{"dataset", required_argument, NULL, 'd'},
                                          {"json", no_argument, NULL, 'J'},
                                          {"events", required_argument, NULL, 'n'},
                                          {"timeout", required_argument, NULL, 't'},
                                          {NULL, 0, NULL, 0}};
    out o = {0};
    const char *dataset = NULL;
    double timeout = 0;
    long events = 10000;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, "", longs, NULL)) != -1) {
        char *end;
        if (opt == 'd')
            dataset = optarg;
        else if (opt == 'J')
            o.json = 1;
        else if (opt == 't' && (timeout = strtod(optarg, &end)) > 0 && !*end)
            continue;
        else if (opt == 'n' && (events = strtol(optarg, &end, 10)) >= 1 && events <= 10000000 &&
                 !*end)
            continue;
        else if (opt == 'n')
            return usage("--events is not a number from 1 to 10000000: ", optarg);
        else if (opt == 't')
            return usage("--timeout is not a positive number of seconds: ", optarg);
        else
            return usage("an unknown option, or one missing its value: ", argv[optind - 1]);
    }
    if (argc - optind != 1) return usage("give one plugin file, PATH/NAME.so", NULL);
    int64_t ts = 1700000000;
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    if (sde) {
        char *end;
        long long v = strtoll(sde, &end, 10);
        if (!*sde || *end || v < 0) return usage("SOURCE_DATE_EPOCH is not a whole number: ", sde);
        ts = v;
    }
    char *def = dataset ? NULL : cli_data_file("events.json", "events.json");
    char *uni = cli_data_file("unicode-torture.json", "samples/unicode-torture.json");
    chronicle_check_request req = {.plugin = argv[optind],
                                   .dataset = dataset ? dataset : def,
                                   .unicode_dataset = access(uni, R_OK) == 0 ? uni : NULL,
                                   .n_generated = (size_t)events,
                                   .timeout = timeout,
                                   .timestamp = ts,
                                   .ctx = &o,
                                   .result = on_result};
    int rc = 0;
    if (access(req.dataset, R_OK) != 0) {
        fprintf(stderr,
                "chronicle: plugin-check: cannot read the dataset %s: %s (give one with "
                "--dataset FILE)\n",
                req.dataset, strerror(errno));
        rc = 66;
    } else {
        chronicle_diag *d = chronicle_diag_new(20);
        size_t failed = 0;
        chronicle_status st = chronicle_plugin_check(&req, &failed, d);
        for (size_t i = 0; i < chronicle_diag_count(d); i++) {
            chronicle_buf line = CHRONICLE_BUF_INIT;
            chronicle_diag_format(chronicle_diag_at(d, i), &line);
            fprintf(stderr, "chronicle: plugin-check: %s\n", chronicle_buf_cstr(&line));
            chronicle_buf_free(&line);
        }
        chronicle_diag_free(d);
        rc = st != CHRONICLE_OK ? 70 : failed ? 1 : 0;
        if (!o.json && st == CHRONICLE_OK)
            printf("%s: %zu check%s failed\n", argv[optind], failed, failed == 1 ? "" : "s");
    }
    free(def);
    free(uni);
    return rc;
}
