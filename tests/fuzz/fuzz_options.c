/*
 * fuzz_options.c — libFuzzer harness for option handling: declared options
 * (type, range, choices) and user values through chronicle_opt_parse(), the
 * probe's JSON description of a plugin (chronicle__plugin_info_from_json() and back),
 * group names through chronicle_safe_filename(), and --split-by keys.
 *
 * Input: byte 0 picks the mode and the type, then either a probe JSON text
 * (mode bit 0x80), or min and max as two raw doubles followed by
 * NUL-separated strings: the value, then up to 16 choices.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chronicle/dataset.h"
#include "chronicle/registry.h"
#include "chronicle/utf8.h"
#include "registry_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHOICES 16

static void check_filename(const char *name)
{
    char *safe = chronicle_safe_filename(name);
    if (!safe) return;
    size_t n = strlen(safe);
    /* the promise of dataset.h: no separators, no leading dot, short, valid UTF-8 */
    if (!n || n > 64 || safe[0] == '.' || strchr(safe, '/') || chronicle_utf8_check(safe, n) != n)
        abort();
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)safe[i] < 0x20 || safe[i] == 0x7F) abort();
    free(safe);
}

static void declared(const uint8_t *data, size_t size)
{
    chronicle_option_info o = {.type = (chronicle_opt_type)(data[0] % 7), .min = 1, .max = 0};
    data++, size--;
    if (size >= 2 * sizeof(double)) {
        memcpy(&o.min, data, sizeof o.min);
        memcpy(&o.max, data + sizeof o.min, sizeof o.max);
        data += 2 * sizeof(double), size -= 2 * sizeof(double);
    }
    /* NUL-terminated copy, split at NULs */
    char *text = malloc(size + 1);
    if (!text) return;
    memcpy(text, data, size);
    text[size] = '\0';
    char *choices[MAX_CHOICES + 1] = {0};
    size_t n = 0;
    for (char *p = text + strlen(text); p < text + size && n < MAX_CHOICES; p += strlen(p)) {
        p++;
        choices[n++] = p;
    }
    if (o.type == CHRONICLE_OPT_ENUM) o.choices = choices;
    chronicle_opt_value v;
    chronicle_buf why = CHRONICLE_BUF_INIT;
    chronicle_status st = chronicle_opt_parse(&o, text, &v, &why);
    if (st == CHRONICLE_OK && (!v.set || v.s != text)) abort();
    if (st == CHRONICLE_ERR_OPTION && !why.len) abort(); /* a refusal always says why */
    chronicle_buf_free(&why);
    check_filename(text);
    (void)chronicle_split_key_parse(text);
    free(text);
}

static void probed(const uint8_t *data, size_t size)
{
    chronicle_plugin_info p = {.name = (char *)"fuzz", .path = (char *)"/fuzz/fuzz.so"};
    if (chronicle__plugin_info_from_json(&p, (const char *)data + 1, size - 1) && !p.broken) {
        chronicle_buf b = CHRONICLE_BUF_INIT;
        chronicle_plugin_info_json(&p, &b);
        chronicle_buf_free(&b);
        for (size_t i = 0; i < p.n_options; i++) {
            chronicle_opt_value v;
            chronicle_buf why = CHRONICLE_BUF_INIT;
            const chronicle_option_info *o = &p.options[i];
            if (o->default_value) chronicle_opt_parse(o, o->default_value, &v, &why);
            if (o->name) check_filename(o->name);
            chronicle_buf_free(&why);
        }
    }
    chronicle__plugin_info_clear_probe(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!size) return 0;
    if (data[0] & 0x80)
        probed(data, size);
    else
        declared(data, size);
    return 0;
}
