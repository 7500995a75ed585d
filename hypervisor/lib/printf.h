/* printf into a buffer or through a character sink; %d %i %u %x %lx %llx %s %c %p %% plus widths and 0 padding. */
#ifndef LIB_PRINTF_H
#define LIB_PRINTF_H

#include <stdarg.h>
#include <stddef.h>
#include "spec/env.h" /* snprintf */

typedef void (*putc_fn)(void *ctx, char c);

int vcbprintf(putc_fn out, void *ctx, const char *fmt, va_list ap);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
