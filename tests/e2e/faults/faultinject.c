/*
 * faultinject.c — an LD_PRELOAD shim that makes the output path fail the
 * way disks do, so the tests exercise the real binary with no test hooks
 * in production code.  Controlled by environment variables:
 *   FAULT_WRITE_ENOSPC_AFTER=N  write(2) and fwrite(3) to regular files fail
 *                               with ENOSPC once N bytes have been written to
 *                               them (fwrite: libraries that write through
 *                               stdio, as minizip does for libxlsxwriter;
 *                               glibc's own stdio reaches write(2) by an
 *                               internal name the shim cannot see)
 *   FAULT_FSYNC=EIO             fsync(2) of regular files fails with EIO
 *   FAULT_RENAME=EXDEV          rename(2) and renameat(2) fail with that errno name
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdint.h>
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

/* How many of n bytes may still be written to fd: n when no limit is set
 * or fd is not a regular file; fewer (a short write) near the limit; 0
 * with errno ENOSPC past it. */
static size_t allowance(int fd, size_t n, int *limited)
{
    const char *limit = getenv("FAULT_WRITE_ENOSPC_AFTER");
    *limited = limit && fd >= 0 && is_regular(fd);
    if (!*limited) return n;
    long long max = atoll(limit);
    if (written >= max) {
        errno = ENOSPC;
        return 0;
    }
    return written + (long long)n > max ? (size_t)(max - written) : n;
}

ssize_t write(int fd, const void *buf, size_t n)
{
    static ssize_t (*real)(int, const void *, size_t);
    if (!real) *(void **)&real = dlsym(RTLD_NEXT, "write");
    int limited;
    size_t ok = allowance(fd, n, &limited);
    if (!limited) return real(fd, buf, n);
    if (!ok && n) return -1;
    ssize_t k = real(fd, buf, ok);
    if (k > 0) written += k;
    return k;
}

size_t fwrite(const void *buf, size_t size, size_t count, FILE *fp)
{
    static size_t (*real)(const void *, size_t, size_t, FILE *);
    if (!real) *(void **)&real = dlsym(RTLD_NEXT, "fwrite");
    int limited;
    size_t n = size && count <= SIZE_MAX / size ? size * count : 0;
    size_t ok = allowance(fileno(fp), n, &limited);
    if (!limited) return real(buf, size, count, fp);
    size_t items = ok / size; /* whole items only, as fwrite counts them */
    size_t k = items ? real(buf, size, items, fp) : 0;
    written += (long long)(k * size);
    if (items < count) errno = ENOSPC; /* a failure of the real fwrite keeps its own errno */
    return k;
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

int renameat(int from_dir, const char *from, int to_dir, const char *to)
{
    static int (*real)(int, const char *, int, const char *);
    if (!real) *(void **)&real = dlsym(RTLD_NEXT, "renameat");
    const char *f = getenv("FAULT_RENAME");
    if (f) {
        errno = errno_named(f);
        return -1;
    }
    return real(from_dir, from, to_dir, to);
}
