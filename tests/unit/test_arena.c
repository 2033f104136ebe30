/*
 * test_arena.c — the bump allocator and the string interner behind the
 * dataset model (arena.c, internal: arena.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "arena.h"

static void test_arena_alloc_is_zeroed_and_aligned(void **state)
{
    (void)state;
    arena a = {0};
    for (size_t size = 1; size < 200; size += 7) {
        unsigned char *p = chronicle__arena_alloc(&a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 8, 0);
        for (size_t i = 0; i < size; i++)
            assert_int_equal(p[i], 0);
        memset(p, 0xAB, size); /* the next block must not overlap */
    }
    chronicle__arena_free(&a);
    assert_null(a.head);
    assert_int_equal(a.total, 0);
}

static void test_arena_alloc_after_strdup_is_aligned(void **state)
{
    (void)state;
    arena a = {0};
    for (size_t len = 0; len < 40; len++) {
        chronicle_str s =
            chronicle__arena_strdup(&a, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN", len);
        assert_int_equal(s.len, len);
        double *d = chronicle__arena_alloc(&a, sizeof *d);
        assert_non_null(d);
        assert_int_equal((uintptr_t)d % 8, 0);
        *d = 1.5;
        assert_int_equal(strlen(s.ptr), len); /* the struct did not overwrite the string */
    }
    chronicle__arena_free(&a);
}

static void test_arena_serves_blocks_larger_than_a_chunk(void **state)
{
    (void)state;
    arena a = {0};
    char *small = chronicle__arena_alloc(&a, 16);
    char *big = chronicle__arena_alloc(&a, 10u << 20);
    assert_non_null(small);
    assert_non_null(big);
    memset(big, 1, 10u << 20);
    assert_true(a.total >= (10u << 20));
    char *after = chronicle__arena_alloc(&a, 16);
    assert_non_null(after);
    chronicle__arena_free(&a);
}

static void test_arena_strdup_copies_with_nul(void **state)
{
    (void)state;
    arena a = {0};
    char src[] = "Khojaly";
    chronicle_str s = chronicle__arena_strdup(&a, src, 4);
    assert_int_equal(s.len, 4);
    assert_string_equal(s.ptr, "Khoj");
    assert_ptr_not_equal(s.ptr, src);
    src[0] = 'X';
    assert_string_equal(s.ptr, "Khoj");
    chronicle_str empty = chronicle__arena_strdup(&a, "", 0);
    assert_non_null(empty.ptr);
    assert_string_equal(empty.ptr, "");
    chronicle__arena_free(&a);
}

static void test_intern_returns_same_pointer_for_equal_strings(void **state)
{
    (void)state;
    arena a = {0};
    interner in = {.a = &a};
    char one[] = "Embassy of Azerbaijan", two[] = "Embassy of Azerbaijan";
    chronicle_str x = chronicle__intern(&in, one, strlen(one));
    chronicle_str y = chronicle__intern(&in, two, strlen(two));
    assert_ptr_equal(x.ptr, y.ptr);
    assert_int_equal(x.len, y.len);
    assert_ptr_not_equal(x.ptr, one);
    chronicle_str z = chronicle__intern(&in, "Embassy of Qatar", 16);
    assert_ptr_not_equal(z.ptr, x.ptr);
    /* a prefix is another string */
    chronicle_str p = chronicle__intern(&in, one, 7);
    assert_string_equal(p.ptr, "Embassy");
    assert_ptr_not_equal(p.ptr, x.ptr);
    assert_int_equal(in.n, 3);
    chronicle__interner_free(&in);
    chronicle__arena_free(&a);
}

static void test_intern_copies_long_strings_each_time(void **state)
{
    (void)state;
    arena a = {0};
    interner in = {.a = &a};
    char long_text[INTERN_MAX + 2];
    memset(long_text, 'q', sizeof long_text - 1);
    long_text[sizeof long_text - 1] = '\0';
    chronicle_str x = chronicle__intern(&in, long_text, strlen(long_text));
    chronicle_str y = chronicle__intern(&in, long_text, strlen(long_text));
    assert_ptr_not_equal(x.ptr, y.ptr);
    assert_string_equal(x.ptr, long_text);
    assert_string_equal(y.ptr, long_text);
    assert_int_equal(in.n, 0);
    /* exactly INTERN_MAX bytes is still interned */
    chronicle_str m1 = chronicle__intern(&in, long_text, INTERN_MAX);
    chronicle_str m2 = chronicle__intern(&in, long_text, INTERN_MAX);
    assert_ptr_equal(m1.ptr, m2.ptr);
    chronicle__interner_free(&in);
    chronicle__arena_free(&a);
}

/* Past 2 MiB the chunks are huge-page mappings: still zeroed, aligned and
 * disjoint, with strings and structs mixed as the loader mixes them. */
static void test_arena_mapped_chunks_are_zeroed_and_disjoint(void **state)
{
    (void)state;
    arena a = {0};
    size_t used = 0;
    while (used < (size_t)12 << 20) {
        size_t size = 200 + used % 1800;
        unsigned char *p = chronicle__arena_alloc(&a, size);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % 8, 0);
        for (size_t i = 0; i < size; i += 61)
            assert_int_equal(p[i], 0);
        assert_int_equal(p[size - 1], 0);
        memset(p, 0xCD, size);
        chronicle_str s = chronicle__arena_strdup(&a, "packed string", 13);
        assert_string_equal(s.ptr, "packed string");
        used += size + 14;
    }
    assert_true(a.total >= used);
    chronicle__arena_free(&a);
    assert_null(a.head);
}

static void test_intern_ex_reports_what_was_there(void **state)
{
    (void)state;
    arena a = {0};
    interner in = {.a = &a};
    char long_text[200];
    memset(long_text, 'L', sizeof long_text);
    int found = -1;
    chronicle_str x = chronicle__intern_ex(&in, long_text, sizeof long_text, &found);
    assert_int_equal(found, 0);
    chronicle_str y = chronicle__intern_ex(&in, long_text, sizeof long_text, &found);
    assert_int_equal(found, 1); /* whatever the length */
    assert_ptr_equal(x.ptr, y.ptr);
    assert_int_equal(y.len, sizeof long_text);
    chronicle__interner_free(&in);
    chronicle__arena_free(&a);
}

static void test_intern_keeps_strings_with_nul_bytes_apart(void **state)
{
    (void)state;
    arena a = {0};
    interner in = {.a = &a};
    chronicle_str x = chronicle__intern(&in, "a\0b", 3);
    chronicle_str y = chronicle__intern(&in, "a\0c", 3);
    chronicle_str z = chronicle__intern(&in, "a", 1);
    assert_ptr_not_equal(x.ptr, y.ptr);
    assert_ptr_not_equal(x.ptr, z.ptr);
    assert_memory_equal(y.ptr, "a\0c", 4);
    chronicle__interner_free(&in);
    chronicle__arena_free(&a);
}

/* Many strings: the table rehashes and the arena adds chunks, and every
 * string stays where it was, with its content. */
static void test_intern_many_strings_survive_growth(void **state)
{
    (void)state;
    enum { N = 200000 };
    arena a = {0};
    interner in = {.a = &a};
    chronicle_str *first = calloc(N, sizeof *first);
    assert_non_null(first);
    char text[32];
    for (size_t i = 0; i < N; i++) {
        int n = snprintf(text, sizeof text, "participant %zu", i);
        first[i] = chronicle__intern(&in, text, (size_t)n);
        assert_non_null(first[i].ptr);
    }
    assert_int_equal(in.n, N);
    assert_true(in.cap >= N);
    assert_true(chronicle__interner_memory(&in) > 0);
    for (size_t i = 0; i < N; i++) {
        int n = snprintf(text, sizeof text, "participant %zu", i);
        assert_string_equal(first[i].ptr, text);
        chronicle_str again = chronicle__intern(&in, text, (size_t)n);
        assert_ptr_equal(again.ptr, first[i].ptr);
    }
    assert_int_equal(in.n, N);
    free(first);
    chronicle__interner_free(&in);
    assert_null(in.slots);
    chronicle__arena_free(&a);
}

/* A scratch arena: after a reset the newest chunk serves again, zeroed,
 * and the others are gone. */
static void test_arena_reset_keeps_one_zeroed_chunk(void **state)
{
    (void)state;
    arena a = {0};
    for (int i = 0; i < 100; i++)
        memset(chronicle__arena_alloc(&a, 1000), 0xAB, 1000);
    size_t before = a.total; /* several chunks */
    arena_chunk *newest = a.head;
    chronicle__arena_reset(&a);
    assert_ptr_equal(a.head, newest);
    assert_true(a.total < before);
    assert_true(a.total >= 5000);
    size_t total = a.total;
    for (int round = 0; round < 3; round++) {
        unsigned char *p = chronicle__arena_alloc(&a, 5000);
        assert_non_null(p);
        for (size_t k = 0; k < 5000; k++)
            assert_int_equal(p[k], 0);
        memset(p, 0xCD, 5000);
        chronicle__arena_reset(&a);
        assert_int_equal(a.total, total);
    }
    chronicle__arena_reset(&a);
    chronicle__arena_free(&a);
    chronicle__arena_reset(&a); /* an empty arena: nothing to do */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_arena_alloc_is_zeroed_and_aligned),
        cmocka_unit_test(test_arena_alloc_after_strdup_is_aligned),
        cmocka_unit_test(test_arena_serves_blocks_larger_than_a_chunk),
        cmocka_unit_test(test_arena_strdup_copies_with_nul),
        cmocka_unit_test(test_arena_mapped_chunks_are_zeroed_and_disjoint),
        cmocka_unit_test(test_intern_returns_same_pointer_for_equal_strings),
        cmocka_unit_test(test_intern_copies_long_strings_each_time),
        cmocka_unit_test(test_intern_ex_reports_what_was_there),
        cmocka_unit_test(test_intern_keeps_strings_with_nul_bytes_apart),
        cmocka_unit_test(test_intern_many_strings_survive_growth),
        cmocka_unit_test(test_arena_reset_keeps_one_zeroed_chunk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
