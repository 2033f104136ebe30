/*
 * test_unfinal.c — the workbook exporter's deflate joiner (plugins/xlsx/
 * unfinal.c): pieces deflated apart by libdeflate, at every level, made
 * joinable and written one after another, inflate with zlib as one stream
 * to the input; malformed streams are refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libdeflate.h>
#include <zlib.h>

#include "xlsx_internal.h"

/* Row-like XML with some noise, so that every block type turns up. */
static unsigned char *sample(size_t n, unsigned seed)
{
    unsigned char *s = malloc(n);
    assert_non_null(s);
    static const char row[] = "<row r=\"12\" spans=\"1:9\"><c r=\"A12\" t=\"inlineStr\"><is><t>";
    for (size_t i = 0; i < n; i++) {
        seed = seed * 1103515245u + 12345u;
        unsigned r = seed >> 16;
        s[i] = (r % 7 == 0) ? (unsigned char)(r >> 3) : (unsigned char)row[i % (sizeof row - 1)];
    }
    return s;
}

/* Deflates in[0..n) in pieces of piece bytes at level, joins, inflates. */
static void round_trip(const unsigned char *in, size_t n, size_t piece, int level)
{
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(level);
    assert_non_null(c);
    size_t cap = libdeflate_deflate_compress_bound(NULL, piece) + 6;
    unsigned char *joined = malloc((n / piece + 1) * cap), *buf = malloc(cap),
                  *back = malloc(n + 1);
    assert_true(joined && buf && back);
    size_t at = 0;
    for (size_t off = 0; off < n || off == 0; off += piece) {
        size_t len = n - off < piece ? n - off : piece;
        int last = off + len >= n;
        size_t k = libdeflate_deflate_compress(c, in + off, len, buf, cap);
        assert_true(k > 0);
        if (!last) k = xlsx_deflate_unfinal(buf, k, cap);
        assert_true(k > 0);
        memcpy(joined + at, buf, k);
        at += k;
        if (last) break;
    }
    z_stream zs = {0};
    assert_int_equal(inflateInit2(&zs, -MAX_WBITS), Z_OK);
    zs.next_in = joined;
    zs.avail_in = (uInt)at;
    zs.next_out = back;
    zs.avail_out = (uInt)(n + 1);
    assert_int_equal(inflate(&zs, Z_FINISH), Z_STREAM_END);
    assert_int_equal(zs.total_out, n);
    assert_int_equal(zs.avail_in, 0);
    assert_memory_equal(back, in, n);
    inflateEnd(&zs);
    libdeflate_free_compressor(c);
    free(joined);
    free(buf);
    free(back);
}

static void test_unfinal_pieces_inflate_as_one_stream_at_every_level(void **state)
{
    (void)state;
    unsigned char *s = sample(1u << 20, 7);
    for (int level = 0; level <= 12; level++)
        round_trip(s, 1u << 20, 300000, level);
    free(s);
}

static void test_unfinal_small_and_odd_pieces(void **state)
{
    (void)state;
    unsigned char *s = sample(100000, 3);
    size_t pieces[] = {1, 2, 3, 7, 100, 4096, 65535, 65536, 99999};
    for (size_t i = 0; i < sizeof pieces / sizeof *pieces; i++)
        for (int level = 1; level <= 12; level += 5)
            round_trip(s, i < 4 ? 200 : 100000, pieces[i], level);
    free(s);
}

static void test_unfinal_random_bytes_stored_blocks(void **state)
{
    (void)state;
    unsigned char *s = malloc(300000);
    assert_non_null(s);
    unsigned seed = 1;
    for (size_t i = 0; i < 300000; i++) {
        seed = seed * 1103515245u + 12345u;
        s[i] = (unsigned char)(seed >> 16);
    }
    round_trip(s, 300000, 100000, 1);
    round_trip(s, 300000, 100000, 6);
    free(s);
}

static void test_unfinal_refuses_malformed_streams(void **state)
{
    (void)state;
    unsigned char s[64] = {0};
    s[0] = 0x07; /* final, reserved block type 3 */
    assert_int_equal(xlsx_deflate_unfinal(s, 1, sizeof s), 0);
    unsigned char t[] = {0x01, 0x05, 0x00, 0x00, 0x00}; /* stored, LEN 5, bad NLEN */
    assert_int_equal(xlsx_deflate_unfinal(t, sizeof t, sizeof t + 8), 0);
    /* a good stream with a byte after it is not one stream */
    unsigned char *in = sample(5000, 9), out[8192];
    struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
    size_t k = libdeflate_deflate_compress(c, in, 5000, out, sizeof out - 16);
    assert_true(k > 0);
    out[k] = 0x55;
    assert_int_equal(xlsx_deflate_unfinal(out, k + 1, sizeof out), 0);
    /* truncated */
    assert_int_equal(xlsx_deflate_unfinal(out, k / 2, sizeof out), 0);
    /* no room for the stored block */
    assert_int_equal(xlsx_deflate_unfinal(out, k, k), 0);
    libdeflate_free_compressor(c);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unfinal_pieces_inflate_as_one_stream_at_every_level),
        cmocka_unit_test(test_unfinal_small_and_odd_pieces),
        cmocka_unit_test(test_unfinal_random_bytes_stored_blocks),
        cmocka_unit_test(test_unfinal_refuses_malformed_streams),
    };
    return cmocka_run_group_tests_name("unfinal", tests, NULL, NULL);
}
