/*
 * wording.c — the report's words in its language (wording.h), read from the
 * catalogs po/catalog.py compiles.  A message a language lacks falls back
 * to English, and an id nobody has comes back as itself.  Invariant: pure
 * functions of their arguments and the constant tables — no process
 * locale; the only state is an index of the catalogs made once
 * (pthread_once) and only read after — so any thread may call them.
 */
#include "wording.h"

#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "wording_catalog.h"

#define ENGLISH (&chronicle__wording_langs[0])

/* ---- the catalogs ---- */

const wording_lang *chronicle__wording_find(const char *tag)
{
    for (size_t i = 0; tag && i < chronicle__wording_n_langs; i++)
        if (!strcmp(chronicle__wording_langs[i].tag, tag)) return &chronicle__wording_langs[i];
    return NULL;
}

const char *chronicle__wording_tags(void)
{
    return chronicle__wording_tag_list;
}

const wording_lang *chronicle__wording_english(void)
{
    return ENGLISH;
}

const char *chronicle__wording_tag(const wording_lang *lang)
{
    return (lang ? lang : ENGLISH)->tag;
}

chronicle_text_direction chronicle__wording_direction(const wording_lang *lang)
{
    return (chronicle_text_direction)(lang ? lang : ENGLISH)->direction;
}

/* ---- digits: CLDR's default numbering system ---- */

/* The language's ten digits (number.digits): digit i is s[at[i]..at[i + 1]). */
typedef struct digit_set {
    const char *s;
    unsigned char at[11];
} digit_set;

static const digit_set ascii_digits = {"0123456789", {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10}};

/* The digit set of a number.digits text: ASCII unless it is ten characters. */
static digit_set digits_from(const char *s)
{
    digit_set d = {s, {0}};
    size_t len = strlen(d.s), at = 0;
    for (int i = 0; i < 10; i++) {
        /* the catalogs are valid UTF-8 (po/catalog.py reads them as such):
         * a character is its lead byte and the continuation bytes after it */
        if (at >= len || at > 32) return ascii_digits;
        at++;
        while (at < len && ((unsigned char)d.s[at] & 0xC0) == 0x80)
            at++;
        d.at[i + 1] = (unsigned char)at;
    }
    return at == len ? d : ascii_digits; /* po/catalog.py checks for ten characters */
}

/* The catalogs' index: each language's messages by the hash of their ids.
 * A report asks for a few dozen messages per event; a binary search of
 * ids that share their first words ("plain.", "label.") was a twentieth of
 * the text summary's work. */
typedef struct lang_index {
    uint16_t *slots; /* message + 1, by id_hash(); 0: empty.  NULL: none (search) */
    size_t mask;
    digit_set digits; /* number.digits, as digits_of() makes it */
} lang_index;

static lang_index *indexes; /* chronicle__wording_n_langs of them; NULL: out of memory */
static pthread_once_t indexes_once = PTHREAD_ONCE_INIT;

static uint32_t id_hash(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static const wording_msg *index_search(const lang_index *x, const wording_lang *lang,
                                       const char *id)
{
    for (size_t j = id_hash(id) & x->mask; x->slots[j]; j = (j + 1) & x->mask)
        if (!strcmp(lang->msgs[x->slots[j] - 1].id, id)) return &lang->msgs[x->slots[j] - 1];
    return NULL;
}

static void make_indexes(void)
{
    lang_index *x = calloc(chronicle__wording_n_langs, sizeof *x);
    if (!x) return;
    for (size_t l = 0; l < chronicle__wording_n_langs; l++) {
        const wording_lang *lang = &chronicle__wording_langs[l];
        size_t n_slots = 16;
        while (n_slots < 2 * lang->n_msgs)
            n_slots *= 2;
        if (lang->n_msgs >= UINT16_MAX || !(x[l].slots = calloc(n_slots, sizeof *x[l].slots)))
            continue;
        x[l].mask = n_slots - 1;
        for (size_t i = 0; i < lang->n_msgs; i++) {
            size_t j = id_hash(lang->msgs[i].id) & x[l].mask;
            while (x[l].slots[j])
                j = (j + 1) & x[l].mask;
            x[l].slots[j] = (uint16_t)(i + 1);
        }
    }
    /* each language's digits, with English's where it has none */
    for (size_t l = 0; l < chronicle__wording_n_langs; l++) {
        const wording_msg *m =
            x[l].slots ? index_search(&x[l], &chronicle__wording_langs[l], "number.digits") : NULL;
        if (!m && x[0].slots) m = index_search(&x[0], ENGLISH, "number.digits");
        x[l].digits = digits_from(m ? m->forms[0] : "number.digits");
    }
    indexes = x;
}

/* lang's index, made on first use; NULL when there is none (out of memory,
 * or lang is not one of the catalogs'). */
static const lang_index *index_of(const wording_lang *lang)
{
    pthread_once(&indexes_once, make_indexes);
    uintptr_t at = (uintptr_t)lang, first = (uintptr_t)chronicle__wording_langs;
    if (!indexes || at < first || (at - first) / sizeof *lang >= chronicle__wording_n_langs)
        return NULL;
    const lang_index *x = &indexes[(at - first) / sizeof *lang];
    return x->slots ? x : NULL;
}

static const wording_msg *search(const wording_lang *lang, const char *id)
{
    const lang_index *x = index_of(lang);
    if (x) return index_search(x, lang, id);
    size_t lo = 0, hi = lang->n_msgs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(id, lang->msgs[mid].id);
        if (!c) return &lang->msgs[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

/* The message in lang, else in English (*from says which); NULL: nowhere. */
static const wording_msg *lookup(const wording_lang *lang, const char *id,
                                 const wording_lang **from)
{
    if (!lang) lang = ENGLISH;
    const wording_msg *m = id ? search(lang, id) : NULL;
    if (!m && id && lang != ENGLISH) m = search(lang = ENGLISH, id);
    *from = lang;
    return m;
}

const char *chronicle__wording_label(const wording_lang *lang, const char *msgid)
{
    const wording_lang *from;
    const wording_msg *m = lookup(lang, msgid, &from);
    return m ? m->forms[0] : msgid ? msgid : "";
}

/* ---- snprintf-style output ---- */

typedef struct out {
    char *buf;
    size_t size, len; /* len counts the whole text, written or not */
} out;

static out out_start(char *buf, size_t size)
{
    if (size) buf[0] = '\0';
    return (out){buf, size, 0};
}

static void put(out *o, const char *s, size_t n)
{
    if (o->size && o->len < o->size - 1) {
        size_t room = o->size - 1 - o->len, k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->buf[o->len + k] = '\0';
    }
    o->len += n;
}

static void puts_(out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* The text with {1}..{9} from args and {n} from n_text (NULL: left as is). */
static void substitute(out *o, const char *text, const char *const *args, size_t n_args,
                       const char *n_text)
{
    const char *p = text;
    while (*p) {
        const char *b = strchr(p, '{');
        if (!b) break;
        put(o, p, (size_t)(b - p));
        p = b;
        const char *arg = NULL;
        if (b[1] >= '1' && b[1] <= '9' && b[2] == '}' && (size_t)(b[1] - '1') < n_args)
            arg = args[b[1] - '1'] ? args[b[1] - '1'] : "";
        else if (b[1] == 'n' && b[2] == '}')
            arg = n_text;
        if (arg) {
            puts_(o, arg);
            p += 3;
        } else {
            put(o, p, 1);
            p++;
        }
    }
    puts_(o, p);
}

size_t chronicle__wording_message(const wording_lang *lang, char *buf, size_t size,
                                  const char *msgid, const char *const *args, size_t n_args)
{
    out o = out_start(buf, size);
    substitute(&o, chronicle__wording_label(lang, msgid), args, n_args, NULL);
    return o.len;
}

/* ---- days ---- */

static int is_leap(unsigned y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static unsigned month_days(unsigned y, unsigned m)
{
    static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

static int valid_ymd(uint32_t ymd)
{
    unsigned y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    return y >= 1 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* Howard Hinnant's days_from_civil: eras of 400 years, March-based years. */
int64_t chronicle__wording_ymd_to_days(uint32_t ymd)
{
    if (!valid_ymd(ymd)) return INT64_MIN;
    int64_t y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

#define FIRST_DAY (-719162) /* 0001-01-01 */
#define LAST_DAY 2932896    /* 9999-12-31 */

/* ... and civil_from_days. */
uint32_t chronicle__wording_days_to_ymd(int64_t days)
{
    if (days < FIRST_DAY || days > LAST_DAY) return 0;
    int64_t z = days + 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = yoe + era * 400 + (m <= 2);
    return (uint32_t)(y * 10000 + m * 100 + d);
}

/* ---- digits: CLDR's default numbering system ---- */

/* lang's digits (NULL: ASCII), made once with the index. */
static digit_set digits_of(const wording_lang *lang)
{
    if (!lang) return ascii_digits;
    const lang_index *x = index_of(lang);
    if (x) return x->digits;
    return digits_from(chronicle__wording_label(lang, "number.digits"));
}

/* s[0..n) with its ASCII digits written in d's; anything else as it is. */
static void put_digits(out *o, const digit_set *d, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned k = (unsigned)(unsigned char)s[i] - '0';
        if (k <= 9)
            put(o, d->s + d->at[k], (size_t)(d->at[k + 1] - d->at[k]));
        else
            put(o, s + i, 1);
    }
}

/* ---- dates: CLDR patterns ---- */

/* v in ASCII decimal, zero-padded to width (at most 20), as "%0*" PRIu64
 * writes it; returns its length.  s has room for 21 bytes. */
static size_t utoa_pad(char s[21], uint64_t v, size_t width)
{
    char r[20];
    size_t n = 0;
    do
        r[n++] = (char)('0' + v % 10);
    while (v /= 10);
    if (width > 20) width = 20;
    size_t len = 0;
    for (; len + n < width; len++)
        s[len] = '0';
    while (n)
        s[len++] = r[--n];
    s[len] = '\0';
    return len;
}

/* v in the language's digits (lang NULL: ASCII, as ISO dates are). */
static void put_uint(out *o, const wording_lang *lang, unsigned v, int width)
{
    char s[21];
    size_t n = utoa_pad(s, v, width > 0 ? (size_t)width : 0);
    digit_set d = digits_of(lang);
    put_digits(o, &d, s, n);
}

static void put_month(out *o, const wording_lang *lang, const char *kind, unsigned m)
{
    /* "date.month.KIND.M" */
    char id[48] = "date.month.", num[21];
    size_t at = strlen(id), k = strlen(kind), n = utoa_pad(num, m, 0);
    if (at + k + 1 + n >= sizeof id) return;
    memcpy(id + at, kind, k);
    id[at + k] = '.';
    memcpy(id + at + k + 1, num, n + 1);
    puts_(o, chronicle__wording_label(lang, id));
}

/* One field of a pattern: a run of n copies of letter c. */
static void put_field(out *o, const wording_lang *lang, char c, size_t n, uint32_t ymd)
{
    unsigned y = ymd / 10000, m = ymd / 100 % 100, d = ymd % 100;
    switch (c) {
    case 'd':
        put_uint(o, lang, d, n >= 2 ? 2 : 1);
        return;
    case 'y':
        if (n == 2)
            put_uint(o, lang, y % 100, 2);
        else
            put_uint(o, lang, y, (int)n);
        return;
    case 'M':
    case 'L':
        if (n <= 2)
            put_uint(o, lang, m, (int)n);
        else
            put_month(o, lang,
                      c == 'M' ? (n == 3 ? "abbr" : "wide")
                               : (n == 3 ? "standalone.abbr" : "standalone.wide"),
                      m);
        return;
    default:
        for (size_t i = 0; i < n; i++)
            put(o, &c, 1); /* a field we do not know: as written */
    }
}

static void put_pattern(out *o, const wording_lang *lang, const char *p, uint32_t ymd)
{
    while (*p) {
        if (*p == '\'') {
            if (p[1] == '\'') { /* '' is a quote */
                put(o, p, 1);
                p += 2;
                continue;
            }
            for (p++; *p; p++) {
                if (*p == '\'' && p[1] == '\'') {
                    put(o, p++, 1);
                } else if (*p == '\'') {
                    p++;
                    break;
                } else {
                    put(o, p, 1);
                }
            }
        } else if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z')) {
            size_t n = 1;
            while (p[n] == *p)
                n++;
            put_field(o, lang, *p, n, ymd);
            p += n;
        } else {
            put(o, p++, 1);
        }
    }
}

static void put_date(out *o, const wording_lang *lang, uint32_t ymd, chronicle_date_style style)
{
    if (!valid_ymd(ymd)) return;
    if (style == CHRONICLE_DATE_ISO) {
        put_uint(o, NULL, ymd / 10000, 4);
        put(o, "-", 1);
        put_uint(o, NULL, ymd / 100 % 100, 2);
        put(o, "-", 1);
        put_uint(o, NULL, ymd % 100, 2);
        return;
    }
    const char *id = style == CHRONICLE_DATE_LONG ? "date.pattern.long" : "date.pattern.short";
    put_pattern(o, lang, chronicle__wording_label(lang, id), ymd);
}

size_t chronicle__wording_date(const wording_lang *lang, char *buf, size_t size, uint32_t ymd,
                               chronicle_date_style style)
{
    out o = out_start(buf, size);
    put_date(&o, lang, ymd, style);
    return o.len;
}

/* A date into a small local buffer: patterns and month names are short. */
typedef struct date_text {
    char s[128];
} date_text;

static date_text date_of(const wording_lang *lang, uint32_t ymd, chronicle_date_style style)
{
    date_text t;
    chronicle__wording_date(lang, t.s, sizeof t.s, ymd, style);
    return t;
}

size_t chronicle__wording_period(const wording_lang *lang, char *buf, size_t size, uint32_t first,
                                 uint32_t last, chronicle_date_style style)
{
    out o = out_start(buf, size);
    if (!first) {
        puts_(&o, chronicle__wording_label(lang, "period.none"));
    } else if (!last || last == first) {
        put_date(&o, lang, first, style);
    } else {
        date_text a = date_of(lang, first, style), b = date_of(lang, last, style);
        const char *args[] = {a.s, b.s};
        substitute(&o, chronicle__wording_label(lang, "date.interval"), args, 2, NULL);
    }
    return o.len;
}

/* ---- numbers ---- */

/* ASCII digits s[0..n) in the language's digits, grouped by threes with
 * its sign when there are at least 3 + number.min-grouping of them. */
static void put_grouped(out *o, const wording_lang *lang, const char *s, size_t n)
{
    const char *group = chronicle__wording_label(lang, "number.group");
    unsigned min = (unsigned)(chronicle__wording_label(lang, "number.min-grouping")[0] - '0');
    if (min < 1 || min > 4) min = 1;
    int grouped = n >= 3 + min;
    digit_set d = digits_of(lang);
    for (size_t i = 0; i < n; i++) {
        if (grouped && i && (n - i) % 3 == 0) puts_(o, group);
        put_digits(o, &d, s + i, 1);
    }
}

static void put_number(out *o, const wording_lang *lang, double v)
{
    if (!isfinite(v)) {
        puts_(o, v != v ? "NaN" : v < 0 ? "-inf" : "inf");
        return;
    }
    const char *decimal = chronicle__wording_label(lang, "number.decimal");
    char digits[64];
    if (fabs(v) >= 1e15 || (v != 0 && fabs(v) < 1e-6)) {
        snprintf(digits, sizeof digits, "%g", v);
        /* the decimal sign printf chose (LC_NUMERIC) becomes the language's */
        digit_set d = digits_of(lang);
        for (const char *p = digits; *p; p++) {
            if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '+' || *p == 'e')
                put_digits(o, &d, p, 1);
            else
                puts_(o, decimal);
        }
        return;
    }
    if (v == floor(v)) { /* a whole number (below 1e15: exact): "%.6f" less its zeros */
        char whole[21];
        size_t n = utoa_pad(whole, (uint64_t)fabs(v), 0);
        if (v < 0) put(o, "-", 1);
        put_grouped(o, lang, whole, n);
        return;
    }
    snprintf(digits, sizeof digits, "%.6f", fabs(v));
    char *dot = digits + strspn(digits, "0123456789"); /* whatever printf wrote there */
    char *end = dot + strlen(dot);
    while (end > dot + 1 && end[-1] == '0')
        end--;
    if (end == dot + 1) end = dot;
    if (v < 0) put(o, "-", 1);
    put_grouped(o, lang, digits, (size_t)(dot - digits));
    if (end > dot) {
        digit_set d = digits_of(lang);
        puts_(o, decimal);
        put_digits(o, &d, dot + 1, (size_t)(end - dot - 1));
    }
}

size_t chronicle__wording_number(const wording_lang *lang, char *buf, size_t size, double value)
{
    out o = out_start(buf, size);
    put_number(&o, lang, value);
    return o.len;
}

typedef struct number_text {
    char s[96];
} number_text;

static number_text count_of(const wording_lang *lang, uint64_t n)
{
    char digits[24];
    number_text t;
    size_t k = utoa_pad(digits, n, 0);
    out o = out_start(t.s, sizeof t.s);
    put_grouped(&o, lang, digits, (size_t)k);
    return t;
}

/* msgid's text in the plural form lang wants for n (msgid itself when unknown). */
static const char *plural_form(const wording_lang *lang, const char *msgid, uint64_t n)
{
    const wording_lang *from;
    const wording_msg *m = lookup(lang, msgid, &from);
    if (!m) return msgid ? msgid : "";
    unsigned form = from->plural(n);
    return m->forms[form < m->n_forms ? form : m->n_forms - 1];
}

/* The plural form of msgid for n, {n} and {1}..{9} replaced. */
static void put_plural(out *o, const wording_lang *lang, const char *msgid, uint64_t n,
                       const char *const *args, size_t n_args)
{
    number_text t = count_of(lang, n);
    substitute(o, plural_form(lang, msgid, n), args, n_args, t.s);
}

size_t chronicle__wording_count(const wording_lang *lang, char *buf, size_t size, uint64_t n,
                                const char *msgid)
{
    out o = out_start(buf, size);
    put_plural(&o, lang, msgid, n, NULL, 0);
    return o.len;
}

size_t chronicle__wording_ordinal(const wording_lang *lang, char *buf, size_t size, uint64_t n,
                                  const char *msgid)
{
    const wording_lang *from;
    const wording_msg *m = lookup(lang, msgid, &from);
    const char *t = msgid ? msgid : "";
    if (m && m->ordinal) {
        unsigned cat = from->ordinal(n);
        t = cat < m->n_forms && m->forms[cat] ? m->forms[cat] : m->forms[m->n_forms - 1];
    } else if (m) {
        t = m->forms[0]; /* not an ordinal: its text, {n} still filled in */
    }
    number_text num = count_of(lang, n);
    out o = out_start(buf, size);
    substitute(&o, t, NULL, 0, num.s);
    return o.len;
}

/* ---- attribution and selection ---- */

size_t chronicle__wording_attribution(const wording_lang *lang, char *buf, size_t size,
                                      const chronicle_source *src)
{
    out o = out_start(buf, size);
    if (!src) return o.len;
    int outlet = src->outlet.ptr != NULL;
    const char *who = outlet ? src->outlet.ptr : src->document.ptr ? src->document.ptr : "";
    date_text when = date_of(lang, src->published_ymd, CHRONICLE_DATE_SHORT);
    const char *args[] = {who, when.s};
    const char *id = outlet ? (when.s[0] ? "attribution.outlet-date" : "attribution.outlet")
                            : (when.s[0] ? "attribution.document-date" : "attribution.document");
    substitute(&o, chronicle__wording_label(lang, id), args, 2, NULL);
    return o.len;
}

/* One part of the selection line: msgid's form for n items, the items
 * (data, as given) joined in place of its {1}. */
static void put_list_part(out *o, const wording_lang *lang, const char *msgid,
                          const chronicle_str *items, size_t n)
{
    const char *t = plural_form(lang, msgid, n), *at = strstr(t, "{1}");
    const char *sep = chronicle__wording_label(lang, "selection.list-separator");
    puts_(o, chronicle__wording_label(lang, "selection.separator"));
    if (!at) { /* the catalogs are checked to have it */
        puts_(o, t);
        return;
    }
    put(o, t, (size_t)(at - t));
    for (size_t i = 0; i < n; i++) {
        if (i) puts_(o, sep);
        if (items[i].ptr) put(o, items[i].ptr, items[i].len);
    }
    puts_(o, at + 3);
}

static void put_date_part(out *o, const wording_lang *lang, const char *msgid, uint32_t ymd)
{
    date_text d = date_of(lang, ymd, CHRONICLE_DATE_LONG);
    const char *args[] = {d.s};
    puts_(o, chronicle__wording_label(lang, "selection.separator"));
    substitute(o, chronicle__wording_label(lang, msgid), args, 1, NULL);
}

size_t chronicle__wording_selection(const wording_lang *lang, char *buf, size_t size,
                                    const chronicle_report *report, size_t n_events, size_t n_total)
{
    out o = out_start(buf, size);
    number_text shown = count_of(lang, n_events);
    const char *args[] = {shown.s};
    if (n_events == n_total)
        put_plural(&o, lang, "selection.all", n_total, NULL, 0);
    else
        put_plural(&o, lang, "selection.subset", n_total, args, 1);
    if (!report) return o.len;
    if (report->n_countries)
        put_list_part(&o, lang, "selection.country", report->countries, report->n_countries);
    if (report->n_tags) put_list_part(&o, lang, "selection.tag", report->tags, report->n_tags);
    if (report->since_ymd) put_date_part(&o, lang, "selection.since", report->since_ymd);
    if (report->until_ymd) put_date_part(&o, lang, "selection.until", report->until_ymd);
    return o.len;
}
