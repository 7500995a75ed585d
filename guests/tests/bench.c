/*
 * bench: how many instructions the hypervisor spends per exit.
 *
 * Run under QEMU -icount shift=0, `instret` counts every instruction the hart
 * retires, in every mode.  So the guest reads instret around N iterations of
 * a loop that makes an SBI call (or a UART access), and around N iterations
 * of the same loop without it; the difference per iteration is the cost of
 * the trap, the hypervisor's handler and the return.  Natively the same
 * binary measures OpenSBI instead.
 *
 *   bench: sbi-null n=<N> per-call=<instructions>
 *   bench: mmio-uart n=<N> per-access=<instructions>
 *   bench: done
 */
#include "guest.h"

const char guest_name[] = "bench";

#define BENCH_N		2000
#define UART_SCR	(UART_BASE + 7) /* scratch register: a write with no effect */
#define SBI_EXT_BASE_ID 0x10

static inline uint64_t instret(void)
{
	uint64_t v;

	__asm__ volatile("rdinstret %0"
			 : "=r"(v));
	return v;
}

/* The bare SBI calling sequence, and the same sequence without the ecall. */
static inline long null_call(int trap)
{
	register long a0 __asm__("a0") = 0;
	register long a1 __asm__("a1") = 0;
	register long a6 __asm__("a6") = 0; /* get_spec_version */
	register long a7 __asm__("a7") = SBI_EXT_BASE_ID;

	if (trap)
		__asm__ volatile("ecall"
				 : "+r"(a0), "+r"(a1)
				 : "r"(a6), "r"(a7)
				 : "memory");
	else
		__asm__ volatile("nop"
				 : "+r"(a0), "+r"(a1)
				 : "r"(a6), "r"(a7)
				 : "memory");
	return a0;
}

/* Both loops have the same shape; only the ecall differs (it replaces a nop). */
static uint64_t loop_sbi(int call)
{
	uint64_t t0 = instret();

	for (int i = 0; i < BENCH_N; i++) {
		if (call)
			null_call(1);
		else
			null_call(0);
	}
	return instret() - t0;
}

static uint64_t loop_mmio(int access)
{
	uint64_t t0 = instret();

	for (int i = 0; i < BENCH_N; i++) {
		if (access)
			mmio_write8(UART_SCR, (uint8_t)i);
		__asm__ volatile("" ::
					 : "memory");
	}
	return instret() - t0;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	uint64_t with, without;

	(void)hartid;
	(void)dtb;
	loop_sbi(1); /* warm up: the first iterations translate code in QEMU */
	with = loop_sbi(1);
	without = loop_sbi(0);
	printf("bench: sbi-null n=%d per-call=%lu\n", BENCH_N, (unsigned long)((with - without) / BENCH_N));
	loop_mmio(1);
	with = loop_mmio(1);
	without = loop_mmio(0);
	printf("bench: mmio-uart n=%d per-access=%lu\n", BENCH_N, (unsigned long)((with - without) / BENCH_N));
	printf("bench: done\n");
	guest_idle();
}
