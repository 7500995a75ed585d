/*
 * The trace file (docs/tracing.md): `make run TRACE=on` (boot argument
 * hvscope.tracefile=on) or `hv> trace file on` streams every hart's trace
 * ring to <logdir>/trace.hvt on the host through semihosting.
 */
#ifndef CORE_TRACEFILE_H
#define CORE_TRACEFILE_H

#include <stdbool.h>

void tracefile_init(const char *logdir);
int tracefile_open(void);	  /* 0, or -1 with no log directory or no file */
const char *tracefile_path(void); /* "" before tracefile_init with a directory */

#endif
