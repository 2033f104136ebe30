/*
 * unfinal.c — makes a complete raw deflate stream (RFC 1951) joinable: finds
 * its last block by walking every block's Huffman codes (no output is made),
 * clears that block's BFINAL bit and ends the stream with an empty stored
 * block, as zlib's Z_SYNC_FLUSH does.  Pieces made so can be written one
 * after another, the last left as it was, and inflate as one stream.
 *
 * libdeflate compresses whole buffers only, always ending them as final;
 * this is what lets the streamed sheets be deflated a megabyte at a time on
 * several threads.  Anything malformed is refused (0), never guessed at.
 */
#include <stdint.h>
#include <string.h>

#include "xlsx_internal.h"

#define FAST_BITS 11
#define MAX_BITS 15

typedef struct bits {
    const unsigned char *p;
    size_t len;   /* bytes */
    uint64_t pos; /* the next bit */
} bits;

/* A canonical Huffman code: a table for codes of FAST_BITS or fewer, and
 * counts with sorted symbols for the rest (as zlib's puff.c decodes). */
typedef struct huff {
    uint16_t fast[1u << FAST_BITS]; /* symbol << 4 | length; 0: longer */
    uint16_t count[MAX_BITS + 1];
    uint16_t sym[288];
} huff;

/* The next 56 or more bits, from pos; zeros past the end. */
static inline uint64_t peek(const bits *b)
{
    size_t i = (size_t)(b->pos >> 3);
    uint64_t v = 0;
    if (i + 8 <= b->len) {
        memcpy(&v, b->p + i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
    } else {
        for (unsigned k = 0; i + k < b->len && k < 8; k++)
            v |= (uint64_t)b->p[i + k] << (8 * k);
    }
    return v >> (b->pos & 7);
}

static unsigned take(bits *b, unsigned n)
{
    unsigned v = (unsigned)(peek(b) & ((1u << n) - 1));
    b->pos += n;
    return v;
}

/* Builds h from n code lengths; 0 when they over-subscribe the code space
 * (an incomplete code is allowed: deflate uses one for a lone distance). */
static int build(huff *h, const unsigned char *lens, unsigned n)
{
    uint16_t offs[MAX_BITS + 2], next[MAX_BITS + 1];
    memset(h->count, 0, sizeof h->count);
    memset(h->fast, 0, sizeof h->fast);
    for (unsigned s = 0; s < n; s++)
        h->count[lens[s]]++;
    h->count[0] = 0;
    int left = 1;
    for (unsigned l = 1; l <= MAX_BITS; l++) {
        left = left * 2 - h->count[l];
        if (left < 0) return 0;
    }
    offs[1] = 0;
    unsigned code = 0;
    for (unsigned l = 1; l <= MAX_BITS; l++) {
        offs[l + 1] = (uint16_t)(offs[l] + h->count[l]);
        code = (code + (l > 1 ? h->count[l - 1] : 0)) << 1;
        next[l] = (uint16_t)(l == 1 ? 0 : code);
    }
    for (unsigned s = 0; s < n; s++) {
        unsigned l = lens[s];
        if (!l) continue;
        h->sym[offs[l]++] = (uint16_t)s;
        unsigned c = next[l]++;
        if (l > FAST_BITS) continue;
        unsigned rev = 0; /* codes are sent from their first bit: reversed */
        for (unsigned k = 0; k < l; k++)
            rev |= ((c >> k) & 1u) << (l - 1 - k);
        for (unsigned i = rev; i < (1u << FAST_BITS); i += 1u << l)
            h->fast[i] = (uint16_t)(s << 4 | l);
    }
    return 1;
}

/* The symbol of h that v starts with, and in *n its length; -1 for a code
 * that is not in h. */
static inline int decode_bits(uint64_t v, const huff *h, unsigned *n)
{
    unsigned e = h->fast[v & ((1u << FAST_BITS) - 1)];
    if (e) {
        *n = e & 15;
        return (int)(e >> 4);
    }
    int code = 0, first = 0, index = 0;
    for (unsigned l = 1; l <= MAX_BITS; l++) {
        code |= (int)((v >> (l - 1)) & 1);
        int count = h->count[l];
        if (code - count < first) {
            *n = l;
            return h->sym[index + (code - first)];
        }
        index += count;
        first = (first + count) << 1;
        code <<= 1;
    }
    *n = 0;
    return -1;
}

/* The next symbol, or -1 for a code that is not in h. */
static inline int decode(bits *b, const huff *h)
{
    unsigned n;
    int s = decode_bits(peek(b), h, &n);
    if (s >= 0) b->pos += n;
    return s;
}

/* What a block's symbols take, for skipping them without a branch on
 * which kind each is: for the first FAST_BITS bits, the bits a literal
 * takes, or those of a length with its extra bits and LEN set; the bits of
 * a distance with its extra bits.  0: anything else (a longer code, the
 * end of the block, a code not in use), left to the symbol-by-symbol way. */
enum { LEN = 32 };
typedef struct skips {
    unsigned char lit[1u << FAST_BITS], dist[1u << FAST_BITS];
} skips;

static void skips_of(skips *k, const huff *lit, const huff *dist)
{
    for (unsigned i = 0; i < (1u << FAST_BITS); i++) {
        unsigned e = lit->fast[i], s = e >> 4, n = e & 15;
        k->lit[i] = (unsigned char)(!e || s == 256 || s > 285 ? 0
                                    : s < 256                 ? n
                                    : s >= 265 && s < 285     ? LEN | (n + (s - 261) / 4)
                                                              : LEN | n);
        e = dist->fast[i], s = e >> 4, n = e & 15;
        k->dist[i] = (unsigned char)(!e || s > 29 ? 0 : s >= 4 ? n + (s - 2) / 2 : n);
    }
}

static inline uint64_t load64(const unsigned char *p)
{
    uint64_t v;
    memcpy(&v, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap64(v);
#endif
    return v;
}

/* Skips one block's symbols, to its end-of-block; 0 when malformed.  The
 * symbols skips can take are taken from a bit buffer refilled a word at a
 * time, as libdeflate's decompressor refills its own (it always holds the
 * 40 bits the longest of them needs: an 11-bit length code, 5 extra bits,
 * an 11-bit distance code, 13 extra bits), while 8 bytes of input are
 * left; the rest, the end of the block and the last bytes are decoded one
 * symbol at a time. */
static int skip_codes(bits *b, const huff *lit, const huff *dist, const skips *k)
{
    const unsigned mask = (1u << FAST_BITS) - 1;
    uint64_t stop = (uint64_t)b->len * 8;
    for (;;) {
        size_t in = (size_t)(b->pos >> 3);
        if (in + 8 <= b->len) {
            unsigned have = 64 - (unsigned)(b->pos & 7);
            uint64_t buf = load64(b->p + in) >> (b->pos & 7);
            in += 8;
            for (;;) {
                if (have < 40) {
                    if (in + 8 > b->len) break;
                    buf |= load64(b->p + in) << have;
                    in += (63 - have) >> 3;
                    have |= 56;
                }
                unsigned e = k->lit[buf & mask], n = e & (LEN - 1);
                unsigned d = k->dist[(buf >> n) & mask];
                unsigned is_len = (e & LEN) ? ~0u : 0; /* usually a conditional move */
                if (!e || (is_len && !d)) break;
                n += d & is_len;
                buf >>= n;
                have -= n;
            }
            b->pos = (uint64_t)in * 8 - have;
        }
        /* one symbol the careful way */
        if (b->pos > stop) return 0;
        int s = decode(b, lit);
        if (s < 256) {
            if (s < 0) return 0;
            continue;
        }
        if (s == 256) return 1;
        if (s > 285) return 0;
        if (s >= 265 && s < 285) b->pos += (unsigned)(s - 261) / 4;
        int dd = decode(b, dist);
        if (dd < 0 || dd > 29) return 0;
        if (dd >= 4) b->pos += (unsigned)(dd - 2) / 2;
    }
}

static int fixed_codes(huff *lit, huff *dist)
{
    unsigned char l[288];
    memset(l, 8, 144);
    memset(l + 144, 9, 112);
    memset(l + 256, 7, 24);
    memset(l + 280, 8, 8);
    if (!build(lit, l, 288)) return 0;
    memset(l, 5, 30);
    return build(dist, l, 30);
}

static int dynamic_codes(bits *b, huff *lit, huff *dist)
{
    static const unsigned char order[19] = {16, 17, 18, 0, 8,  7, 9,  6, 10, 5,
                                            11, 4,  12, 3, 13, 2, 14, 1, 15};
    unsigned nlit = take(b, 5) + 257, ndist = take(b, 5) + 1, ncode = take(b, 4) + 4;
    unsigned char l[320] = {0};
    if (nlit > 286 || ndist > 30) return 0;
    for (unsigned i = 0; i < ncode; i++)
        l[order[i]] = (unsigned char)take(b, 3);
    huff *lens = lit; /* the code-length code, in lit until lit is built */
    if (!build(lens, l, 19)) return 0;
    unsigned char ll[320];
    for (unsigned i = 0; i < nlit + ndist;) {
        if (b->pos > (uint64_t)b->len * 8) return 0;
        int s = decode(b, lens);
        if (s < 0) return 0;
        if (s < 16) {
            ll[i++] = (unsigned char)s;
            continue;
        }
        unsigned rep, v = 0;
        if (s == 16) {
            if (!i) return 0;
            v = ll[i - 1];
            rep = 3 + take(b, 2);
        } else if (s == 17) {
            rep = 3 + take(b, 3);
        } else {
            rep = 11 + take(b, 7);
        }
        if (i + rep > nlit + ndist) return 0;
        while (rep--)
            ll[i++] = (unsigned char)v;
    }
    if (!ll[256]) return 0; /* no end-of-block code */
    return build(lit, ll, nlit) && build(dist, ll + nlit, ndist);
}

size_t xlsx_deflate_unfinal(unsigned char *s, size_t len, size_t cap)
{
    bits b = {.p = s, .len = len, .pos = 0};
    huff lit, dist;
    skips k;
    uint64_t last;
    for (;;) {
        last = b.pos;
        unsigned final = take(&b, 1), type = take(&b, 2);
        if (type == 0) {
            b.pos = (b.pos + 7) & ~(uint64_t)7;
            size_t at = (size_t)(b.pos >> 3);
            if (at + 4 > len) return 0;
            unsigned n = s[at] | (unsigned)s[at + 1] << 8,
                     nn = s[at + 2] | (unsigned)s[at + 3] << 8;
            if ((n ^ 0xFFFFu) != nn || at + 4 + n > len) return 0;
            b.pos += 8u * (4u + n);
        } else if (type == 3) {
            return 0;
        } else {
            if (!(type == 1 ? fixed_codes(&lit, &dist) : dynamic_codes(&b, &lit, &dist))) return 0;
            skips_of(&k, &lit, &dist);
            if (!skip_codes(&b, &lit, &dist, &k)) return 0;
        }
        if (b.pos > (uint64_t)len * 8) return 0;
        if (final) break;
    }
    uint64_t end = b.pos;
    if ((end + 7) / 8 != len) return 0; /* bytes after the stream: not one stream */
    /* an empty stored block: three zero bits, to the byte, LEN 0, NLEN ~0 */
    size_t n = (size_t)((end + 3 + 7) / 8);
    if (n + 4 > cap) return 0;
    s[last >> 3] &= (unsigned char)~(1u << (last & 7));
    if (end & 7) s[end >> 3] &= (unsigned char)((1u << (end & 7)) - 1);
    for (size_t i = len; i < n; i++)
        s[i] = 0;
    s[n] = 0;
    s[n + 1] = 0;
    s[n + 2] = 0xFF;
    s[n + 3] = 0xFF;
    return n + 4;
}
