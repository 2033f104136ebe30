/*
 * sanitize.h — CHRONICLE_UNDER_ASAN is 1 when AddressSanitizer instruments
 * this build (GCC and clang spell it differently).  Custom allocators step
 * aside then, so every object keeps its own redzones.  Internal: not part
 * of the plugin SDK.
 */
#ifndef CHRONICLE_SANITIZE_H
#define CHRONICLE_SANITIZE_H

#if defined(__SANITIZE_ADDRESS__)
#define CHRONICLE_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHRONICLE_UNDER_ASAN 1
#endif
#endif
#ifndef CHRONICLE_UNDER_ASAN
#define CHRONICLE_UNDER_ASAN 0
#endif

#endif
