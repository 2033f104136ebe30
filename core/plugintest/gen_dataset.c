/*
 * gen_dataset.c — writes the generated fixture the test kit installs
 * (generated-1k.json): gen-dataset N OUTPUT.  The same generator as
 * plugin-check's large dataset (core/src/generate.c).
 */
#include <stdio.h>
#include <stdlib.h>

#include "generate.h"

int main(int argc, char **argv)
{
    if (argc != 3) {
        fputs("usage: gen-dataset N OUTPUT\n", stderr);
        return 64;
    }
    FILE *f = fopen(argv[2], "wb");
    if (!f) {
        perror(argv[2]);
        return 73;
    }
    chronicle_status st = chronicle__generate_dataset(f, (size_t)strtoul(argv[1], NULL, 10), 1);
    if (fclose(f) != 0 || st != CHRONICLE_OK) {
        fprintf(stderr, "gen-dataset: cannot write %s\n", argv[2]);
        return 74;
    }
    return 0;
}
