/*
 * export.c — plans an export: finds and probes the requested plugins,
 * checks every -O option against their declarations, decides each job's
 * output path against the output contract (output.c), and only then hands
 * the jobs to the dispatcher.  Nothing is created on disk before all of
 * that has passed, except a missing output directory.  A shard's jobs are
 * picked only after the whole run is planned, so names never depend on it;
 * a dry plan (chronicle_export_plan_new) creates and removes nothing.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chronicle/export.h"
#include "dispatch_internal.h"
#include "registry_internal.h"
#include "report_internal.h"
#include "struct_size.h"
#include "wording.h"

typedef struct plan {
    const chronicle_export_request *req;
    chronicle_diag *diag;
    /* what the run does: the request's, else its report definition's */
    const char *const *formats;
    size_t n_formats;
    chronicle_split_key split;
    chronicle_filter filter;
    chronicle_str *countries, *tags; /* the filter's, as chronicle_report lists them */
    chronicle_report report;         /* every job's report() */
    const wording_lang *lang;        /* ... and its language */
    chronicle_plugin_info **plugins; /* parallel to formats */
    chronicle_opt_value **values;    /* per format, parallel to its options */
    chronicle_job **jobs;
    size_t n_jobs;
    const chronicle_event **events;
    size_t n_events;
    chronicle_group *groups;
    size_t n_groups;
    int directory; /* -o names a directory: outputs are named STEM[-GROUP].EXT */
    char *dir;     /* where outputs go: -o's directory, or -o itself in directory mode */
    int dir_fd;    /* ... held open: every output is made relative to it */
    int tmp_fd;    /* $TMPDIR, for the scratch of jobs that write to a stream */
    const char *tmp_dir;
    struct stat *keep; /* the files never written: the inputs */
    size_t n_keep;
    mode_t new_mode;
    int dry;             /* planning only: create nothing, not even the directory */
    size_t first, count; /* the shard's jobs: jobs[first .. first + count) */
    unsigned check;      /* plugin-check's host modes for every job (host_internal.h) */
} plan;

struct chronicle_export_plan {
    chronicle_planned_job *jobs;
    size_t n_jobs;
};

static void plan_error(plan *p, chronicle_diag_code code, const char *fmt, ...)
    CHRONICLE_PRINTF(3, 4);
static void plan_error(plan *p, chronicle_diag_code code, const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    chronicle_diag_add_coded(p->diag, code, CHRONICLE_SEV_ERROR, NULL, 0, 0, NULL, "%s",
                             chronicle_buf_cstr(&b));
    chronicle_buf_free(&b);
}

static chronicle_status find_plugins(plan *p)
{
    const chronicle_export_request *req = p->req;
    chronicle_status st = CHRONICLE_OK;
    for (size_t i = 0; i < p->n_formats; i++) {
        for (size_t j = 0; j < i; j++)
            if (!strcmp(p->formats[i], p->formats[j])) {
                plan_error(p, CHRONICLE_DIAG_OPTION, "format \"%s\" is given twice", p->formats[i]);
                return CHRONICLE_ERR_OPTION;
            }
        chronicle_plugin_info *info = chronicle_registry_find(req->registry, p->formats[i]);
        if (!info) {
            chronicle_buf known = CHRONICLE_BUF_INIT;
            for (size_t k = 0; k < chronicle_registry_count(req->registry); k++)
                chronicle_buf_appendf(&known, "%s%s", k ? ", " : "",
                                      chronicle_registry_at(req->registry, k)->name);
            plan_error(p, CHRONICLE_DIAG_UNKNOWN_FORMAT,
                       "unknown format \"%s\"; available: %s (see: chronicle plugins)",
                       p->formats[i], known.len ? known.ptr : "none found");
            chronicle_buf_free(&known);
            st = CHRONICLE_ERR_OPTION;
            continue;
        }
        if (!info->version && !info->broken) {
            chronicle_registry_probe(req->registry, info);
            chronicle__report_say_load_output(p->diag, info);
        }
        if (info->broken) {
            chronicle_diag_add_coded(p->diag, CHRONICLE_DIAG_PLUGIN, CHRONICLE_SEV_ERROR,
                                     info->path, 0, 0, NULL, "%s", info->reason);
            if (st == CHRONICLE_OK) st = CHRONICLE_ERR_UNSUPPORTED;
        }
        p->plugins[i] = info;
    }
    return st;
}

static long format_index(const plan *p, const char *name, size_t len)
{
    for (size_t i = 0; i < p->n_formats; i++)
        if (strlen(p->formats[i]) == len && !strncmp(p->formats[i], name, len)) return (long)i;
    return -1;
}

static chronicle_status set_option(plan *p, const char *arg)
{
    const char *dot = strchr(arg, '.'), *eq = strchr(arg, '=');
    if (!dot || !eq || eq < dot) {
        plan_error(p, CHRONICLE_DIAG_OPTION,
                   "-O %s: expected FORMAT.KEY=VALUE, e.g. -O text.width=100", arg);
        return CHRONICLE_ERR_OPTION;
    }
    long f = format_index(p, arg, (size_t)(dot - arg));
    if (f < 0) {
        plan_error(p, CHRONICLE_DIAG_OPTION,
                   "-O %s: \"%.*s\" is not among the formats being exported (-f)", arg,
                   (int)(dot - arg), arg);
        return CHRONICLE_ERR_OPTION;
    }
    const chronicle_plugin_info *info = p->plugins[f];
    size_t klen = (size_t)(eq - dot - 1);
    for (size_t i = 0; i < info->n_options; i++) {
        const chronicle_option_info *o = &info->options[i];
        if (strlen(o->name) != klen || strncmp(o->name, dot + 1, klen)) continue;
        chronicle_buf why = CHRONICLE_BUF_INIT;
        chronicle_status st = chronicle_opt_parse(o, eq + 1, &p->values[f][i], &why);
        if (st == CHRONICLE_OK && o->type == CHRONICLE_OPT_PATH)
            st = chronicle__report_readable_file(eq + 1, &why);
        if (st != CHRONICLE_OK)
            plan_error(p, CHRONICLE_DIAG_OPTION, "-O %s: %s.%s %s", arg, info->name, o->name,
                       chronicle_buf_cstr(&why));
        chronicle_buf_free(&why);
        return st;
    }
    chronicle_buf valid = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < info->n_options; i++)
        chronicle_buf_appendf(&valid, "%s%s", i ? ", " : "", info->options[i].name);
    plan_error(p, CHRONICLE_DIAG_UNKNOWN_OPTION, "-O %s: unknown option \"%.*s\" for %s; valid: %s",
               arg, (int)klen, dot + 1, info->name,
               valid.len ? valid.ptr : "(this format has no options)");
    chronicle_buf_free(&valid);
    return CHRONICLE_ERR_OPTION;
}

/* The report definition's options for the formats exported (checked with
 * the definition), before the request's own. */
static void report_options(plan *p)
{
    const chronicle_report_def *def = p->req->report;
    for (size_t k = 0; def && k < def->n_options; k++) {
        const report_option *ro = &def->options[k];
        long f = format_index(p, ro->format, strlen(ro->format));
        const chronicle_plugin_info *info = f >= 0 ? p->plugins[f] : NULL;
        for (size_t i = 0; info && i < info->n_options; i++) {
            const chronicle_option_info *o = &info->options[i];
            if (strcmp(o->name, ro->key)) continue;
            chronicle_buf why = CHRONICLE_BUF_INIT;
            chronicle_opt_parse(o, o->type == CHRONICLE_OPT_PATH ? ro->path : ro->value,
                                &p->values[f][i], &why);
            chronicle_buf_free(&why);
        }
    }
}

static chronicle_status parse_options(plan *p)
{
    const chronicle_export_request *req = p->req;
    for (size_t f = 0; f < p->n_formats; f++) {
        const chronicle_plugin_info *info = p->plugins[f];
        p->values[f] = calloc(info->n_options ? info->n_options : 1, sizeof *p->values[f]);
        if (!p->values[f]) return CHRONICLE_ERR_NOMEM;
    }
    chronicle_status st = CHRONICLE_OK;
    report_options(p);
    for (size_t i = 0; i < req->n_options; i++)
        if (set_option(p, req->options[i]) != CHRONICLE_OK) st = CHRONICLE_ERR_OPTION;
    for (size_t f = 0; f < p->n_formats && st == CHRONICLE_OK; f++) {
        const chronicle_plugin_info *info = p->plugins[f];
        for (size_t i = 0; i < info->n_options; i++) {
            chronicle_buf why = CHRONICLE_BUF_INIT;
            if (!p->values[f][i].set && info->options[i].default_value)
                chronicle_opt_parse(&info->options[i], info->options[i].default_value,
                                    &p->values[f][i], &why); /* checked at probe time */
            chronicle_buf_free(&why);
        }
    }
    return st;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* What a dry plan can tell of mkdir(path) without calling it: the errno it
 * would fail with, or 0. */
static int mkdir_would_fail(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) == 0) return EEXIST;
    if (errno != ENOENT) return errno;
    char *parent = dir_of(path);
    int err = !parent ? ENOMEM : is_dir(parent) ? 0 : ENOENT;
    free(parent);
    return err;
}

/* Opens the directory outputs go to (or scratch, for streams), once. */
static chronicle_status open_dir(plan *p, const char *dir, int *fd)
{
    *fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (*fd >= 0) return CHRONICLE_OK;
    plan_error(p, CHRONICLE_DIAG_OUTPUT, "cannot write into %s: %s", dir, strerror(errno));
    return CHRONICLE_ERR_IO;
}

/* What no output may be: the dataset's file and every input the caller names. */
static chronicle_status stat_keep(plan *p)
{
    const chronicle_export_request *req = p->req;
    if (!(p->keep = calloc(req->n_keep + 3, sizeof *p->keep))) return CHRONICLE_ERR_NOMEM;
    const char *own = chronicle_dataset_get_info(req->ds)->path.ptr;
    for (size_t i = 0; i <= req->n_keep; i++) {
        const char *path = i < req->n_keep ? req->keep[i] : own;
        if (path && stat(path, &p->keep[p->n_keep]) == 0) p->n_keep++;
    }
    /* the report's definition and its logo are inputs too */
    const chronicle_report_def *def = req->report;
    if (def && def->file && stat(def->file, &p->keep[p->n_keep]) == 0) p->n_keep++;
    if (def && def->logo_fd >= 0 && fstat(def->logo_fd, &p->keep[p->n_keep]) == 0) p->n_keep++;
    return CHRONICLE_OK;
}

/* A new output's mode, as open(2) would make it: 0666 less the umask. */
static mode_t new_file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

/* Directory mode (several outputs) or one file; checks stdout use. */
static chronicle_status choose_output(plan *p)
{
    const chronicle_export_request *req = p->req;
    const char *out = req->output;
    int several = p->n_formats > 1 || p->split != CHRONICLE_SPLIT_NONE;
    if (out && !*out) {
        plan_error(p, CHRONICLE_DIAG_OUTPUT,
                   "-o: an empty path; give a file, a directory, or - for standard output");
        return CHRONICLE_ERR_OPTION;
    }
    if (out && !strcmp(out, "-")) {
        if (several) {
            plan_error(p, CHRONICLE_DIAG_OUTPUT,
                       "-o - (standard output) takes one format and no --split-by");
            return CHRONICLE_ERR_OPTION;
        }
        if (!(p->plugins[0]->flags & CHRONICLE_PLUGIN_STDOUT_OK)) {
            plan_error(
                p, CHRONICLE_DIAG_OUTPUT,
                "%s: cannot write to standard output (it needs a seekable file); use -o FILE",
                p->plugins[0]->name);
            return CHRONICLE_ERR_OPTION;
        }
        return CHRONICLE_OK;
    }
    size_t len = out ? strlen(out) : 0;
    p->directory = several || !out || (len && out[len - 1] == '/') || is_dir(out);
    if (p->directory) {
        p->dir = strdup(out ? out : ".");
        if (!p->dir) return CHRONICLE_ERR_NOMEM;
        while (strlen(p->dir) > 1 && p->dir[strlen(p->dir) - 1] == '/')
            p->dir[strlen(p->dir) - 1] = '\0';
        if (!is_dir(p->dir)) {
            int err = p->dry ? mkdir_would_fail(p->dir) : mkdir(p->dir, 0777) != 0 ? errno : 0;
            if (err) {
                plan_error(p, CHRONICLE_DIAG_OUTPUT, "cannot create the output directory %s: %s",
                           p->dir, strerror(err));
                return CHRONICLE_ERR_IO;
            }
            /* a dry plan takes the directory it would make as empty */
            if (p->dry) return CHRONICLE_OK;
        }
    } else if (!(p->dir = dir_of(out))) {
        return CHRONICLE_ERR_NOMEM;
    }
    return open_dir(p, p->dir, &p->dir_fd);
}

/* The scratch of a job that writes to a stream lives in $TMPDIR. */
static chronicle_status open_tmp_dir(plan *p)
{
    if (p->tmp_fd >= 0) return CHRONICLE_OK;
    const char *t = getenv("TMPDIR");
    p->tmp_dir = t && *t == '/' ? t : "/tmp";
    return open_dir(p, p->tmp_dir, &p->tmp_fd);
}

static int dest_taken(const plan *p, const char *name)
{
    for (size_t j = 0; j < p->n_jobs; j++)
        if (p->jobs[j]->dest_name && !strcmp(p->jobs[j]->dest_name, name)) return 1;
    return 0;
}

/* The output's name in p->dir: -o's own, or STEM[-GROUP].EXT made unique. */
static char *dest_name(plan *p, const chronicle_plugin_info *info, const char *group)
{
    const chronicle_export_request *req = p->req;
    const char *out = req->output;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    if (!p->directory) {
        const char *slash = strrchr(out, '/');
        chronicle_buf_puts(&b, slash ? slash + 1 : out);
        return chronicle_buf_steal(&b);
    }
    const chronicle_dataset_info *di = chronicle_dataset_get_info(req->ds);
    char *safe = group ? chronicle_safe_filename(group) : NULL;
    chronicle_buf_appendf(&b, "%s%s%s", di->stem.ptr, safe ? "-" : "", safe ? safe : "");
    free(safe);
    /* two jobs must never share an output: add -2, -3 ... */
    size_t base_len = b.len;
    for (int k = 2;; k++) {
        chronicle_buf_appendf(&b, ".%s", info->extension);
        if (!b.ptr || !dest_taken(p, b.ptr)) break;
        chronicle_buf_truncate(&b, base_len);
        chronicle_buf_appendf(&b, "-%d", k);
    }
    return chronicle_buf_steal(&b);
}

static chronicle_status place_output(plan *p, chronicle_job *job)
{
    const char *out = p->req->output;
    job->new_mode = p->new_mode;
    if (!out || strcmp(out, "-")) {
        job->dir_fd = p->dir_fd;
        if (!(job->dest_name = dest_name(p, job->plugin, job->group))) return CHRONICLE_ERR_NOMEM;
        chronicle_buf b = CHRONICLE_BUF_INIT;
        if (!strcmp(p->dir, ".") && out && !strchr(out, '/'))
            chronicle_buf_puts(&b, job->dest_name);
        else
            chronicle_buf_appendf(&b, "%s%s%s", p->dir, strcmp(p->dir, "/") ? "/" : "",
                                  job->dest_name);
        if (!(job->dest = chronicle_buf_steal(&b))) return CHRONICLE_ERR_NOMEM;
    }
    /* a dry plan writes nothing to standard output, and a directory that
     * does not exist yet holds nothing to check */
    if (p->dry && (!job->dest || p->dir_fd < 0)) return CHRONICLE_OK;
    chronicle_buf why = CHRONICLE_BUF_INIT;
    chronicle_status st = chronicle__output_plan(job, p->keep, p->n_keep, &why);
    if (st != CHRONICLE_OK)
        plan_error(p, st == CHRONICLE_ERR_NOMEM ? CHRONICLE_DIAG_MEMORY : CHRONICLE_DIAG_OUTPUT,
                   "%s: %s", job->plugin->name, chronicle_buf_cstr(&why));
    chronicle_buf_free(&why);
    if (st != CHRONICLE_OK) return st;
    /* a file's scratch sits beside it (rename stays on one file system);
     * a stream's in $TMPDIR, never in /dev */
    if (job->out_kind == OUTPUT_FILE) {
        job->scratch_parent_fd = p->dir_fd;
        job->scratch_parent = p->dir;
    } else {
        if ((st = open_tmp_dir(p)) != CHRONICLE_OK) return st;
        job->scratch_parent_fd = p->tmp_fd;
        job->scratch_parent = p->tmp_dir;
    }
    return CHRONICLE_OK;
}

static chronicle_status add_job(plan *p, size_t f, const chronicle_group *g)
{
    chronicle_job *job = chronicle__job_new(p->plugins[f], p->req->ds, g ? g->name : NULL);
    if (!job) return CHRONICLE_ERR_NOMEM;
    p->jobs[p->n_jobs++] = job;
    job->values = p->values[f];
    job->timestamp = p->req->timestamp;
    job->report = p->report;
    job->lang = p->lang;
    job->logo_fd = p->req->report ? p->req->report->logo_fd : -1;
    job->check = p->check;
    job->events = g ? g->events : p->events;
    job->n_events = g ? g->n_events : p->n_events;
    return place_output(p, job);
}

static chronicle_status make_jobs(plan *p)
{
    const chronicle_export_request *req = p->req;
    chronicle_status st = chronicle__dataset_select(req->ds, &p->filter, &p->events, &p->n_events);
    if (st == CHRONICLE_OK && p->split != CHRONICLE_SPLIT_NONE)
        st = chronicle_split(p->events, p->n_events, p->split, &p->groups, &p->n_groups);
    if (st != CHRONICLE_OK) return st;
    size_t n_sets = p->split != CHRONICLE_SPLIT_NONE ? p->n_groups : 1;
    if (!(p->jobs = calloc(n_sets * p->n_formats + 1, sizeof *p->jobs))) return CHRONICLE_ERR_NOMEM;
    for (size_t g = 0; g < n_sets; g++)
        for (size_t f = 0; f < p->n_formats && st == CHRONICLE_OK; f++)
            st = add_job(p, f, p->split != CHRONICLE_SPLIT_NONE ? &p->groups[g] : NULL);
    return st;
}

static void plan_free(plan *p)
{
    for (size_t i = 0; i < p->n_jobs; i++)
        chronicle__job_free(p->jobs[i]);
    free(p->jobs);
    for (size_t f = 0; p->values && f < p->n_formats; f++)
        free(p->values[f]);
    free(p->countries);
    free(p->tags);
    free(p->values);
    free(p->plugins);
    free((void *)p->events);
    chronicle_groups_free(p->groups, p->n_groups);
    free(p->dir);
    free(p->keep);
    if (p->dir_fd >= 0) close(p->dir_fd);
    if (p->tmp_fd >= 0) close(p->tmp_fd);
}

/* Dead runs' scratch directories where this run makes its own. */
static void sweep(plan *p)
{
    chronicle_buf said = CHRONICLE_BUF_INIT;
    if (p->dir_fd >= 0) chronicle__output_sweep(p->dir_fd, p->dir, &said);
    if (p->tmp_fd >= 0) chronicle__output_sweep(p->tmp_fd, p->tmp_dir, &said);
    for (char *line = said.ptr, *nl; line && *line; line = nl ? nl + 1 : NULL) {
        if ((nl = strchr(line, '\n'))) *nl = '\0';
        chronicle_diag_add_coded(p->diag, CHRONICLE_DIAG_SCRATCH, CHRONICLE_SEV_WARNING, NULL, 0, 0,
                                 NULL, "%s", line);
        if (!nl) break;
    }
    chronicle_buf_free(&said);
}

static int cpu_count(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

/* The shard's share of n_jobs: a contiguous block, the first n % shards
 * blocks one job longer, so sizes differ by at most one.  Blocks rather
 * than every N-th job: dealing round a plan ordered group by group, format
 * by format, would hand one shard all the PDFs whenever N shares a factor
 * with the number of formats. */
static void shard_range(plan *p)
{
    const chronicle_export_request *req = p->req;
    if (!req->n_shards) {
        p->first = 0;
        p->count = p->n_jobs;
        return;
    }
    size_t n = req->n_shards, i = req->shard, q = p->n_jobs / n, r = p->n_jobs % n;
    p->first = i * q + (i < r ? i : r);
    p->count = q + (i < r);
}

static chronicle_str view(const char *s)
{
    return (chronicle_str){s, s ? strlen(s) : 0};
}

static chronicle_str *views(const char *const *list, size_t n)
{
    chronicle_str *v = calloc(n + 1, sizeof *v);
    for (size_t i = 0; v && i < n; i++)
        v[i] = view(list[i]);
    return v;
}

/* The run as the request and its report definition give it together (the
 * request's formats, filter fields and split where it sets them, else the
 * definition's), and the report every job's plugin sees: the selection as
 * applied, never the input's path. */
static chronicle_status settle_request(plan *p)
{
    const chronicle_export_request *req = p->req;
    const chronicle_report_def *def = req->report;
    chronicle_filter *f = &p->filter;
    p->formats = req->formats;
    p->n_formats = req->n_formats;
    if (!p->n_formats && def) {
        p->formats = (const char *const *)def->formats;
        p->n_formats = def->n_formats;
    }
    p->split = req->split ? req->split : chronicle_report_def_split(def);
    CHRONICLE__STRUCT_READ(chronicle_filter, f, req->filter);
    if (def && !f->since) f->since = def->since;
    if (def && !f->until) f->until = def->until;
    if (def && !f->n_countries) {
        f->countries = (const char *const *)def->countries;
        f->n_countries = def->n_countries;
    }
    if (def && !f->n_tags) {
        f->tags = (const char *const *)def->tags;
        f->n_tags = def->n_tags;
    }
    if (!(p->countries = views(f->countries, f->n_countries)) ||
        !(p->tags = views(f->tags, f->n_tags)))
        return CHRONICLE_ERR_NOMEM;
    chronicle_report *r = &p->report;
    const chronicle_dataset_info *di = chronicle_dataset_get_info(req->ds);
    const char *const *meta = def ? (const char *const *)def->meta : NULL;
    p->lang = def && def->lang ? chronicle__wording_find(def->lang) : chronicle__wording_english();
    r->struct_size = sizeof *r;
    r->direction = (uint32_t)chronicle__wording_direction(p->lang);
    r->lang = view(chronicle__wording_tag(p->lang));
    r->title = meta && meta[META_TITLE] ? view(meta[META_TITLE])
               : di->title.ptr          ? di->title
                                        : view("");
    if (meta) {
        r->subtitle = view(meta[META_SUBTITLE]);
        r->organization = view(meta[META_ORGANIZATION]);
        r->author = view(meta[META_AUTHOR]);
        r->marking = view(meta[META_MARKING]);
    }
    if (def && def->logo_path) {
        r->logo = view(def->logo_path);
        r->logo_format = def->logo_format;
    }
    r->since_ymd = f->since;
    r->until_ymd = f->until;
    r->countries = p->countries;
    r->n_countries = f->n_countries;
    r->tags = p->tags;
    r->n_tags = f->n_tags;
    r->split_by = view(chronicle__report_split_name(p->split));
    return CHRONICLE_OK;
}

/* Everything before the first job runs: plugins, options, every job's
 * output checked, then the shard picked. */
static chronicle_status plan_build(plan *p)
{
    const chronicle_export_request *req = p->req;
    chronicle_status st;
    if (req->report && (st = chronicle_report_def_check(req->report, req->registry, p->diag)))
        return st;
    if ((st = settle_request(p)) != CHRONICLE_OK) return st;
    if (!p->n_formats) {
        plan_error(p, CHRONICLE_DIAG_OPTION,
                   "no format given (-f FORMAT, or \"formats\" in the report definition)");
        return CHRONICLE_ERR_OPTION;
    }
    if (req->n_shards && req->shard >= req->n_shards) {
        plan_error(p, CHRONICLE_DIAG_OPTION, "shard %u of %u: shards are counted from 0 to %u",
                   req->shard, req->n_shards, req->n_shards - 1);
        return CHRONICLE_ERR_OPTION;
    }
    p->plugins = calloc(p->n_formats, sizeof *p->plugins);
    p->values = calloc(p->n_formats, sizeof *p->values);
    if (!p->plugins || !p->values) return CHRONICLE_ERR_NOMEM;
    if ((st = find_plugins(p)) != CHRONICLE_OK) return st;
    if ((st = parse_options(p)) != CHRONICLE_OK) return st;
    p->new_mode = new_file_mode();
    if ((st = stat_keep(p)) != CHRONICLE_OK) return st;
    if ((st = choose_output(p)) != CHRONICLE_OK) return st;
    if ((st = make_jobs(p)) != CHRONICLE_OK) return st;
    shard_range(p);
    return CHRONICLE_OK;
}

chronicle_status chronicle_export(const chronicle_export_request *req, chronicle_diag *diag)
{
    chronicle_export_request own;
    CHRONICLE__STRUCT_READ(chronicle_export_request, &own, req);
    return chronicle__export_run(&own, 0, diag);
}

chronicle_status chronicle__export_run(const chronicle_export_request *req, unsigned check,
                                       chronicle_diag *diag)
{
    plan p = {.req = req, .diag = diag, .dir_fd = -1, .tmp_fd = -1, .check = check};
    chronicle_status st = plan_build(&p);
    if (st == CHRONICLE_OK) {
        sweep(&p); /* every shard sweeps, as an unsharded run does */
        st = chronicle__dispatch_jobs(p.jobs + p.first, p.count,
                                      req->jobs > 0 ? req->jobs : cpu_count(), req->timeout,
                                      &req->hooks);
    }
    plan_free(&p);
    return st;
}

static chronicle_status copy_job(chronicle_planned_job *to, const chronicle_job *job, size_t index)
{
    to->index = index;
    to->n_events = job->n_events;
    to->format = strdup(job->plugin->name);
    to->group = job->group ? strdup(job->group) : NULL;
    to->output = job->dest ? strdup(job->dest) : NULL;
    int ok = to->format && (!job->group || to->group) && (!job->dest || to->output);
    return ok ? CHRONICLE_OK : CHRONICLE_ERR_NOMEM;
}

chronicle_status chronicle_export_plan_new(const chronicle_export_request *req,
                                           chronicle_export_plan **out, chronicle_diag *diag)
{
    chronicle_export_request own;
    CHRONICLE__STRUCT_READ(chronicle_export_request, &own, req);
    plan p = {.req = &own, .diag = diag, .dir_fd = -1, .tmp_fd = -1, .dry = 1};
    chronicle_export_plan *ep = NULL;
    chronicle_status st = plan_build(&p);
    *out = NULL;
    if (st != CHRONICLE_OK) goto out;
    st = CHRONICLE_ERR_NOMEM;
    if (!(ep = calloc(1, sizeof *ep)) || !(ep->jobs = calloc(p.count + 1, sizeof *ep->jobs)))
        goto out;
    for (st = CHRONICLE_OK; st == CHRONICLE_OK && ep->n_jobs < p.count; ep->n_jobs++)
        st = copy_job(&ep->jobs[ep->n_jobs], p.jobs[p.first + ep->n_jobs], p.first + ep->n_jobs);
    if (st == CHRONICLE_OK) {
        *out = ep;
        ep = NULL;
    }
out:
    chronicle_export_plan_free(ep);
    plan_free(&p);
    return st;
}

size_t chronicle_export_plan_count(const chronicle_export_plan *ep)
{
    return ep ? ep->n_jobs : 0;
}

const chronicle_planned_job *chronicle_export_plan_job(const chronicle_export_plan *ep, size_t i)
{
    return ep && i < ep->n_jobs ? &ep->jobs[i] : NULL;
}

void chronicle_export_plan_free(chronicle_export_plan *ep)
{
    if (!ep) return;
    for (size_t i = 0; i < ep->n_jobs; i++) {
        free((void *)ep->jobs[i].format);
        free((void *)ep->jobs[i].group);
        free((void *)ep->jobs[i].output);
    }
    free(ep->jobs);
    free(ep);
}
