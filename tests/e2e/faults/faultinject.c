/*
 * faultinject.c — an LD_PRELOAD shim that makes the output path fail the
 * way disks do, so the tests exercise the real binary with no test hooks
 * in production code.  Controlled by environment variables:
 *   FAULT_WRITE_ENOSPC_AFTER=N  write(2) to regular files fails with ENOSPC
 *                               once N bytes have been written to them
 *   FAULT_FSYNC=EIO             fsync(2) of regular files fails with EIO
 *   FAULT_RENAME=EXDEV          rename(2) fails with that errno name
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static long long written;

static int is_regular(int fd)
{
    struct stat sb;
    return fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
}

static int errno_named(const char *s)
{
    if (!strcmp(s, "EIO")) return EIO;
    if (!strcmp(s, "EXDEV")) return EXDEV;
    if (!strcmp(s, "EACCES")) return EACCES;
    if (!strcmp(s, "ENOSPC")) return ENOSPC;
    return EIO;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) *(void **)&real = dlsym(RTLD_NEXT, "write");
    const char *limit = getenv("FAULT_WRITE_ENOSPC_AFTER");
    if (limit && is_regular(fd)) {
        long long max = atoll(limit);
        if (written >= max) {
            errno = ENOSPC;
            return -1;
        }
        if (written + (long long)n > max) n = (size_t)(max - written); /* a short write first */
        ssize_t k = real(fd, buf, n);
        if (k > 0) written += k;
        return k;
    }
    return real(fd, buf, n);
}

int fsync(int fd)
{
    static int (*real)(int);
    if (!real) *(void **)&real = dlsym(RTLD_NEXT, "fsync");
    const char *f = getenv("FAULT_FSYNC");
    if (f && is_regular(fd)) {
        errno = errno_named(f);
        return -1;
    }
    return real(fd);
}

int rename(const char *from, const char *to)
{
    static int (*real)(const char *, const char *);
    if (!real) *(void **)&real = dlsym(RTLD_NEXT, "rename");
    const char *f = getenv("FAULT_RENAME");
    if (f) {
        errno = errno_named(f);
        return -1;
    }
    return real(from, to);
}
