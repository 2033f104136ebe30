/*
 * registry.c — the plugin search path and the plugin files in it.  Only
 * absolute directories are searched: a relative entry would follow the user
 * into every directory they run chronicle in, so it is refused with a
 * warning.  Loading and probing are plugin_load.c's; the parent never
 * dlopen()s a plugin it is only listing.
 */
#define _GNU_SOURCE /* secure_getenv, dladdr */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chronicle/utf8.h"
#include "config.h"
#include "registry_internal.h"
#include "struct_size.h"

struct chronicle_registry {
    char **dirs;
    size_t n_dirs, cap_dirs;
    char **warnings; /* search-path entries not searched, and why */
    size_t n_warnings;
    chronicle_plugin_info *items;
    size_t n, cap;
    double probe_timeout;
};

/* ---- search path ---- */

static int add_dir(chronicle_registry *r, const char *dir, size_t len)
{
    if (!len) return 1;
    for (size_t i = 0; i < r->n_dirs; i++)
        if (strlen(r->dirs[i]) == len && !strncmp(r->dirs[i], dir, len)) return 1;
    if (r->n_dirs == r->cap_dirs) {
        size_t cap = r->cap_dirs ? r->cap_dirs * 2 : 8;
        char **p = realloc(r->dirs, cap * sizeof *p);
        if (!p) return 0;
        r->dirs = p;
        r->cap_dirs = cap;
    }
    if (!(r->dirs[r->n_dirs] = strndup(dir, len))) return 0;
    r->n_dirs++;
    return 1;
}

static int add_warning(chronicle_registry *r, const char *what, const char *entry, size_t len,
                       const char *why)
{
    char *clean = chronicle_utf8_clean(entry, len, 200, 0);
    char **p = realloc(r->warnings, (r->n_warnings + 1) * sizeof *p);
    chronicle_buf b = CHRONICLE_BUF_INIT;
    if (p) r->warnings = p;
    if (!clean || !p ||
        chronicle_buf_appendf(&b, "%s entry \"%s\" %s", what, clean, why) != CHRONICLE_OK) {
        free(clean);
        chronicle_buf_free(&b);
        return 0;
    }
    free(clean);
    r->warnings[r->n_warnings++] = chronicle_buf_steal(&b);
    return 1;
}

static int add_path_list(chronicle_registry *r, const char *var, const char *list)
{
    while (list && *list) {
        const char *colon = strchr(list, ':');
        size_t len = colon ? (size_t)(colon - list) : strlen(list);
        /* an empty element would mean the current directory: never searched */
        if (len && *list != '/') {
            if (!add_warning(r, var, list, len,
                             "is a relative directory and is not searched (plugins load only "
                             "from absolute paths; fix: write it as an absolute path)"))
                return 0;
        } else if (len && !add_dir(r, list, len)) {
            return 0;
        }
        list = colon ? colon + 1 : NULL;
    }
    return 1;
}

/* --plugin-path was typed for this run, in this directory: a relative one
 * is made absolute now, so it means the same in every child. */
static int add_option_dir(chronicle_registry *r, const char *dir)
{
    if (*dir == '/') return add_dir(r, dir, strlen(dir));
    char *real = realpath(dir, NULL);
    if (!real) {
        char why[256];
        snprintf(why, sizeof why, "cannot be made absolute (%s) and is not searched",
                 strerror(errno));
        return add_warning(r, "--plugin-path", dir, strlen(dir), why);
    }
    int ok = add_dir(r, real, strlen(real));
    free(real);
    return ok;
}

/* Where this code runs from: the directory of libchronicle.so when the
 * program links the shared library (*shared set), else of the program
 * itself, which links the static library (unit tests, the test kit).  The
 * object is found by an address inside it, so neither argv[0] nor the
 * environment can point it elsewhere.  Returns 0 when unknown. */
static int own_dir(char dir[PATH_MAX], int *shared)
{
    static const char anchor = 0; /* an address in this object */
    Dl_info info;
    *shared = 0;
    if (dladdr(&anchor, &info) && info.dli_fname) {
        const char *base = strrchr(info.dli_fname, '/');
        if (base && !strncmp(base + 1, "libchronicle.so", strlen("libchronicle.so")) &&
            realpath(info.dli_fname, dir)) {
            *shared = 1;
            *strrchr(dir, '/') = '\0';
            return 1;
        }
    }
    ssize_t n = readlink("/proc/self/exe", dir, PATH_MAX - 1);
    if (n <= 0) return 0;
    dir[n] = '\0';
    char *slash = strrchr(dir, '/');
    if (!slash) return 0;
    *slash = '\0';
    return 1;
}

/* The build tree's plugins, each in its own folder under build/plugins/,
 * are searched only when the library running is the build tree's (the
 * CLI of the tree, a test program linking it): an installed library never
 * looks into a build directory, even one that still exists. */
static int add_build_tree(chronicle_registry *r, const char *dir)
{
    static const char build_core[] = CHRONICLE_BUILD_ROOT "/core";
    if (strcmp(dir, build_core)) return 1;
    DIR *d = opendir(CHRONICLE_BUILD_PLUGINDIR);
    if (!d) return 1;
    struct dirent *e;
    char **names = NULL;
    size_t k = 0;
    int ok = 1;
    while ((e = readdir(d)) && ok) {
        if (e->d_name[0] == '.') continue;
        char **p = realloc(names, (k + 1) * sizeof *names);
        if (!p || !(p[k] = strdup(e->d_name))) ok = 0;
        if (p) names = p, k += ok;
    }
    closedir(d);
    for (size_t i = 0; i < k; i++) {
        for (size_t j = i + 1; j < k; j++)
            if (strcmp(names[j], names[i]) < 0) {
                char *t = names[i];
                names[i] = names[j];
                names[j] = t;
            }
        char path[PATH_MAX];
        int len = snprintf(path, sizeof path, "%s/%s", CHRONICLE_BUILD_PLUGINDIR, names[i]);
        struct stat sb;
        if (ok && len > 0 && (size_t)len < sizeof path && !stat(path, &sb) && S_ISDIR(sb.st_mode))
            ok = add_dir(r, path, (size_t)len);
        free(names[i]);
    }
    free(names);
    return ok;
}

static int add_user_dir(chronicle_registry *r)
{
    const char *xdg = secure_getenv("XDG_DATA_HOME"), *home = secure_getenv("HOME");
    char path[PATH_MAX];
    int n;
    if (xdg && *xdg == '/')
        n = snprintf(path, sizeof path, "%s/chronicle/plugins-%d", xdg, CHRONICLE_ABI_MAJOR);
    else if (home && *home == '/')
        n = snprintf(path, sizeof path, "%s/.local/share/chronicle/plugins-%d", home,
                     CHRONICLE_ABI_MAJOR);
    else
        return 1;
    return n > 0 && (size_t)n < sizeof path ? add_dir(r, path, (size_t)n) : 1;
}

/* The installed plugins: chronicle/plugins-N beside the running
 * libchronicle.so (its libdir, wherever the install was moved or unpacked),
 * then the plugin directory of the prefix the library was built for. */
static int add_installed(chronicle_registry *r, const char *dir, int shared)
{
    static const char build_core[] = CHRONICLE_BUILD_ROOT "/core";
    if (shared && strcmp(dir, build_core)) {
        char path[PATH_MAX];
        int n = snprintf(path, sizeof path, "%s/chronicle/plugins-%d", dir, CHRONICLE_ABI_MAJOR);
        if (n > 0 && (size_t)n < sizeof path && !add_dir(r, path, (size_t)n)) return 0;
    }
    return add_dir(r, CHRONICLE_PLUGINDIR, strlen(CHRONICLE_PLUGINDIR));
}

static int build_search_path(chronicle_registry *r, const chronicle_registry_opts *o)
{
    char dir[PATH_MAX];
    int shared = 0;
    if (!own_dir(dir, &shared)) dir[0] = '\0';
    for (size_t i = 0; i < o->n_dirs; i++)
        if (!add_option_dir(r, o->dirs[i])) return 0;
    if (!o->no_env &&
        !add_path_list(r, "CHRONICLE_PLUGIN_PATH", secure_getenv("CHRONICLE_PLUGIN_PATH")))
        return 0;
    if (!add_build_tree(r, dir)) return 0;
    if (!o->no_env && !add_user_dir(r)) return 0;
    const char *system = o->no_env ? NULL : secure_getenv("CHRONICLE_PLUGIN_SYSTEM_PATH");
    return system ? add_path_list(r, "CHRONICLE_PLUGIN_SYSTEM_PATH", system)
                  : add_installed(r, dir, shared);
}

/* ---- listing ---- */

static chronicle_plugin_info *add_item(chronicle_registry *r, const char *name, const char *path)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 16;
        chronicle_plugin_info *p = realloc(r->items, cap * sizeof *p);
        if (!p) return NULL;
        r->items = p;
        r->cap = cap;
    }
    chronicle_plugin_info *it = &r->items[r->n];
    memset(it, 0, sizeof *it);
    it->name = strdup(name);
    it->path = strdup(path);
    if (!it->name || !it->path) {
        free(it->name);
        free(it->path);
        return NULL;
    }
    r->n++;
    return it;
}

static int valid_plugin_name(const char *s, size_t len)
{
    if (!len) return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return 0;
    }
    return 1;
}

static int scan_dir(chronicle_registry *r, const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) return 1; /* a missing directory is simply empty */
    struct dirent *e;
    int ok = 1;
    while (ok && (e = readdir(d))) {
        size_t len = strlen(e->d_name);
        if (len < 4 || strcmp(e->d_name + len - 3, ".so")) continue;
        char name[NAME_MAX + 1];
        memcpy(name, e->d_name, len - 3);
        name[len - 3] = '\0';
        if (!valid_plugin_name(name, len - 3)) continue;
        char path[PATH_MAX];
        int n = snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        if (n < 0 || (size_t)n >= sizeof path) continue;
        chronicle_plugin_info *first = chronicle_registry_find(r, name);
        if (first) {
            if (!first->shadows && !(first->shadows = strdup(path))) ok = 0;
            continue;
        }
        ok = add_item(r, name, path) != NULL;
    }
    closedir(d);
    return ok;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const chronicle_plugin_info *)a)->name,
                  ((const chronicle_plugin_info *)b)->name);
}

chronicle_status chronicle_registry_new(const chronicle_registry_opts *opts,
                                        chronicle_registry **out)
{
    chronicle_registry_opts own; /* all zero, the defaults, when opts is NULL */
    CHRONICLE__STRUCT_READ(chronicle_registry_opts, &own, opts);
    opts = &own;
    *out = NULL;
    chronicle_registry *r = calloc(1, sizeof *r);
    if (!r) return CHRONICLE_ERR_NOMEM;
    r->probe_timeout = opts->probe_timeout > 0 ? opts->probe_timeout : 10;
    int ok = build_search_path(r, opts);
    for (size_t i = 0; ok && i < r->n_dirs; i++)
        ok = scan_dir(r, r->dirs[i]);
    if (!ok) {
        chronicle_registry_free(r);
        return CHRONICLE_ERR_NOMEM;
    }
    if (r->n) qsort(r->items, r->n, sizeof *r->items, by_name);
    *out = r;
    return CHRONICLE_OK;
}

void chronicle_registry_free(chronicle_registry *r)
{
    if (!r) return;
    for (size_t i = 0; i < r->n; i++) {
        chronicle__plugin_info_clear_probe(&r->items[i]);
        free(r->items[i].name);
        free(r->items[i].path);
        free(r->items[i].shadows);
    }
    for (size_t i = 0; i < r->n_dirs; i++)
        free(r->dirs[i]);
    free(r->dirs);
    for (size_t i = 0; i < r->n_warnings; i++)
        free(r->warnings[i]);
    free(r->warnings);
    free(r->items);
    free(r);
}

size_t chronicle_registry_dir_count(const chronicle_registry *r)
{
    return r->n_dirs;
}

const char *chronicle_registry_dir(const chronicle_registry *r, size_t i)
{
    return i < r->n_dirs ? r->dirs[i] : NULL;
}

size_t chronicle_registry_warning_count(const chronicle_registry *r)
{
    return r->n_warnings;
}

const char *chronicle_registry_warning(const chronicle_registry *r, size_t i)
{
    return i < r->n_warnings ? r->warnings[i] : NULL;
}

size_t chronicle_registry_count(const chronicle_registry *r)
{
    return r->n;
}

chronicle_plugin_info *chronicle_registry_at(chronicle_registry *r, size_t i)
{
    return i < r->n ? &r->items[i] : NULL;
}

chronicle_plugin_info *chronicle_registry_find(chronicle_registry *r, const char *name)
{
    for (size_t i = 0; i < r->n; i++)
        if (!strcmp(r->items[i].name, name)) return &r->items[i];
    return NULL;
}

chronicle_status chronicle_registry_probe(chronicle_registry *r, chronicle_plugin_info *info)
{
    return chronicle__probe_plugin(info, r->probe_timeout);
}
