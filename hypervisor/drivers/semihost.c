#include <stdint.h>
#include "drivers/semihost.h"
#include "lib/string.h"

#define SYS_OPEN  0x01
#define SYS_WRITE 0x05

static long semihost_call(long op, void *arg)
{
	register long a0 __asm__("a0") = op;
	register long a1 __asm__("a1") = (long)arg;

	/* The three-instruction sequence is what marks the ebreak as a call. */
	__asm__ volatile(".option push\n.option norvc\n"
			 ".balign 16\n"
			 "slli zero, zero, 0x1f\n"
			 "ebreak\n"
			 "srai zero, zero, 7\n"
			 ".option pop\n"
			 : "+r"(a0) : "r"(a1) : "memory");
	return a0;
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
