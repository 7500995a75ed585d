#include "arch/sbi_call.h"

struct sbiret sbi_call(long ext, long fid, long a0, long a1, long a2, long a3, long a4, long a5)
{
	register long r0 __asm__("a0") = a0;
	register long r1 __asm__("a1") = a1;
	register long r2 __asm__("a2") = a2;
	register long r3 __asm__("a3") = a3;
	register long r4 __asm__("a4") = a4;
	register long r5 __asm__("a5") = a5;
	register long r6 __asm__("a6") = fid;
	register long r7 __asm__("a7") = ext;

	__asm__ volatile("ecall"
			 : "+r"(r0), "+r"(r1)
			 : "r"(r2), "r"(r3), "r"(r4), "r"(r5), "r"(r6), "r"(r7)
			 : "memory");
	return (struct sbiret){ r0, r1 };
}

void sbi_hart_start(unsigned long hartid, unsigned long start, unsigned long opaque)
{
	sbi_call(SBI_EXT_HSM, 0, hartid, start, opaque, 0, 0, 0);
}

void sbi_send_ipi_hart(unsigned long hartid)
{
	sbi_call(SBI_EXT_IPI, 0, 1, hartid, 0, 0, 0, 0);
}

void sbi_set_timer_fw(uint64_t when)
{
	sbi_call(SBI_EXT_TIME, 0, when, 0, 0, 0, 0, 0);
}

void sbi_shutdown(void)
{
	sbi_call(SBI_EXT_SRST, 0, 0, 0, 0, 0, 0, 0);
}
