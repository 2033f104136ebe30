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
 * In the job's child, the writer (chronicle__writer) carries the plugin's
 * bytes to the output on a thread of its own.
 */
#define _GNU_SOURCE /* sync_file_range */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "host_internal.h"

#define OUT_BUF (1u << 20)
#define WRITEBACK_EVERY (8u << 20)
#define DIRECT_MIN (OUT_BUF / 4) /* a write() of this much costs no more than a copy */
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

chronicle_status chronicle__output_plan(chronicle_job *job, const struct stat *keep, size_t n_keep,
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
        chronicle_buf_appendf(
            why, "the output %s is an input of this run; writing would destroy it", job->dest);
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
    const char *what = S_ISLNK(sb.st_mode)    ? "a symbolic link (not followed: name its target)"
                       : S_ISDIR(sb.st_mode)  ? "a directory"
                       : S_ISBLK(sb.st_mode)  ? "a block device (never written)"
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
    for (size_t i = 0; i < n; i++)
        out[i] = set[r[i] % (sizeof set - 1)];
    out[n] = '\0';
}

/* Makes SCRATCH_PREFIX<plugin>.XXXXXX, opens it and locks it: a live lock
 * is how chronicle__output_sweep() tells a running job from a dead run's rest.  It is
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
        chronicle_buf_appendf(why, "cannot use the scratch directory %s/%s: %s",
                              job->scratch_parent, job->scratch_name,
                              errno ? strerror(errno) : "not ours");
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

chronicle_status chronicle__output_prepare(chronicle_job *job, chronicle_buf *why)
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
    if (st != CHRONICLE_OK) chronicle__output_discard(job);
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
        chronicle_buf_appendf(
            why, "%s stopped being a regular file during the export; left as it is", job->dest);
        return 0;
    }
    *mode = sb.st_mode & 0777; /* never a set-id bit on a report */
    return 1;
}

chronicle_status chronicle__output_commit(chronicle_job *job, chronicle_buf *why)
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
        chronicle_buf_appendf(
            why, "cannot complete %s: the plugin left something other than a file", job->dest);
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

void chronicle__output_discard(chronicle_job *job)
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

void chronicle__output_sweep(int dir_fd, const char *dir, chronicle_buf *said)
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
            chronicle_buf_appendf(said, "%sremoved %s/%s, left by an interrupted run",
                                  said->len ? "\n" : "", dir, e->d_name);
        if (sfd >= 0) close(sfd);
    }
    closedir(d);
}

/* ---- the writer, in the job's child ---- */

/* The plugin's bytes are gathered in one of two 1 MiB buffers; a full one
 * goes to a thread of the job's process that writes it (put_out) while the
 * plugin fills the other.  Copying a 300 MB summary into the page cache
 * was a fifth of its job's time, and now overlaps the plugin's work on
 * another core.  A failure is reported by the plugin's thread, once, at
 * its next write() or at the end.  If the thread cannot start, the
 * buffers are written in place. */
typedef enum writer_thread {
    THREAD_NOT_STARTED, /* nothing handed off yet */
    THREAD_RUNNING,
    THREAD_NONE /* it could not start: buffers are written in place */
} writer_thread;

struct chronicle__writer {
    int fd;
    int writeback;                 /* fd is a file: start its writeback as it grows */
    uint64_t wb_start, wb_pending; /* bytes handed to writeback, and written since */
    char *buf[2];
    size_t len[2];
    int fill; /* the buffer being filled */
    int busy; /* the buffer being written by the thread, or -1 */
    int quit;
    int err; /* the thread's first failure (an errno), 0: none */
    writer_thread thread_state;
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

int chronicle__write_all(int fd, const void *p, size_t n)
{
    const char *c = p;
    while (n) {
        ssize_t k = write(fd, c, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        c += k;
        n -= (size_t)k;
    }
    return 1;
}

/* Writes to the output, and every WRITEBACK_EVERY bytes of a file asks the
 * kernel to start writing them to disk: the fsync before the rename then
 * finds little left, as the disk worked while the plugin did (a 300 MB
 * summary's fsync took 0.3 s).  sync_file_range only starts writeback; the
 * fsync still decides durability.  Where it is missing, fsync does it all. */
static int put_out(chronicle__writer *w, const void *buf, size_t len)
{
    if (!chronicle__write_all(w->fd, buf, len)) return 0;
#ifdef SYNC_FILE_RANGE_WRITE
    if (w->writeback && (w->wb_pending += len) >= WRITEBACK_EVERY) {
        (void)sync_file_range(w->fd, (off_t)w->wb_start, (off_t)w->wb_pending,
                              SYNC_FILE_RANGE_WRITE);
        w->wb_start += w->wb_pending;
        w->wb_pending = 0;
    }
#endif
    return 1;
}

static void *writer_main(void *arg)
{
    chronicle__writer *w = arg;
    pthread_mutex_lock(&w->mu);
    for (;;) {
        while (w->busy < 0 && !w->quit)
            pthread_cond_wait(&w->cv, &w->mu);
        if (w->busy < 0) break;
        int b = w->busy, failed = w->err;
        pthread_mutex_unlock(&w->mu);
        errno = 0;
        int ok = failed || put_out(w, w->buf[b], w->len[b]);
        int err = ok ? 0 : errno ? errno : EIO;
        pthread_mutex_lock(&w->mu);
        if (err && !w->err) w->err = err;
        w->len[b] = 0;
        w->busy = -1;
        pthread_cond_broadcast(&w->cv);
    }
    pthread_mutex_unlock(&w->mu);
    return NULL;
}

chronicle__writer *chronicle__writer_new(int fd, int writeback)
{
    chronicle__writer *w = calloc(1, sizeof *w);
    if (!w || !(w->buf[0] = malloc(OUT_BUF)) || !(w->buf[1] = malloc(OUT_BUF))) {
        if (w) free(w->buf[0]);
        free(w);
        return NULL;
    }
    w->fd = fd;
    w->writeback = writeback;
    w->busy = -1;
    pthread_mutex_init(&w->mu, NULL);
    pthread_cond_init(&w->cv, NULL);
    return w;
}

/* Waits until the thread is idle; its failure, or 0. */
static int writer_idle(chronicle__writer *w)
{
    if (w->thread_state != THREAD_RUNNING) return w->err;
    pthread_mutex_lock(&w->mu);
    while (w->busy >= 0)
        pthread_cond_wait(&w->cv, &w->mu);
    int err = w->err;
    pthread_mutex_unlock(&w->mu);
    return err;
}

/* Hands the buffer being filled to the thread (or writes it in place);
 * 0 or a failure. */
static int hand_off(chronicle__writer *w)
{
    int b = w->fill;
    if (w->thread_state == THREAD_NOT_STARTED)
        w->thread_state =
            pthread_create(&w->thread, NULL, writer_main, w) == 0 ? THREAD_RUNNING : THREAD_NONE;
    if (w->thread_state != THREAD_RUNNING) {
        errno = 0;
        int ok = put_out(w, w->buf[b], w->len[b]);
        w->len[b] = 0;
        return ok ? 0 : errno ? errno : EIO;
    }
    int err = writer_idle(w);
    if (err) return err;
    pthread_mutex_lock(&w->mu);
    w->busy = b;
    pthread_cond_broadcast(&w->cv);
    pthread_mutex_unlock(&w->mu);
    w->fill ^= 1;
    return 0;
}

int chronicle__writer_write(chronicle__writer *w, const void *buf, size_t len)
{
    const char *c = buf;
    if (len >= DIRECT_MIN) {
        /* a large piece is written from the caller's buffer once the thread
         * has written what was buffered before it: the same order, one copy
         * fewer */
        int err = w->len[w->fill] ? hand_off(w) : 0;
        if (!err) err = writer_idle(w);
        if (err) return err;
        errno = 0;
        return put_out(w, c, len) ? 0 : errno ? errno : EIO;
    }
    while (len) {
        size_t room = OUT_BUF - w->len[w->fill], k = len < room ? len : room;
        memcpy(w->buf[w->fill] + w->len[w->fill], c, k);
        w->len[w->fill] += k;
        c += k;
        len -= k;
        int err = w->len[w->fill] == OUT_BUF ? hand_off(w) : 0;
        if (err) return err;
    }
    return 0;
}

int chronicle__writer_flush(chronicle__writer *w)
{
    int err = w->len[w->fill] ? hand_off(w) : 0;
    return err ? err : writer_idle(w);
}

void chronicle__writer_free(chronicle__writer *w)
{
    if (!w) return;
    if (w->thread_state == THREAD_RUNNING) {
        pthread_mutex_lock(&w->mu);
        while (w->busy >= 0)
            pthread_cond_wait(&w->cv, &w->mu);
        w->quit = 1;
        pthread_cond_broadcast(&w->cv);
        pthread_mutex_unlock(&w->mu);
        pthread_join(w->thread, NULL);
    }
    pthread_mutex_destroy(&w->mu);
    pthread_cond_destroy(&w->cv);
    free(w->buf[0]);
    free(w->buf[1]);
    free(w);
}
