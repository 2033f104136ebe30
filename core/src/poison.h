/*
 * poison.h — an event copied into memory of its own, poisoned when the
 * next one is read: how plugin-check and the test kit catch a plugin that
 * declares CHRONICLE_PLUGIN_ONE_EVENT and keeps an event anyway.  A kept
 * view then reads unmapped memory (PROT_NONE) and crashes at the line
 * that reads it, instead of reading stale data by luck.
 */
#ifndef CHRONICLE_POISON_H
#define CHRONICLE_POISON_H

#include "chronicle/plugin.h"

typedef struct chronicle_poison chronicle_poison;

/* Caller owns the result; free with chronicle__poison_free().  NULL: no memory. */
chronicle_poison *chronicle__poison_new(void);
/* Unmaps every copy, poisoned or not. */
void chronicle__poison_free(chronicle_poison *p);

/* Returns a deep copy of ev (its strings, arrays, participants, activities,
 * statements and figures; not the sources, which stay valid), valid until
 * the next call, which overwrites it with 0xA5 bytes and makes it
 * inaccessible.  NULL when ev is NULL or memory ran out. */
const chronicle_event *chronicle__poison_next(chronicle_poison *p, const chronicle_event *ev);

#endif
