/*
 * child.h — what every process chronicle forks to run plugin code sets
 * first: the faults a plugin may cause end the child by their signal, as the
 * parent reports them ("killed by signal 11 (SIGSEGV)"), whatever handler
 * the embedding program had installed (Python's faulthandler, a crash
 * reporter) — one that would print the host program's stack, or go on.
 */
#ifndef CHRONICLE_CHILD_H
#define CHRONICLE_CHILD_H

#include <signal.h>

static inline void chronicle__child_default_faults(void)
{
    static const int faults[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT};
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
        signal(faults[i], SIG_DFL);
}

#endif
