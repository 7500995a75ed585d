/* printf to the UART: %d %i %u %x %X %s %c %p %%, with l/ll, zero-pad and
 * width (e.g. %08lx).  "\n" is sent as "\r\n".  Lines from several harts
 * never interleave within one call. */
#ifndef GT_PRINTF_H
#define GT_PRINTF_H

#include <stdarg.h>
#include <stddef.h>

__attribute__((format(printf, 1, 2))) int printf(const char *fmt, ...);
int vprintf(const char *fmt, va_list ap);
/* Formats into buf (always NUL-terminated); returns the length written. */
__attribute__((format(printf, 3, 4))) int snprintf(char *buf, size_t size,
						   const char *fmt, ...);
int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

#endif
