/*
 * plugin_load.c — loading one plugin file by the rules of plugin.h and of
 * SECURITY in chronicle(1): the file is opened once after resolving
 * symlinks, it and every directory above it are checked on descriptors, and
 * that very file is dlopen()ed; then the entry symbol, the ABI version and
 * the descriptor are checked.  Every refusal says what is wrong and what to
 * do.  Probing runs this in a child, in a process group of its own, and
 * everything the child sends back is hostile text: bounded, then cleaned.
 */
#define _GNU_SOURCE /* pipe2 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
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
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include "child.h"
#include "chronicle/utf8.h"
#include "host_internal.h"
#include "output_internal.h"
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

/* ---- opening a plugin file: every check on the descriptor that is loaded ---- */

/* Refuses a directory someone other than you or root could change: they
 * could swap the plugin (or a directory below) for their own. */
static char *dir_reason(const struct stat *sb, const char *dir, int is_parent)
{
    const char *what = is_parent ? "its directory" : "the directory";
    const char *where = is_parent ? "" : " on its path";
    if ((sb->st_mode & (S_IWGRP | S_IWOTH)) && !(sb->st_mode & S_ISVTX))
        return msg("refusing: %s %s%s is %s-writable (fix: chmod go-w %s)", what, dir, where,
                   sb->st_mode & S_IWOTH ? "world" : "group", dir);
    if (sb->st_uid != geteuid() && sb->st_uid != 0)
        return msg("refusing: %s %s%s belongs to uid %u, neither you nor root (fix: chown it to "
                   "you or root, or move the plugin)",
                   what, dir, where, (unsigned)sb->st_uid);
    return NULL;
}

static char *file_reason(const struct stat *sb, const char *file)
{
    if (!S_ISREG(sb->st_mode)) return msg("refusing: %s is not a regular file", file);
    if (sb->st_mode & (S_IWGRP | S_IWOTH))
        return msg("refusing: the file is %s-writable (fix: chmod go-w %s)",
                   sb->st_mode & S_IWOTH ? "world" : "group", file);
    if (sb->st_uid != geteuid() && sb->st_uid != 0)
        return msg("refusing: the file belongs to uid %u, neither you nor root (fix: chown it to "
                   "you or root)",
                   (unsigned)sb->st_uid);
    return NULL;
}

/* Steps from the directory open on *dirfd into its entry name, which must
 * be a directory and not a symlink, and checks it; prefix names it. */
static char *step_into(int *dirfd, const char *name, const char *prefix, int is_parent)
{
    int next = openat(*dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (next < 0)
        return errno == ELOOP || errno == ENOTDIR
                   ? msg("refusing: %s changed while it was checked (now a symlink or not a "
                         "directory); try again",
                         prefix)
                   : msg("cannot read its directory %s: %s", prefix, strerror(errno));
    close(*dirfd);
    *dirfd = next;
    if (fstat(next, &sb) != 0)
        return msg("cannot read its directory %s: %s", prefix, strerror(errno));
    return dir_reason(&sb, prefix, is_parent);
}

/* Walks real (absolute, no symlinks) from "/" one directory at a time, each
 * opened below the last without following symlinks and checked on its
 * descriptor, then opens and checks the file.  Returns its descriptor, or
 * -1 and *why. */
static int open_resolved(char *real, char **why)
{
    struct stat sb;
    int dirfd = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC), fd = -1;
    if (dirfd < 0 || fstat(dirfd, &sb) != 0) {
        *why = msg("cannot read the directory /: %s", strerror(errno));
        goto out;
    }
    char *name = real + 1, *slash;
    if ((*why = dir_reason(&sb, "/", !strchr(name, '/')))) goto out;
    while ((slash = strchr(name, '/'))) {
        *slash = '\0';
        *why = step_into(&dirfd, name, real, !strchr(slash + 1, '/'));
        *slash = '/';
        if (*why) goto out;
        name = slash + 1;
    }
    /* O_NONBLOCK: a FIFO put here must not hang us; it is refused below */
    fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        *why = errno == ELOOP ? msg("refusing: %s changed while it was checked (now a symlink); "
                                    "try again",
                                    real)
                              : msg("cannot read: %s", strerror(errno));
    else if (fstat(fd, &sb) != 0)
        *why = msg("cannot read: %s", strerror(errno));
    else
        *why = file_reason(&sb, real);
    if (*why && fd >= 0) {
        close(fd);
        fd = -1;
    }
out:
    if (dirfd >= 0) close(dirfd);
    return fd;
}

/* Plugins are code: refuse what someone else could have planted, or could
 * swap between this check and the load.  A symlink is followed, and every
 * check then applies to the file it leads to. */
static int open_plugin(const char *path, char **real, char **why)
{
    *why = NULL;
    if (!(*real = realpath(path, NULL))) {
        *why = msg("cannot read: %s", strerror(errno));
        return -1;
    }
    int fd = open_resolved(*real, why);
    if (fd < 0 && *why && strcmp(*real, path)) {
        char *said = *why;
        *why = msg("%s; %s leads there through a symlink", said, path);
        free(said);
    }
    return fd;
}

/* dlopen()s the very file fd holds, through /proc/self/fd.  Without /proc
 * the checked name is loaded instead: every directory on it is writable only
 * by you or root, so no one else can swap it in between. */
static void *load_fd(int fd, const char *real, char **why)
{
    char proc[64];
    struct stat by_fd, by_name;
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    int same = fstat(fd, &by_fd) == 0 && stat(proc, &by_name) == 0 &&
               by_fd.st_dev == by_name.st_dev && by_fd.st_ino == by_name.st_ino;
    void *handle = dlopen(same ? proc : real, RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        /* dlerror() names the descriptor's link; say the file instead */
        const char *err = dlerror();
        size_t n = strlen(proc);
        if (err && same && !strncmp(err, proc, n)) {
            *why = msg("cannot load: %s%s (a missing library? check with: ldd %s)", real, err + n,
                       real);
        } else {
            *why = msg("cannot load: %s (a missing library? check with: ldd %s)",
                       err ? err : "unknown error", real);
        }
    }
    return handle;
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
            return msg(
                "built for a newer Chronicle: it exports %s, and this chronicle speaks plugin "
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
    return msg(
        "built for plugin ABI %u.%u, this chronicle speaks %d.%d: rebuild the plugin against "
        "this chronicle (pkg-config --modversion chronicle)",
        maj, min, CHRONICLE_ABI_MAJOR, CHRONICLE_ABI_MINOR);
}

const chronicle_plugin *chronicle__plugin_load(const char *path, const chronicle_host *host,
                                               chronicle_plugin *copy, char **why)
{
    static const size_t min_size = offsetof(chronicle_plugin, export_dataset) +
                                   sizeof(((chronicle_plugin *)0)->export_dataset);
    char *real = NULL;
    int fd = open_plugin(path, &real, why);
    void *handle = fd >= 0 ? load_fd(fd, real, why) : NULL;
    if (fd >= 0) close(fd);
    free(real);
    if (!handle) return NULL;
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
        while (o->choices[n])
            n++;
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
        return msg("malformed option table: option \"%s\" has unknown type %d", o->name,
                   (int)o->type);
    if (o->reserved[0] || o->reserved[1])
        return msg("malformed option table: option \"%s\" sets reserved fields", o->name);
    if (o->type == CHRONICLE_OPT_ENUM && (!o->choices || !o->choices[0]))
        return msg("malformed option table: enum option \"%s\" lists no choices", o->name);
    return NULL;
}

static char *check_options(chronicle_plugin_info *p, const chronicle_option *opts)
{
    size_t n = 0;
    while (opts && opts[n].name && n < 256)
        n++;
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
                why = msg("malformed option table: the default \"%s\" of \"%s\" %s",
                          oi->default_value, oi->name, chronicle_buf_cstr(&reason));
                chronicle_buf_free(&reason);
                return why;
            }
        }
    }
    return NULL;
}

/* Checks a loaded descriptor against the ABI rules; fills p (descriptor
 * copied as option_info) or sets p->broken + reason.  Runs in the child. */
static void check_descriptor(chronicle_plugin_info *p, const chronicle_plugin *d)
{
    char *why = NULL;
    const char *missing = !d->name || !*d->name             ? "name"
                          : !d->version || !*d->version     ? "version"
                          : !d->summary                     ? "summary"
                          : !d->extension || !*d->extension ? "extension"
                          : !d->export_dataset              ? "export_dataset"
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
        chronicle__plugin_info_clear_probe(p);
        p->broken = 1;
        p->reason = why;
        return;
    }
    p->abi_version = d->abi_version;
    p->struct_size = d->struct_size;
    p->flags = d->flags;
}

/* ---- probing in a child ---- */

const char *chronicle__signal_name(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "SIGSEGV";
    case SIGABRT:
        return "SIGABRT";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGILL:
        return "SIGILL";
    case SIGKILL:
        return "SIGKILL";
    case SIGTERM:
        return "SIGTERM";
    case SIGINT:
        return "SIGINT";
    case SIGPIPE:
        return "SIGPIPE";
    case SIGSYS:
        return "SIGSYS";
    case SIGXCPU:
        return "SIGXCPU";
    case SIGXFSZ:
        return "SIGXFSZ";
    }
    return "a signal";
}

/* Runs in the child, in a process group of its own: what the plugin prints
 * goes to out_fd (never to chronicle's standard output), the description to
 * reply_fd. */
static void probe_child(chronicle_plugin_info *p, pid_t parent, int reply_fd, int out_fd)
{
    setpgid(0, 0);
    chronicle__child_default_faults();
#ifdef __linux__
    /* an interrupted chronicle takes its probe along, even out of its group */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(1);
#else
    (void)parent;
#endif
    /* above 2 first, or the dup2()s below could close them */
    reply_fd = fcntl(reply_fd, F_DUPFD_CLOEXEC, 3);
    out_fd = fcntl(out_fd, F_DUPFD_CLOEXEC, 3);
    int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (reply_fd < 0 || out_fd < 0 || null < 0 || dup2(null, STDIN_FILENO) < 0 ||
        dup2(out_fd, STDOUT_FILENO) < 0 || dup2(out_fd, STDERR_FILENO) < 0)
        _exit(1);
    setvbuf(stdout, NULL, _IOLBF, 0); /* its lines in the order they were printed */
    chronicle_plugin copy;
    char *why = NULL;
    const chronicle_plugin *d =
        chronicle__plugin_load(p->path, &chronicle__host_table, &copy, &why);
    if (d) {
        check_descriptor(p, d);
    } else {
        p->broken = 1;
        p->reason = why;
    }
    fflush(NULL); /* what a constructor printf()ed, into out_fd */
    chronicle_buf out = CHRONICLE_BUF_INIT;
    int ok = chronicle_plugin_info_json(p, &out) == CHRONICLE_OK &&
             chronicle__write_all(reply_fd, out.ptr, out.len);
    _exit(ok ? 0 : 1);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

enum { REPLY_MAX = 1 << 20, OUTPUT_MAX = 4096 };

/* One pipe from the probe child, read without blocking and kept up to max
 * bytes; what comes past max is read and counted, never stored. */
typedef struct probe_pipe {
    int fd; /* -1 once at EOF */
    size_t max, dropped;
    chronicle_buf text;
} probe_pipe;

static void drain(probe_pipe *pp)
{
    char chunk[4096];
    while (pp->fd >= 0) {
        ssize_t n = read(pp->fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == EAGAIN) return;
        if (n <= 0) {
            close(pp->fd);
            pp->fd = -1;
            return;
        }
        size_t room = pp->max - pp->text.len, keep = (size_t)n < room ? (size_t)n : room;
        if (keep && chronicle_buf_append(&pp->text, chunk, keep) != CHRONICLE_OK) keep = 0;
        pp->dropped += (size_t)n - keep;
    }
}

/* True once the child has exited; it is left a zombie (WNOWAIT), so its
 * process group cannot be reused before it is killed. */
static int child_exited(pid_t pid)
{
    siginfo_t info;
    memset(&info, 0, sizeof info);
    return waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 && info.si_pid == pid;
}

/* Reads the reply and the output until the child exits; 0 on timeout.  The
 * child's exit ends the wait, not EOF: a grandchild may hold the pipes. */
static int collect(pid_t pid, probe_pipe pipes[2], double timeout)
{
    double deadline = now() + timeout;
    int nap = 1;
    for (;;) {
        struct pollfd pfd[2] = {{pipes[0].fd, POLLIN, 0}, {pipes[1].fd, POLLIN, 0}};
        int open_fds = pipes[0].fd >= 0 || pipes[1].fd >= 0;
        double left = deadline - now();
        if (left <= 0) return 0;
        /* with the pipes open, EOF wakes us; with both closed, only the exit is awaited */
        int ms = open_fds ? 50 : (nap = nap < 50 ? nap * 2 : 50);
        if (left * 1000 < ms) ms = (int)(left * 1000) + 1;
        if (poll(pfd, 2, ms) < 0 && errno != EINTR) return 0;
        for (int i = 0; i < 2; i++)
            if (pfd[i].fd >= 0 && pfd[i].revents) drain(&pipes[i]);
        if (child_exited(pid)) {
            drain(&pipes[0]);
            drain(&pipes[1]);
            return 1;
        }
    }
}

static chronicle_status mark_broken(chronicle_plugin_info *p, char *why)
{
    chronicle__plugin_info_clear_probe(p);
    p->broken = 1;
    p->reason = why ? why : msg("out of memory");
    return CHRONICLE_ERR_PLUGIN;
}

/* Keeps what the plugin printed while loading, cleaned for a terminal. */
static void keep_output(chronicle_plugin_info *p, const probe_pipe *out)
{
    size_t len = out->text.len;
    while (len && (out->text.ptr[len - 1] == '\n' || out->text.ptr[len - 1] == '\r'))
        len--;
    if (!len) return;
    char *clean = chronicle_utf8_clean(out->text.ptr, len, OUTPUT_MAX, 1);
    if (clean && out->dropped) {
        p->load_output = msg("%s\n(and %zu more bytes)", clean, out->dropped);
        free(clean);
    } else {
        p->load_output = clean;
    }
}

static int ascii_alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* The parent's view of the descriptor: the child ran the plugin's code, so
 * what it sent is checked again here. */
static char *reply_reason(const chronicle_plugin_info *p)
{
    const char *e = p->extension;
    int ok = e && ascii_alnum(e[0]) && strlen(e) <= 16;
    for (; ok && *e; e++)
        ok = ascii_alnum(*e) || strchr("._+-", *e);
    return ok ? NULL
              : msg("malformed descriptor: the extension \"%s\" is not a file name extension "
                    "(use up to 16 of a-z, 0-9 and . _ + -, starting with a letter or digit)",
                    p->extension ? p->extension : "");
}

static pid_t start_probe(chronicle_plugin_info *p, probe_pipe pipes[2], char **why)
{
    int fds[2][2] = {{-1, -1}, {-1, -1}};
    pid_t pid = -1;
    if (pipe2(fds[0], O_CLOEXEC) != 0 || pipe2(fds[1], O_CLOEXEC) != 0) {
        *why = msg("cannot probe: %s", strerror(errno));
        goto out;
    }
    pid_t parent = getpid();
    fflush(NULL);
    if ((pid = fork()) < 0) {
        *why = msg("cannot probe: %s", strerror(errno));
        goto out;
    }
    if (pid == 0) {
        close(fds[0][0]);
        close(fds[1][0]);
        probe_child(p, parent, fds[0][1], fds[1][1]);
    }
    setpgid(pid, pid); /* as the child does: whichever runs first */
    for (int i = 0; i < 2; i++) {
        pipes[i].fd = fds[i][0];
        fds[i][0] = -1;
        fcntl(pipes[i].fd, F_SETFL, fcntl(pipes[i].fd, F_GETFL) | O_NONBLOCK);
    }
out:
    for (int i = 0; i < 2; i++)
        for (int k = 0; k < 2; k++)
            if (fds[i][k] >= 0) close(fds[i][k]);
    return pid;
}

chronicle_status chronicle__probe_plugin(chronicle_plugin_info *p, double timeout)
{
    chronicle__plugin_info_clear_probe(p);
    /* a cheap first look, so a refused file costs no process; the child
     * checks again on the descriptor it loads */
    char *real = NULL, *why = NULL;
    int fd = open_plugin(p->path, &real, &why);
    free(real);
    if (fd < 0) return mark_broken(p, why);
    close(fd);
    probe_pipe pipes[2] = {{-1, REPLY_MAX, 0, CHRONICLE_BUF_INIT},
                           {-1, OUTPUT_MAX, 0, CHRONICLE_BUF_INIT}};
    pid_t pid = start_probe(p, pipes, &why);
    if (pid < 0) return mark_broken(p, why);
    int finished = collect(pid, pipes, timeout);
    /* the whole group: nothing the plugin started outlives its probe */
    if (kill(-pid, SIGKILL) != 0) kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    for (int i = 0; i < 2; i++)
        if (pipes[i].fd >= 0) close(pipes[i].fd);
    chronicle_buf *reply = &pipes[0].text;
    chronicle_status st = CHRONICLE_OK;
    if (!finished)
        st = mark_broken(p, msg("hung while loading (killed after %.0f s)", timeout));
    else if (WIFSIGNALED(status))
        st = mark_broken(p, msg("crashed while loading (signal %d, %s)", WTERMSIG(status),
                                chronicle__signal_name(WTERMSIG(status))));
    else if (pipes[0].dropped)
        st = mark_broken(p, msg("sent a description larger than %d bytes", REPLY_MAX));
    else if (!chronicle__plugin_info_from_json(p, reply->ptr ? reply->ptr : "", reply->len))
        st = mark_broken(p, msg("loading failed (exit status %d)", WEXITSTATUS(status)));
    else if (p->broken)
        st = CHRONICLE_ERR_PLUGIN;
    else if ((why = reply_reason(p)))
        st = mark_broken(p, why);
    keep_output(p, &pipes[1]);
    chronicle_buf_free(&pipes[0].text);
    chronicle_buf_free(&pipes[1].text);
    return st;
}
