#include "lib/log.h"

/* Messages before the boot code plugs a writer in have nowhere to go. */
static log_writer_fn log_writer;

void log_set_writer(log_writer_fn writer)
{
	log_writer = writer;
}

void hv_vprintf(const char *fmt, va_list ap)
{
	if (log_writer)
		log_writer(fmt, ap);
}

void hv_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	hv_vprintf(fmt, ap);
	va_end(ap);
}
