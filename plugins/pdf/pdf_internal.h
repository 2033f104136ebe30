/*
 * pdf_internal.h — what the files of the PDF briefing exporter share: the
 * document context (pdf_doc), fonts (fonts.c), text layout and page flow
 * (layout.c), charts (chart.c), the briefing's parts (briefing.c) and the
 * section of each event (section.c).
 * Private to plugins/pdf; nothing here crosses the plugin ABI.
 *
 * Conventions: y grows upwards (PDF user space); d->y is the top of the free
 * space on the current page.  Every function that draws returns a status;
 * a libharu failure is recorded by the error handler and turned into a host
 * error by pdf_check().
 */
#ifndef CHRONICLE_PDF_INTERNAL_H
#define CHRONICLE_PDF_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "chronicle/plugin.h"
#include "chronicle/strbuf.h"

/* libharu as its shared-library clients see it: handles are opaque
 * pointers, so a file that reaches into libharu's structs does not
 * compile.  Only hpdf_private.c (the door, hpdf_private.h) defines
 * PDF_HPDF_FULL and sees the structs; errors.c and its test do too, for
 * the error codes' names alone (hpdf_error.h, which only the full
 * <hpdf.h> includes).  A handle is one pointer either way. */
#ifndef PDF_HPDF_FULL
#define HPDF_SHARED
#endif
#include <hpdf.h>

#define PDF_PLUGIN_VERSION "1.0.0"
/* libdeflate level for the page content streams (see layout.c page_seal) */
#define PDF_DEFLATE_LEVEL 1
/* Pages per node of the page tree.  libharu hangs every page on one /Kids
 * array unless told otherwise, and an array holds at most 32,767 entries
 * (HPDF_LIMIT_MAX_ARRAY).  With HPDF_SetPagesConfiguration the root holds
 * nodes of this many pages each: two levels, every leaf at the same depth,
 * room for 32,767 x 256 = 8.4 million pages, more than libharu's 8,388,607
 * objects allow (each page takes at least three).  256 keeps both levels
 * near the square root of the page counts briefings reach (a reader walks
 * both to find a page), and a one-page document just one node deeper. */
#define PDF_PAGES_PER_NODE 256
/* Points a marking (report()->marking) takes at the top and at the bottom
 * of every page, outside the running header and footer. */
#define PDF_MARK_BAND 16.0f

/* Build-time font locations (plugins/pdf/meson.build); fonts.c falls back
 * to other known directories when they have gone at run time. */
#ifndef PDF_DEFAULT_FONT_DIR
#define PDF_DEFAULT_FONT_DIR "/usr/share/fonts/truetype/dejavu"
#endif
#ifndef PDF_DEFAULT_FALLBACK_FONT
#define PDF_DEFAULT_FALLBACK_FONT "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"
#endif
/* Where Debian's fonts-noto-core puts NotoSans<Script>-Regular.ttf */
#ifndef PDF_DEFAULT_NOTO_DIR
#define PDF_DEFAULT_NOTO_DIR "/usr/share/fonts/truetype/noto"
#endif
#define PDF_DEFAULT_FONT PDF_DEFAULT_FONT_DIR "/DejaVuSans.ttf"
#define PDF_DEFAULT_FONT_BOLD PDF_DEFAULT_FONT_DIR "/DejaVuSans-Bold.ttf"

typedef enum pdf_weight { PDF_REGULAR, PDF_BOLD } pdf_weight;

typedef struct pdf_rgb {
    float r, g, b;
} pdf_rgb;

extern const pdf_rgb pdf_black, pdf_navy, pdf_grey, pdf_light, pdf_rule, pdf_blue, pdf_white,
    pdf_mark_red;

/* ---- fonts (fonts.c) ---- */

/* Faces from PDF_FACE_SCRIPT on are the fonts of a script (Noto's, found
 * by the block of a character no earlier face has), read when a character
 * needs them; at most PDF_N_FACES faces in all. */
enum { PDF_FACE_REGULAR, PDF_FACE_BOLD, PDF_FACE_FALLBACK, PDF_FACE_SCRIPT, PDF_N_FACES = 48 };

typedef struct pdf_face {
    char *path;     /* owned; NULL: no such face */
    uint8_t *cover; /* 8 KiB bitmap: BMP code points the cmap maps to a glyph */
    uint8_t *used;  /* 8 KiB bitmap: code points drawn with this face */
    HPDF_Font font; /* owned by the document */
    uint8_t *data;  /* the file, for the glyph-component walk (fonts.c) */
    size_t len;
} pdf_face;

/* Codes for mirrored characters: a bracket at a right-to-left level is
 * drawn with its pair's glyph, under a code of its own whose /ToUnicode
 * entry is the bracket as written, so that text extraction gives "("
 * where "(" was written.  Surrogates: never a character of the data. */
#define PDF_ALIAS_FIRST 0xD800u
#define PDF_N_ALIASES 64

typedef struct pdf_fonts {
    pdf_face face[PDF_N_FACES];
    int bold_shared;    /* the bold face is the regular one */
    int fallback_state; /* 0: not loaded yet, 1: loaded, -1: unavailable */
    uint32_t *glyph[2]; /* per weight, per BMP code point: resolved glyph (fonts.c) */
    uint32_t filler[2]; /* per weight: resolved PDF_LAM_FILLER, or 0 */
    /* mirrored characters (pdf_fonts_alias): alias k draws drawn[k] and
     * reads as text[k] */
    uint32_t alias_drawn[PDF_N_ALIASES], alias_text[PDF_N_ALIASES];
    size_t n_alias;
    uint32_t replacement;          /* drawn for characters no font has: U+FFFD or '?' */
    size_t n_missing;              /* characters drawn as the replacement */
    int n_faces;                   /* face[] in use: PDF_FACE_SCRIPT + the script faces read */
    struct pdf_coverage *coverage; /* owned: script fonts and the coverage report (fonts.c) */
} pdf_fonts;

/* ---- the document ---- */

/* Where a part or an event starts: an index into d->pages and a y. */
typedef struct pdf_target {
    size_t page;
    float y;
} pdf_target;

/* The base direction of a paragraph, for the bidirectional algorithm:
 * from its first strong character (bidi.c pdf_bidi_dir), or, with none,
 * per line: the line's first strong character, else the report's. */
typedef enum pdf_dir { PDF_DIR_AUTO, PDF_DIR_LTR, PDF_DIR_RTL } pdf_dir;

typedef struct pdf_span {
    size_t start, end; /* bytes of one wrapped line */
    float width;       /* in points */
    pdf_dir dir;       /* its paragraph's: every line of a paragraph keeps it */
} pdf_span;

typedef struct pdf_lines {
    pdf_span *v;
    size_t n, cap;
    pdf_dir dir; /* while wrapping: the direction of the paragraph being wrapped */
} pdf_lines;

/* ---- the flow (flow.c): boxes queued, then placed on pages ----
 *
 * Flowing content (paragraph lines, table rows, headings, space kept for
 * a chart) is queued as boxes and placed once it is known where a page may
 * break.  Each box says how much a break after it is to be avoided; a run
 * of boxes joined by keeps moves to the next page whole, and a run taller
 * than a page is broken at its weakest keeps. */

typedef enum pdf_keep {
    PDF_BREAK = 0,      /* a page may break after the box */
    PDF_KEEP_BLOCK = 1, /* inside a block (a claim and its attribution) */
    PDF_KEEP = 2        /* a heading and what follows; orphans and widows */
} pdf_keep;

typedef enum pdf_piece_kind {
    PDF_PIECE_TEXT, /* one line of text at a baseline */
    PDF_PIECE_RULE, /* a horizontal rule: w long, h thick */
    PDF_PIECE_FILL, /* a filled rectangle, w by h, its top at dy */
    PDF_PIECE_LINK  /* a link to the URI at off, over w at a baseline */
} pdf_piece_kind;

/* Something drawn in a box.  x is from the page's left edge; dy is down
 * from the box's top (to the baseline for text and links). */
typedef struct pdf_piece {
    uint8_t kind, weight, dir; /* dir: a text's pdf_dir */
    float x, dy, w, h, size;
    pdf_rgb color;
    size_t off, len; /* text or URI, in the flow's text */
} pdf_piece;

struct pdf_doc;
struct pdf_table;

typedef struct pdf_box {
    float height, before, after; /* before is dropped at the top of a page */
    size_t piece, n_pieces;
    unsigned lines; /* lines of content, for pdf_keep_next */
    uint8_t keep;   /* pdf_keep: after this box */
    unsigned block; /* the block it belongs to, 0: none */
    /* drawn by a function, not pieces (a table's header) */
    chronicle_status (*draw)(struct pdf_doc *d, const struct pdf_table *t);
    const struct pdf_table *table; /* a table's row: its header repeats on a new page */
    pdf_target *anchor;            /* receives where the box was placed */
} pdf_box;

typedef struct pdf_flow {
    pdf_box *box;
    size_t n_box, cap_box;
    pdf_piece *piece;
    size_t n_piece, cap_piece;
    chronicle_buf text;
    unsigned hold;  /* lines that must still follow on the same page */
    unsigned block; /* the open block, 0: none */
    unsigned depth, blocks;
    uint8_t block_keep;
    int placing;
    float fresh_y; /* y where the current page's flow began (below a repeated header) */
} pdf_flow;

/* A line in drawing order (bidi.c): code points left to right, Arabic
 * letters joined; scratch reused from line to line. */
typedef struct pdf_bidi {
    const uint32_t *cp; /* visual, n of them */
    size_t n;
    const uint32_t *logical; /* the line as given, n_logical code points */
    size_t n_logical;
    void *mem; /* owned: every array of the algorithm, cap code points each */
    size_t cap;
} pdf_bidi;

/* A page and its content streams, sealed from d->draw (layout.c). */
typedef struct pdf_page {
    HPDF_Page page;
    void *streams; /* its /Contents array once there is more than one (hpdf_private.c) */
    unsigned n_streams;
} pdf_page;

typedef struct pdf_doc {
    chronicle_job *job;
    const chronicle_host *host;
    const chronicle_report *report; /* title, branding, marking, language */
    HPDF_Doc doc;
    HPDF_Encoder utf8;
    HPDF_STATUS hpdf_code, hpdf_detail; /* first libharu error, from the handler */
    int hpdf_reported;                  /* pdf_check() has told the host */
    pdf_fonts fonts;
    /* geometry, in points */
    HPDF_PageSizes paper;
    float page_w, page_h;
    float left, right, top, bottom; /* the text area */
    float size;                     /* body text size */
    float mark;                     /* PDF_MARK_BAND when the report has a marking, else 0 */
    /* flow */
    HPDF_Page page; /* current page */
    size_t cur;     /* its index in pages */
    float y;        /* top of the free space on it */
    pdf_page *pages;
    size_t n_pages, cap_pages;
    struct libdeflate_compressor *deflater; /* for the content streams */
    chronicle_buf draw;                     /* drawn on `page` and not sealed yet */
    chronicle_buf packed;                   /* a sealed stream, compressed */
    chronicle_status draw_status;           /* first failure to append to a page */
    chronicle_status out_status;            /* of the writes while saving (pdf.c) */
    HPDF_Font cur_font;                     /* text state of `page`, to skip redundant operators */
    float cur_size;
    pdf_rgb cur_fill;
    int fill_known;
    /* what the briefing says about itself (pdf.c) */
    chronicle_buf title; /* the briefing title, with the group of a --split-by job */
    uint32_t generated;  /* the host timestamp's date, YYYYMMDD (UTC) */
    pdf_flow flow;       /* queued, not yet placed (flow.c) */
    /* scratch, reused */
    pdf_lines lines;
    /* right to left (bidi.c): the report's direction, and a line reordered */
    int rtl;
    pdf_bidi bidi;
} pdf_doc;

/* ---- errors.c: libharu's errors in words ---- */

/* What a libharu error code means. */
typedef struct pdf_hpdf_error {
    HPDF_STATUS code;
    chronicle_status status; /* what the export fails with */
    const char *why;         /* what went wrong: "the font lacks a table libharu needs" */
    const char *todo;        /* what the person running the export can do */
} pdf_hpdf_error;

/* Never NULL: a code of no libharu this plugin knows gets words too. */
const pdf_hpdf_error *pdf_hpdf_error_find(HPDF_STATUS code);
/* Appends "<what>: <why>; <todo> (libharu error 0xCODE, detail N)"; the
 * detail is put in words where libharu gives one (an errno, a font table). */
chronicle_status pdf_hpdf_describe(chronicle_buf *out, const char *what, HPDF_STATUS code,
                                   HPDF_STATUS detail);
/* Turns a pending libharu error into one host error, as pdf_hpdf_describe
 * words it; returns its status (CHRONICLE_OK when there is none). */
chronicle_status pdf_check(pdf_doc *d, const char *what);

/* ---- words.c: the report's wording, through the host's 1.2 services ----
 *
 * Every fixed word, date, number, count and attribution the briefing
 * prints comes from here, in the report's language (po/pdf, po/common);
 * none is spelled in the plugin.  The put functions append to b. */

/* The host lends the 1.2 services (pdf.c refuses an older host). */
int pdf_words_available(const chronicle_host *host);
/* A fixed word by message id ("pdf.part.contents"); lives as long as the plugin. */
const char *pdf_label(const pdf_doc *d, const char *id);
chronicle_status pdf_put_message(pdf_doc *d, chronicle_buf *b, const char *id,
                                 const char *const *args, size_t n_args);
chronicle_status pdf_put_date(pdf_doc *d, chronicle_buf *b, uint32_t ymd,
                              chronicle_date_style style);
/* One date when last is 0 or equal to first. */
chronicle_status pdf_put_period(pdf_doc *d, chronicle_buf *b, uint32_t first, uint32_t last,
                                chronicle_date_style style);
chronicle_status pdf_put_number(pdf_doc *d, chronicle_buf *b, double v);
/* A count and its noun in the plural form n takes: msgid "count.event". */
chronicle_status pdf_put_count(pdf_doc *d, chronicle_buf *b, uint64_t n, const char *id);
chronicle_status pdf_put_ordinal(pdf_doc *d, chronicle_buf *b, uint64_t n, const char *id);
chronicle_status pdf_put_attribution(pdf_doc *d, chronicle_buf *b, const chronicle_source *src);
/* Appends data (a name, a unit, a place) inside words the briefing
 * composes, isolated (U+2068 ... U+2069, never drawn) when the report is
 * right to left or the data holds a right-to-left character: its
 * direction is its own, and the words around it keep theirs. */
chronicle_status pdf_put_data(pdf_doc *d, chronicle_buf *b, const char *s, size_t len);
chronicle_status pdf_put_selection(pdf_doc *d, chronicle_buf *b);

/* ---- bidi.c: right-to-left lines (GNU FriBiDi) ---- */

/* In a line in drawing order, the lam of a lam-alef ligature: FriBiDi
 * draws the pair as one glyph (U+FEFB and its kin) and leaves a fill
 * character where the lam was.  It is drawn as U+FEFF (no width, no ink),
 * which the /ToUnicode map gives back as lam, while the ligature gives its
 * alef: two glyphs, two letters, and poppler, which turns right-to-left
 * words around glyph by glyph, extracts lam then alef.  Outside Unicode,
 * so that no character of the data is ever taken for it. */
#define PDF_LAM_FILLER 0x110000u

/* True when s holds a right-to-left character (Hebrew, Arabic, an RLE...):
 * only such a line, or a line of a right-to-left paragraph, is reordered
 * or shaped. */
int pdf_bidi_needed(const char *s, size_t len);
/* The direction of the paragraph s (no line break in it): its first strong
 * character's, isolates skipped (rule P2); PDF_DIR_AUTO when it has none. */
pdf_dir pdf_bidi_dir(const char *s, size_t len);
/* One line of text in drawing order, Arabic joined, into b (valid until
 * the next call with b).  The base direction is dir, the line's
 * paragraph's; with PDF_DIR_AUTO, the line's first strong character's,
 * else the report's. */
chronicle_status pdf_bidi_line(pdf_doc *d, const char *s, size_t len, pdf_dir dir, pdf_bidi *b);
void pdf_bidi_free(pdf_bidi *b);

/* ---- alloc.c: libharu's memory (HPDF_NewEx) ---- */

void *HPDF_STDCALL pdf_mem_alloc(HPDF_UINT size);
void HPDF_STDCALL pdf_mem_free(void *p);
/* Returns all of it; after HPDF_Free. */
void pdf_mem_release(void);

/* ---- fonts.c ---- */

/* Finds and loads the regular and bold faces; locates the fallback face;
 * scans the data's text for characters no font of the chain has and
 * reports them once, by script and where (a warning, or with
 * pdf.strict-glyphs an error).  Errors name the font file. */
chronicle_status pdf_fonts_open(pdf_doc *d);
/* Writes each used face's ToUnicode CMap; warns once about replacements
 * the scan did not report (the briefing's own words). */
chronicle_status pdf_fonts_finish(pdf_doc *d);
void pdf_fonts_free(pdf_fonts *f);

/* How one code point is drawn in a weight: which face and with what width
 * (1/1000 em).  Control characters, characters no font has and characters
 * outside the BMP resolve to the replacement. */
typedef struct pdf_glyph {
    int face;       /* PDF_FACE_* */
    uint32_t cp;    /* the code point actually drawn */
    unsigned width; /* 1/1000 em */
    int missing;    /* drawn as the replacement */
    int none;       /* drawn as nothing, width 0: U+FEFF from data, a filler no font has */
} pdf_glyph;
chronicle_status pdf_glyph_get(pdf_doc *d, pdf_weight w, uint32_t cp, pdf_glyph *out);
/* Records that cp was drawn with a face (for its ToUnicode map). */
void pdf_fonts_mark(pdf_fonts *f, int face, uint32_t cp);
/* The code that draws the glyph of drawn and reads as text (a mirrored
 * bracket: drawn ")", text "("): PDF_ALIAS_FIRST + k, or drawn itself when
 * all PDF_N_ALIASES codes are taken. */
uint32_t pdf_fonts_alias(pdf_fonts *f, uint32_t drawn, uint32_t text);

/* ---- layout.c ---- */

float pdf_leading(float size);
/* Places what is queued (pdf_flush), then starts a new page. */
chronicle_status pdf_page_add(pdf_doc *d);
/* Starts a new page, leaving the queue alone: for flow.c. */
chronicle_status pdf_page_new(pdf_doc *d);
/* A destination showing the target at the top of the window. */
HPDF_Destination pdf_dest(pdf_doc *d, pdf_target at);
/* Makes page i the drawing target (for revisiting earlier pages), after
 * placing what is queued and sealing what was drawn on the current one. */
chronicle_status pdf_page_use(pdf_doc *d, size_t i);

chronicle_status pdf_text_width(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                                float *out);
/* Breaks s into lines no wider than width; very long words are broken
 * between characters; '\n' forces a break.  out is reset first. */
chronicle_status pdf_wrap(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                          float width, pdf_lines *out);
/* The same, with the first line shortened by first points (a run-in lead). */
chronicle_status pdf_wrap_lead(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                               float width, float first, pdf_lines *out);
void pdf_lines_free(pdf_lines *l);
/* Draws one line at a baseline, choosing the font per character run. */
chronicle_status pdf_draw_text(pdf_doc *d, float x, float baseline, const char *s, size_t len,
                               pdf_weight w, float size, pdf_rgb color);
/* The same, for a line of a paragraph whose base direction is dir. */
chronicle_status pdf_draw_text_dir(pdf_doc *d, float x, float baseline, const char *s, size_t len,
                                   pdf_weight w, float size, pdf_rgb color, pdf_dir dir);
/* Appends s, shortened with "…" to fit width, to out. */
chronicle_status pdf_fit(pdf_doc *d, const char *s, size_t len, pdf_weight w, float size,
                         float width, chronicle_buf *out);

/* Where something w wide placed at x is drawn: x itself, or mirrored at
 * the page's centre in a right-to-left report (every drawing call does it). */
float pdf_mirror_x(const pdf_doc *d, float x, float w);
/* Vector drawing on the current page; errors surface at the next pdf_check. */
void pdf_set_fill(pdf_doc *d, pdf_rgb c);
void pdf_fill_rect(pdf_doc *d, float x, float y, float w, float h, pdf_rgb c);
void pdf_line(pdf_doc *d, float x0, float y0, float x1, float y1, float width, pdf_rgb c,
              int dotted);
void pdf_hline(pdf_doc *d, float x0, float x1, float y, float width, pdf_rgb c);
/* Draws the report's logo (a checked PNG or JPEG) on the current page, as
 * large as fits in the box x, y (bottom left), w by h, its aspect kept.
 * Errors name the file. */
chronicle_status pdf_logo(pdf_doc *d, float x, float y, float w, float h);
/* The text state of the current page is unknown again (a revisited page). */
void pdf_state_forget(pdf_doc *d);

/* ---- flow.c: queueing boxes and placing them on pages ---- */

/* Queues a box h points high, after placing the run before it when a
 * page may break between them.  keep: how much a break after it is to be
 * avoided (raised by an open block or pdf_keep_next); lines: the lines of
 * content it holds.  *out, when given, is valid until the next box is
 * queued or the queue is placed. */
chronicle_status pdf_box_add(pdf_doc *d, float h, pdf_keep keep, unsigned lines, pdf_box **out);
/* Pieces of the last queued box; text is copied. */
chronicle_status pdf_box_text(pdf_doc *d, float x, float dy, const char *s, size_t len,
                              pdf_weight w, float size, pdf_rgb color);
/* The same, for a line of a paragraph whose base direction is dir. */
chronicle_status pdf_box_text_dir(pdf_doc *d, float x, float dy, const char *s, size_t len,
                                  pdf_weight w, float size, pdf_rgb color, pdf_dir dir);
chronicle_status pdf_box_rule(pdf_doc *d, float x, float dy, float w, float thick, pdf_rgb c);
chronicle_status pdf_box_fill(pdf_doc *d, float x, float dy, float w, float h, pdf_rgb c);
/* A link over w points of the line at baseline dy, to a URI kept with
 * pdf_flow_keep (one copy for all the lines of a paragraph). */
chronicle_status pdf_box_link(pdf_doc *d, size_t uri, float x, float dy, float w, float size);
chronicle_status pdf_flow_keep(pdf_doc *d, const char *s, size_t len, size_t *off);
/* The last queued box stays on its page with the next `lines` lines of
 * content (a heading moves with them). */
void pdf_keep_next(pdf_doc *d, unsigned lines);
/* The boxes queued from begin to end are kept together with the given
 * strength: a run that fits on a page is never broken. */
void pdf_keep_begin(pdf_doc *d, pdf_keep keep);
void pdf_keep_end(pdf_doc *d);
/* Space after what is queued; nothing at the top of a page. */
void pdf_gap(pdf_doc *d, float h);
/* Places everything queued. */
chronicle_status pdf_flush(pdf_doc *d);
/* Forgets everything queued, unplaced (after an error). */
void pdf_flow_drop(pdf_doc *d);
/* Queues h points of room holding `lines` lines of content and places it;
 * *top is its top on the current page, for the caller to draw into. */
chronicle_status pdf_reserve(pdf_doc *d, float h, unsigned lines, float *top);
void pdf_flow_free(pdf_flow *f);

/* A flowing paragraph, queued line by line: at least two lines each side
 * of a page break (fewer only when the paragraph has fewer). */
typedef struct pdf_para {
    float indent; /* from d->left */
    float width;  /* 0: to d->right */
    pdf_weight weight;
    float size;
    pdf_rgb color;
    float space_after;
    size_t max_lines;   /* 0: no limit; else the last line ends with "…" */
    const char *marker; /* drawn on the first line at marker_indent: a bullet or a label */
    float marker_indent;
    pdf_weight marker_weight;
    pdf_rgb marker_color;
    const char *uri;  /* each line becomes a link to it */
    const char *lead; /* run in before the text on the first line (a name, a label) */
    size_t lead_len;
    pdf_weight lead_weight;
    pdf_rgb lead_color;
    pdf_target *anchor; /* receives where the first line was placed */
    /* the base direction of every line: PDF_DIR_AUTO, each paragraph of the
     * text its first strong character's (data); the report's direction
     * (pdf_report_dir) for text the briefing composes around data, whose
     * words come first ("— as reported by", a date and a place) */
    pdf_dir dir;
} pdf_para;

chronicle_status pdf_paragraph(pdf_doc *d, const pdf_para *p, const char *s, size_t len);
/* The direction of the report's language, as a paragraph's. */
pdf_dir pdf_report_dir(const pdf_doc *d);

/* A table that flows across pages, repeating its header row. */
#define PDF_TABLE_MAX_COLS 6
typedef struct pdf_column {
    const char *title;
    float width;
    int right; /* right-aligned (numbers) */
} pdf_column;

typedef struct pdf_table {
    const pdf_column *cols;
    size_t n_cols;
    float x;                            /* from d->left */
    float size;                         /* text size */
    size_t total;                       /* rows the table will have */
    size_t rows;                        /* rows queued so far (for shading) */
    pdf_lines cell[PDF_TABLE_MAX_COLS]; /* scratch: the current row's lines */
    const char *cell_text[PDF_TABLE_MAX_COLS];
} pdf_table;

/* The header is kept with the first row; no page holds a single row of
 * the table at its foot or top (the first row keeps with the second, the
 * last but one with the last); a row is split only when taller than a
 * page.  The table must live until pdf_table_end, which places it. */
chronicle_status pdf_table_start(pdf_doc *d, pdf_table *t);
chronicle_status pdf_table_row(pdf_doc *d, pdf_table *t, const chronicle_str *cells);
/* Places the table when st is CHRONICLE_OK (drops what is queued
 * otherwise) and frees t; returns st, or the placement's status. */
chronicle_status pdf_table_end(pdf_doc *d, pdf_table *t, chronicle_status st);
/* Draws the header row at d->y and moves d->y below it: for flow.c. */
chronicle_status pdf_table_header(pdf_doc *d, const pdf_table *t);
float pdf_table_header_height(const pdf_table *t);

/* Draws the marking (when the report has one) on every page, the running
 * header and "page N of M" footer on every page but the first, and seals
 * the last drawing: nothing can be drawn after this. */
chronicle_status pdf_pages_finish(pdf_doc *d, const char *header, const char *footer_left);

/* ---- chart.c ---- */

typedef struct pdf_bar {
    const char *label;
    double value;
    int gap; /* a column standing for years left out: drawn as a break of the axis */
} pdf_bar;

/* Vertical columns (one per category) in the box x..x+w, top..top-h. */
chronicle_status pdf_chart_columns(pdf_doc *d, float x, float top, float w, float h,
                                   const pdf_bar *bars, size_t n);
/* Horizontal bars, one row per category; returns the height used. */
chronicle_status pdf_chart_bars(pdf_doc *d, float x, float top, float w, const pdf_bar *bars,
                                size_t n, float *height);

/* ---- briefing.c: the parts, in order ---- */

/* Lays out every part of the briefing into d. */
chronicle_status pdf_briefing_write(pdf_doc *d);

/* ---- section.c: one event, and the blocks sections are made of ---- */

/* Writes the section of one event; *at receives where its heading is. */
chronicle_status pdf_section_write(pdf_doc *d, const chronicle_event *e, pdf_target *at);
/* A bold subheading kept with at least two lines of what follows. */
chronicle_status pdf_subheading(pdf_doc *d, const char *text);
/* "Label   value", the value wrapped beside the label; skipped when empty. */
chronicle_status pdf_field(pdf_doc *d, const char *label, const char *value, size_t len,
                           const char *uri);
/* The same with the value at column points from the left margin. */
chronicle_status pdf_field_at(pdf_doc *d, float column, const char *label, const char *value,
                              size_t len, const char *uri);
/* A bulleted paragraph, with an optional bold run-in lead (a name, a label);
 * dir as pdf_para's. */
chronicle_status pdf_bullet(pdf_doc *d, const chronicle_buf *lead, const char *text, size_t len,
                            float size, pdf_rgb color, pdf_dir dir);
/* Appends the place of an event: venue, city, country (CODE). */
chronicle_status pdf_place(chronicle_buf *b, const chronicle_event *e, int with_code);

#endif
