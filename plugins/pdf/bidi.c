/*
 * bidi.c — right-to-left text for the briefing, with GNU FriBiDi: the
 * Unicode Bidirectional Algorithm on each drawn line (base direction from
 * its paragraph's first strong character, so that every line of a wrapped
 * paragraph keeps it; else the line's, else the report's direction), Arabic
 * letters joined into their presentation forms, and the line reordered
 * into drawing (visual, left to right) order.
 * Invariant: a line with no right-to-left character comes here only from a
 * right-to-left paragraph, so left-to-right text is drawn exactly as
 * before (layout.c checks pdf_bidi_needed first).
 */
#include <fribidi.h>
#include <stdlib.h>
#include <string.h>

#include "chronicle/utf8.h"
#include "pdf_internal.h"

int pdf_bidi_needed(const char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = chronicle_utf8_decode(s + i, len - i, &cp);
        if (!n) return 0;
        i += n;
        /* Hebrew and Arabic blocks first, without a table look-up */
        if (cp >= 0x0590 && cp <= 0x08FF) return 1;
        if (cp < 0x2000) continue;
        FriBidiCharType t = fribidi_get_bidi_type(cp);
        if (FRIBIDI_IS_RTL(t) || t == FRIBIDI_TYPE_RLE || t == FRIBIDI_TYPE_RLO ||
            t == FRIBIDI_TYPE_RLI)
            return 1;
    }
    return 0;
}

pdf_dir pdf_bidi_dir(const char *s, size_t len)
{
    unsigned isolates = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t n = chronicle_utf8_decode(s + i, len - i, &cp);
        if (!n) cp = 0xFFFD, n = 1;
        i += n;
        FriBidiCharType t = fribidi_get_bidi_type(cp);
        if (t == FRIBIDI_TYPE_LRI || t == FRIBIDI_TYPE_RLI || t == FRIBIDI_TYPE_FSI)
            isolates++;
        else if (t == FRIBIDI_TYPE_PDI && isolates)
            isolates--;
        else if (!isolates && t == FRIBIDI_TYPE_LTR)
            return PDF_DIR_LTR;
        else if (!isolates && (t == FRIBIDI_TYPE_RTL || t == FRIBIDI_TYPE_AL))
            return PDF_DIR_RTL;
    }
    return PDF_DIR_AUTO;
}

static chronicle_status grow(pdf_bidi *b, size_t n)
{
    if (n <= b->cap) return CHRONICLE_OK;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < n)
        cap *= 2;
    /* one block: logical, visual, types, brackets, levels, joining */
    size_t each = sizeof(FriBidiChar) * 2 + sizeof(FriBidiCharType) + sizeof(FriBidiBracketType) +
                  sizeof(FriBidiLevel) + sizeof(FriBidiArabicProp);
    void *mem = realloc(b->mem, cap * each);
    if (!mem) return CHRONICLE_ERR_NOMEM;
    b->mem = mem;
    b->cap = cap;
    return CHRONICLE_OK;
}

chronicle_status pdf_bidi_line(pdf_doc *d, const char *s, size_t len, pdf_dir dir, pdf_bidi *b)
{
    chronicle_status st = grow(b, len + 1);
    if (st != CHRONICLE_OK) return st;
    size_t cap = b->cap;
    FriBidiChar *logical = b->mem;
    FriBidiChar *visual = logical + cap;
    FriBidiCharType *types = (FriBidiCharType *)(visual + cap);
    FriBidiBracketType *brackets = (FriBidiBracketType *)(types + cap);
    FriBidiLevel *levels = (FriBidiLevel *)(brackets + cap);
    FriBidiArabicProp *joining = (FriBidiArabicProp *)(levels + cap);
    size_t n = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        size_t k = chronicle_utf8_decode(s + i, len - i, &cp);
        if (!k) cp = 0xFFFD, k = 1;
        i += k;
        /* U+FEFF is FriBiDi's fill character: from data, it is not drawn */
        if (cp == FRIBIDI_CHAR_FILL) continue;
        /* a lam-alef ligature from data: its letters, which FriBiDi joins
         * again with a fill character (3 bytes of UTF-8, 2 code points) */
        if (cp >= 0xFEF5 && cp <= 0xFEFC) {
            static const FriBidiChar alef[] = {0x0622, 0x0623, 0x0625, 0x0627};
            logical[n++] = 0x0644;
            cp = alef[(cp - 0xFEF5) / 2];
        }
        logical[n++] = cp;
    }
    FriBidiStrIndex m = (FriBidiStrIndex)n;
    FriBidiParType base = dir == PDF_DIR_RTL   ? FRIBIDI_PAR_RTL
                          : dir == PDF_DIR_LTR ? FRIBIDI_PAR_LTR
                          : d->rtl             ? FRIBIDI_PAR_WRTL
                                               : FRIBIDI_PAR_WLTR;
    fribidi_get_bidi_types(logical, m, types);
    fribidi_get_bracket_types(logical, m, types, brackets);
    if (!fribidi_get_par_embedding_levels_ex(types, brackets, m, &base, levels))
        return CHRONICLE_ERR_NOMEM;
    memcpy(visual, logical, n * sizeof *visual);
    fribidi_get_joining_types(logical, m, joining);
    fribidi_join_arabic(types, m, levels, joining);
    fribidi_shape(FRIBIDI_FLAGS_ARABIC | FRIBIDI_FLAG_SHAPE_MIRRORING, levels, m, joining, visual);
    /* a mirrored character keeps its own text under its pair's glyph */
    for (size_t i = 0; i < n; i++) {
        FriBidiChar mirror;
        if (visual[i] != logical[i] && FRIBIDI_LEVEL_IS_RTL(levels[i]) &&
            fribidi_get_mirror_char(logical[i], &mirror) && mirror == visual[i])
            visual[i] = pdf_fonts_alias(&d->fonts, visual[i], logical[i]);
    }
    if (!fribidi_reorder_line(FRIBIDI_FLAGS_ARABIC, types, m, 0, base, levels, visual, NULL))
        return CHRONICLE_ERR_NOMEM;
    /* a lam-alef ligature leaves a fill character where its lam was: drawn
     * as the lam's filler (PDF_LAM_FILLER); bidi controls have done their
     * work and are not drawn */
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        FriBidiChar c = visual[i];
        FriBidiCharType t = c < 0x80 ? FRIBIDI_TYPE_LTR : fribidi_get_bidi_type(c);
        if (c == FRIBIDI_CHAR_FILL) {
            visual[w++] = PDF_LAM_FILLER;
            continue;
        }
        if ((FRIBIDI_IS_EXPLICIT_OR_BN(t) || FRIBIDI_IS_ISOLATE(t)) || c == 0x200E || c == 0x200F ||
            c == 0x061C)
            continue;
        visual[w++] = c;
    }
    b->cp = visual;
    b->n = w;
    b->logical = logical;
    b->n_logical = n;
    return CHRONICLE_OK;
}

void pdf_bidi_free(pdf_bidi *b)
{
    free(b->mem);
    memset(b, 0, sizeof *b);
}
