/*
 * errors.c — libharu's error codes in words: for every code of hpdf_error.h,
 * why the call failed and what the person running the export can do, and
 * the status the export fails with.  Codes are grouped by cause (memory,
 * files, fonts, limits, features the briefing never uses, misuse by this
 * plugin); the hex code always ends the message, for support.
 * Nothing here draws or talks to the host except pdf_check().
 */
#include <string.h>

/* the error codes' names come with the full <hpdf.h> only (pdf_internal.h);
 * nothing here touches libharu's structs */
#define PDF_HPDF_FULL 1
#include "pdf_internal.h"

/* What to do, shared by the codes of a group. */
static const char bug[] = "this is a bug in the pdf plugin: please report it with the command "
                          "and, if you can, the dataset";
static const char fewer[] = "export fewer events at once (--split-by year, or --since and --until)";
static const char other_font[] = "pass another TrueType (.ttf) font with -O pdf.font=PATH (and "
                                 "pdf.font-bold, pdf.fallback-font); DejaVu Sans works";
static const char unused[] = "the briefing never uses this libharu feature, so this is a bug in "
                             "the pdf plugin: please report it with the command";

/* The rest of a row, after its code, for the codes of a group. */
#define BUG(why) CHRONICLE_ERR_INTERNAL, why, bug
#define FONT(why) CHRONICLE_ERR_DATA, why, other_font
#define UNUSED(why) CHRONICLE_ERR_INTERNAL, why, unused

static const pdf_hpdf_error errors[] = {
    /* memory and files */
    {HPDF_FAILD_TO_ALLOC_MEM, CHRONICLE_ERR_NOMEM, "out of memory",
     "free memory, or export fewer events at once (--split-by, or --since and --until): the "
     "whole briefing stays in memory until it is saved"},
    {HPDF_FILE_OPEN_ERROR, CHRONICLE_ERR_IO, "cannot open the file",
     "check that the file exists and that you may read it"},
    {HPDF_FILE_IO_ERROR, CHRONICLE_ERR_IO, "reading or writing a file failed",
     "check the file and the disk it is on (full, removed, or failing)"},
    {HPDF_STREAM_EOF, CHRONICLE_ERR_DATA,
     "a file ended before its data did (a truncated or damaged font file?)", other_font},
    {HPDF_ZLIB_ERROR, CHRONICLE_ERR_INTERNAL,
     "compressing a font or a stream failed (zlib), usually for want of memory",
     "free memory and try again"},

    /* fonts: the file given with pdf.font, pdf.font-bold or pdf.fallback-font */
    {HPDF_TTF_INVALID_FOMAT, FONT("not a TrueType font, or a damaged one (OpenType CFF .otf "
                                  "and Type 1 fonts are not supported)")},
    {HPDF_TTF_INVALID_CMAP, FONT("the font has no Unicode character map libharu can read")},
    {HPDF_TTF_MISSING_TABLE, FONT("the font lacks a table libharu needs")},
    {HPDF_TTF_CANNOT_EMBEDDING_FONT, CHRONICLE_ERR_DATA,
     "the font's licence bits (OS/2 fsType) forbid embedding it, and the briefing embeds its "
     "fonts",
     "choose a font whose licence allows embedding (DejaVu Sans does) with -O pdf.font=PATH"},
    {HPDF_INVALID_TTC_FILE, FONT("a TrueType collection (.ttc) libharu cannot read")},
    {HPDF_INVALID_TTC_INDEX, FONT("no such font in the TrueType collection")},
    {HPDF_FONT_INVALID_WIDTHS_TABLE, FONT("the font's glyph widths are damaged")},
    {HPDF_INVALID_FONTDEF_DATA, FONT("the font's data is damaged")},
    {HPDF_INVALID_FONTDEF_TYPE, FONT("a kind of font definition libharu cannot use here")},
    {HPDF_UNSUPPORTED_FONT_TYPE, FONT("a kind of font libharu cannot embed")},
    {HPDF_NAME_OUT_OF_RANGE, FONT("a name in the PDF (the font's PostScript name) is longer than "
                                  "the 127 bytes a PDF name may hold")},
    {HPDF_NAME_INVALID_VALUE, FONT("a name in the PDF (the font's PostScript name) is empty or "
                                   "invalid")},
    {HPDF_INVALID_FONT_NAME, FONT("libharu does not know the font's name")},
    {HPDF_UNSUPPORTED_TYPE1_FONT, FONT("a Type 1 font, which the briefing cannot use")},
    {HPDF_INVALID_AFM_HEADER, FONT("a Type 1 font's metrics (AFM) are damaged")},
    {HPDF_INVALID_CHAR_MATRICS_DATA, FONT("a Type 1 font's metrics (AFM) are damaged")},
    {HPDF_INVALID_WX_DATA, FONT("a Type 1 font's widths (AFM) are damaged")},
    {HPDF_INVALID_N_DATA, FONT("a Type 1 font's glyph names (AFM) are damaged")},

    /* limits of the PDF format or of libharu */
    {HPDF_XREF_COUNT_ERR, CHRONICLE_ERR_UNSUPPORTED,
     "the briefing needs more than the 8,388,607 PDF objects libharu can write (a few per page "
     "and per event)",
     fewer},
    {HPDF_ARRAY_COUNT_ERR, CHRONICLE_ERR_UNSUPPORTED,
     "a PDF array would hold more than the 32,767 entries libharu allows",
     "export fewer events at once (--split-by year, or --since and --until), and please report "
     "it: the pdf plugin should not build such an array"},
    {HPDF_DICT_COUNT_ERR, CHRONICLE_ERR_UNSUPPORTED,
     "a PDF dictionary would hold more than the 4,095 entries libharu allows",
     "export fewer events at once (--split-by year, or --since and --until), and please report "
     "it: the pdf plugin should not build such a dictionary"},
    {HPDF_STRING_OUT_OF_RANGE, CHRONICLE_ERR_DATA,
     "a text is longer than the 65,535 bytes a PDF string may hold (a link target counts after "
     "percent-encoding)",
     "shorten it in the dataset (formats/briefing.md lists the limits)"},
    {HPDF_BINARY_LENGTH_ERR, CHRONICLE_ERR_DATA,
     "a binary string is longer than the 65,535 bytes a PDF string may hold",
     "shorten it in the dataset (formats/briefing.md lists the limits)"},
    {HPDF_REAL_OUT_OF_RANGE, BUG("a number outside the -32,767 to 32,767 a PDF real may hold")},
    {HPDF_PAGE_OUT_OF_RANGE, BUG("a page size or position out of range")},
    {HPDF_PAGE_INVALID_SIZE, BUG("an invalid page size")},
    {HPDF_PAGE_INSUFFICIENT_SPACE, BUG("a text does not fit its box")},
    {HPDF_EXCEED_GSTATE_LIMIT, BUG("graphics states nested deeper than the 28 libharu allows")},
    {HPDF_PAGE_CANNOT_RESTORE_GSTATE, BUG("a graphics state restored that was never saved")},
    {HPDF_EXCEED_JWW_CODE_NUM_LIMIT, BUG("too many characters for a CJK encoding")},

    /* the UTF-8 encoder */
    {HPDF_INVALID_ENCODER, CHRONICLE_ERR_UNSUPPORTED, "this libharu has no usable UTF-8 encoder",
     "install libharu 2.3.0 or later (Debian: libhpdf-2.3.0)"},
    {HPDF_INVALID_ENCODER_TYPE, CHRONICLE_ERR_UNSUPPORTED,
     "this libharu has no usable UTF-8 encoder",
     "install libharu 2.3.0 or later (Debian: libhpdf-2.3.0)"},
    {HPDF_INVALID_ENCODING_NAME, CHRONICLE_ERR_UNSUPPORTED, "this libharu has no UTF-8 encoder",
     "install libharu 2.3.0 or later (Debian: libhpdf-2.3.0)"},

    /* misuse of libharu by this plugin */
    {HPDF_INVALID_DOCUMENT, BUG("the document is unusable after an earlier error")},
    {HPDF_INVALID_DOCUMENT_STATE, BUG("a call made at the wrong moment (after the first page?)")},
    {HPDF_INVALID_PARAMETER, BUG("an invalid parameter")},
    {HPDF_INVALID_OBJECT, BUG("an invalid PDF object")},
    {HPDF_INVALID_OBJ_ID, BUG("an invalid PDF object number")},
    {HPDF_DOC_INVALID_OBJECT, BUG("an object of another document")},
    {HPDF_ERR_UNKNOWN_CLASS, BUG("a PDF object of an unknown kind")},
    {HPDF_INVALID_OPERATION, BUG("an operation libharu does not allow here")},
    {HPDF_INVALID_PAGE, BUG("an invalid page")},
    {HPDF_INVALID_PAGES, BUG("an invalid node of the page tree")},
    {HPDF_PAGES_MISSING_KIDS_ENTRY, BUG("a node of the page tree has no /Kids")},
    {HPDF_PAGE_CANNOT_GET_ROOT_PAGES, BUG("the page tree has no root")},
    {HPDF_PAGE_CANNOT_SET_PARENT, BUG("a page already in the page tree was added again")},
    {HPDF_PAGE_CANNOT_FIND_OBJECT, BUG("an object missing from a page's resources")},
    {HPDF_PAGE_INVALID_INDEX, BUG("no page with that number")},
    {HPDF_INVALID_PAGE_INDEX, BUG("no page with that number")},
    {HPDF_PAGE_INVALID_PARAM_COUNT, BUG("a drawing operator with the wrong number of operands")},
    {HPDF_PAGE_INVALID_GMODE, BUG("a drawing operator used in the wrong state")},
    {HPDF_PAGE_INVALID_FONT_SIZE, BUG("an invalid font size")},
    {HPDF_PAGE_INVALID_FONT, BUG("a font the page cannot use")},
    {HPDF_PAGE_FONT_NOT_FOUND, BUG("no font selected on the page")},
    {HPDF_INVALID_FONT, BUG("an invalid font")},
    {HPDF_FONT_EXISTS, BUG("the same font loaded twice")},
    {HPDF_PAGE_INVALID_ROTATE_VALUE, BUG("an invalid page rotation")},
    {HPDF_PAGE_INVALID_DIRECTION, BUG("an invalid page direction")},
    {HPDF_INVALID_DESTINATION, BUG("an invalid link or bookmark target")},
    {HPDF_INVALID_OUTLINE, BUG("an invalid bookmark")},
    {HPDF_INVALID_ANNOTATION, BUG("an invalid link")},
    {HPDF_INVALID_URI, BUG("an empty link target")},
    {HPDF_ANNOT_INVALID_ICON, BUG("an invalid annotation icon")},
    {HPDF_ANNOT_INVALID_BORDER_STYLE, BUG("an invalid link border")},
    {HPDF_PAGE_LAYOUT_OUT_OF_RANGE, BUG("an invalid page layout")},
    {HPDF_PAGE_MODE_OUT_OF_RANGE, BUG("an invalid page mode")},
    {HPDF_PAGE_NUM_STYLE_OUT_OF_RANGE, BUG("an invalid page label style")},
    {HPDF_INVALID_DATE_TIME, BUG("an invalid document date")},
    {HPDF_INVALID_COMPRESSION_MODE, BUG("an invalid compression mode")},
    {HPDF_INVALID_STREAM, BUG("an invalid stream")},
    {HPDF_STREAM_READLN_CONTINUE, BUG("a line longer than the read buffer")},
    {HPDF_DICT_STREAM_LENGTH_NOT_FOUND, BUG("a stream without its /Length")},
    {HPDF_ARRAY_ITEM_NOT_FOUND, BUG("an array entry that is not there")},
    {HPDF_ARRAY_ITEM_UNEXPECTED_TYPE, BUG("an array entry of the wrong type")},
    {HPDF_DICT_ITEM_NOT_FOUND, BUG("a dictionary entry that is not there")},
    {HPDF_DICT_ITEM_UNEXPECTED_TYPE, BUG("a dictionary entry of the wrong type")},
    {HPDF_ITEM_NOT_FOUND, BUG("a list entry that is not there")},
    {HPDF_DUPLICATE_REGISTRATION, BUG("something registered twice")},
    {HPDF_THIS_FUNC_WAS_SKIPPED, BUG("a call skipped after an earlier error")},
    {HPDF_UNSUPPORTED_FUNC, BUG("a function this libharu was built without")},
    {HPDF_MISSING_FILE_NAME_ENTRY, BUG("an embedded file without a name")},

    /* features the briefing never uses */
    {HPDF_CANNOT_GET_PALLET, UNUSED("an image palette error")},
    {HPDF_INVALID_BIT_PER_COMPONENT, UNUSED("an image with invalid bits per component")},
    {HPDF_INVALID_COLOR_SPACE, UNUSED("an invalid colour space")},
    {HPDF_INVALID_IMAGE, UNUSED("an invalid image")},
    {HPDF_INVALID_JPEG_DATA, UNUSED("invalid JPEG data")},
    {HPDF_UNSUPPORTED_JPEG_FORMAT, UNUSED("an unsupported JPEG format")},
    {HPDF_INVALID_PNG_IMAGE, UNUSED("an invalid PNG image")},
    {HPDF_LIBPNG_ERROR, UNUSED("a libpng error")},
    {HPDF_PAGE_INVALID_XOBJECT, UNUSED("an invalid XObject")},
    {HPDF_INVALID_ICC_COMPONENT_NUM, UNUSED("an invalid ICC profile")},
    {HPDF_DOC_ENCRYPTDICT_NOT_FOUND, UNUSED("encryption without its dictionary")},
    {HPDF_ENCRYPT_INVALID_PASSWORD, UNUSED("an invalid encryption password")},
    {HPDF_INVALID_ENCRYPT_KEY_LEN, UNUSED("an invalid encryption key length")},
    {HPDF_INVALID_U3D_DATA, UNUSED("invalid 3D (U3D) data")},
    {HPDF_NAME_CANNOT_GET_NAMES, UNUSED("a names dictionary error")},
    {HPDF_PAGE_INVALID_DISPLAY_TIME, UNUSED("an invalid slide-show display time")},
    {HPDF_PAGE_INVALID_TRANSITION_TIME, UNUSED("an invalid slide-show transition time")},
    {HPDF_INVALID_PAGE_SLIDESHOW_TYPE, UNUSED("an invalid slide-show type")},
    {HPDF_EXT_GSTATE_OUT_OF_RANGE, UNUSED("an extended graphics state out of range")},
    {HPDF_INVALID_EXT_GSTATE, UNUSED("an invalid extended graphics state")},
    {HPDF_EXT_GSTATE_READ_ONLY, UNUSED("a read-only extended graphics state changed")},
};

static const pdf_hpdf_error unknown = {
    0, CHRONICLE_ERR_INTERNAL, "an error this version of the pdf plugin has no words for",
    "please report it with the command and the code in parentheses"};

const pdf_hpdf_error *pdf_hpdf_error_find(HPDF_STATUS code)
{
    for (size_t i = 0; i < sizeof errors / sizeof *errors; i++)
        if (errors[i].code == code) return &errors[i];
    return &unknown;
}

/* libharu's detail of HPDF_TTF_MISSING_TABLE: the index of the table in its
 * REQUIRED_TAGS (hpdf_fontdef_tt.c, the same in 2.3.0 and 2.4.x). */
static const char *missing_table(HPDF_STATUS detail)
{
    static const char *const tag[] = {"OS/2", "cmap", "cvt ", "fpgm", "glyf", "head", "hhea",
                                      "hmtx", "loca", "maxp", "name", "post", "prep"};
    return detail < sizeof tag / sizeof *tag ? tag[detail] : NULL;
}

chronicle_status pdf_hpdf_describe(chronicle_buf *out, const char *what, HPDF_STATUS code,
                                   HPDF_STATUS detail)
{
    const pdf_hpdf_error *e = pdf_hpdf_error_find(code);
    int file = code == HPDF_FILE_OPEN_ERROR || code == HPDF_FILE_IO_ERROR;
    const char *table = code == HPDF_TTF_MISSING_TABLE ? missing_table(detail) : NULL;
    chronicle_status st = chronicle_buf_appendf(out, "%s: %s", what, e->why);
    if (st == CHRONICLE_OK && file && detail)
        st = chronicle_buf_appendf(out, ": %s", strerror((int)detail));
    if (st == CHRONICLE_OK && table) st = chronicle_buf_appendf(out, " ('%s')", table);
    if (st == CHRONICLE_OK)
        st = chronicle_buf_appendf(out, "; %s (libharu error 0x%04lX, %s %lu)", e->todo,
                                   (unsigned long)code, file && detail ? "errno" : "detail",
                                   (unsigned long)detail);
    return st;
}

chronicle_status pdf_check(pdf_doc *d, const char *what)
{
    /* some libharu calls record an error without calling the handler */
    if (!d->hpdf_code && d->doc && HPDF_GetError(d->doc) != HPDF_OK) {
        d->hpdf_code = HPDF_GetError(d->doc);
        d->hpdf_detail = HPDF_GetErrorDetail(d->doc);
    }
    if (!d->hpdf_code) return CHRONICLE_OK;
    chronicle_status st = pdf_hpdf_error_find(d->hpdf_code)->status;
    if (d->hpdf_reported) return st;
    d->hpdf_reported = 1;
    chronicle_buf msg = CHRONICLE_BUF_INIT;
    if (pdf_hpdf_describe(&msg, what, d->hpdf_code, d->hpdf_detail) == CHRONICLE_OK)
        d->host->error(d->job, st, "%s", msg.ptr);
    else
        d->host->error(d->job, st, "%s: libharu error 0x%04lX", what, (unsigned long)d->hpdf_code);
    chronicle_buf_free(&msg);
    return st;
}
