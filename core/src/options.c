/*
 * options.c — typed option values: parsing user text and declared defaults
 * the same way, and describing a plugin as JSON (the probe's wire format
 * and the `plugins --json` output) and back.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "chronicle/registry.h"
#include "chronicle/utf8.h"
#include "registry_internal.h"

const char *chronicle_opt_type_name(chronicle_opt_type t)
{
    switch (t) {
    case CHRONICLE_OPT_BOOL:
        return "bool";
    case CHRONICLE_OPT_INT:
        return "int";
    case CHRONICLE_OPT_DOUBLE:
        return "number";
    case CHRONICLE_OPT_STRING:
        return "string";
    case CHRONICLE_OPT_ENUM:
        return "enum";
    case CHRONICLE_OPT_PATH:
        return "path";
    case CHRONICLE_OPT_END:
        break;
    }
    return "?";
}

static chronicle_opt_type type_from_name(const char *s)
{
    for (int t = CHRONICLE_OPT_BOOL; t <= CHRONICLE_OPT_PATH; t++)
        if (!strcmp(s, chronicle_opt_type_name((chronicle_opt_type)t)))
            return (chronicle_opt_type)t;
    return CHRONICLE_OPT_END;
}

static int has_range(const chronicle_option_info *o)
{
    return o->min <= o->max;
}

static chronicle_status range_error(const chronicle_option_info *o, chronicle_buf *why,
                                    const char *kind)
{
    if (has_range(o))
        chronicle_buf_appendf(why, "must be %s from %.15g to %.15g", kind, o->min, o->max);
    else
        chronicle_buf_appendf(why, "must be %s", kind);
    return CHRONICLE_ERR_OPTION;
}

chronicle_status chronicle_opt_parse(const chronicle_option_info *o, const char *text,
                                     chronicle_opt_value *out, chronicle_buf *why)
{
    memset(out, 0, sizeof *out);
    char *end = NULL;
    switch (o->type) {
    case CHRONICLE_OPT_BOOL: {
        static const char *const yes[] = {"true", "1", "yes", "on"}, *const no[] = {"false", "0",
                                                                                    "no", "off"};
        for (size_t i = 0; i < 4; i++) {
            if (!strcasecmp(text, yes[i])) out->b = 1, out->set = 1;
            if (!strcasecmp(text, no[i])) out->b = 0, out->set = 1;
        }
        if (!out->set) {
            chronicle_buf_puts(why, "must be true or false");
            return CHRONICLE_ERR_OPTION;
        }
        break;
    }
    case CHRONICLE_OPT_INT:
        errno = 0;
        out->i = strtoll(text, &end, 10);
        if (!*text || *end || errno || (has_range(o) && (out->i < o->min || out->i > o->max)))
            return range_error(o, why, "a whole number");
        out->d = (double)out->i;
        break;
    case CHRONICLE_OPT_DOUBLE:
        errno = 0;
        out->d = strtod(text, &end);
        if (!*text || *end || errno || !isfinite(out->d) ||
            (has_range(o) && (out->d < o->min || out->d > o->max)))
            return range_error(o, why, "a number");
        break;
    case CHRONICLE_OPT_ENUM: {
        int ok = 0;
        for (char **c = o->choices; c && *c && !ok; c++)
            ok = !strcmp(*c, text);
        if (!ok) {
            chronicle_buf_puts(why, "must be one of:");
            for (char **c = o->choices; c && *c; c++)
                chronicle_buf_appendf(why, " %s", *c);
            return CHRONICLE_ERR_OPTION;
        }
        break;
    }
    case CHRONICLE_OPT_PATH:
        if (!*text) {
            chronicle_buf_puts(why, "must be a file path");
            return CHRONICLE_ERR_OPTION;
        }
        break;
    case CHRONICLE_OPT_STRING:
        break;
    case CHRONICLE_OPT_END:
        return CHRONICLE_ERR_INTERNAL;
    }
    out->s = text;
    out->set = 1;
    return CHRONICLE_OK;
}

/* ---- JSON ---- */

static cJSON *info_to_json(const chronicle_plugin_info *p)
{
    cJSON *o = cJSON_CreateObject();
    if (!o) return NULL;
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddStringToObject(o, "path", p->path);
    if (p->load_output) cJSON_AddStringToObject(o, "load_output", p->load_output);
    if (p->broken) {
        cJSON_AddBoolToObject(o, "broken", 1);
        cJSON_AddStringToObject(o, "reason", p->reason ? p->reason : "unknown");
        return o;
    }
    cJSON_AddStringToObject(o, "version", p->version);
    cJSON_AddStringToObject(o, "summary", p->summary);
    cJSON_AddStringToObject(o, "extension", p->extension);
    if (p->media_type) cJSON_AddStringToObject(o, "media_type", p->media_type);
    char abi[32];
    snprintf(abi, sizeof abi, "%u.%u", CHRONICLE_ABI_MAJOR_OF(p->abi_version),
             CHRONICLE_ABI_MINOR_OF(p->abi_version));
    cJSON_AddStringToObject(o, "abi", abi);
    cJSON_AddNumberToObject(o, "struct_size", p->struct_size);
    cJSON *flags = cJSON_AddArrayToObject(o, "flags");
    if (p->flags & CHRONICLE_PLUGIN_STDOUT_OK)
        cJSON_AddItemToArray(flags, cJSON_CreateString("stdout"));
    if (p->flags & CHRONICLE_PLUGIN_NEEDS_PATH)
        cJSON_AddItemToArray(flags, cJSON_CreateString("needs-path"));
    if (p->flags & CHRONICLE_PLUGIN_ONE_EVENT)
        cJSON_AddItemToArray(flags, cJSON_CreateString("one-event"));
    if (p->shadows) cJSON_AddStringToObject(o, "shadows", p->shadows);
    cJSON *opts = cJSON_AddArrayToObject(o, "options");
    for (size_t i = 0; i < p->n_options; i++) {
        const chronicle_option_info *op = &p->options[i];
        cJSON *j = cJSON_CreateObject();
        cJSON_AddItemToArray(opts, j);
        cJSON_AddStringToObject(j, "name", op->name);
        cJSON_AddStringToObject(j, "type", chronicle_opt_type_name(op->type));
        if (op->default_value)
            cJSON_AddStringToObject(j, "default", op->default_value);
        else
            cJSON_AddNullToObject(j, "default");
        cJSON_AddStringToObject(j, "help", op->help ? op->help : "");
        if (op->choices) {
            cJSON *c = cJSON_AddArrayToObject(j, "choices");
            for (char **s = op->choices; *s; s++)
                cJSON_AddItemToArray(c, cJSON_CreateString(*s));
        }
        if (has_range(op) && (op->type == CHRONICLE_OPT_INT || op->type == CHRONICLE_OPT_DOUBLE)) {
            cJSON_AddNumberToObject(j, "min", op->min);
            cJSON_AddNumberToObject(j, "max", op->max);
        }
    }
    return o;
}

chronicle_status chronicle_plugin_info_json(const chronicle_plugin_info *info, chronicle_buf *out)
{
    cJSON *o = info_to_json(info);
    char *text = o ? cJSON_PrintUnformatted(o) : NULL;
    cJSON_Delete(o);
    if (!text) return CHRONICLE_ERR_NOMEM;
    chronicle_status st = chronicle_buf_puts(out, text);
    free(text);
    return st;
}

/* Longest strings kept from a probe's reply; longer ones are cut. */
enum {
    CAP_NAME = 64,
    CAP_VERSION = 64,
    CAP_SUMMARY = 200,
    CAP_EXTENSION = 32,
    CAP_MEDIA_TYPE = 128,
    CAP_REASON = 2000,
    CAP_DEFAULT = 500,
    CAP_HELP = 500,
    CAP_CHOICE = 100
};

static char *clean_string(const cJSON *v, size_t cap)
{
    return cJSON_IsString(v) ? chronicle_utf8_clean(v->valuestring, strlen(v->valuestring), cap, 0)
                             : NULL;
}

static char *dup_member(const cJSON *o, const char *name, size_t cap)
{
    return clean_string(cJSON_GetObjectItemCaseSensitive(o, name), cap);
}

static int parse_options(chronicle_plugin_info *p, const cJSON *arr)
{
    size_t n = (size_t)cJSON_GetArraySize(arr);
    if (!n) return 1;
    if (!(p->options = calloc(n, sizeof *p->options))) return 0;
    const cJSON *j;
    cJSON_ArrayForEach(j, arr)
    {
        chronicle_option_info *op = &p->options[p->n_options++];
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(j, "type");
        op->name = dup_member(j, "name", CAP_NAME);
        op->type = cJSON_IsString(type) ? type_from_name(type->valuestring) : CHRONICLE_OPT_END;
        op->default_value = dup_member(j, "default", CAP_DEFAULT);
        op->help = dup_member(j, "help", CAP_HELP);
        const cJSON *min = cJSON_GetObjectItemCaseSensitive(j, "min");
        const cJSON *max = cJSON_GetObjectItemCaseSensitive(j, "max");
        op->min = cJSON_IsNumber(min) ? min->valuedouble : 1;
        op->max = cJSON_IsNumber(max) ? max->valuedouble : 0;
        const cJSON *choices = cJSON_GetObjectItemCaseSensitive(j, "choices");
        if (cJSON_IsArray(choices)) {
            size_t k = 0, nc = (size_t)cJSON_GetArraySize(choices);
            if (!(op->choices = calloc(nc + 1, sizeof *op->choices))) return 0;
            const cJSON *c;
            cJSON_ArrayForEach(c, choices)
            {
                if (cJSON_IsString(c)) op->choices[k++] = clean_string(c, CAP_CHOICE);
            }
        }
        if (!op->name) return 0;
    }
    return 1;
}

int chronicle__plugin_info_from_json(chronicle_plugin_info *p, const char *text, size_t len)
{
    cJSON *o = cJSON_ParseWithLength(text, len);
    if (!cJSON_IsObject(o)) {
        cJSON_Delete(o);
        return 0;
    }
    int ok = 1;
    if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "broken"))) {
        p->broken = 1;
        p->reason = dup_member(o, "reason", CAP_REASON);
    } else {
        p->version = dup_member(o, "version", CAP_VERSION);
        p->summary = dup_member(o, "summary", CAP_SUMMARY);
        p->extension = dup_member(o, "extension", CAP_EXTENSION);
        p->media_type = dup_member(o, "media_type", CAP_MEDIA_TYPE);
        const cJSON *abi = cJSON_GetObjectItemCaseSensitive(o, "abi");
        unsigned maj = 0, min = 0;
        if (cJSON_IsString(abi)) sscanf(abi->valuestring, "%u.%u", &maj, &min);
        p->abi_version = CHRONICLE_ABI(maj, min);
        const cJSON *size = cJSON_GetObjectItemCaseSensitive(o, "struct_size");
        /* range-checked first: converting inf or 1e10 to uint32_t is undefined */
        p->struct_size =
            cJSON_IsNumber(size) && size->valuedouble >= 0 && size->valuedouble <= UINT32_MAX
                ? (uint32_t)size->valuedouble
                : 0;
        const cJSON *f;
        cJSON_ArrayForEach(f, cJSON_GetObjectItemCaseSensitive(o, "flags"))
        {
            if (cJSON_IsString(f) && !strcmp(f->valuestring, "stdout"))
                p->flags |= CHRONICLE_PLUGIN_STDOUT_OK;
            if (cJSON_IsString(f) && !strcmp(f->valuestring, "needs-path"))
                p->flags |= CHRONICLE_PLUGIN_NEEDS_PATH;
            if (cJSON_IsString(f) && !strcmp(f->valuestring, "one-event"))
                p->flags |= CHRONICLE_PLUGIN_ONE_EVENT;
        }
        ok = p->version && p->summary && p->extension &&
             parse_options(p, cJSON_GetObjectItemCaseSensitive(o, "options"));
    }
    cJSON_Delete(o);
    return ok;
}

static void option_info_clear(chronicle_option_info *op)
{
    free(op->name);
    free(op->default_value);
    free(op->help);
    for (char **c = op->choices; c && *c; c++)
        free(*c);
    free(op->choices);
}

void chronicle__plugin_info_clear_probe(chronicle_plugin_info *p)
{
    free(p->reason);
    free(p->version);
    free(p->summary);
    free(p->extension);
    free(p->media_type);
    free(p->load_output);
    for (size_t i = 0; i < p->n_options; i++)
        option_info_clear(&p->options[i]);
    free(p->options);
    p->reason = p->version = p->summary = p->extension = p->media_type = p->load_output = NULL;
    p->options = NULL;
    p->n_options = 0;
    p->broken = 0;
}
