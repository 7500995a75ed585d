/*
 * Hypervisor messages: hv_printf.  Everything may log, from the drivers up;
 * the boot code plugs in the writer (the terminal, core/term.c), which
 * starts a hypervisor line on a fresh line of the shared UART.
 */
#ifndef LIB_LOG_H
#define LIB_LOG_H

#include <stdarg.h>

typedef void (*log_writer_fn)(const char *fmt, va_list ap);

void log_set_writer(log_writer_fn writer);
void hv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_vprintf(const char *fmt, va_list ap);

#endif
