/*
 * fuzz_stream.c — libFuzzer harness for the streaming reader of load.c:
 * the input is written to a memory file and loaded from its path, with
 * load.c compiled for a 64-byte window (build.sh), so values are cut at
 * every refill and the resume, line-counting and window-growing paths run.
 * The result must match loading the same bytes from memory: same status,
 * same messages at the same lines and pointers (columns may differ: on a
 * line whose start left the window they count bytes).
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "chronicle/dataset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int same(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static void compare(const chronicle_diag *m, const chronicle_diag *f)
{
    if (chronicle_diag_errors(m) != chronicle_diag_errors(f) ||
        chronicle_diag_count(m) != chronicle_diag_count(f)) {
        fprintf(stderr, "memory: %zu errors, file: %zu errors\n", chronicle_diag_errors(m),
                chronicle_diag_errors(f));
        abort();
    }
    for (size_t i = 0; i < chronicle_diag_count(m); i++) {
        const chronicle_diag_entry *a = chronicle_diag_at(m, i), *b = chronicle_diag_at(f, i);
        /* "cannot open", "read failed" name the path: only the words after it count */
        if (a->severity != b->severity || a->line != b->line || !same(a->pointer, b->pointer) ||
            !same(a->message, b->message)) {
            fprintf(stderr, "entry %zu differs:\n  memory %lu:%lu %s %s\n  file   %lu:%lu %s %s\n",
                    i, a->line, a->col, a->pointer ? a->pointer : "", a->message, b->line, b->col,
                    b->pointer ? b->pointer : "", b->message);
            abort();
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chronicle_load_opts opts = {
        .format = size && (data[0] & 1) ? CHRONICLE_FORMAT_NDJSON : CHRONICLE_FORMAT_JSON};
    int fd = memfd_create("fuzz", MFD_CLOEXEC);
    if (fd < 0) return 0;
    if (write(fd, data, size) != (ssize_t)size) {
        close(fd);
        return 0;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    chronicle_diag *dm = chronicle_diag_new(0), *df = chronicle_diag_new(0);
    chronicle_dataset *m = NULL, *f = NULL;
    /* the same name for both, so messages naming the file agree */
    chronicle_status sm = chronicle_dataset_load_buffer(path, (const char *)data, size, &opts, &m, dm);
    chronicle_status sf = chronicle_dataset_load(path, &opts, &f, df);
    if (sm != sf || !m != !f) {
        fprintf(stderr, "memory: status %d, file: status %d\n", (int)sm, (int)sf);
        abort();
    }
    if (m && chronicle_dataset_event_count(m) != chronicle_dataset_event_count(f)) abort();
    compare(dm, df);
    chronicle_dataset_free(m);
    chronicle_dataset_free(f);
    chronicle_diag_free(dm);
    chronicle_diag_free(df);
    close(fd);
    return 0;
}
