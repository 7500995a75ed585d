/*
 * What spec/ needs from its environment: the C library's snprintf, for the
 * decoders' text.  spec/ is freestanding and sits below lib/, so it names
 * the function and does not include lib/: the host's libc provides it in
 * the unit tests and fuzzers, lib/printf.c in the hypervisor (lib/printf.h
 * includes this header for it).
 */
#ifndef SPEC_ENV_H
#define SPEC_ENV_H

#include <stddef.h>

int snprintf(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
