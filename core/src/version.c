/*
 * version.c — the running library's version (chronicle/version.h): what
 * the library was built as, whatever headers its caller was compiled with.
 */
#include "chronicle/version.h"

const char *chronicle_version(void)
{
    return CHRONICLE_VERSION_STRING;
}

unsigned chronicle_version_number(void)
{
    return CHRONICLE_VERSION_NUMBER;
}
