/*
 * generate.h — a synthetic dataset of any size in the shape of
 * tests/tools/gen_events.py (formats/events-v1): for plugin-check's large
 * run and the test kit's generated fixture.  Deterministic: the same
 * (n_events, seed) give the same bytes.
 */
#ifndef CHRONICLE_GENERATE_H
#define CHRONICLE_GENERATE_H

#include <stddef.h>
#include <stdio.h>

#include "chronicle/plugin.h"

/* Writes the dataset as JSON to f; CHRONICLE_ERR_IO if a write fails. */
chronicle_status chronicle__generate_dataset(FILE *f, size_t n_events, unsigned seed);

#endif
