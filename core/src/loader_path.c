/*
 * loader_path.c — where the loader is, and what it says there: the JSON
 * pointer of the value being converted (RFC 6901) and the diagnostics that
 * carry it.  The pointer is kept as segments (loader.h) and only turned
 * into text when a message needs it.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "chronicle/utf8.h"
#include "loader.h"

char *chronicle__path_text(const loader *L)
{
    chronicle_buf b = CHRONICLE_BUF_INIT;
    chronicle_buf_puts(&b, "");
    for (size_t i = 0; i < L->depth && i < PATH_MAX_DEPTH; i++) {
        const path_seg *seg = &L->path[i];
        if (!seg->key) {
            chronicle_buf_appendf(&b, "/%zu", seg->index);
            continue;
        }
        chronicle_buf_putc(&b, '/');
        for (const char *k = seg->key; *k; k++)
            chronicle_buf_puts(&b, *k == '~' ? "~0" : *k == '/' ? "~1" : (char[]){*k, 0});
    }
    return chronicle_buf_steal(&b);
}

void chronicle__load_error(loader *L, chronicle_diag_code code, const char *member, const char *fmt,
                           ...)
{
    size_t mark = member ? path_push_key(L, member) : L->depth;
    chronicle_buf msg = CHRONICLE_BUF_INIT;
    va_list ap;
    va_start(ap, fmt);
    chronicle_status st = chronicle_buf_vappendf(&msg, fmt, ap);
    va_end(ap);
    if (st != CHRONICLE_OK) L->oom = 1;
    char *where = chronicle__path_text(L);
    if (!where) L->oom = 1;
    chronicle_diag_add_coded(L->diag, code, CHRONICLE_SEV_ERROR, L->file, 0, 0, where ? where : "",
                             "%s", chronicle_buf_cstr(&msg));
    free(where);
    chronicle_buf_free(&msg);
    path_pop(L, mark);
}

void chronicle__load_warning(loader *L, chronicle_diag_code code, const char *fmt, const char *arg)
{
    if (L->again) return; /* told when the dataset was loaded */
    char *where = chronicle__path_text(L);
    chronicle_diag_add_coded(L->diag, code, CHRONICLE_SEV_WARNING, L->file, 0, 0,
                             where ? where : "", fmt, arg);
    free(where);
}

const char *chronicle__json_type_name(const cJSON *v)
{
    if (cJSON_IsString(v)) return "a string";
    if (cJSON_IsNumber(v)) return "a number";
    if (cJSON_IsBool(v)) return "a boolean";
    if (cJSON_IsNull(v)) return "null";
    if (cJSON_IsArray(v)) return "an array";
    return "an object";
}

int chronicle__shown_len(const char *s)
{
    size_t n = strlen(s), cut = 0;
    while (cut < n && cut < 40) {
        uint32_t cp;
        size_t k = chronicle_utf8_decode(s + cut, n - cut, &cp);
        if (!k || cut + k > 40) break;
        cut += k;
    }
    return (int)cut;
}
