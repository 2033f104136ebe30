/*
 * test_pdf_errors.c — the pdf plugin's words for libharu's errors
 * (plugins/pdf/errors.c): every code of hpdf_error.h has its own why and
 * what-to-do, the message keeps the hex code for support, and the detail
 * is put in words where libharu gives one (an errno, a font table).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* the error codes' names: the full <hpdf.h>, as errors.c sees it */
#define PDF_HPDF_FULL 1
#include "pdf_internal.h"

/* Every code libharu 2.3.0 defines (hpdf_error.h), by name: a code that
 * goes away breaks the build, one that is missing from errors.c fails. */
static const HPDF_STATUS all_codes[] = {HPDF_ARRAY_COUNT_ERR,
                                        HPDF_ARRAY_ITEM_NOT_FOUND,
                                        HPDF_ARRAY_ITEM_UNEXPECTED_TYPE,
                                        HPDF_BINARY_LENGTH_ERR,
                                        HPDF_CANNOT_GET_PALLET,
                                        HPDF_DICT_COUNT_ERR,
                                        HPDF_DICT_ITEM_NOT_FOUND,
                                        HPDF_DICT_ITEM_UNEXPECTED_TYPE,
                                        HPDF_DICT_STREAM_LENGTH_NOT_FOUND,
                                        HPDF_DOC_ENCRYPTDICT_NOT_FOUND,
                                        HPDF_DOC_INVALID_OBJECT,
                                        HPDF_DUPLICATE_REGISTRATION,
                                        HPDF_EXCEED_JWW_CODE_NUM_LIMIT,
                                        HPDF_ENCRYPT_INVALID_PASSWORD,
                                        HPDF_ERR_UNKNOWN_CLASS,
                                        HPDF_EXCEED_GSTATE_LIMIT,
                                        HPDF_FAILD_TO_ALLOC_MEM,
                                        HPDF_FILE_IO_ERROR,
                                        HPDF_FILE_OPEN_ERROR,
                                        HPDF_FONT_EXISTS,
                                        HPDF_FONT_INVALID_WIDTHS_TABLE,
                                        HPDF_INVALID_AFM_HEADER,
                                        HPDF_INVALID_ANNOTATION,
                                        HPDF_INVALID_BIT_PER_COMPONENT,
                                        HPDF_INVALID_CHAR_MATRICS_DATA,
                                        HPDF_INVALID_COLOR_SPACE,
                                        HPDF_INVALID_COMPRESSION_MODE,
                                        HPDF_INVALID_DATE_TIME,
                                        HPDF_INVALID_DESTINATION,
                                        HPDF_INVALID_DOCUMENT,
                                        HPDF_INVALID_DOCUMENT_STATE,
                                        HPDF_INVALID_ENCODER,
                                        HPDF_INVALID_ENCODER_TYPE,
                                        HPDF_INVALID_ENCODING_NAME,
                                        HPDF_INVALID_ENCRYPT_KEY_LEN,
                                        HPDF_INVALID_FONTDEF_DATA,
                                        HPDF_INVALID_FONTDEF_TYPE,
                                        HPDF_INVALID_FONT_NAME,
                                        HPDF_INVALID_IMAGE,
                                        HPDF_INVALID_JPEG_DATA,
                                        HPDF_INVALID_N_DATA,
                                        HPDF_INVALID_OBJECT,
                                        HPDF_INVALID_OBJ_ID,
                                        HPDF_INVALID_OPERATION,
                                        HPDF_INVALID_OUTLINE,
                                        HPDF_INVALID_PAGE,
                                        HPDF_INVALID_PAGES,
                                        HPDF_INVALID_PARAMETER,
                                        HPDF_INVALID_PNG_IMAGE,
                                        HPDF_INVALID_STREAM,
                                        HPDF_MISSING_FILE_NAME_ENTRY,
                                        HPDF_INVALID_TTC_FILE,
                                        HPDF_INVALID_TTC_INDEX,
                                        HPDF_INVALID_WX_DATA,
                                        HPDF_ITEM_NOT_FOUND,
                                        HPDF_LIBPNG_ERROR,
                                        HPDF_NAME_INVALID_VALUE,
                                        HPDF_NAME_OUT_OF_RANGE,
                                        HPDF_PAGE_INVALID_PARAM_COUNT,
                                        HPDF_PAGES_MISSING_KIDS_ENTRY,
                                        HPDF_PAGE_CANNOT_FIND_OBJECT,
                                        HPDF_PAGE_CANNOT_GET_ROOT_PAGES,
                                        HPDF_PAGE_CANNOT_RESTORE_GSTATE,
                                        HPDF_PAGE_CANNOT_SET_PARENT,
                                        HPDF_PAGE_FONT_NOT_FOUND,
                                        HPDF_PAGE_INVALID_FONT,
                                        HPDF_PAGE_INVALID_FONT_SIZE,
                                        HPDF_PAGE_INVALID_GMODE,
                                        HPDF_PAGE_INVALID_INDEX,
                                        HPDF_PAGE_INVALID_ROTATE_VALUE,
                                        HPDF_PAGE_INVALID_SIZE,
                                        HPDF_PAGE_INVALID_XOBJECT,
                                        HPDF_PAGE_OUT_OF_RANGE,
                                        HPDF_REAL_OUT_OF_RANGE,
                                        HPDF_STREAM_EOF,
                                        HPDF_STREAM_READLN_CONTINUE,
                                        HPDF_STRING_OUT_OF_RANGE,
                                        HPDF_THIS_FUNC_WAS_SKIPPED,
                                        HPDF_TTF_CANNOT_EMBEDDING_FONT,
                                        HPDF_TTF_INVALID_CMAP,
                                        HPDF_TTF_INVALID_FOMAT,
                                        HPDF_TTF_MISSING_TABLE,
                                        HPDF_UNSUPPORTED_FONT_TYPE,
                                        HPDF_UNSUPPORTED_FUNC,
                                        HPDF_UNSUPPORTED_JPEG_FORMAT,
                                        HPDF_UNSUPPORTED_TYPE1_FONT,
                                        HPDF_XREF_COUNT_ERR,
                                        HPDF_ZLIB_ERROR,
                                        HPDF_INVALID_PAGE_INDEX,
                                        HPDF_INVALID_URI,
                                        HPDF_PAGE_LAYOUT_OUT_OF_RANGE,
                                        HPDF_PAGE_MODE_OUT_OF_RANGE,
                                        HPDF_PAGE_NUM_STYLE_OUT_OF_RANGE,
                                        HPDF_ANNOT_INVALID_ICON,
                                        HPDF_ANNOT_INVALID_BORDER_STYLE,
                                        HPDF_PAGE_INVALID_DIRECTION,
                                        HPDF_INVALID_FONT,
                                        HPDF_PAGE_INSUFFICIENT_SPACE,
                                        HPDF_PAGE_INVALID_DISPLAY_TIME,
                                        HPDF_PAGE_INVALID_TRANSITION_TIME,
                                        HPDF_INVALID_PAGE_SLIDESHOW_TYPE,
                                        HPDF_EXT_GSTATE_OUT_OF_RANGE,
                                        HPDF_INVALID_EXT_GSTATE,
                                        HPDF_EXT_GSTATE_READ_ONLY,
                                        HPDF_INVALID_U3D_DATA,
                                        HPDF_NAME_CANNOT_GET_NAMES,
                                        HPDF_INVALID_ICC_COMPONENT_NUM};

static const char *describe(chronicle_buf *b, const char *what, HPDF_STATUS code,
                            HPDF_STATUS detail)
{
    chronicle_buf_reset(b);
    assert_int_equal(pdf_hpdf_describe(b, what, code, detail), CHRONICLE_OK);
    return chronicle_buf_cstr(b);
}

static void test_every_libharu_code_has_its_own_words(void **state)
{
    (void)state;
    const pdf_hpdf_error *unknown = pdf_hpdf_error_find(0x7FFF);
    for (size_t i = 0; i < sizeof all_codes / sizeof *all_codes; i++) {
        const pdf_hpdf_error *e = pdf_hpdf_error_find(all_codes[i]);
        if (e == unknown)
            fail_msg("libharu error 0x%04lX has no words", (unsigned long)all_codes[i]);
        assert_int_equal(e->code, all_codes[i]);
        assert_true(strlen(e->why) > 8 && strlen(e->todo) > 8);
        assert_null(strstr(e->why, "libharu error"));
        assert_int_not_equal(e->status, CHRONICLE_OK);
    }
}

static void test_an_unknown_code_still_gets_words_and_its_hex(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    const char *m = describe(&b, "adding a page", 0x10F0, 3);
    assert_non_null(strstr(m, "adding a page: an error this version of the pdf plugin"));
    assert_non_null(strstr(m, "please report it"));
    assert_non_null(strstr(m, "(libharu error 0x10F0, detail 3)"));
    assert_int_equal(pdf_hpdf_error_find(0x10F0)->status, CHRONICLE_ERR_INTERNAL);
    chronicle_buf_free(&b);
}

static void test_message_says_what_failed_why_and_what_to_do(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_string_equal(describe(&b, "adding a page", HPDF_XREF_COUNT_ERR, 0),
                        "adding a page: the briefing needs more than the 8,388,607 PDF objects "
                        "libharu can write (a few per page and per event); export fewer events "
                        "at once (--split-by year, or --since and --until) (libharu error "
                        "0x1065, detail 0)");
    chronicle_buf_free(&b);
}

static void test_file_error_detail_is_an_errno_in_words(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    const char *m = describe(&b, "cannot use font /x.ttf", HPDF_FILE_OPEN_ERROR, ENOENT);
    assert_non_null(strstr(m, "cannot use font /x.ttf: cannot open the file: "));
    assert_non_null(strstr(m, strerror(ENOENT)));
    assert_non_null(strstr(m, "(libharu error 0x1017, errno 2)"));
    chronicle_buf_free(&b);
}

static void test_missing_font_table_is_named(void **state)
{
    (void)state;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    assert_non_null(strstr(describe(&b, "f", HPDF_TTF_MISSING_TABLE, 4), "needs ('glyf');"));
    assert_non_null(strstr(describe(&b, "f", HPDF_TTF_MISSING_TABLE, 0), "needs ('OS/2');"));
    assert_non_null(strstr(describe(&b, "f", HPDF_TTF_MISSING_TABLE, 2), "needs ('cvt ');"));
    assert_non_null(strstr(describe(&b, "f", HPDF_TTF_MISSING_TABLE, 12), "needs ('prep');"));
    /* a detail libharu never gives: no table named, the number kept */
    const char *m = describe(&b, "f", HPDF_TTF_MISSING_TABLE, 99);
    assert_null(strstr(m, "('"));
    assert_non_null(strstr(m, "(libharu error 0x1060, detail 99)"));
    chronicle_buf_free(&b);
}

static void test_status_follows_the_cause(void **state)
{
    (void)state;
    assert_int_equal(pdf_hpdf_error_find(HPDF_FAILD_TO_ALLOC_MEM)->status, CHRONICLE_ERR_NOMEM);
    assert_int_equal(pdf_hpdf_error_find(HPDF_FILE_IO_ERROR)->status, CHRONICLE_ERR_IO);
    assert_int_equal(pdf_hpdf_error_find(HPDF_TTF_INVALID_FOMAT)->status, CHRONICLE_ERR_DATA);
    assert_int_equal(pdf_hpdf_error_find(HPDF_STRING_OUT_OF_RANGE)->status, CHRONICLE_ERR_DATA);
    assert_int_equal(pdf_hpdf_error_find(HPDF_XREF_COUNT_ERR)->status, CHRONICLE_ERR_UNSUPPORTED);
    assert_int_equal(pdf_hpdf_error_find(HPDF_INVALID_PARAMETER)->status, CHRONICLE_ERR_INTERNAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_libharu_code_has_its_own_words),
        cmocka_unit_test(test_an_unknown_code_still_gets_words_and_its_hex),
        cmocka_unit_test(test_message_says_what_failed_why_and_what_to_do),
        cmocka_unit_test(test_file_error_detail_is_an_errno_in_words),
        cmocka_unit_test(test_missing_font_table_is_named),
        cmocka_unit_test(test_status_follows_the_cause),
    };
    return cmocka_run_group_tests_name("pdf_errors", tests, NULL, NULL);
}
