/*
 * report.c — the report definition (formats/report-v1.md): read from a
 * file, set key by key, checked against the plugins.  Every value is
 * checked as it enters, with the valid choices named, so what the export
 * plan finds here is always valid.  Invariant: logo_fd, when open, is the
 * file that was checked, and logo_path names it as /proc/self/fd/N.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "chronicle/utf8.h"
#include "json_scan.h"
#include "loader.h"
#include "registry_internal.h"
#include "report_internal.h"
#include "wording.h"

#define DEF_MAX_BYTES (1u << 20) /* a definition is a few hundred bytes */
#define TEXT_MAX_BYTES 1000      /* one metadata value */
#define DEF_MAX_DEPTH 8

static const char *const meta_keys[N_META] = {"title", "subtitle", "organization", "author",
                                              "marking"};
static const char valid_meta[] = "title, subtitle, organization, author, marking, logo, lang";
static const char valid_members[] = "schema, title, subtitle, organization, author, marking, logo, "
                                    "lang, selection, formats, options";
static const char valid_selection[] = "since, until, country, tag, split_by";
static const char valid_split[] = "country, year, organizer, tag";

/* Where messages go while a file is read: its name and the pointer at hand. */
typedef struct reading {
    chronicle_report_def *def;
    chronicle_diag *diag;
    const char *file; /* NULL: a -M value */
    size_t errors;
} reading;

static void fail(reading *r, chronicle_diag_code code, const char *pointer, const char *fmt, ...)
    CHRONICLE_PRINTF(4, 5);
static void fail(reading *r, chronicle_diag_code code, const char *pointer, const char *fmt, ...)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_buf_vappendf(&b, fmt, ap);
    va_end(ap);
    chronicle_diag_add_coded(r->diag, code, CHRONICLE_SEV_ERROR, r->file, 0, 0,
                             r->file ? pointer : NULL, "%s", chronicle_buf_cstr(&b));
    chronicle_buf_free(&b);
    r->errors++;
}

/* A value shown in a message: cleaned, at most 60 bytes. */
static char *shown(const char *s)
{
    return chronicle_utf8_clean(s, strlen(s), 60, 0);
}

/* "/base/key" with key escaped as RFC 6901 says.  Caller frees. */
static char *pointer_join(const char *base, const char *key)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%s/", base);
    for (const char *k = key; *k; k++)
        if (*k == '~')
            chronicle_buf_puts(&b, "~0");
        else if (*k == '/')
            chronicle_buf_puts(&b, "~1");
        else
            chronicle_buf_putc(&b, *k);
    return chronicle_buf_steal(&b);
}

static char *pointer_index(const char *base, size_t i)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_appendf(&b, "%s/%zu", base, i);
    return chronicle_buf_steal(&b);
}

/* The JSON pointer of an option, "/options/pdf/page-size", escaped
 * (RFC 6901).  Caller frees; NULL when out of memory. */
static char *option_pointer(const report_option *o)
{
    char *f = pointer_join("/options", o->format);
    char *p = f ? pointer_join(f, o->key) : NULL;
    free(f);
    return p;
}

const char *chronicle__report_split_name(chronicle_split_key key)
{
    switch (key) {
    case CHRONICLE_SPLIT_COUNTRY:
        return "country";
    case CHRONICLE_SPLIT_YEAR:
        return "year";
    case CHRONICLE_SPLIT_ORGANIZER:
        return "organizer";
    case CHRONICLE_SPLIT_TAG:
        return "tag";
    case CHRONICLE_SPLIT_NONE:
        break;
    }
    return NULL;
}

static void free_list(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(list[i]);
    free(list);
}

static void clear_logo(chronicle_report_def *def)
{
    if (def->logo_fd >= 0) close(def->logo_fd);
    def->logo_fd = -1;
    free(def->logo);
    free(def->logo_path);
    def->logo = def->logo_path = NULL;
    def->logo_format = CHRONICLE_IMAGE_NONE;
}

chronicle_report_def *chronicle_report_def_new(void)
{
    chronicle_report_def *def = calloc(1, sizeof *def);
    if (def) def->logo_fd = -1;
    return def;
}

void chronicle_report_def_free(chronicle_report_def *def)
{
    if (!def) return;
    free(def->file);
    for (int i = 0; i < N_META; i++)
        free(def->meta[i]);
    clear_logo(def);
    free_list(def->countries, def->n_countries);
    free_list(def->tags, def->n_tags);
    free_list(def->formats, def->n_formats);
    for (size_t i = 0; i < def->n_options; i++) {
        free(def->options[i].format);
        free(def->options[i].key);
        free(def->options[i].value);
        free(def->options[i].path);
    }
    free(def->options);
    free(def);
}

size_t chronicle_report_def_format_count(const chronicle_report_def *def)
{
    return def ? def->n_formats : 0;
}

chronicle_split_key chronicle_report_def_split(const chronicle_report_def *def)
{
    return def ? def->split : CHRONICLE_SPLIT_NONE;
}

/* ---- values ---- */

/* Why s cannot be a metadata value, or NULL: UTF-8, no control
 * characters, not blank, at most TEXT_MAX_BYTES. */
static const char *text_problem(const char *s)
{
    size_t len = strlen(s);
    if (chronicle_utf8_check(s, len) != len) return "is not valid UTF-8";
    if (len > TEXT_MAX_BYTES) return "is longer than 1000 bytes";
    int blank = 1;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += chronicle_utf8_decode(s + i, len - i, &cp);
        if (chronicle_cp_is_control(cp) || chronicle_cp_is_bidi_control(cp))
            return "holds a control character (line breaks and tabs included)";
        if (cp != ' ') blank = 0;
    }
    return blank ? "must not be blank" : NULL;
}

/* "a/b.json" + "logo.png" -> "a/logo.png"; an absolute path, or a
 * definition in the current directory, leaves path as it is.  Caller frees. */
static char *relative_to(const char *file, const char *path)
{
    const char *slash = file ? strrchr(file, '/') : NULL;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    if (*path != '/' && slash) chronicle_buf_append(&b, file, (size_t)(slash - file + 1));
    chronicle_buf_puts(&b, path);
    return chronicle_buf_steal(&b);
}

/* Opens and checks a logo: a regular file whose first bytes say PNG or
 * JPEG.  On success the def holds it open; on failure r says why. */
static chronicle_status set_logo(reading *r, const char *pointer, const char *given)
{
    static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    char *path = relative_to(r->file, given), *show = shown(path ? path : given);
    unsigned char head[8] = {0};
    struct stat sb;
    int fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
    chronicle_status st = CHRONICLE_ERR_OPTION;
    if (!path || !show) {
        st = CHRONICLE_ERR_NOMEM;
    } else if (fd < 0 || fstat(fd, &sb) != 0) {
        fail(r, CHRONICLE_DIAG_IO, pointer, "logo %s cannot be read: %s", show, strerror(errno));
    } else if (!S_ISREG(sb.st_mode)) {
        fail(r, CHRONICLE_DIAG_VALUE, pointer,
             "logo %s is not a regular file; give a PNG or JPEG image", show);
    } else {
        ssize_t n = pread(fd, head, sizeof head, 0);
        uint32_t format = n == 8 && !memcmp(head, png, 8) ? CHRONICLE_IMAGE_PNG
                          : n >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF
                              ? CHRONICLE_IMAGE_JPEG
                              : 0;
        if (n < 0)
            fail(r, CHRONICLE_DIAG_IO, pointer, "logo %s cannot be read: %s", show,
                 strerror(errno));
        else if (!format)
            fail(r, CHRONICLE_DIAG_VALUE, pointer,
                 "logo %s is not a PNG or JPEG image (by its first bytes); give one of those",
                 show);
        else {
            chronicle_buf b = CHRONICLE_BUF_INIT;
            chronicle_buf_appendf(&b, "/proc/self/fd/%d", fd);
            char *alias = chronicle_buf_steal(&b), *copy = strdup(given);
            if (!alias || !copy) {
                free(alias);
                free(copy);
                st = CHRONICLE_ERR_NOMEM;
            } else {
                clear_logo(r->def);
                r->def->logo_fd = fd;
                r->def->logo = copy;
                r->def->logo_path = alias;
                r->def->logo_format = format;
                fd = -1;
                st = CHRONICLE_OK;
            }
        }
    }
    if (fd >= 0) close(fd);
    free(path);
    free(show);
    return st;
}

/* One metadata key (of -M, or a member of the file) set to value, checked. */
static chronicle_status set_meta(reading *r, const char *pointer, const char *key,
                                 const char *value)
{
    if (!strcmp(key, "logo")) return set_logo(r, pointer, value);
    const char *problem = text_problem(value);
    char *show = shown(value);
    if (!show) return CHRONICLE_ERR_NOMEM;
    chronicle_status st = CHRONICLE_ERR_OPTION;
    if (!strcmp(key, "lang")) {
        const wording_lang *lang = chronicle__wording_find(value);
        if (lang) {
            r->def->lang = chronicle__wording_tag(lang);
            st = CHRONICLE_OK;
        } else {
            fail(r, CHRONICLE_DIAG_VALUE, pointer,
                 "\"%s\" is not a language Chronicle writes reports in; valid: %s", show,
                 chronicle__wording_tags());
        }
        free(show);
        return st;
    }
    for (int i = 0; i < N_META; i++) {
        if (strcmp(key, meta_keys[i])) continue;
        if (problem) {
            fail(r, CHRONICLE_DIAG_TEXT, pointer, "%s \"%s\" %s", key, show, problem);
        } else {
            char *copy = strdup(value);
            if (!copy) {
                st = CHRONICLE_ERR_NOMEM;
            } else {
                free(r->def->meta[i]);
                r->def->meta[i] = copy;
                st = CHRONICLE_OK;
            }
        }
        free(show);
        return st;
    }
    free(show);
    show = shown(key);
    fail(r, CHRONICLE_DIAG_UNKNOWN_MEMBER, pointer, "unknown key \"%s\"; valid: %s",
         show ? show : "?", valid_meta);
    free(show);
    return CHRONICLE_ERR_OPTION;
}

chronicle_status chronicle_report_def_set(chronicle_report_def *def, const char *key,
                                          const char *value, chronicle_diag *diag)
{
    reading r = {.def = def, .diag = diag};
    if (!*value) { /* an empty value removes the key */
        if (!strcmp(key, "logo")) {
            clear_logo(def);
            return CHRONICLE_OK;
        }
        if (!strcmp(key, "lang")) {
            def->lang = NULL;
            return CHRONICLE_OK;
        }
        for (int i = 0; i < N_META; i++)
            if (!strcmp(key, meta_keys[i])) {
                free(def->meta[i]);
                def->meta[i] = NULL;
                return CHRONICLE_OK;
            }
    }
    return set_meta(&r, NULL, key, value);
}

/* ---- the file ---- */

/* The whole file, at most DEF_MAX_BYTES, NUL-terminated.  Caller frees. */
static chronicle_status slurp(reading *r, const char *path, char **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    struct stat sb;
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_status st = CHRONICLE_ERR_IO;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        chronicle_diag_add_coded(r->diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, path, 0, 0, NULL,
                                 "cannot read: %s", strerror(errno));
        goto out;
    }
    if (S_ISDIR(sb.st_mode)) {
        chronicle_diag_add_coded(r->diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, path, 0, 0, NULL,
                                 "is a directory, not a report definition");
        goto out;
    }
    for (;;) {
        if ((st = chronicle_buf_reserve(&b, 65536)) != CHRONICLE_OK) goto out;
        ssize_t n = read(fd, b.ptr + b.len, 65536);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            chronicle_diag_add_coded(r->diag, CHRONICLE_DIAG_IO, CHRONICLE_SEV_ERROR, path, 0, 0,
                                     NULL, "cannot read: %s", strerror(errno));
            st = CHRONICLE_ERR_IO;
            goto out;
        }
        if (n == 0) break;
        b.len += (size_t)n;
        if (b.len > DEF_MAX_BYTES) {
            chronicle_diag_add_coded(r->diag, CHRONICLE_DIAG_LIMIT, CHRONICLE_SEV_ERROR, path, 0, 0,
                                     NULL, "is larger than 1 MiB: not a report definition");
            st = CHRONICLE_ERR_OPTION;
            goto out;
        }
    }
    st = CHRONICLE_OK;
    *len = b.len;
    *out = chronicle_buf_steal(&b);
    if (!*out) *out = strdup("");
    if (!*out) st = CHRONICLE_ERR_NOMEM;
out:
    chronicle_buf_free(&b);
    if (fd >= 0) close(fd);
    return st;
}

static void syntax_error(reading *r, chronicle_diag_code code, const char *buf, size_t at,
                         const char *reason)
{
    unsigned long line = 1, col = 1;
    for (size_t i = 0; i < at; i++) {
        if (buf[i] == '\n')
            line++, col = 1;
        else if (((unsigned char)buf[i] & 0xC0) != 0x80)
            col++;
    }
    chronicle_diag_add_coded(r->diag, code, CHRONICLE_SEV_ERROR, r->file, line, col, NULL, "%s",
                             reason);
    r->errors++;
}

/* Strict JSON (json_scan.c), one value and nothing after it, then parsed. */
static cJSON *parse(reading *r, const char *buf, size_t len)
{
    size_t pos = len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
    scan_error err = {0};
    pos = chronicle__json_skip_ws(buf, len, pos);
    size_t start = pos;
    if (pos == len) {
        syntax_error(r, CHRONICLE_DIAG_EMPTY_FILE, buf, pos,
                     "the file is empty; expected a JSON object");
        return NULL;
    }
    if (chronicle__json_skip_value(buf, len, &pos, 1, DEF_MAX_DEPTH, &err) != SCAN_OK) {
        syntax_error(r, err.code, buf, err.offset, err.reason);
        return NULL;
    }
    if (chronicle__json_skip_ws(buf, len, pos) != len) {
        syntax_error(r, CHRONICLE_DIAG_SYNTAX, buf, chronicle__json_skip_ws(buf, len, pos),
                     "unexpected text after the JSON value");
        return NULL;
    }
    cJSON *root = cJSON_ParseWithLength(buf + start, pos - start);
    if (!root)
        chronicle_diag_add_coded(r->diag, CHRONICLE_DIAG_MEMORY, CHRONICLE_SEV_ERROR, r->file, 0, 0,
                                 NULL, "out of memory");
    return root;
}

/* Duplicate members: legal JSON that cJSON resolves silently (first wins);
 * in a definition always a mistake. */
static void check_duplicates(reading *r, const cJSON *v, const char *pointer)
{
    size_t i = 0;
    for (const cJSON *c = v->child; c; c = c->next, i++) {
        char *at = cJSON_IsObject(v) ? pointer_join(pointer, c->string) : pointer_index(pointer, i);
        if (cJSON_IsObject(v))
            for (const cJSON *prev = v->child; prev != c; prev = prev->next)
                if (!strcmp(prev->string, c->string)) {
                    fail(r, CHRONICLE_DIAG_DUPLICATE_MEMBER, at ? at : pointer,
                         "duplicate member (a JSON object may name it once)");
                    break;
                }
        if (at && (cJSON_IsObject(c) || cJSON_IsArray(c))) check_duplicates(r, c, at);
        free(at);
    }
}

static void read_schema(reading *r, const cJSON *v)
{
    static const char prefix[] = "chronicle/report@";
    if (!cJSON_IsString(v)) {
        fail(r, CHRONICLE_DIAG_TYPE, "/schema", "expected a string, found %s",
             chronicle__json_type_name(v));
        return;
    }
    const char *s = v->valuestring, *p = s + sizeof prefix - 1;
    char *show = shown(s);
    if (strncmp(s, prefix, sizeof prefix - 1)) {
        fail(r, CHRONICLE_DIAG_SCHEMA, "/schema",
             "\"%s\" is not a Chronicle report definition (expected \"chronicle/report@1\")",
             show ? show : "?");
    } else if (*p == '1' && (p[1] == '\0' || (p[1] == '.' && p[2] >= '0' && p[2] <= '9' &&
                                              strspn(p + 2, "0123456789") == strlen(p + 2)))) {
        /* a later minor version: read as 1, its unknown members refused below */
    } else {
        fail(
            r, CHRONICLE_DIAG_VERSION, "/schema",
            "\"%s\": this chronicle reads report definitions of version 1 (\"chronicle/report@1\")",
            show ? show : "?");
    }
    free(show);
}

static void read_date(reading *r, const cJSON *v, const char *pointer, uint32_t *out)
{
    if (!cJSON_IsString(v)) {
        fail(r, CHRONICLE_DIAG_TYPE, pointer, "expected a date string YYYY-MM-DD, found %s",
             chronicle__json_type_name(v));
        return;
    }
    uint32_t ymd = chronicle_date_parse(v->valuestring, strlen(v->valuestring));
    char *show = shown(v->valuestring);
    if (ymd)
        *out = ymd;
    else
        fail(r, CHRONICLE_DIAG_DATE, pointer,
             "\"%s\" is not a calendar date YYYY-MM-DD (0001-01-01 to 9999-12-31)",
             show ? show : "?");
    free(show);
}

static int is_country_code(const char *s)
{
    for (int i = 0; i < 2; i++)
        if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z'))) return 0;
    return s[2] == '\0';
}

enum list_kind { LIST_COUNTRY, LIST_TAG, LIST_FORMAT };

/* A list of strings; each checked by kind.  Replaces *list when whole. */
static void read_list(reading *r, const cJSON *v, const char *pointer, enum list_kind kind,
                      char ***list, size_t *n)
{
    if (!cJSON_IsArray(v)) {
        fail(r, CHRONICLE_DIAG_TYPE, pointer, "expected an array of strings, found %s",
             chronicle__json_type_name(v));
        return;
    }
    size_t count = (size_t)cJSON_GetArraySize(v), k = 0, errors = r->errors;
    if (!count && kind == LIST_FORMAT) {
        fail(r, CHRONICLE_DIAG_EMPTY, pointer, "must list at least one format");
        return;
    }
    char **items = calloc(count + 1, sizeof *items);
    const cJSON *item;
    cJSON_ArrayForEach(item, v)
    {
        char *at = pointer_index(pointer, k);
        const char *where = at ? at : pointer;
        char *show = cJSON_IsString(item) ? shown(item->valuestring) : NULL;
        if (!cJSON_IsString(item)) {
            fail(r, CHRONICLE_DIAG_TYPE, where, "expected a string, found %s",
                 chronicle__json_type_name(item));
        } else if (kind == LIST_COUNTRY && !is_country_code(item->valuestring)) {
            fail(r, CHRONICLE_DIAG_COUNTRY_CODE, where,
                 "\"%s\" is not a country code; give ISO 3166-1 alpha-2 codes such as \"AZ\"",
                 show ? show : "?");
        } else if (kind != LIST_COUNTRY && text_problem(item->valuestring)) {
            fail(r, CHRONICLE_DIAG_TEXT, where, "\"%s\" %s", show ? show : "?",
                 text_problem(item->valuestring));
        } else {
            for (size_t j = 0; j < k && items; j++)
                if (items[j] && !strcmp(items[j], item->valuestring)) {
                    fail(r, CHRONICLE_DIAG_DUPLICATE_ITEM, where, "\"%s\" is listed twice",
                         show ? show : "?");
                    break;
                }
            if (items) items[k] = strdup(item->valuestring);
        }
        free(show);
        free(at);
        k++;
    }
    int whole = items && r->errors == errors;
    for (size_t j = 0; whole && j < count; j++)
        whole = items[j] != NULL;
    if (!whole) {
        free_list(items, count);
        if (r->errors == errors) fail(r, CHRONICLE_DIAG_MEMORY, pointer, "out of memory");
        return;
    }
    free_list(*list, *n);
    *list = items;
    *n = count;
}

static void read_selection(reading *r, const cJSON *sel)
{
    if (!cJSON_IsObject(sel)) {
        fail(r, CHRONICLE_DIAG_TYPE, "/selection", "expected an object, found %s",
             chronicle__json_type_name(sel));
        return;
    }
    chronicle_report_def *def = r->def;
    const cJSON *m;
    cJSON_ArrayForEach(m, sel)
    {
        char *at = pointer_join("/selection", m->string);
        const char *where = at ? at : "/selection";
        if (!strcmp(m->string, "since")) {
            read_date(r, m, where, &def->since);
        } else if (!strcmp(m->string, "until")) {
            read_date(r, m, where, &def->until);
        } else if (!strcmp(m->string, "country")) {
            read_list(r, m, where, LIST_COUNTRY, &def->countries, &def->n_countries);
        } else if (!strcmp(m->string, "tag")) {
            read_list(r, m, where, LIST_TAG, &def->tags, &def->n_tags);
        } else if (!strcmp(m->string, "split_by")) {
            chronicle_split_key key = cJSON_IsString(m) ? chronicle_split_key_parse(m->valuestring)
                                                        : CHRONICLE_SPLIT_NONE;
            char *show = cJSON_IsString(m) ? shown(m->valuestring) : NULL;
            if (!cJSON_IsString(m))
                fail(r, CHRONICLE_DIAG_TYPE, where, "expected a string, found %s",
                     chronicle__json_type_name(m));
            else if (!key || strcmp(chronicle__report_split_name(key), m->valuestring))
                fail(r, CHRONICLE_DIAG_VALUE, where, "\"%s\" is not a way to split; valid: %s",
                     show ? show : "?", valid_split);
            else
                def->split = key;
            free(show);
        } else {
            char *show = shown(m->string);
            fail(r, CHRONICLE_DIAG_UNKNOWN_MEMBER, where, "unknown member \"%s\"; valid: %s",
                 show ? show : "?", valid_selection);
            free(show);
        }
        free(at);
    }
    if (def->since && def->until && def->since > def->until)
        fail(r, CHRONICLE_DIAG_DATE_ORDER, "/selection/until",
             "is before since: no event could be selected");
}

/* An option's value as -O would give it: a string as it is, true/false, a
 * number as the shortest text that reads back the same. */
static char *option_text(const cJSON *v)
{
    char num[64];
    if (cJSON_IsString(v)) return strdup(v->valuestring);
    if (cJSON_IsBool(v)) return strdup(cJSON_IsTrue(v) ? "true" : "false");
    double d = v->valuedouble;
    if (d == (double)(long long)d && d > -1e15 && d < 1e15) {
        snprintf(num, sizeof num, "%lld", (long long)d);
        return strdup(num);
    }
    for (int prec = 1; prec <= 17; prec++) {
        snprintf(num, sizeof num, "%.*g", prec, v->valuedouble);
        if (strtod(num, NULL) == v->valuedouble) break;
    }
    return strdup(num);
}

static void read_format_options(reading *r, const cJSON *fmt, const char *fpointer)
{
    chronicle_report_def *def = r->def;
    if (!cJSON_IsObject(fmt)) {
        fail(r, CHRONICLE_DIAG_TYPE, fpointer,
             "expected an object of options (\"%s\": {\"KEY\": VALUE}), found %s", fmt->string,
             chronicle__json_type_name(fmt));
        return;
    }
    const cJSON *o;
    cJSON_ArrayForEach(o, fmt)
    {
        char *at = pointer_join(fpointer, o->string);
        if (!cJSON_IsString(o) && !cJSON_IsNumber(o) && !cJSON_IsBool(o)) {
            fail(r, CHRONICLE_DIAG_TYPE, at ? at : fpointer,
                 "expected a string, a number or true/false, found %s",
                 chronicle__json_type_name(o));
            free(at);
            continue;
        }
        free(at);
        report_option *grown = realloc(def->options, (def->n_options + 1) * sizeof *grown);
        if (!grown) {
            fail(r, CHRONICLE_DIAG_MEMORY, fpointer, "out of memory");
            return;
        }
        def->options = grown;
        report_option *ro = &def->options[def->n_options];
        /* a format.key the file gives again (a second --report) replaces it */
        for (size_t i = 0; i < def->n_options; i++)
            if (!strcmp(def->options[i].format, fmt->string) &&
                !strcmp(def->options[i].key, o->string)) {
                ro = &def->options[i];
                free(ro->value);
                free(ro->path);
                ro->value = option_text(o);
                ro->path = ro->value ? relative_to(r->file, ro->value) : NULL;
                if (!ro->path) fail(r, CHRONICLE_DIAG_MEMORY, fpointer, "out of memory");
                break;
            }
        if (ro != &def->options[def->n_options]) continue;
        ro->format = strdup(fmt->string);
        ro->key = strdup(o->string);
        ro->value = option_text(o);
        ro->path = ro->value ? relative_to(r->file, ro->value) : NULL;
        def->n_options++;
        if (!ro->format || !ro->key || !ro->path)
            fail(r, CHRONICLE_DIAG_MEMORY, fpointer, "out of memory");
    }
}

static void read_options(reading *r, const cJSON *v)
{
    if (!cJSON_IsObject(v)) {
        fail(r, CHRONICLE_DIAG_TYPE, "/options",
             "expected an object (\"options\": {\"pdf\": {\"page-size\": \"letter\"}}), found %s",
             chronicle__json_type_name(v));
        return;
    }
    const cJSON *fmt;
    cJSON_ArrayForEach(fmt, v)
    {
        char *at = pointer_join("/options", fmt->string);
        read_format_options(r, fmt, at ? at : "/options");
        free(at);
    }
}

static void read_member(reading *r, const cJSON *m)
{
    char *at = pointer_join("", m->string);
    const char *where = at ? at : "";
    int meta = !strcmp(m->string, "lang") || !strcmp(m->string, "logo");
    for (int i = 0; i < N_META; i++)
        meta |= !strcmp(m->string, meta_keys[i]);
    if (!strcmp(m->string, "schema")) {
        /* read first, by chronicle_report_def_load */
    } else if (meta && !cJSON_IsString(m)) {
        fail(r, CHRONICLE_DIAG_TYPE, where, "expected a string, found %s",
             chronicle__json_type_name(m));
    } else if (meta && !*m->valuestring) {
        fail(r, CHRONICLE_DIAG_EMPTY, where, "must not be empty (leave the member out instead)");
    } else if (meta) {
        set_meta(r, where, m->string, m->valuestring);
    } else if (!strcmp(m->string, "selection")) {
        read_selection(r, m);
    } else if (!strcmp(m->string, "formats")) {
        read_list(r, m, where, LIST_FORMAT, &r->def->formats, &r->def->n_formats);
    } else if (!strcmp(m->string, "options")) {
        read_options(r, m);
    } else {
        char *show = shown(m->string);
        fail(r, CHRONICLE_DIAG_UNKNOWN_MEMBER, where, "unknown member \"%s\"; valid: %s",
             show ? show : "?", valid_members);
        free(show);
    }
    free(at);
}

chronicle_status chronicle_report_def_load(chronicle_report_def *def, const char *path,
                                           chronicle_diag *diag)
{
    reading r = {.def = def, .diag = diag, .file = path};
    char *buf = NULL;
    size_t len = 0;
    chronicle_status st = slurp(&r, path, &buf, &len);
    if (st != CHRONICLE_OK) return st;
    cJSON *root = parse(&r, buf, len);
    if (!root) {
        free(buf);
        return r.errors ? CHRONICLE_ERR_OPTION : CHRONICLE_ERR_NOMEM;
    }
    if (!cJSON_IsObject(root)) {
        fail(&r, CHRONICLE_DIAG_TYPE, "", "expected a JSON object, found %s",
             chronicle__json_type_name(root));
    } else {
        check_duplicates(&r, root, "");
        const cJSON *schema = cJSON_GetObjectItemCaseSensitive(root, "schema");
        if (!schema)
            fail(&r, CHRONICLE_DIAG_REQUIRED, "/schema",
                 "required member is missing (\"schema\": \"chronicle/report@1\")");
        else
            read_schema(&r, schema);
        const cJSON *m;
        cJSON_ArrayForEach(m, root) read_member(&r, m);
        char *copy = strdup(path);
        if (copy) {
            free(def->file);
            def->file = copy;
        }
    }
    cJSON_Delete(root);
    free(buf);
    return r.errors ? CHRONICLE_ERR_OPTION : CHRONICLE_OK;
}

/* ---- against the plugins ---- */

chronicle_status chronicle__report_readable_file(const char *path, chronicle_buf *why)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    struct stat sb;
    int err = fd < 0 || fstat(fd, &sb) != 0 ? errno : S_ISREG(sb.st_mode) ? 0 : EINVAL;
    if (fd >= 0) close(fd);
    if (!err) return CHRONICLE_OK;
    chronicle_buf_appendf(why, "cannot be read: %s",
                          err == EINVAL ? "not a regular file" : strerror(err));
    return CHRONICLE_ERR_OPTION;
}

void chronicle__report_say_load_output(chronicle_diag *diag, const chronicle_plugin_info *info)
{
    for (const char *s = info->load_output; s && *s;) {
        size_t n = strcspn(s, "\n");
        chronicle_diag_add_coded(diag, CHRONICLE_DIAG_PLUGIN_OUTPUT, CHRONICLE_SEV_WARNING, NULL, 0,
                                 0, NULL, "%s printed while loading: %.*s", info->name, (int)n, s);
        s += n + (s[n] == '\n');
    }
}

static chronicle_status check_format(reading *r, chronicle_registry *reg, const char *name,
                                     const char *pointer, chronicle_plugin_info **out)
{
    chronicle_plugin_info *info = chronicle_registry_find(reg, name);
    *out = NULL;
    if (!info) {
        chronicle_buf known = CHRONICLE_BUF_INIT;
        for (size_t k = 0; k < chronicle_registry_count(reg); k++)
            chronicle_buf_appendf(&known, "%s%s", k ? ", " : "",
                                  chronicle_registry_at(reg, k)->name);
        char *show = shown(name);
        fail(r, CHRONICLE_DIAG_UNKNOWN_FORMAT, pointer,
             "unknown format \"%s\"; available: %s (see: chronicle plugins)", show ? show : "?",
             known.len ? known.ptr : "none found");
        free(show);
        chronicle_buf_free(&known);
        return CHRONICLE_ERR_OPTION;
    }
    if (!info->version && !info->broken) {
        chronicle_registry_probe(reg, info);
        chronicle__report_say_load_output(r->diag, info);
    }
    if (info->broken) {
        chronicle_diag_add_coded(r->diag, CHRONICLE_DIAG_PLUGIN, CHRONICLE_SEV_ERROR, info->path, 0,
                                 0, NULL, "%s", info->reason);
        return CHRONICLE_ERR_UNSUPPORTED;
    }
    *out = info;
    return CHRONICLE_OK;
}

static chronicle_status check_option(reading *r, const chronicle_plugin_info *info,
                                     const report_option *ro, const char *pointer)
{
    for (size_t i = 0; i < info->n_options; i++) {
        const chronicle_option_info *o = &info->options[i];
        if (strcmp(o->name, ro->key)) continue;
        chronicle_opt_value value;
        chronicle_buf why = CHRONICLE_BUF_INIT;
        chronicle_status st = chronicle_opt_parse(o, ro->value, &value, &why);
        if (st == CHRONICLE_OK && o->type == CHRONICLE_OPT_PATH)
            st = chronicle__report_readable_file(ro->path, &why);
        if (st != CHRONICLE_OK) {
            char *show = shown(ro->value);
            fail(r, CHRONICLE_DIAG_OPTION, pointer, "%s.%s \"%s\" %s", info->name, o->name,
                 show ? show : "?", chronicle_buf_cstr(&why));
            free(show);
        }
        chronicle_buf_free(&why);
        return st;
    }
    chronicle_buf valid = CHRONICLE_BUF_INIT;
    for (size_t i = 0; i < info->n_options; i++)
        chronicle_buf_appendf(&valid, "%s%s", i ? ", " : "", info->options[i].name);
    char *show = shown(ro->key);
    fail(r, CHRONICLE_DIAG_UNKNOWN_OPTION, pointer, "unknown option \"%s\" for %s; valid: %s",
         show ? show : "?", info->name, valid.len ? valid.ptr : "(this format has no options)");
    free(show);
    chronicle_buf_free(&valid);
    return CHRONICLE_ERR_OPTION;
}

chronicle_status chronicle_report_def_check(const chronicle_report_def *def,
                                            chronicle_registry *reg, chronicle_diag *diag)
{
    reading r = {.def = (chronicle_report_def *)def, .diag = diag, .file = def->file};
    chronicle_status worst = CHRONICLE_OK;
    chronicle_plugin_info *info;
    for (size_t i = 0; i < def->n_formats; i++) {
        char *at = pointer_index("/formats", i);
        chronicle_status st = check_format(&r, reg, def->formats[i], at ? at : "/formats", &info);
        if (st != CHRONICLE_OK && worst != CHRONICLE_ERR_UNSUPPORTED) worst = st;
        free(at);
    }
    for (size_t i = 0; i < def->n_options; i++) {
        const report_option *ro = &def->options[i];
        char *fat = pointer_join("/options", ro->format), *at = option_pointer(ro);
        int first = 1; /* one message for a format, not one per option */
        for (size_t j = 0; j < i; j++)
            first &= strcmp(def->options[j].format, ro->format) != 0;
        chronicle_status st = CHRONICLE_OK;
        if (!first) {
            info = chronicle_registry_find(reg, ro->format);
            if (!info || info->broken) info = NULL, st = CHRONICLE_ERR_OPTION;
        } else {
            st = check_format(&r, reg, ro->format, fat ? fat : "/options", &info);
        }
        if (info) st = check_option(&r, info, ro, at ? at : "/options");
        if (st != CHRONICLE_OK && worst != CHRONICLE_ERR_UNSUPPORTED) worst = st;
        free(fat);
        free(at);
    }
    return worst;
}
