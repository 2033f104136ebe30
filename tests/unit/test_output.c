/*
 * test_output.c — the job's writer (output.c): whatever the sizes of the
 * plugin's pieces (small ones gathered in its buffers, large ones written
 * from the plugin's memory after what was gathered before them), the
 * output holds exactly its bytes, in order: on a file being made (with
 * its writeback started as it grows), on tmpfs, and on a pipe.
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "output_internal.h"

/* past the writeback step (8 MiB), and not a whole number of buffers */
#define TOTAL (((size_t)11 << 20) + 1234)

/* Byte i of the stream: varies with i, so a piece lost, doubled or moved
 * shows. */
static unsigned char byte_at(size_t i)
{
    return (unsigned char)(i * 2654435761u >> 13 ^ i >> 20);
}

static unsigned char *stream(void)
{
    unsigned char *s = malloc(TOTAL);
    assert_non_null(s);
    for (size_t i = 0; i < TOTAL; i++)
        s[i] = byte_at(i);
    return s;
}

/* Feeds the stream to a writer on fd in pieces of the sizes pick gives,
 * from an odd offset of the source so no piece comes aligned by chance. */
static void feed(int fd, int writeback, size_t (*pick)(size_t k))
{
    unsigned char *s = stream();
    unsigned char *src = malloc(TOTAL + 1);
    assert_non_null(src);
    memcpy(src + 1, s, TOTAL);
    chronicle__writer *w = chronicle__writer_new(fd, writeback);
    assert_non_null(w);
    size_t at = 0;
    for (size_t k = 0; at < TOTAL; k++) {
        size_t n = pick(k);
        if (n > TOTAL - at) n = TOTAL - at;
        assert_int_equal(chronicle__writer_write(w, src + 1 + at, n), 0);
        at += n;
    }
    assert_int_equal(chronicle__writer_flush(w), 0);
    chronicle__writer_free(w);
    free(src);
    free(s);
}

static void check_file(int fd)
{
    unsigned char *want = stream();
    struct stat sb;
    assert_int_equal(fstat(fd, &sb), 0);
    assert_int_equal((size_t)sb.st_size, TOTAL);
    unsigned char *got = malloc(TOTAL);
    assert_non_null(got);
    assert_int_equal(pread(fd, got, TOTAL, 0), (ssize_t)TOTAL);
    for (size_t i = 0; i < TOTAL; i++)
        if (got[i] != want[i]) fail_msg("byte %zu: %u, expected %u", i, got[i], want[i]);
    free(got);
    free(want);
}

/* Piece sizes: small ones (the buffered path), ones over the writer's
 * direct-piece size, and 768 KiB ones (the text exporter's). */
static size_t mixed(size_t k)
{
    static const size_t sizes[] = {1, 4095, 300000, 13, 786432, 4096, 1 << 20, 77, 2000000, 5};
    return sizes[k % (sizeof sizes / sizeof *sizes)];
}

static size_t chunks_768k(size_t k)
{
    (void)k;
    return 786432;
}

/* A file of its own in dir, unlinked at once: its descriptor is all the
 * test needs.  -1 when dir is missing. */
static int temp_file(const char *dir)
{
    char path[256];
    snprintf(path, sizeof path, "%s/chronicle-test-output.XXXXXX", dir);
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    return fd;
}

static const char *build_dir(void)
{
    const char *d = getenv("MESON_BUILD_ROOT");
    return d && *d ? d : ".";
}

static void file_on_disk(size_t (*pick)(size_t k))
{
    const char *dir = build_dir();
    int fd = temp_file(dir);
    assert_true(fd >= 0);
    feed(fd, 1, pick);
    check_file(fd);
    close(fd);
}

static void test_file_mixed_pieces(void **state)
{
    (void)state;
    file_on_disk(mixed);
}

static void test_file_text_pieces(void **state)
{
    (void)state;
    file_on_disk(chunks_768k);
}

/* tmpfs, where a scratch directory may be. */
static void test_file_in_shm(void **state)
{
    (void)state;
    int fd = temp_file("/dev/shm");
    if (fd < 0) skip();
    feed(fd, 1, mixed);
    check_file(fd);
    close(fd);
}

/* Not a file being made (writeback 0, as for a pipe or a device): every
 * byte through. */
static void *drain(void *arg)
{
    int fd = *(int *)arg;
    unsigned char *want = stream(), buf[65536];
    size_t at = 0;
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        if (at + (size_t)n > TOTAL || memcmp(buf, want + at, (size_t)n) != 0) {
            at = (size_t)-1;
            break;
        }
        at += (size_t)n;
    }
    free(want);
    return (void *)(uintptr_t)(at == TOTAL);
}

static void test_pipe(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, drain, &p[0]), 0);
    feed(p[1], 0, mixed);
    close(p[1]);
    void *ok;
    pthread_join(t, &ok);
    close(p[0]);
    assert_true((uintptr_t)ok);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_file_mixed_pieces),
        cmocka_unit_test(test_file_text_pieces),
        cmocka_unit_test(test_file_in_shm),
        cmocka_unit_test(test_pipe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
