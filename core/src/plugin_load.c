/*
 * plugin_load.c — opening one plugin file by the rules of plugin.h: refuse
 * unsafe files before dlopen, check the entry symbol, the ABI version and
 * the descriptor, and say in every refusal what is wrong and what to do.
 * Probing runs this in a child process (see chronicle_registry_probe).
 */
#include <dlfcn.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "host_internal.h"
#include "registry_internal.h"

static char *msg(const char *fmt, ...) CHRONICLE_PRINTF(1, 2);
static char *msg(const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    return chronicle_buf_steal(&b);
}

/* Plugins are code: refuse what someone else could have planted. */
static char *unsafe_reason(const char *path)
{
    struct stat sb;
    if (stat(path, &sb) != 0) return msg("cannot read: %s", strerror(errno));
    if (!S_ISREG(sb.st_mode)) return msg("not a regular file");
    if (sb.st_mode & (S_IWGRP | S_IWOTH))
        return msg("refusing: the file is %s-writable (fix: chmod go-w %s)",
                   sb.st_mode & S_IWOTH ? "world" : "group", path);
    if (sb.st_uid != getuid() && sb.st_uid != 0)
        return msg("refusing: the file belongs to uid %u, neither you nor root", (unsigned)sb.st_uid);
    char *dir = strdup(path);
    if (!dir) return msg("out of memory");
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        dir[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    char *why = NULL;
    if (stat(dir, &sb) != 0)
        why = msg("cannot read its directory %s: %s", dir, strerror(errno));
    else if (sb.st_mode & (S_IWGRP | S_IWOTH))
        why = msg("refusing: its directory %s is %s-writable (fix: chmod go-w %s)", dir,
                  sb.st_mode & S_IWOTH ? "world" : "group", dir);
    else if (sb.st_uid != getuid() && sb.st_uid != 0)
        why = msg("refusing: its directory %s belongs to uid %u, neither you nor root", dir,
                  (unsigned)sb.st_uid);
    free(dir);
    return why;
}

static void *symbol(void *handle, const char *name)
{
    dlerror();
    return dlsym(handle, name);
}

static char *missing_entry_reason(void *handle)
{
    for (int major = CHRONICLE_ABI_MAJOR + 1; major < 10; major++) {
        char name[32];
        snprintf(name, sizeof name, "chronicle_plugin_v%d", major);
        if (symbol(handle, name))
            return msg("built for a newer Chronicle: it exports %s, and this chronicle speaks plugin "
                       "ABI %d.%d; upgrade chronicle or rebuild the plugin for ABI %d",
                       name, CHRONICLE_ABI_MAJOR, CHRONICLE_ABI_MINOR, CHRONICLE_ABI_MAJOR);
    }
    return msg("not a Chronicle plugin (no symbol %s)", CHRONICLE_PLUGIN_SYMBOL);
}

static char *version_reason(uint32_t abi)
{
    unsigned maj = CHRONICLE_ABI_MAJOR_OF(abi), min = CHRONICLE_ABI_MINOR_OF(abi);
    if (maj == CHRONICLE_ABI_MAJOR && min <= CHRONICLE_ABI_MINOR) return NULL;
    if (maj == CHRONICLE_ABI_MAJOR)
        return msg("built for plugin ABI %u.%u, this chronicle speaks %d.%d: upgrade chronicle, or "
                   "rebuild the plugin against this one (pkg-config --modversion chronicle)",
                   maj, min, CHRONICLE_ABI_MAJOR, CHRONICLE_ABI_MINOR);
    return msg("built for plugin ABI %u.%u, this chronicle speaks %d.%d: rebuild the plugin against "
               "this chronicle (pkg-config --modversion chronicle)",
               maj, min, CHRONICLE_ABI_MAJOR, CHRONICLE_ABI_MINOR);
}

const chronicle_plugin *plugin_load(const char *path, const chronicle_host *host,
                                    chronicle_plugin *copy, char **why)
{
    static const size_t min_size =
        offsetof(chronicle_plugin, export_dataset) + sizeof(((chronicle_plugin *)0)->export_dataset);
    if ((*why = unsafe_reason(path))) return NULL;
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        *why = msg("cannot load: %s (a missing library? check with: ldd %s)", dlerror(), path);
        return NULL;
    }
    /* loaded plugins stay resident: no dlclose, views may point into them */
    void *sym = symbol(handle, CHRONICLE_PLUGIN_SYMBOL);
    if (!sym) {
        *why = missing_entry_reason(handle);
        return NULL;
    }
    chronicle_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry);
    const chronicle_plugin *desc = entry(host);
    if (!desc) {
        *why = msg("the plugin refused this host (%s returned NULL)", CHRONICLE_PLUGIN_SYMBOL);
        return NULL;
    }
    if ((*why = version_reason(desc->abi_version))) return NULL;
    if (desc->struct_size < min_size || desc->struct_size > 65536) {
        *why = msg("malformed descriptor: struct_size %u, ABI 1.0 needs at least %zu",
                   (unsigned)desc->struct_size, min_size);
        return NULL;
    }
    memset(copy, 0, sizeof *copy);
    memcpy(copy, desc, desc->struct_size < sizeof *copy ? desc->struct_size : sizeof *copy);
    return copy;
}

/* ---- descriptor checks (in the probe child) ---- */

static int option_name_ok(const char *s)
{
    if (!s || !*s) return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-')) return 0;
    return 1;
}

static char *copy_option(chronicle_option_info *dst, const chronicle_option *o)
{
    dst->name = strdup(o->name);
    dst->type = o->type;
    dst->default_value = o->default_value ? strdup(o->default_value) : NULL;
    dst->help = strdup(o->help ? o->help : "");
    dst->min = o->min;
    dst->max = o->max;
    if (o->choices) {
        size_t n = 0;
        while (o->choices[n]) n++;
        if (!(dst->choices = calloc(n + 1, sizeof *dst->choices))) return msg("out of memory");
        for (size_t i = 0; i < n; i++)
            if (!(dst->choices[i] = strdup(o->choices[i]))) return msg("out of memory");
    }
    return dst->name && dst->help ? NULL : msg("out of memory");
}

static char *check_option(const chronicle_plugin_info *p, size_t i, const chronicle_option *o)
{
    if (!option_name_ok(o->name))
        return msg("malformed option table: option %zu has name \"%s\" (use a-z, 0-9 and -)", i,
                   o->name ? o->name : "(null)");
    for (size_t k = 0; k < i; k++)
        if (!strcmp(p->options[k].name, o->name))
            return msg("malformed option table: option \"%s\" is declared twice", o->name);
    if (o->type < CHRONICLE_OPT_BOOL || o->type > CHRONICLE_OPT_PATH)
        return msg("malformed option table: option \"%s\" has unknown type %d", o->name, (int)o->type);
    if (o->reserved[0] || o->reserved[1])
        return msg("malformed option table: option \"%s\" sets reserved fields", o->name);
    if (o->type == CHRONICLE_OPT_ENUM && (!o->choices || !o->choices[0]))
        return msg("malformed option table: enum option \"%s\" lists no choices", o->name);
    return NULL;
}

static char *check_options(chronicle_plugin_info *p, const chronicle_option *opts)
{
    size_t n = 0;
    while (opts && opts[n].name && n < 256) n++;
    if (opts && n == 256 && opts[n].name) return msg("malformed option table: no {0} terminator");
    if (n && !(p->options = calloc(n, sizeof *p->options))) return msg("out of memory");
    for (size_t i = 0; i < n; i++) {
        char *why = check_option(p, i, &opts[i]);
        if (!why) why = copy_option(&p->options[p->n_options++], &opts[i]);
        if (why) return why;
        const chronicle_option_info *oi = &p->options[i];
        if (oi->default_value) {
            chronicle_opt_value v;
            chronicle_buf reason = CHRONICLE_BUF_INIT;
            if (chronicle_opt_parse(oi, oi->default_value, &v, &reason) != CHRONICLE_OK) {
                why = msg("malformed option table: the default \"%s\" of \"%s\" %s", oi->default_value,
                          oi->name, chronicle_buf_cstr(&reason));
                chronicle_buf_free(&reason);
                return why;
            }
        }
    }
    return NULL;
}

void plugin_check_descriptor(chronicle_plugin_info *p, const chronicle_plugin *d)
{
    char *why = NULL;
    const char *missing = !d->name || !*d->name           ? "name"
                          : !d->version || !*d->version   ? "version"
                          : !d->summary                   ? "summary"
                          : !d->extension || !*d->extension ? "extension"
                          : !d->export_dataset            ? "export_dataset"
                                                          : NULL;
    if (missing)
        why = msg("malformed descriptor: no %s", missing);
    else if (strcmp(d->name, p->name))
        why = msg("declares the name \"%s\" but its file is %s.so; a plugin's name and file name "
                  "must match",
                  d->name, p->name);
    else
        why = check_options(p, d->options);
    if (!why && (!(p->version = strdup(d->version)) || !(p->summary = strdup(d->summary)) ||
                 !(p->extension = strdup(d->extension)) ||
                 (d->media_type && !(p->media_type = strdup(d->media_type)))))
        why = msg("out of memory");
    if (why) {
        plugin_info_clear_probe(p);
        p->broken = 1;
        p->reason = why;
        return;
    }
    p->abi_version = d->abi_version;
    p->struct_size = d->struct_size;
    p->flags = d->flags;
}

/* ---- probing in a child ---- */

const char *signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV: return "SIGSEGV";
    case SIGABRT: return "SIGABRT";
    case SIGBUS: return "SIGBUS";
    case SIGFPE: return "SIGFPE";
    case SIGILL: return "SIGILL";
    case SIGKILL: return "SIGKILL";
    case SIGTERM: return "SIGTERM";
    case SIGINT: return "SIGINT";
    case SIGPIPE: return "SIGPIPE";
    case SIGSYS: return "SIGSYS";
    case SIGXCPU: return "SIGXCPU";
    case SIGXFSZ: return "SIGXFSZ";
    }
    return "a signal";
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

static void probe_child(chronicle_plugin_info *p, int fd)
{
    chronicle_plugin copy;
    char *why = NULL;
    const chronicle_plugin *d = plugin_load(p->path, &host_table, &copy, &why);
    if (d) {
        plugin_check_descriptor(p, d);
    } else {
        p->broken = 1;
        p->reason = why;
    }
    chronicle_buf out = CHRONICLE_BUF_INIT;
    int ok = chronicle_plugin_info_json(p, &out) == CHRONICLE_OK && write_all(fd, out.ptr, out.len);
    _exit(ok ? 0 : 1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads the child's reply until EOF or the deadline; 0 on timeout. */
static int read_reply(int fd, chronicle_buf *out, double timeout)
{
    double deadline = now() + timeout;
    char chunk[4096];
    for (;;) {
        double left = deadline - now();
        if (left <= 0) return 0;
        struct pollfd pfd = {fd, POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left * 1000) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0) return 0;
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return 1;
        if (chronicle_buf_append(out, chunk, (size_t)n) != CHRONICLE_OK) return 1;
    }
}

static chronicle_status mark_broken(chronicle_plugin_info *p, char *why)
{
    plugin_info_clear_probe(p);
    p->broken = 1;
    p->reason = why ? why : msg("out of memory");
    return CHRONICLE_ERR_PLUGIN;
}

chronicle_status probe_plugin(chronicle_plugin_info *p, double timeout)
{
    plugin_info_clear_probe(p);
    char *why = unsafe_reason(p->path);
    if (why) return mark_broken(p, why);
    int fds[2];
    if (pipe(fds) != 0) return mark_broken(p, msg("cannot probe: %s", strerror(errno)));
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return mark_broken(p, msg("cannot probe: %s", strerror(errno)));
    }
    if (pid == 0) {
        close(fds[0]);
        probe_child(p, fds[1]);
    }
    close(fds[1]);
    chronicle_buf reply = CHRONICLE_BUF_INIT;
    int finished = read_reply(fds[0], &reply, timeout);
    close(fds[0]);
    if (!finished) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    chronicle_status st = CHRONICLE_OK;
    if (!finished)
        st = mark_broken(p, msg("hung while loading (killed after %.0f s)", timeout));
    else if (WIFSIGNALED(status))
        st = mark_broken(p, msg("crashed while loading (signal %d, %s)", WTERMSIG(status),
                                signal_name(WTERMSIG(status))));
    else if (!plugin_info_from_json(p, reply.ptr ? reply.ptr : "", reply.len))
        st = mark_broken(p, msg("loading failed (exit status %d)", WEXITSTATUS(status)));
    else if (p->broken)
        st = CHRONICLE_ERR_PLUGIN;
    chronicle_buf_free(&reply);
    return st;
}
