#include <stdint.h>
#include "drivers/semihost.h"
#include "lib/string.h"

#define SYS_OPEN  0x01
#define SYS_WRITE 0x05

long semihost_trap(long op, void *arg); /* arch/semihost.S */

static long semihost_call(long op, void *arg)
{
	return semihost_trap(op, arg);
}

long semihost_open(const char *path, int mode)
{
	long args[3] = { (long)path, mode, (long)strlen(path) };

	return semihost_call(SYS_OPEN, args);
}

long semihost_write(long fd, const void *buf, size_t len)
{
	long args[3] = { fd, (long)buf, (long)len };

	return semihost_call(SYS_WRITE, args);
}
