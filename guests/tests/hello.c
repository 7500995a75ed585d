/*
 * hello: the three ways a guest can print.
 *   hello: uart ok          written to the ns16550a registers
 *   hello: sbi dbcn ok      SBI DBCN console_write from a buffer in guest RAM
 *   hello: legacy ok        legacy SBI console_putchar, one call per byte
 *   hello: done vcpu=<id>
 */
#include "guest.h"

const char guest_name[] = "hello";

static char dbcn_line[] = "hello: sbi dbcn ok\r\n";

/* console_write may write fewer bytes than asked (SBI v2.0, DBCN). */
static long dbcn_write_all(const char *buf, unsigned long len)
{
	while (len) {
		struct sbiret r = sbi_debug_console_write(len, (uintptr_t)buf, 0);

		if (r.error)
			return r.error;
		if (r.value <= 0 || (unsigned long)r.value > len)
			return SBI_ERR_FAILED;
		buf += r.value;
		len -= (unsigned long)r.value;
	}
	return SBI_SUCCESS;
}

static void legacy_puts(const char *s)
{
	for (; *s; s++)
		sbi_console_putchar(*s);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	long err;

	(void)dtb;
	uart_puts("hello: uart ok\n");
	err = dbcn_write_all(dbcn_line, sizeof(dbcn_line) - 1);
	if (err)
		printf("hello: sbi dbcn FAIL error=%ld\n", err);
	legacy_puts("hello: legacy ok\r\n");
	printf("hello: done vcpu=%lu\n", hartid);
}
