/*
 * hpdf_private.h — the pdf plugin's one door into libharu's internals
 * (hpdf_private.c).  libharu's public API cannot deflate page content
 * itself, name a font or an image in a content stream of its own, write a
 * null zoom, save through a checked writer, or fix a
 * font's /ToUnicode, /W and composite glyphs; these functions do, by
 * reaching into libharu's structs, and nothing else in the plugin does:
 * every other file includes <hpdf.h> as libharu's shared-library clients
 * do (HPDF_SHARED, pdf_internal.h), where the handles are opaque and a
 * member access does not compile.
 * hpdf_private.c refuses to build against a libharu it was not verified
 * with (HPDF_VERSION_ID); see the check there.
 */
#ifndef CHRONICLE_PDF_HPDF_PRIVATE_H
#define CHRONICLE_PDF_HPDF_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include "pdf_internal.h"

/* ---- pages (layout.c) ---- */

/* A new page's first content stream gets no filter: a page nothing is
 * drawn on keeps an empty stream, and what is drawn comes deflated.  Its
 * /Type, /MediaBox (set by now) and /ProcSet are final (see freezing). */
chronicle_status pdf_hpdf_page_prepare(pdf_doc *d, HPDF_Page page);
/* Appends n bytes of zlib data to the page as a content stream of its own
 * (the first, then more in a /Contents array), marked /FlateDecode and
 * copied as it is when saving.  Counts it in p->n_streams. */
chronicle_status pdf_hpdf_page_write(pdf_doc *d, pdf_page *p, const void *zdata, size_t n);
/* [page /XYZ null top null]: the reader keeps its zoom and horizontal
 * position (HPDF_Destination_SetXYZ refuses a null zoom).  NULL when
 * libharu failed (the handler has the code). */
HPDF_Destination pdf_hpdf_dest_top(HPDF_Page page, float top);
/* The names a content stream gives the font (Tf) and the image (Do) on the
 * page, added to the page's resources the first time; NULL when libharu
 * failed. */
const char *pdf_hpdf_page_font_name(HPDF_Page page, HPDF_Font font);
const char *pdf_hpdf_page_image_name(HPDF_Page page, HPDF_Image image);

/* ---- holding less (pdf.c, briefing.c, flow.c) ----
 * libharu keeps every object until the document is saved.  With a
 * temporary file open, what is finished waits there instead: each page's
 * deflated content (pdf_hpdf_page_write) and the entries of dictionaries
 * nothing changes any more ("freezing"); saving writes them back where
 * libharu would have written them, so the file's bytes do not change. */

/* Opens the temporary file, unlinked, in the job's scratch directory
 * (O_TMPFILE, else a random name removed at once).  Where none can be
 * made, libharu keeps everything, as it would without it; so it does from
 * the moment a full disk takes no more. */
chronicle_status pdf_hpdf_spill_open(pdf_doc *d);
/* Closes it; after HPDF_Free. */
void pdf_hpdf_spill_close(void);
/* A link annotation is complete (its border set): its entries go. */
chronicle_status pdf_hpdf_annot_done(pdf_doc *d, HPDF_Annotation annot);
/* An outline entry without children has its next sibling: its entries
 * go, but for the link to the sibling that its parent counts by. */
chronicle_status pdf_hpdf_outline_done(pdf_doc *d, HPDF_Outline item);

/* ---- saving (pdf.c) ---- */

/* Takes the next bytes of the file; any status but CHRONICLE_OK stops the
 * save as a write error. */
typedef chronicle_status (*pdf_hpdf_sink)(pdf_doc *d, const void *data, size_t n);
/* Saves the document through sink, write by write (no copy of the whole
 * file in libharu's memory stream).  The status is libharu's; a failed
 * write shows as HPDF_FILE_IO_ERROR. */
HPDF_STATUS pdf_hpdf_save(pdf_doc *d, pdf_hpdf_sink sink);

/* ---- fonts (fonts.c) ---- */

/* Replaces the font's /ToUnicode CMap stream with cmap (deflated when
 * saving), dropping the CMap keys libharu puts in its dictionary.  An
 * internal error (told to the host) when libharu wrote none. */
chronicle_status pdf_hpdf_font_set_tounicode(pdf_doc *d, HPDF_Font font, const char *path,
                                             const chronicle_buf *cmap);
/* Whether the font's descendant has a /W array (a CID font of libharu's). */
int pdf_hpdf_font_has_widths(HPDF_Font font);
/* Replaces the descendant font's /W with the n code points cp (ascending)
 * and their widths, consecutive code points in one run. */
chronicle_status pdf_hpdf_font_set_widths(pdf_doc *d, HPDF_Font font, const uint32_t *cp,
                                          const unsigned *width, size_t n);
/* Makes code alias draw the glyph code draws (its CIDToGIDMap entry). */
chronicle_status pdf_hpdf_font_alias(pdf_doc *d, HPDF_Font font, uint16_t alias, uint16_t code);
/* libharu's subset flags of a TrueType font, one byte per glyph (1: kept),
 * and the number of glyphs; NULL for any other font. */
uint8_t *pdf_hpdf_font_glyph_flags(HPDF_Font font, uint32_t *n_glyphs);

#endif
