/*
 * timer: periodic timer interrupts every 10 ms, by Sstc (stimecmp) when the
 * hart has it, otherwise by SBI TIME set_timer.
 *   timer: timebase <hz> using sstc|sbi
 *   timer: tick N               every 10 ticks up to 50, then every 100
 *   timer: ok elapsed=<ms>      after 50 ticks, measured with rdtime
 */
#include "guest.h"

const char guest_name[] = "timer";

#define TICK_HZ	 100
#define TICKS_OK 50

static uint64_t timebase;
static uint64_t interval;
static uint64_t start;
static volatile unsigned long ticks;
static int use_sstc;
static volatile int probing;
static volatile int probe_trapped;

static void timer_program(uint64_t when)
{
	if (use_sstc)
		csr_write(stimecmp, when);
	else
		sbi_set_timer(when);
}

static void timer_tick(void)
{
	unsigned long n = ++ticks;

	/* Absolute deadlines: a late interrupt does not shift the next ones. */
	timer_program(start + (n + 1) * interval);
	if (n <= TICKS_OK && n % 10 == 0)
		printf("timer: tick %lu\n", n);
	else if (n % 100 == 0)
		printf("timer: tick %lu\n", n);
	if (n == TICKS_OK)
		printf("timer: ok elapsed=%lu\n",
		       (unsigned long)((rdtime() - start) * 1000 / timebase));
}

static int timer_trap(struct trap_frame *tf)
{
	if (tf->scause == (SCAUSE_INTERRUPT | IRQ_S_TIMER)) {
		timer_tick();
		return 1;
	}
	/* Without Sstc (or with it disabled by menvcfg/henvcfg.STCE) stimecmp
	 * is an illegal instruction. */
	if (probing && tf->scause == CAUSE_ILLEGAL_INSTRUCTION) {
		probe_trapped = 1;
		trap_skip_insn(tf);
		return 1;
	}
	return 0;
}

static int sstc_usable(void)
{
	probing = 1;
	probe_trapped = 0;
	csr_write(stimecmp, -1UL);
	probing = 0;
	return !probe_trapped;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	(void)hartid;
	trap_set_hook(timer_trap);
	timebase = fdt_get_timebase(dtb);
	if (!timebase) {
		printf("timer: FAIL no timebase-frequency in /cpus\n");
		return;
	}
	interval = timebase / TICK_HZ;
	use_sstc = sstc_usable();
	printf("timer: timebase %lu using %s\n", (unsigned long)timebase,
	       use_sstc ? "sstc" : "sbi");
	start = rdtime();
	timer_program(start + interval);
	csr_set(sie, SIE_STIE);
	csr_set(sstatus, SSTATUS_SIE);
}
