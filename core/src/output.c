/*
 * output.c — the output contract.  A file destination is replaced only by
 * a complete, fsynced file: the job writes into a private 0700 scratch
 * directory made beside the destination and held open by descriptor, and
 * the parent renames the result into place with renameat() once the job's
 * whole process group is gone.  Nothing is ever opened by name in a
 * directory someone else could change; plugins see the scratch directory
 * as /proc/self/fd/N, so renaming it away cannot redirect them.  A
 * character device or FIFO is written through, never replaced; a symlink,
 * a block device or a socket is refused; an input is never an output.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host_internal.h"

#define SCRATCH_PREFIX ".chronicle-"
#define REMOVE_DEPTH 16
#define SCRATCH_BIRTH 600 /* seconds a directory not yet 0700 may be a run being born */

/* ---- planning ---- */

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

static int is_input(const struct stat *sb, const struct stat *keep, size_t n_keep)
{
    for (size_t i = 0; i < n_keep; i++)
        if (same_file(sb, &keep[i])) return 1;
    return 0;
}

static chronicle_status plan_stdout(chronicle_job *job, const struct stat *keep, size_t n_keep,
                                    chronicle_buf *why)
{
    struct stat sb;
    job->out_kind = OUTPUT_STDOUT;
    if (fstat(STDOUT_FILENO, &sb) == 0 && S_ISREG(sb.st_mode) && is_input(&sb, keep, n_keep)) {
        chronicle_buf_puts(why, "standard output is the input dataset; writing would destroy it");
        return CHRONICLE_ERR_OPTION;
    }
    return CHRONICLE_OK;
}

chronicle_status output_plan(chronicle_job *job, const struct stat *keep, size_t n_keep,
                             chronicle_buf *why)
{
    if (!job->dest) return plan_stdout(job, keep, n_keep, why);
    struct stat sb;
    job->out_kind = OUTPUT_FILE;
    if (fstatat(job->dir_fd, job->dest_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return CHRONICLE_OK;
        chronicle_buf_appendf(why, "cannot examine %s: %s", job->dest, strerror(errno));
        return CHRONICLE_ERR_IO;
    }
    if (is_input(&sb, keep, n_keep)) {
        chronicle_buf_appendf(why, "the output %s is an input of this run; writing would destroy it",
                              job->dest);
        return CHRONICLE_ERR_OPTION;
    }
    if (S_ISREG(sb.st_mode)) return CHRONICLE_OK;
    if (S_ISCHR(sb.st_mode) || S_ISFIFO(sb.st_mode)) {
        if (!(job->plugin->flags & CHRONICLE_PLUGIN_STDOUT_OK)) {
            chronicle_buf_appendf(why, "%s is a %s, and %s needs a seekable file; use -o FILE",
                                  job->dest, S_ISFIFO(sb.st_mode) ? "FIFO" : "device",
                                  job->plugin->name);
            return CHRONICLE_ERR_OPTION;
        }
        job->out_kind = OUTPUT_STREAM; /* written through, never replaced */
        job->out_dev = sb.st_dev;
        job->out_ino = sb.st_ino;
        return CHRONICLE_OK;
    }
    const char *what = S_ISLNK(sb.st_mode)   ? "a symbolic link (not followed: name its target)"
                       : S_ISDIR(sb.st_mode) ? "a directory"
                       : S_ISBLK(sb.st_mode) ? "a block device (never written)"
                       : S_ISSOCK(sb.st_mode) ? "a socket"
                                              : "not a regular file";
    chronicle_buf_appendf(why, "cannot write %s: it is %s", job->dest, what);
    return CHRONICLE_ERR_IO;
}

/* ---- the scratch directory ---- */

static void random_suffix(char *out, size_t n)
{
    static const char set[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    unsigned char r[16];
    if (n > sizeof r || getentropy(r, n) != 0) {
        static unsigned counter;
        for (size_t i = 0; i < n && i < sizeof r; i++)
            r[i] = (unsigned char)((unsigned)getpid() * 31u + counter++ * 17u + (unsigned)i);
    }
    for (size_t i = 0; i < n; i++) out[i] = set[r[i] % (sizeof set - 1)];
    out[n] = '\0';
}

/* Makes SCRATCH_PREFIX<plugin>.XXXXXX, opens it and locks it: a live lock
 * is how output_sweep() tells a running job from a dead run's rest.  It is
 * born 0400 and becomes 0700 only once locked, so a sweep that comes
 * between mkdir and flock leaves it alone (SCRATCH_BIRTH). */
static chronicle_status make_scratch(chronicle_job *job, chronicle_buf *why)
{
    chronicle_buf name = CHRONICLE_BUF_INIT;
    for (int tries = 0; tries < 64; tries++) {
        char suffix[7];
        random_suffix(suffix, 6);
        chronicle_buf_reset(&name);
        chronicle_buf_appendf(&name, SCRATCH_PREFIX "%s.%s", job->plugin->name, suffix);
        if (!name.ptr) return CHRONICLE_ERR_NOMEM;
        if (mkdirat(job->scratch_parent_fd, name.ptr, 0400) == 0) break;
        if (errno != EEXIST) {
            chronicle_buf_appendf(why, "cannot create a scratch directory in %s: %s",
                                  job->scratch_parent, strerror(errno));
            chronicle_buf_free(&name);
            return CHRONICLE_ERR_IO;
        }
    }
    job->scratch_name = chronicle_buf_steal(&name);
    if (!job->scratch_name) return CHRONICLE_ERR_NOMEM;
    /* in a directory others can write, the name may already be someone
     * else's: what we open must be ours */
    int fd = openat(job->scratch_parent_fd, job->scratch_name,
                    O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0 || sb.st_uid != geteuid() ||
        flock(fd, LOCK_EX | LOCK_NB) != 0 || fchmod(fd, 0700) != 0) {
        chronicle_buf_appendf(why, "cannot use the scratch directory %s/%s: %s", job->scratch_parent,
                              job->scratch_name, errno ? strerror(errno) : "not ours");
        if (fd >= 0) close(fd);
        return CHRONICLE_ERR_IO;
    }
    job->scratch_fd = fd;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "/proc/self/fd/%d", fd);
    job->scratch = chronicle_buf_steal(&b);
    chronicle_buf_appendf(&b, "%s/%s", job->scratch_parent, job->scratch_name);
    job->scratch_real = chronicle_buf_steal(&b);
    return job->scratch && job->scratch_real ? CHRONICLE_OK : CHRONICLE_ERR_NOMEM;
}

/* Removes name in dir_fd and everything below it, never following a link. */
static int remove_at(int dir_fd, const char *name, int depth)
{
    if (unlinkat(dir_fd, name, 0) == 0 || errno == ENOENT) return 0;
    if ((errno != EISDIR && errno != EPERM) || depth > REMOVE_DEPTH) return -1;
    int fd = openat(dir_fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) close(fd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)))
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) remove_at(fd, e->d_name, depth + 1);
    closedir(d);
    return unlinkat(dir_fd, name, AT_REMOVEDIR);
}

/* ---- around the job ---- */

static chronicle_status open_stream(chronicle_job *job, chronicle_buf *why)
{
    /* O_NONBLOCK: a FIFO nobody reads fails now (ENXIO) instead of hanging */
    int fd = openat(job->dir_fd, job->dest_name,
                    O_WRONLY | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat sb;
    if (fd < 0) {
        chronicle_buf_appendf(why, "cannot open %s: %s", job->dest,
                              errno == ENXIO ? "no process is reading the FIFO" : strerror(errno));
        return CHRONICLE_ERR_IO;
    }
    if (fstat(fd, &sb) != 0 || sb.st_dev != job->out_dev || sb.st_ino != job->out_ino ||
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
        chronicle_buf_appendf(why, "%s changed while the export was planned; nothing was written",
                              job->dest);
        close(fd);
        return CHRONICLE_ERR_IO;
    }
    job->tmp_fd = fd;
    return CHRONICLE_OK;
}

chronicle_status output_prepare(chronicle_job *job, chronicle_buf *why)
{
    chronicle_status st = make_scratch(job, why);
    if (st != CHRONICLE_OK) goto out;
    if (job->out_kind == OUTPUT_STDOUT) {
        job->tmp_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
        if (job->tmp_fd < 0) {
            chronicle_buf_appendf(why, "standard output: %s", strerror(errno));
            st = CHRONICLE_ERR_IO;
        }
    } else if (job->out_kind == OUTPUT_STREAM) {
        st = open_stream(job, why);
    } else {
        /* the temp file carries the destination's name inside the private
         * directory, so a library's messages name something recognisable */
        job->tmp_fd = openat(job->scratch_fd, job->dest_name,
                             O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        chronicle_buf b = CHRONICLE_BUF_INIT;
        chronicle_buf_appendf(&b, "%s/%s", job->scratch, job->dest_name);
        job->tmp = chronicle_buf_steal(&b);
        if (job->tmp_fd < 0) {
            chronicle_buf_appendf(why, "cannot create a file in %s: %s", job->scratch_real,
                                  strerror(errno));
            st = CHRONICLE_ERR_IO;
        } else if (!job->tmp) {
            st = CHRONICLE_ERR_NOMEM;
        }
    }
out:
    if (st == CHRONICLE_ERR_NOMEM) chronicle_buf_puts(why, "out of memory");
    if (st != CHRONICLE_OK) output_discard(job);
    return st;
}

/* The mode the result gets: an existing file's, or a new file's. */
static int result_mode(const chronicle_job *job, mode_t *mode, chronicle_buf *why)
{
    struct stat sb;
    if (fstatat(job->dir_fd, job->dest_name, &sb, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) {
            chronicle_buf_appendf(why, "cannot examine %s: %s", job->dest, strerror(errno));
            return 0;
        }
        *mode = job->new_mode;
        return 1;
    }
    if (!S_ISREG(sb.st_mode)) {
        chronicle_buf_appendf(why, "%s stopped being a regular file during the export; left as it is",
                              job->dest);
        return 0;
    }
    *mode = sb.st_mode & 0777; /* never a set-id bit on a report */
    return 1;
}

chronicle_status output_commit(chronicle_job *job, chronicle_buf *why)
{
    if (job->out_kind != OUTPUT_FILE) return CHRONICLE_OK;
    /* a NEEDS_PATH plugin may have put a new inode at the name: open what
     * will be renamed.  The directory is private and the job's processes
     * are gone, so nothing can change it between here and renameat(). */
    int fd = openat(job->scratch_fd, job->dest_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    struct stat sb;
    mode_t mode = 0;
    chronicle_status st = CHRONICLE_ERR_IO;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        chronicle_buf_appendf(why, "cannot complete %s: %s", job->dest, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        chronicle_buf_appendf(why, "cannot complete %s: the plugin left something other than a file",
                              job->dest);
    } else if (result_mode(job, &mode, why)) {
        if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
            chronicle_buf_appendf(why, "cannot complete %s: %s", job->dest, strerror(errno));
        else if (renameat(job->scratch_fd, job->dest_name, job->dir_fd, job->dest_name) != 0)
            chronicle_buf_appendf(why, "cannot replace %s: %s", job->dest, strerror(errno));
        else
            st = CHRONICLE_OK;
    }
    if (fd >= 0) close(fd);
    if (st == CHRONICLE_OK) fsync(job->dir_fd); /* the rename's durability; the content is safe */
    return st;
}

void output_discard(chronicle_job *job)
{
    if (job->tmp_fd > STDERR_FILENO) close(job->tmp_fd);
    job->tmp_fd = -1;
    free(job->tmp);
    job->tmp = NULL;
    if (job->scratch_name) remove_at(job->scratch_parent_fd, job->scratch_name, 0);
    if (job->scratch_fd >= 0) close(job->scratch_fd); /* after the removal: it held the lock */
    job->scratch_fd = -1;
    free(job->scratch_name);
    free(job->scratch);
    free(job->scratch_real);
    job->scratch_name = job->scratch = job->scratch_real = NULL;
}

/* ---- what dead runs left ---- */

static int is_scratch_name(const char *s)
{
    if (strncmp(s, SCRATCH_PREFIX, strlen(SCRATCH_PREFIX))) return 0;
    const char *dot = strrchr(s, '.');
    return dot && strlen(dot + 1) == 6;
}

void output_sweep(int dir_fd, const char *dir, chronicle_buf *said)
{
    int fd = fcntl(dir_fd, F_DUPFD_CLOEXEC, 3); /* closedir() closes its descriptor */
    DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
    if (!d) {
        if (fd >= 0) close(fd);
        return;
    }
    rewinddir(d);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!is_scratch_name(e->d_name)) continue;
        int sfd = openat(dir_fd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        struct stat sb;
        /* someone else's, locked by a live run, or one being born: not
         * ours to remove */
        int stale = sfd >= 0 && fstat(sfd, &sb) == 0 && sb.st_uid == geteuid() &&
                    ((sb.st_mode & 0777) == 0700 || time(NULL) - sb.st_mtime > SCRATCH_BIRTH) &&
                    flock(sfd, LOCK_EX | LOCK_NB) == 0;
        /* its owner removes it before letting go of the lock: one that is
         * gone by now was finished, not left */
        if (stale) stale = fstat(sfd, &sb) == 0 && sb.st_nlink > 0;
        if (stale && remove_at(dir_fd, e->d_name, 0) == 0)
            chronicle_buf_appendf(said, "%sremoved %s/%s, left by an interrupted run", said->len ? "\n" : "",
                                  dir, e->d_name);
        if (sfd >= 0) close(sfd);
    }
    closedir(d);
}
