/*
 * output.c — atomic outputs.  A job writes into a temp file created beside
 * its destination; only a complete, fsynced file is renamed over the old
 * one, so a reader sees the old version or the new one, never a mixture.
 * Whatever fails (plugin error, crash, timeout, full disk), the parent
 * removes the temp file and the job's scratch directory.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "host_internal.h"

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash) return strdup(".");
    if (slash == path) return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

static const char *base_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static mode_t file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

chronicle_status output_prepare(chronicle_job *job, chronicle_buf *why)
{
    chronicle_buf path = CHRONICLE_BUF_INIT;
    char *dir = NULL;
    chronicle_status st = CHRONICLE_ERR_NOMEM;
    job->tmp_fd = -1;
    if (!job->dest) {
        const char *t = getenv("TMPDIR");
        dir = strdup(t && *t == '/' ? t : "/tmp");
    } else {
        dir = dir_of(job->dest);
    }
    if (!dir) goto out;
    if (job->dest) {
        if (chronicle_buf_appendf(&path, "%s/.%s.XXXXXX", dir, base_of(job->dest)) != CHRONICLE_OK) goto out;
        int fd = mkstemp(path.ptr);
        if (fd < 0) {
            chronicle_buf_appendf(why, "cannot create a file in %s: %s", dir, strerror(errno));
            st = CHRONICLE_ERR_IO;
            goto out;
        }
        fcntl(fd, F_SETFD, FD_CLOEXEC);
        job->tmp_fd = fd;
        job->tmp = chronicle_buf_steal(&path);
    } else {
        job->tmp_fd = STDOUT_FILENO;
    }
    chronicle_buf_reset(&path);
    if (chronicle_buf_appendf(&path, "%s/.chronicle-%s.XXXXXX", dir, job->plugin->name) != CHRONICLE_OK)
        goto out;
    if (!mkdtemp(path.ptr)) {
        chronicle_buf_appendf(why, "cannot create a scratch directory in %s: %s", dir, strerror(errno));
        st = CHRONICLE_ERR_IO;
        goto out;
    }
    job->scratch = chronicle_buf_steal(&path);
    st = CHRONICLE_OK;
out:
    chronicle_buf_free(&path);
    free(dir);
    if (st != CHRONICLE_OK) output_discard(job);
    return st;
}

static int fsync_dir(const char *file)
{
    char *dir = dir_of(file);
    if (!dir) return -1;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(dir);
    if (fd < 0) return -1;
    int r = fsync(fd);
    close(fd);
    return r;
}

chronicle_status output_commit(chronicle_job *job, chronicle_buf *why)
{
    if (!job->dest) return CHRONICLE_OK;
    /* NEEDS_PATH plugins write by name and may have replaced the inode: reopen */
    int fd = open(job->tmp, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0 || fchmod(fd, file_mode()) != 0) {
        chronicle_buf_appendf(why, "cannot complete %s: %s", job->dest, strerror(errno));
        if (fd >= 0) close(fd);
        return CHRONICLE_ERR_IO;
    }
    close(fd);
    if (rename(job->tmp, job->dest) != 0) {
        chronicle_buf_appendf(why, "cannot replace %s: %s", job->dest, strerror(errno));
        return CHRONICLE_ERR_IO;
    }
    free(job->tmp);
    job->tmp = NULL;
    fsync_dir(job->dest); /* durability of the rename; the content is already safe */
    return CHRONICLE_OK;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb;
    (void)flag;
    (void)ftw;
    remove(path);
    return 0;
}

void output_discard(chronicle_job *job)
{
    if (job->tmp_fd > STDERR_FILENO) close(job->tmp_fd);
    job->tmp_fd = -1;
    if (job->tmp) unlink(job->tmp);
    free(job->tmp);
    job->tmp = NULL;
    if (job->scratch) nftw(job->scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(job->scratch);
    job->scratch = NULL;
}
