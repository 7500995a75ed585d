/*
 * QEMU semihosting (RISC-V semihosting spec, "SYS_OPEN"/"SYS_WRITE"): used to
 * write each VM's console log to a file on the host.  Only used when the boot
 * arguments name a log directory, which `make run` does together with
 * `-semihosting-config enable=on`; without it the magic ebreak would trap.
 */
#ifndef DRIVERS_SEMIHOST_H
#define DRIVERS_SEMIHOST_H

#include <stddef.h>

long semihost_open(const char *path, int mode); /* mode 4 = "w", 8 = "a" */
long semihost_write(long fd, const void *buf, size_t len);

#endif
