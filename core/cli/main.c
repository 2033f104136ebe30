/*
 * main.c — the `chronicle` command: validate, export, plugins.
 * The only place that prints and exits: library calls return statuses and
 * fill diagnostics, and this file turns them into stderr lines and the exit
 * codes listed in usage() (sysexits.h values).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chronicle/dataset.h"
#include "chronicle/export.h"
#include "chronicle/registry.h"
#include "chronicle/report.h"
#include "chronicle/utf8.h"
#include "cli.h"
#include "config.h"

enum {
    EXIT_USAGE = 64,
    EXIT_DATA = 65,
    EXIT_NOINPUT = 66,
    EXIT_UNAVAILABLE = 69,
    EXIT_SOFTWARE = 70,
    EXIT_CANTCREAT = 73,
    EXIT_IOERR = 74,
    EXIT_PIPE = 141, /* as a shell reports a command killed by SIGPIPE */
    EXIT_INTERRUPTED = 130
};

static const char usage_text[] =
    "usage: chronicle validate [-q] [--json] [--input-format json|ndjson] [--memory low|high]\n"
    "                        FILE...\n"
    "       chronicle export -f FORMAT[,FORMAT...] [-o PATH] [-O FORMAT.KEY=VALUE]...\n"
    "                        [--report FILE] [-M KEY=VALUE]... [--lang TAG]\n"
    "                        [--since DATE] [--until DATE] [--country CC]... [--tag TAG]...\n"
    "                        [--split-by country|year|organizer|tag] [-j N] [--timeout SECONDS]\n"
    "                        [--plugin-path DIR]... [--memory auto|low|high]\n"
    "                        [--input-format json|ndjson] [-q] [-v]\n"
    "                        [--shard I/N] [--plan] [--json] FILE...\n"
    "       chronicle plugins [--json] [--plugin-path DIR]... [NAME]\n"
    "       chronicle plugin-check [--dataset FILE] [--events N] [--json] [--timeout SECONDS]\n"
    "                        PATH.so\n"
    "       chronicle --help | --version\n"
    "\n"
    "Turns a Chronicle dataset (formats/events-v1: JSON, or NDJSON for .ndjson files)\n"
    "into reports through exporter plugins (pdf, xlsx, text, and any you install).\n"
    "\n"
    "validate   check FILEs against the dataset format; every error is listed as\n"
    "           FILE:LINE:COL (syntax) or FILE: /json/pointer (content); it holds\n"
    "           an index only, unless --memory high; --json: one JSON object a\n"
    "           line, each diagnostic with a stable code (formats/diagnostics.md)\n"
    "export     write reports; one format: -o is a file (or - for standard output);\n"
    "           several formats or --split-by: -o is a directory (default: .), and\n"
    "           files are named STEM.EXT or STEM-GROUP.EXT; --json: one JSON object\n"
    "           a line: diagnostics, each output written, each job that failed\n"
    "FILE       a dataset; - reads standard input, whole, into memory (NDJSON\n"
    "           when its first line holds a whole object and more lines follow,\n"
    "           unless --input-format says); export - needs -o FILE or -o -\n"
    "plugins    list plugins, or show one plugin's options (like gst-inspect)\n"
    "plugin-check  run a plugin through the conformance suite, each check in a child:\n"
    "           one line a check, PASS/FAIL, the reason and a fix (--json: one object\n"
    "           a line); --dataset replaces the default data/events.json, --events\n"
    "           sets the size of the generated dataset (default 10000); exit 1 when a\n"
    "           check failed\n"
    "\n";
/* in two parts: C guarantees string literals of 4095 bytes only */
static const char usage_options[] =
    "export options:\n"
    "  -f, --format LIST      plugins to run, comma-separated\n"
    "  -o, --output PATH      output file, directory, or - (standard output)\n"
    "  -O, --option F.K=V     a plugin option (see: chronicle plugins FORMAT)\n"
    "      --report FILE      the report's definition (formats/report-v1.md): title,\n"
    "                         branding, language, selection, formats, options;\n"
    "                         the command line overrides it\n"
    "  -M, --metadata K=V     one key of the report: title, subtitle, organization,\n"
    "                         author, marking, logo (PNG or JPEG), lang; an empty\n"
    "                         VALUE removes the key (repeatable)\n"
    "      --lang TAG         the report's language: en (default), fr, ru, az, zh\n"
    "      --since DATE       events on or after DATE (YYYY-MM-DD)\n"
    "      --until DATE       events on or before DATE\n"
    "      --country CC       events in country CC (repeatable)\n"
    "      --tag TAG          events tagged TAG (repeatable)\n"
    "      --split-by KEY     one output per country, year, organizer or tag\n"
    "  -j, --jobs N           exports run in parallel (default: number of CPUs)\n"
    "      --timeout SECONDS  kill an export that runs longer (default: no limit)\n"
    "      --plugin-path DIR  search DIR for plugins first (repeatable)\n"
    "      --input-format F   json or ndjson (default: by file extension)\n"
    "      --memory MODE      high: hold the dataset in memory; low: hold an index\n"
    "                         and read each event again from FILE when it is\n"
    "                         exported (once a job; about a quarter of the memory);\n"
    "                         auto (default): low for files of 1 GiB and more\n"
    "      --shard I/N        run only share I of N (I from 0 to N-1) of the jobs:\n"
    "                         N runs together write what one run writes\n"
    "      --plan             list the jobs (format, group, events, output) and run\n"
    "                         nothing, create nothing; --json: one JSON object a line\n"
    "      --json             JSON Lines on standard output (formats/diagnostics.md)\n"
    "  -q, --quiet            no progress, no warnings\n"
    "  -v, --verbose          also informational messages from plugins\n"
    "\n"
    "environment:\n"
    "  CHRONICLE_PLUGIN_PATH         colon-separated plugin directories, searched\n"
    "                                after --plugin-path\n"
    "  CHRONICLE_PLUGIN_SYSTEM_PATH  replaces the installed plugin directory\n"
    "  SOURCE_DATE_EPOCH             the timestamp written into reports\n"
    "\n"
    "exit status: 0 success, 1 a plugin-check check failed, 64 usage error,\n"
    "65 invalid dataset, 66 input not readable, 69 plugin refused or broken,\n"
    "70 an export failed, 73 output cannot be created, 130 interrupted\n";

static void put_usage(FILE *f)
{
    fputs(usage_text, f);
    fputs(usage_options, f);
}

enum { MEMORY_AUTO, MEMORY_LOW, MEMORY_HIGH };

typedef struct cli {
    int quiet, verbose, json;
    int plan;   /* --plan: list the jobs, run none */
    int memory; /* --memory */
    int closed; /* standard output's reader went away during an export */
    const char **plugin_dirs;
    size_t n_plugin_dirs;
    chronicle_format input_format;
    /* progress display: one line on stderr, never on the report's terminal */
    int tty;        /* stderr is a terminal that understands \r and \033[K */
    int report_tty; /* the report goes to a terminal: 0 not known yet, 1 yes, -1 no */
    int drawn;      /* the progress line is on the screen */
    /* --json (validate, export): the input being exported, and each job's
     * error messages until its record is written */
    const char *input;
    struct job_said {
        char *label;
        chronicle_buf text;
    } * said;
    size_t n_said;
} cli;

/* Writes text with every character that could drive the terminal replaced
 * (chronicle_utf8_append_clean): plugin messages and labels carry data, and
 * data must never drive the terminal. */
static void put_clean(FILE *f, const char *s)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_utf8_append_clean(&b, s, strlen(s), SIZE_MAX, 1);
    fputs(chronicle_buf_cstr(&b), f);
    chronicle_buf_free(&b);
}

/* Appends s with put_clean's rules, newlines replaced too: the result is one
 * line whose display width chronicle_utf8_width() measures. */
static void append_clean(chronicle_buf *b, const char *s)
{
    chronicle_utf8_append_clean(b, s, strlen(s), SIZE_MAX, 0);
}

/* ---- JSON Lines (--json): formats/diagnostics.md ---- */

/* Appends ,"key":"s" (null for NULL). */
static void json_member(chronicle_buf *b, const char *key, const char *s)
{
    chronicle_buf_appendf(b, ",\"%s\":", key);
    if (s)
        chronicle_buf_put_json_string(b, s);
    else
        chronicle_buf_puts(b, "null");
}

/* Writes the record b holds, closing its object, as one line of stdout. */
static void json_line(chronicle_buf *b)
{
    chronicle_buf_putc(b, '}');
    fputs(chronicle_buf_cstr(b), stdout);
    fputc('\n', stdout);
}

static void json_diag_entry(const chronicle_diag_entry *e)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "{\"type\":\"diagnostic\",\"severity\":\"%s\"",
                          e->severity == CHRONICLE_SEV_WARNING ? "warning" : "error");
    json_member(&b, "code", e->code);
    json_member(&b, "message", e->message);
    json_member(&b, "file", e->file);
    if (e->line) chronicle_buf_appendf(&b, ",\"line\":%lu", e->line);
    if (e->line && e->col) chronicle_buf_appendf(&b, ",\"column\":%lu", e->col);
    if (e->pointer) json_member(&b, "pointer", e->pointer);
    json_line(&b);
    chronicle_buf_free(&b);
}

/* Says d's entries: as text on stderr (each after prefix), or with --json
 * as records on stdout; with skip_warnings, errors only. */
static void say_diag(const cli *c, const chronicle_diag *d, const char *prefix, int skip_warnings)
{
    chronicle_buf line = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < chronicle_diag_count(d); i++) {
        const chronicle_diag_entry *e = chronicle_diag_at(d, i);
        if (skip_warnings && e->severity == CHRONICLE_SEV_WARNING) continue;
        if (c->json) {
            json_diag_entry(e);
            continue;
        }
        chronicle_buf_reset(&line);
        chronicle_diag_format(e, &line);
        fputs(prefix, stderr);
        put_clean(stderr, chronicle_buf_cstr(&line));
        fputc('\n', stderr);
    }
    if (chronicle_diag_dropped(d) && c->json)
        printf("{\"type\":\"dropped\",\"count\":%zu}\n", chronicle_diag_dropped(d));
    else if (chronicle_diag_dropped(d))
        fprintf(stderr, "chronicle: ... and %zu more\n", chronicle_diag_dropped(d));
    chronicle_buf_free(&line);
}

static void print_diag(const cli *c, const chronicle_diag *d)
{
    say_diag(c, d, "", 0);
}

/* Prints a usage error; arg (from the command line or the environment) is
 * echoed on one line with put_clean's rules. */
static int usage_error(const char *fmt, const char *arg)
{
    chronicle_buf clean = CHRONICLE_BUF_INIT;
    append_clean(&clean, arg ? arg : "");
    fputs("chronicle: ", stderr);
    fprintf(stderr, fmt, chronicle_buf_cstr(&clean));
    fputs("\n(see: chronicle --help)\n", stderr);
    chronicle_buf_free(&clean);
    return EXIT_USAGE;
}

/* -o names a directory: it ends with a slash, or one exists there. */
static int is_directory(const char *path)
{
    struct stat sb;
    size_t len = strlen(path);
    return (len && path[len - 1] == '/') || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}

static int push(const char ***list, size_t *n, const char *s)
{
    const char **p = realloc(*list, (*n + 1) * sizeof *p);
    if (!p) return 0;
    p[(*n)++] = s;
    *list = p;
    return 1;
}

/* --memory auto: the whole model takes about the file's size in memory;
 * from this size on an index is held instead */
#define AUTO_INDEX_BYTES ((off_t)1 << 30)

static int want_index(const cli *c, const char *path)
{
    struct stat sb;
    if (!strcmp(path, "-")) return 0; /* read once, held whole */
    if (c->memory != MEMORY_AUTO) return c->memory == MEMORY_LOW;
    return stat(path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size >= AUTO_INDEX_BYTES;
}

/* ---- standard input ("-") ---- */

#define STDIN_NAME "<stdin>"

/* The name messages and records give an input: "-" is standard input. */
static const char *input_name(const char *path)
{
    return strcmp(path, "-") ? path : STDIN_NAME;
}

static int is_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n';
}

/* Standard input has no file name to tell its format by.  Without
 * --input-format it is NDJSON when its first non-blank line holds a whole
 * object or array and another non-blank line follows; otherwise JSON (a
 * dataset in one line, or spread over many). */
static chronicle_format sniff_format(const char *buf, size_t len)
{
    size_t i = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
    while (i < len && is_space(buf[i]))
        i++;
    int depth = 0, in_string = 0, closed = 0;
    for (; i < len && buf[i] != '\n' && !closed; i++) {
        char ch = buf[i];
        if (in_string && ch == '\\')
            i++;
        else if (ch == '"')
            in_string = !in_string;
        else if (!in_string && (ch == '{' || ch == '['))
            depth++;
        else if (!in_string && (ch == '}' || ch == ']'))
            closed = --depth == 0;
    }
    const char *nl = closed && i < len ? memchr(buf + i, '\n', len - i) : NULL;
    for (const char *p = nl; p && p < buf + len; p++)
        if (!is_space(*p)) return CHRONICLE_FORMAT_NDJSON;
    return CHRONICLE_FORMAT_JSON;
}

/* Reads all of standard input: a pipe cannot be read twice, so the whole
 * model is built from memory.  errno on failure. */
static int read_stdin(chronicle_buf *b)
{
    for (;;) {
        if (chronicle_buf_reserve(b, 65536) != CHRONICLE_OK) {
            errno = ENOMEM;
            return 0;
        }
        ssize_t n = read(STDIN_FILENO, b->ptr + b->len, 65536);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return 0;
        if (n == 0) return 1;
        b->len += (size_t)n;
    }
}

static chronicle_status load_stdin(const cli *c, chronicle_dataset **ds, chronicle_diag *d)
{
    chronicle_buf in = CHRONICLE_BUF_INIT;
    chronicle_status st;
    if (!read_stdin(&in)) {
        int err = errno; /* before anything else can change it */
        chronicle_diag_add_coded(d, err == ENOMEM ? CHRONICLE_DIAG_MEMORY : CHRONICLE_DIAG_IO,
                                 CHRONICLE_SEV_ERROR, STDIN_NAME, 0, 0, NULL, "cannot read: %s",
                                 strerror(err));
        st = err == ENOMEM ? CHRONICLE_ERR_NOMEM : CHRONICLE_ERR_IO;
    } else {
        chronicle_load_opts opts = {.format = c->input_format ? c->input_format
                                                              : sniff_format(in.ptr, in.len)};
        st = chronicle_dataset_load_buffer(STDIN_NAME, in.len ? in.ptr : "", in.len, &opts, ds, d);
    }
    chronicle_buf_free(&in);
    return st;
}

/* indexed: hold an index only (validate needs no model; export: --memory).
 * "-" is standard input, held whole whatever indexed says. */
static int load(const cli *c, const char *path, int indexed, chronicle_dataset **ds)
{
    chronicle_diag *d = chronicle_diag_new(100);
    chronicle_load_opts opts = {.format = c->input_format, .indexed = indexed};
    chronicle_status st =
        strcmp(path, "-") ? chronicle_dataset_load(path, &opts, ds, d) : load_stdin(c, ds, d);
    if (st != CHRONICLE_OK || !c->quiet) print_diag(c, d);
    chronicle_diag_free(d);
    if (st == CHRONICLE_ERR_IO) return EXIT_NOINPUT;
    if (st != CHRONICLE_OK) return EXIT_DATA;
    return 0;
}

/* ---- validate ---- */

#define PLURAL(n) ((n) == 1 ? "" : "s")

static int cmd_validate(cli *c, int argc, char **argv)
{
    int worst = 0;
    for (int i = 0; i < argc; i++) {
        chronicle_dataset *ds = NULL;
        int rc = load(c, argv[i], c->memory != MEMORY_HIGH, &ds);
        if (c->json) {
            chronicle_buf b = CHRONICLE_BUF_INIT;
            chronicle_buf_puts(&b, "{\"type\":\"file\"");
            json_member(&b, "file", input_name(argv[i]));
            chronicle_buf_appendf(&b, ",\"valid\":%s", rc ? "false" : "true");
            if (!rc)
                chronicle_buf_appendf(&b, ",\"events\":%zu,\"sources\":%zu",
                                      chronicle_dataset_event_count(ds),
                                      chronicle_dataset_get_info(ds)->n_sources);
            json_line(&b);
            chronicle_buf_free(&b);
        }
        if (rc) {
            if (rc > worst) worst = rc;
            continue;
        }
        if (!c->quiet && !c->json) {
            chronicle_summary *s = NULL;
            chronicle_buf line = CHRONICLE_BUF_INIT;
            /* not chronicle_dataset_select(): it would lend a view of each indexed event */
            if (chronicle_dataset_summarize(ds, NULL, &s) == CHRONICLE_OK) {
                size_t n = s->n_events;
                size_t n_src = chronicle_dataset_get_info(ds)->n_sources;
                chronicle_buf_appendf(&line,
                                      "%s: valid: %zu event%s, %zu source%s, %zu participant%s, "
                                      "%zu statement%s, %zu figure%s; ",
                                      input_name(argv[i]), n, PLURAL(n), n_src, PLURAL(n_src),
                                      s->n_participants, PLURAL(s->n_participants), s->n_statements,
                                      PLURAL(s->n_statements), s->n_figures, PLURAL(s->n_figures));
                /* ISO dates as the dataset has them: "2019-02-26 – 2024-02-26" */
                if (!s->first_date.ptr)
                    chronicle_buf_puts(&line, "no events");
                else if (!s->last_date.ptr || !strcmp(s->first_date.ptr, s->last_date.ptr))
                    chronicle_buf_puts(&line, s->first_date.ptr);
                else
                    chronicle_buf_appendf(&line, "%s \xE2\x80\x93 %s", s->first_date.ptr,
                                          s->last_date.ptr);
                put_clean(stdout, chronicle_buf_cstr(&line));
                fputc('\n', stdout);
            }
            chronicle_buf_free(&line);
            chronicle_summary_free(s);
        }
        chronicle_dataset_free(ds);
    }
    return worst;
}

/* ---- plugins ---- */

static chronicle_registry *open_registry(const cli *c)
{
    chronicle_registry_opts o = {.dirs = c->plugin_dirs, .n_dirs = c->n_plugin_dirs};
    chronicle_registry *r = NULL;
    if (chronicle_registry_new(&o, &r) != CHRONICLE_OK) {
        fputs("chronicle: out of memory\n", stderr);
        return NULL;
    }
    /* a search-path entry refused (a relative one), for plugins and export alike */
    for (size_t i = 0; !c->quiet && i < chronicle_registry_warning_count(r); i++) {
        fputs("chronicle: warning: ", stderr);
        put_clean(stderr, chronicle_registry_warning(r, i));
        fputc('\n', stderr);
    }
    return r;
}

static void show_option(const chronicle_option_info *o)
{
    printf("  %-16s %-7s", o->name, chronicle_opt_type_name(o->type));
    if (o->choices) {
        fputs(" one of:", stdout);
        for (char **ch = o->choices; *ch; ch++)
            printf(" %s", *ch);
    } else if (o->min <= o->max &&
               (o->type == CHRONICLE_OPT_INT || o->type == CHRONICLE_OPT_DOUBLE)) {
        printf(" %.15g..%.15g", o->min, o->max);
    }
    printf("  default: %s\n", o->default_value ? o->default_value : "(none)");
    printf("  %16s %s\n", "", o->help);
}

static void show_plugin(const chronicle_plugin_info *p)
{
    printf("Plugin Details:\n");
    printf("  %-14s %s\n", "Name", p->name);
    printf("  %-14s %s\n", "Description", p->summary);
    printf("  %-14s %s\n", "Filename", p->path);
    printf("  %-14s %s\n", "Version", p->version);
    printf("  %-14s %u.%u (this chronicle speaks %d.%d)\n", "Plugin ABI",
           CHRONICLE_ABI_MAJOR_OF(p->abi_version), CHRONICLE_ABI_MINOR_OF(p->abi_version),
           CHRONICLE_ABI_MAJOR, CHRONICLE_ABI_MINOR);
    printf("  %-14s .%s (%s)\n", "Output", p->extension, p->media_type ? p->media_type : "?");
    printf("  %-14s %s%s%s\n", "Flags",
           p->flags & CHRONICLE_PLUGIN_STDOUT_OK ? "stdout (-o - allowed) " : "",
           p->flags & CHRONICLE_PLUGIN_NEEDS_PATH ? "needs-path (writes a seekable file) " : "",
           p->flags & CHRONICLE_PLUGIN_ONE_EVENT ? "one-event (keeps no event past the next)" : "");
    if (p->shadows) printf("  %-14s %s\n", "Shadows", p->shadows);
    printf("\nOptions (-O %s.KEY=VALUE):\n", p->name);
    if (!p->n_options) printf("  none\n");
    for (size_t i = 0; i < p->n_options; i++)
        show_option(&p->options[i]);
}

/* Says, one warning a line, what a plugin printed while it was probed:
 * its words, attributed, never mixed into ours (they are cleaned already). */
static void warn_load_output(const cli *c, const chronicle_plugin_info *p)
{
    if (c->quiet || !p->load_output) return;
    for (const char *s = p->load_output; *s;) {
        size_t n = strcspn(s, "\n");
        fprintf(stderr, "chronicle: warning: %s printed while loading: %.*s\n", p->name, (int)n, s);
        s += n + (s[n] == '\n');
    }
}

static int cmd_plugins(cli *c, int argc, char **argv)
{
    if (argc > 1) return usage_error("plugins takes at most one NAME, got %s more", argv[1]);
    chronicle_registry *r = open_registry(c);
    if (!r) return EXIT_SOFTWARE;
    int rc = 0;
    chronicle_buf json = CHRONICLE_BUF_INIT;
    if (argc == 1) {
        chronicle_plugin_info *p = chronicle_registry_find(r, argv[0]);
        if (!p) {
            fputs("chronicle: no plugin named \"", stderr);
            put_clean(stderr, argv[0]);
            fputs("\" in:\n", stderr);
            for (size_t i = 0; i < chronicle_registry_dir_count(r); i++) {
                fputs("  ", stderr);
                put_clean(stderr, chronicle_registry_dir(r, i));
                fputc('\n', stderr);
            }
            rc = EXIT_UNAVAILABLE;
        } else if (chronicle_registry_probe(r, p) != CHRONICLE_OK) {
            warn_load_output(c, p);
            fprintf(stderr, "chronicle: %s: ", p->path);
            put_clean(stderr, p->reason);
            fputc('\n', stderr);
            rc = EXIT_UNAVAILABLE;
        } else if (c->json) {
            warn_load_output(c, p);
            chronicle_plugin_info_json(p, &json);
            puts(chronicle_buf_cstr(&json));
        } else {
            warn_load_output(c, p);
            show_plugin(p);
        }
    } else {
        size_t broken = 0;
        if (c->json) chronicle_buf_puts(&json, "{\"plugins\":[");
        for (size_t i = 0; i < chronicle_registry_count(r); i++) {
            chronicle_plugin_info *p = chronicle_registry_at(r, i);
            chronicle_registry_probe(r, p);
            warn_load_output(c, p);
            broken += p->broken;
            if (c->json) {
                if (i) chronicle_buf_putc(&json, ',');
                chronicle_plugin_info_json(p, &json);
            } else if (!p->broken) {
                printf("%-10s %-8s %-6s %s\n%-10s %s\n", p->name, p->version, p->extension,
                       p->summary, "", p->path);
            }
        }
        if (c->json) {
            chronicle_buf_puts(&json, "],\"search_path\":[");
            for (size_t i = 0; i < chronicle_registry_dir_count(r); i++) {
                if (i) chronicle_buf_putc(&json, ',');
                chronicle_buf_put_json_string(&json, chronicle_registry_dir(r, i));
            }
            chronicle_buf_puts(&json, "]}");
            puts(chronicle_buf_cstr(&json));
        } else {
            if (broken) printf("\nBroken (not loaded):\n");
            for (size_t i = 0; i < chronicle_registry_count(r); i++) {
                const chronicle_plugin_info *p = chronicle_registry_at(r, i);
                if (!p->broken) continue;
                printf("  %s\n    ", p->path);
                put_clean(stdout, p->reason);
                putchar('\n');
            }
            printf("\n%zu plugin(s), %zu broken\n", chronicle_registry_count(r) - broken, broken);
        }
    }
    chronicle_buf_free(&json);
    chronicle_registry_free(r);
    return rc;
}

/* ---- export ---- */

/*
 * The progress display is one line on stderr, rewritten in place with "\r",
 * the text and "\033[K", and never wider than the terminal minus one column
 * (a wrapped line cannot be erased that way).  It erases nothing but itself,
 * and draws nothing at all when the report goes to a terminal, whose lines
 * it would share.
 */

/* The c.tty test: "\r" and "\033[K" need a terminal that is not dumb. */
static int stderr_is_terminal(void)
{
    const char *term = getenv("TERM");
    return isatty(STDERR_FILENO) && !(term && !strcmp(term, "dumb"));
}

/* True when one of the jobs may write its report on a terminal: standard
 * output that is one, or a pipe (`| head`, `| less` print on the terminal
 * too, and where a pipe ends cannot be known), or a path naming stderr's
 * terminal or /dev/tty.  Only a report going to a file leaves the terminal
 * to the progress line. */
static int report_on_terminal(const chronicle_job_status *jobs, size_t n)
{
    struct stat err, tty, st;
    int have_err = fstat(STDERR_FILENO, &err) == 0, have_tty = stat("/dev/tty", &tty) == 0;
    for (size_t i = 0; i < n; i++) {
        if (!jobs[i].dest) {
            if (isatty(STDOUT_FILENO) || (fstat(STDOUT_FILENO, &st) == 0 && !S_ISREG(st.st_mode)))
                return 1;
        } else if (stat(jobs[i].dest, &st) == 0 && S_ISCHR(st.st_mode) &&
                   ((have_err && st.st_rdev == err.st_rdev) ||
                    (have_tty && st.st_rdev == tty.st_rdev))) {
            return 1;
        }
    }
    return 0;
}

static size_t terminal_columns(void)
{
    struct winsize ws;
    if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
    return 80;
}

/* Appends "pdf 1200/4000", "xlsx done": a job's label (which can carry data,
 * a split-by group's name) and where it stands. */
static void describe_job(chronicle_buf *b, const chronicle_job_status *j)
{
    if (b->len) chronicle_buf_puts(b, " \xC2\xB7 ");
    append_clean(b, j->label);
    switch (j->state) {
    case CHRONICLE_JOB_WAITING:
        break;
    case CHRONICLE_JOB_RUNNING:
        if (!j->done && !j->total) break;
        chronicle_buf_putc(b, ' ');
        chronicle_buf_appendf(b, "%llu", (unsigned long long)j->done);
        if (j->total) chronicle_buf_appendf(b, "/%llu", (unsigned long long)j->total);
        break;
    case CHRONICLE_JOB_DONE:
        chronicle_buf_puts(b, " done");
        break;
    case CHRONICLE_JOB_FAILED:
        chronicle_buf_puts(b, " failed");
        break;
    case CHRONICLE_JOB_CLOSED:
        chronicle_buf_puts(b, " stopped");
        break;
    }
}

/* The running jobs first (the line may be cut), then the finished ones,
 * then how many wait. */
static void describe_jobs(chronicle_buf *b, const chronicle_job_status *jobs, size_t n)
{
    size_t waiting = 0;
    for (size_t i = 0; i < n; i++)
        if (jobs[i].state == CHRONICLE_JOB_RUNNING) describe_job(b, &jobs[i]);
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].state == CHRONICLE_JOB_WAITING)
            waiting++;
        else if (jobs[i].state != CHRONICLE_JOB_RUNNING)
            describe_job(b, &jobs[i]);
    }
    if (waiting) chronicle_buf_appendf(b, "%s%zu waiting", b->len ? " \xC2\xB7 " : "", waiting);
}

/* Cuts b (clean UTF-8, see append_clean) to at most cols display columns,
 * the last one a "…" when anything was cut. */
static void fit_columns(chronicle_buf *b, size_t cols)
{
    size_t width = 0, keep = 0;
    for (size_t i = 0; i < b->len;) {
        uint32_t cp;
        size_t n = chronicle_utf8_decode(b->ptr + i, b->len - i, &cp);
        int cw = n ? chronicle_cp_width(cp) : 1;
        width += cw < 0 ? 1 : (size_t)cw;
        if (width > cols) {
            chronicle_buf_truncate(b, keep);
            chronicle_buf_puts(b, "\xE2\x80\xA6");
            return;
        }
        i += n ? n : 1;
        if (width < cols) keep = i; /* room left for the "…" */
    }
}

static void clear_progress(cli *c)
{
    if (!c->drawn) return;
    fputs("\r\033[K", stderr);
    c->drawn = 0;
}

/* --json: a job's errors wait for its "job-failed" record; its other
 * messages are records of their own. */
static void json_message(cli *c, const chronicle_job_status *job, int is_error,
                         chronicle_log_level level, const char *text)
{
    if (is_error) {
        struct job_said *s = NULL;
        for (size_t i = 0; i < c->n_said && !s; i++)
            if (!strcmp(c->said[i].label, job->label)) s = &c->said[i];
        if (!s) {
            struct job_said *grown = realloc(c->said, (c->n_said + 1) * sizeof *grown);
            char *label = strdup(job->label);
            if (!grown || !label) {
                free(label);
                if (grown) c->said = grown;
                return;
            }
            c->said = grown;
            s = &c->said[c->n_said++];
            *s = (struct job_said){label, CHRONICLE_BUF_INIT};
        }
        if (s->text.len) chronicle_buf_putc(&s->text, '\n');
        chronicle_buf_puts(&s->text, text);
        return;
    }
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "{\"type\":\"message\"");
    json_member(&b, "input", c->input);
    json_member(&b, "job", job->label);
    json_member(&b, "level",
                level >= CHRONICLE_LOG_WARN   ? "warning"
                : level == CHRONICLE_LOG_INFO ? "info"
                                              : "debug");
    json_member(&b, "message", text);
    json_line(&b);
    chronicle_buf_free(&b);
}

/* --json: one record a job, when it ends: the output it wrote, or why it
 * failed. */
static void on_finished(void *ctx, const chronicle_job_status *job, const char *format,
                        const char *group, uint64_t bytes)
{
    cli *c = ctx;
    if (!c->json) return;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "{\"type\":\"%s\"",
                          job->state == CHRONICLE_JOB_DONE     ? "output"
                          : job->state == CHRONICLE_JOB_CLOSED ? "job-stopped"
                                                               : "job-failed");
    json_member(&b, "input", c->input);
    json_member(&b, "format", format);
    json_member(&b, "group", group);
    if (job->state == CHRONICLE_JOB_DONE) {
        json_member(&b, "path", job->dest);
        if (bytes == UINT64_MAX)
            chronicle_buf_puts(&b, ",\"bytes\":null");
        else
            chronicle_buf_appendf(&b, ",\"bytes\":%llu", (unsigned long long)bytes);
    } else {
        const char *said = NULL;
        for (size_t i = 0; i < c->n_said; i++)
            if (!strcmp(c->said[i].label, job->label)) said = chronicle_buf_cstr(&c->said[i].text);
        json_member(&b, "path", job->dest);
        if (job->state == CHRONICLE_JOB_FAILED) json_member(&b, "code", "job");
        json_member(&b, "message", said);
    }
    chronicle_buf_appendf(&b, ",\"seconds\":%.3f", job->seconds);
    json_line(&b);
    chronicle_buf_free(&b);
}

static void forget_said(cli *c)
{
    for (size_t i = 0; i < c->n_said; i++) {
        free(c->said[i].label);
        chronicle_buf_free(&c->said[i].text);
    }
    free(c->said);
    c->said = NULL;
    c->n_said = 0;
}

static void on_message(void *ctx, const chronicle_job_status *job, int is_error,
                       chronicle_log_level level, const char *text)
{
    cli *c = ctx;
    if (!is_error && (c->quiet || (level < CHRONICLE_LOG_WARN && !c->verbose) ||
                      (level == CHRONICLE_LOG_DEBUG && c->verbose < 2)))
        return;
    if (c->json) {
        json_message(c, job, is_error, level, text);
        return;
    }
    clear_progress(c); /* the next update draws it again, below the message */
    fputs("chronicle: ", stderr);
    put_clean(stderr, job->label);
    fputs(is_error || level != CHRONICLE_LOG_WARN ? ": " : ": warning: ", stderr);
    put_clean(stderr, text);
    fputc('\n', stderr);
}

static void on_progress(void *ctx, const chronicle_job_status *jobs, size_t n)
{
    cli *c = ctx;
    if (!c->tty || c->quiet) return;
    if (!c->report_tty) c->report_tty = report_on_terminal(jobs, n) ? 1 : -1;
    size_t cols = terminal_columns();
    if (c->report_tty > 0 || cols < 3) return;
    chronicle_buf line = CHRONICLE_BUF_INIT;
    describe_jobs(&line, jobs, n);
    fit_columns(&line, cols - 1);
    fprintf(stderr, "\r%s\033[K", chronicle_buf_cstr(&line));
    c->drawn = 1;
    chronicle_buf_free(&line);
}

static int split_formats(const char *arg, const char ***list, size_t *n, char **store)
{
    char *copy = strdup(arg), *save = NULL;
    if (!copy) return 0;
    *store = copy;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
        if (*tok && !push(list, n, tok)) return 0;
    return 1;
}

static int parse_date_arg(const char *s, uint32_t *out)
{
    *out = chronicle_date_parse(s, strlen(s));
    return *out != 0;
}

static int timestamp_from_env(int64_t *out)
{
    const char *s = getenv("SOURCE_DATE_EPOCH");
    if (!s) {
        *out = (int64_t)time(NULL);
        return 1;
    }
    char *end;
    long long v = strtoll(s, &end, 10);
    if (!*s || *end || v < 0) return 0;
    *out = v;
    return 1;
}

/* Notes the jobs whose reader went away, then shows progress. */
static void on_status(void *ctx, const chronicle_job_status *jobs, size_t n)
{
    cli *c = ctx;
    for (size_t i = 0; i < n; i++)
        c->closed |= jobs[i].state == CHRONICLE_JOB_CLOSED;
    on_progress(ctx, jobs, n);
}

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Outputs are named after their input's stem (events.json -> events.pdf):
 * two inputs with one stem would overwrite each other's reports. */
static int stems_clash(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        const char *a = base_name(argv[i]), *ad = strrchr(a, '.');
        size_t al = ad && ad != a ? (size_t)(ad - a) : strlen(a);
        for (int j = 0; j < i; j++) {
            const char *b = base_name(argv[j]), *bd = strrchr(b, '.');
            size_t bl = bd && bd != b ? (size_t)(bd - b) : strlen(b);
            if (al != bl || memcmp(a, b, al)) continue;
            fputs("chronicle: ", stderr);
            put_clean(stderr, argv[j]);
            fputs(" and ", stderr);
            put_clean(stderr, argv[i]);
            fprintf(stderr,
                    " would both write reports named %.*s.*; export them into different "
                    "directories\n",
                    (int)al, a);
            return 1;
        }
    }
    return 0;
}

/* --plan: one line a job of input's run, tab-separated or (--json) a JSON
 * object: what chronicle_export() would write, nothing run or created. */
static chronicle_status print_plan(const cli *c, const chronicle_export_request *req,
                                   const char *input, chronicle_diag *d)
{
    chronicle_export_plan *plan = NULL;
    chronicle_status st = chronicle_export_plan_new(req, &plan, d);
    chronicle_buf line = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < chronicle_export_plan_count(plan); i++) {
        const chronicle_planned_job *j = chronicle_export_plan_job(plan, i);
        chronicle_buf_reset(&line);
        if (c->json) {
            chronicle_buf_puts(&line, "{\"input\":");
            chronicle_buf_put_json_string(&line, input);
            chronicle_buf_appendf(&line, ",\"index\":%zu,\"format\":", j->index);
            chronicle_buf_put_json_string(&line, j->format);
            chronicle_buf_puts(&line, ",\"group\":");
            if (j->group)
                chronicle_buf_put_json_string(&line, j->group);
            else
                chronicle_buf_puts(&line, "null");
            chronicle_buf_puts(&line, ",\"output\":");
            if (j->output)
                chronicle_buf_put_json_string(&line, j->output);
            else
                chronicle_buf_puts(&line, "null");
            chronicle_buf_appendf(&line, ",\"events\":%zu}", j->n_events);
        } else {
            chronicle_buf_appendf(&line, "%s\t", j->format);
            append_clean(&line, j->group ? j->group : "-");
            chronicle_buf_appendf(&line, "\t%zu\t", j->n_events);
            append_clean(&line, j->output ? j->output : "-");
        }
        fputs(chronicle_buf_cstr(&line), stdout);
        fputc('\n', stdout);
    }
    chronicle_buf_free(&line);
    chronicle_export_plan_free(plan);
    return st;
}

static int run_exports(cli *c, chronicle_export_request *req, int argc, char **argv)
{
    int worst = 0;
    req->keep = (const char *const *)argv; /* no output may be any input */
    req->n_keep = (size_t)argc;
    for (int i = 0; i < argc; i++) {
        chronicle_dataset *ds = NULL;
        int rc = load(c, argv[i], want_index(c, argv[i]), &ds);
        if (!rc) {
            req->ds = ds;
            c->input = input_name(argv[i]);
            chronicle_diag *d = chronicle_diag_new(100);
            chronicle_status st =
                c->plan ? print_plan(c, req, argv[i], d) : chronicle_export(req, d);
            clear_progress(c);
            say_diag(c, d, "chronicle: ", c->quiet);
            chronicle_diag_free(d);
            forget_said(c);
            rc = st == CHRONICLE_OK                ? 0
                 : st == CHRONICLE_ERR_OPTION      ? EXIT_USAGE
                 : st == CHRONICLE_ERR_UNSUPPORTED ? EXIT_UNAVAILABLE
                 : st == CHRONICLE_ERR_IO          ? EXIT_CANTCREAT
                 : st == CHRONICLE_ERR_CANCELLED   ? EXIT_INTERRUPTED
                                                   : EXIT_SOFTWARE;
            chronicle_dataset_free(ds);
        }
        if (rc > worst) worst = rc;
        if (rc == EXIT_USAGE || rc == EXIT_INTERRUPTED) break;
    }
    return worst;
}

enum {
    OPT_SINCE = 256,
    OPT_UNTIL,
    OPT_COUNTRY,
    OPT_TAG,
    OPT_SPLIT,
    OPT_TIMEOUT,
    OPT_PLUGIN_PATH,
    OPT_INPUT_FORMAT,
    OPT_MEMORY,
    OPT_JSON,
    OPT_HELP,
    OPT_VERSION,
    OPT_SHARD,
    OPT_PLAN,
    OPT_REPORT,
    OPT_LANG
};

static const struct option long_options[] = {
    {"format", required_argument, NULL, 'f'},
    {"output", required_argument, NULL, 'o'},
    {"option", required_argument, NULL, 'O'},
    {"jobs", required_argument, NULL, 'j'},
    {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'},
    {"since", required_argument, NULL, OPT_SINCE},
    {"until", required_argument, NULL, OPT_UNTIL},
    {"country", required_argument, NULL, OPT_COUNTRY},
    {"tag", required_argument, NULL, OPT_TAG},
    {"split-by", required_argument, NULL, OPT_SPLIT},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"plugin-path", required_argument, NULL, OPT_PLUGIN_PATH},
    {"input-format", required_argument, NULL, OPT_INPUT_FORMAT},
    {"memory", required_argument, NULL, OPT_MEMORY},
    {"json", no_argument, NULL, OPT_JSON},
    {"help", no_argument, NULL, OPT_HELP},
    {"shard", required_argument, NULL, OPT_SHARD},
    {"plan", no_argument, NULL, OPT_PLAN},
    {"report", required_argument, NULL, OPT_REPORT},
    {"metadata", required_argument, NULL, 'M'},
    {"lang", required_argument, NULL, OPT_LANG},
    {"version", no_argument, NULL, OPT_VERSION},
    {NULL, 0, NULL, 0}};

typedef struct args {
    chronicle_export_request req;
    chronicle_filter filter;
    const char **formats, **options, **countries, **tags;
    size_t n_formats, n_options;
    const char *report_file, *lang; /* --report, --lang */
    const char **meta;              /* -M KEY=VALUE, in order */
    size_t n_meta;
    chronicle_report_def *def;
    char **format_store;
    size_t n_store;
} args;

/* "I/N": digits only, 0 <= I < N.  I counts from 0, as Kubernetes'
 * JOB_COMPLETION_INDEX does (a Slurm array says --array=0-(N-1)). */
static int parse_shard(const char *val, chronicle_export_request *req)
{
    char *end;
    if (*val < '0' || *val > '9')
        return usage_error("--shard: \"%s\" is not I/N (two whole numbers, e.g. 0/4)", val);
    unsigned long i = strtoul(val, &end, 10);
    if (*end != '/' || end[1] < '0' || end[1] > '9')
        return usage_error("--shard: \"%s\" is not I/N (two whole numbers, e.g. 0/4)", val);
    unsigned long n = strtoul(end + 1, &end, 10);
    if (*end) return usage_error("--shard: \"%s\" is not I/N (two whole numbers, e.g. 0/4)", val);
    if (n == 0 || n > UINT_MAX)
        return usage_error("--shard: \"%s\" is not I/N with N from 1 to 4294967295", val);
    if (i >= n)
        return usage_error("--shard: \"%s\": I counts from 0 and must be less than N "
                           "(a Slurm array runs --array=0-N-1)",
                           val);
    req->shard = (unsigned)i;
    req->n_shards = (unsigned)n;
    return 0;
}

static int parse_arg(cli *c, args *a, int opt, const char *val)
{
    char *end;
    switch (opt) {
    case 'f': {
        char **s = realloc(a->format_store, (a->n_store + 1) * sizeof *s);
        if (!s) return EXIT_SOFTWARE;
        a->format_store = s;
        s[a->n_store] = NULL;
        int ok = split_formats(val, &a->formats, &a->n_formats, &s[a->n_store]);
        a->n_store++;
        return ok ? 0 : EXIT_SOFTWARE;
    }
    case 'o':
        a->req.output = val;
        return 0;
    case 'O':
        return push(&a->options, &a->n_options, val) ? 0 : EXIT_SOFTWARE;
    case 'j':
        a->req.jobs = (int)strtol(val, &end, 10);
        return *val && !*end && a->req.jobs > 0 && a->req.jobs <= 256
                   ? 0
                   : usage_error("--jobs: \"%s\" is not a number from 1 to 256", val);
    case 'q':
        c->quiet = 1;
        return 0;
    case 'v':
        c->verbose++;
        return 0;
    case OPT_SINCE:
        return parse_date_arg(val, &a->filter.since)
                   ? 0
                   : usage_error("--since: \"%s\" is not a date YYYY-MM-DD", val);
    case OPT_UNTIL:
        return parse_date_arg(val, &a->filter.until)
                   ? 0
                   : usage_error("--until: \"%s\" is not a date YYYY-MM-DD", val);
    case OPT_COUNTRY:
        return push(&a->countries, &a->filter.n_countries, val) ? 0 : EXIT_SOFTWARE;
    case OPT_TAG:
        return push(&a->tags, &a->filter.n_tags, val) ? 0 : EXIT_SOFTWARE;
    case OPT_SPLIT:
        a->req.split = chronicle_split_key_parse(val);
        return a->req.split
                   ? 0
                   : usage_error("--split-by: \"%s\" is not one of country, year, organizer, tag",
                                 val);
    case OPT_TIMEOUT:
        a->req.timeout = strtod(val, &end);
        return *val && !*end && a->req.timeout > 0
                   ? 0
                   : usage_error("--timeout: \"%s\" is not a positive number of seconds", val);
    case OPT_PLUGIN_PATH:
        return push(&c->plugin_dirs, &c->n_plugin_dirs, val) ? 0 : EXIT_SOFTWARE;
    case OPT_INPUT_FORMAT:
        c->input_format = !strcmp(val, "json")     ? CHRONICLE_FORMAT_JSON
                          : !strcmp(val, "ndjson") ? CHRONICLE_FORMAT_NDJSON
                                                   : CHRONICLE_FORMAT_AUTO;
        return c->input_format ? 0
                               : usage_error("--input-format: \"%s\" is not json or ndjson", val);
    case OPT_MEMORY:
        c->memory = !strcmp(val, "auto")   ? MEMORY_AUTO
                    : !strcmp(val, "low")  ? MEMORY_LOW
                    : !strcmp(val, "high") ? MEMORY_HIGH
                                           : -1;
        return c->memory >= 0 ? 0 : usage_error("--memory: \"%s\" is not auto, low or high", val);
    case OPT_JSON:
        c->json = 1;
        return 0;
    case OPT_PLAN:
        c->plan = 1;
        return 0;
    case OPT_SHARD:
        return parse_shard(val, &a->req);
    case OPT_REPORT:
        a->report_file = val;
        return 0;
    case 'M':
        return push(&a->meta, &a->n_meta, val) ? 0 : EXIT_SOFTWARE;
    case OPT_LANG:
        a->lang = val;
        return 0;
    }
    return usage_error("%s", "unknown option");
}

/* "--format", as the user may have typed it (or "-f/--format"). */
static void option_name(int opt, chronicle_buf *out)
{
    for (const struct option *o = long_options; o->name; o++) {
        if (o->val != opt) continue;
        if (opt < 256) chronicle_buf_appendf(out, "-%c/", opt);
        chronicle_buf_appendf(out, "--%s", o->name);
        return;
    }
    chronicle_buf_appendf(out, "-%c", opt);
}

/* validate reads datasets and writes nothing: it takes only the options
 * that say how to read them and how to answer. */
static int validate_takes(int opt)
{
    return opt == 'q' || opt == OPT_INPUT_FORMAT || opt == OPT_MEMORY || opt == OPT_JSON;
}

static void free_args(cli *c, args *a)
{
    for (size_t i = 0; i < a->n_store; i++)
        free(a->format_store[i]);
    free(a->format_store);
    free(a->formats);
    free(a->options);
    free(a->countries);
    free(a->tags);
    free(a->meta);
    chronicle_report_def_free(a->def);
    free(c->plugin_dirs);
}

/* A -M or --lang value refused: where it came from, then why. */
static void say_set_error(const char *flag, const char *arg, const chronicle_diag *d)
{
    for (size_t i = 0; i < chronicle_diag_count(d); i++) {
        fprintf(stderr, "chronicle: %s ", flag);
        put_clean(stderr, arg);
        fputs(": ", stderr);
        put_clean(stderr, chronicle_diag_at(d, i)->message);
        fputc('\n', stderr);
    }
}

/* The report's definition: the --report file, then each -M in order, then
 * --lang, so the command line overrides the file.  Every value is checked
 * here, before any dataset is read. */
static int build_report(const cli *c, args *a)
{
    if (!a->report_file && !a->n_meta && !a->lang) return 0;
    chronicle_diag *d = chronicle_diag_new(100);
    if (!d || !(a->def = chronicle_report_def_new())) {
        chronicle_diag_free(d);
        fputs("chronicle: out of memory\n", stderr);
        return EXIT_SOFTWARE;
    }
    int rc = 0;
    if (a->report_file) {
        chronicle_status st = chronicle_report_def_load(a->def, a->report_file, d);
        print_diag(c, d);
        rc = st == CHRONICLE_OK           ? 0
             : st == CHRONICLE_ERR_IO     ? EXIT_NOINPUT
             : st == CHRONICLE_ERR_OPTION ? EXIT_USAGE
                                          : EXIT_SOFTWARE;
    }
    for (size_t i = 0; !rc && i < a->n_meta; i++) {
        const char *eq = strchr(a->meta[i], '=');
        if (!eq || eq == a->meta[i]) {
            rc = usage_error("-M %s: expected KEY=VALUE, e.g. -M title=\"Weekly briefing\"",
                             a->meta[i]);
            break;
        }
        char *key = strndup(a->meta[i], (size_t)(eq - a->meta[i]));
        chronicle_diag_clear(d);
        chronicle_status st =
            key ? chronicle_report_def_set(a->def, key, eq + 1, d) : CHRONICLE_ERR_NOMEM;
        if (st != CHRONICLE_OK) say_set_error("-M", a->meta[i], d);
        rc = st == CHRONICLE_OK ? 0 : st == CHRONICLE_ERR_OPTION ? EXIT_USAGE : EXIT_SOFTWARE;
        free(key);
    }
    if (!rc && a->lang) {
        chronicle_diag_clear(d);
        chronicle_status st = chronicle_report_def_set(a->def, "lang", a->lang, d);
        if (st != CHRONICLE_OK) say_set_error("--lang", a->lang, d);
        rc = st == CHRONICLE_OK ? 0 : st == CHRONICLE_ERR_OPTION ? EXIT_USAGE : EXIT_SOFTWARE;
    }
    chronicle_diag_free(d);
    return rc;
}

/* The definition against the plugins (formats, option keys and values),
 * still before any dataset is read. */
static int check_report(const cli *c, chronicle_report_def *def, chronicle_registry *reg)
{
    if (!def) return 0;
    chronicle_diag *d = chronicle_diag_new(100);
    if (!d) return EXIT_SOFTWARE;
    chronicle_status st = chronicle_report_def_check(def, reg, d);
    say_diag(c, d, "chronicle: ", c->quiet);
    chronicle_diag_free(d);
    return st == CHRONICLE_OK ? 0 : st == CHRONICLE_ERR_UNSUPPORTED ? EXIT_UNAVAILABLE : EXIT_USAGE;
}

/* A listing or help text that did not reach standard output (a full
 * disk, a closed descriptor) is an error, not a success. */
static int flushed(int rc)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "chronicle: writing standard output: %s\n", strerror(errno));
        if (!rc) rc = EXIT_IOERR;
    }
    return rc;
}

/* "-" (standard input) is read once and held whole, and has no file name
 * for outputs to be named after. */
static int check_stdin(const cli *c, const args *a, int is_export, int n, char **files)
{
    int seen = 0;
    for (int i = 0; i < n; i++)
        seen += !strcmp(files[i], "-");
    if (!seen) return 0;
    if (seen > 1) return usage_error("%s", "- (standard input) can be read only once");
    if (c->memory == MEMORY_LOW)
        return usage_error("%s", "--memory low: - (standard input) cannot be read again, so it is "
                                 "held whole; leave --memory out");
    const char *out = a->req.output;
    if (is_export && (!out || (strcmp(out, "-") && is_directory(out)) || a->n_formats > 1 ||
                      a->req.split != CHRONICLE_SPLIT_NONE))
        return usage_error("%s", "- (standard input) has no file name to name outputs after: "
                                 "export one format to -o FILE or -o -");
    return 0;
}

int main(int argc, char **argv)
{
    cli c = {.tty = stderr_is_terminal()};
    args a = {0};
    if (argc < 2) {
        put_usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        put_usage(stdout);
        return flushed(0);
    }
    if (!strcmp(cmd, "plugin-check")) return flushed(cli_plugin_check(argc - 1, argv + 1));
    if (!strcmp(cmd, "--version")) {
        printf("chronicle %s (plugin ABI %d.%d)\n", CHRONICLE_VERSION, CHRONICLE_ABI_MAJOR,
               CHRONICLE_ABI_MINOR);
        return flushed(0);
    }
    int is_export = !strcmp(cmd, "export"), is_validate = !strcmp(cmd, "validate"),
        is_plugins = !strcmp(cmd, "plugins");
    if (!is_export && !is_validate && !is_plugins)
        return usage_error("unknown command \"%s\"", cmd);
    int opt, rc = 0;
    optind = 2;
    opterr = 0;
    while (!rc && (opt = getopt_long(argc, argv, "f:o:O:j:M:qvh", long_options, NULL)) != -1) {
        if (opt == OPT_HELP || opt == 'h') {
            put_usage(stdout);
            free_args(&c, &a);
            return flushed(0);
        }
        if (opt == '?') { /* getopt would echo the argument raw: say it ourselves, cleaned */
            rc = usage_error("%s: an unknown option, or one missing its value", argv[optind - 1]);
        } else if (is_validate && !validate_takes(opt)) {
            chronicle_buf name = CHRONICLE_BUF_INIT;
            option_name(opt, &name);
            rc = usage_error("validate: %s means nothing to validate, which takes -q, --json, "
                             "--input-format and --memory only",
                             chronicle_buf_cstr(&name));
            chronicle_buf_free(&name);
        } else {
            rc = parse_arg(&c, &a, opt, optarg);
        }
    }
    int rest = argc - optind;
    char **files = argv + optind;
    if (!rc && (is_validate || is_export)) rc = check_stdin(&c, &a, is_export, rest, files);
    if (!rc && is_validate) {
        rc = rest ? cmd_validate(&c, rest, files)
                  : usage_error("%s", "validate needs at least one FILE");
    } else if (!rc && is_plugins) {
        rc = cmd_plugins(&c, rest, files);
    } else if (!rc) {
        a.filter.countries = a.countries;
        a.filter.tags = a.tags;
        a.req.filter = &a.filter;
        a.req.formats = a.formats;
        a.req.n_formats = a.n_formats;
        a.req.options = a.options;
        a.req.n_options = a.n_options;
        a.req.hooks = (chronicle_export_hooks){&c, on_message, on_status, on_finished};
        size_t n_formats = a.n_formats; /* -f, else the definition's */
        int split = a.req.split != CHRONICLE_SPLIT_NONE;
        if (!rest)
            rc = usage_error("%s", "export needs at least one FILE");
        else if (c.json && !c.plan && a.req.output && !strcmp(a.req.output, "-"))
            rc = usage_error("%s", "--json writes its records on standard output: -o - would mix "
                                   "them with the report; give -o FILE");
        else if ((rc = build_report(&c, &a)) != 0) {
        } else if (!(n_formats =
                         a.n_formats ? a.n_formats : chronicle_report_def_format_count(a.def)))
            rc = usage_error("%s", "export needs -f FORMAT (or \"formats\" in the --report file)");
        else if (!timestamp_from_env(&a.req.timestamp))
            rc = usage_error("SOURCE_DATE_EPOCH=%s is not a whole number of seconds",
                             getenv("SOURCE_DATE_EPOCH"));
        else if (rest > 1 && a.req.output && strcmp(a.req.output, "-") && n_formats == 1 &&
                 !(split || chronicle_report_def_split(a.def)) && !is_directory(a.req.output))
            rc = usage_error("%s", "several input files need -o DIRECTORY/");
        else if (rest > 1 && (!a.req.output || strcmp(a.req.output, "-")) &&
                 stems_clash(rest, files))
            rc = EXIT_USAGE;
        if (!rc) {
            a.req.report = a.def;
            if (!(a.req.registry = open_registry(&c)))
                rc = EXIT_SOFTWARE;
            else if (!(rc = check_report(&c, a.def, a.req.registry)))
                rc = run_exports(&c, &a.req, rest, files);
            chronicle_registry_free(a.req.registry);
        }
        if (c.closed && !rc) rc = EXIT_PIPE;
    }
    free_args(&c, &a);
    return flushed(rc);
}
