/*
 * hostile: one way per mode for a guest to hurt the hypervisor or its
 * neighbours, each a regression test of a fixed bug.  Bootargs
 * "hostile=<mode>" picks it (tests/system/test_hostile.py runs each as VM 1
 * next to xv6):
 *   srst2      two vCPUs call SBI SRST cold reboot at the same moment, at
 *              every boot (a reboot loop):   hostile: srst2 boot
 *   wfi-timer  interrupts masked (sstatus.SIE = 0, sie = 0), timer set in
 *              the past, wfi forever:        hostile: wfi-timer halting
 *   dbcn       two vCPUs hand SBI DBCN write a 16 MiB buffer, again and
 *              again:                        hostile: dbcn first write returned N
 *   hsm        vCPU 1 turns paging and SIE on and stops; vCPU 0 restarts it
 *              as soon as it can, 1000 times; each restart
 *              must see satp = 0 and SIE = 0 (SBI HSM hart_start):
 *                                            hostile: hsm 1000 restarts, N bad
 *              then vCPU 0 stops too, and the VM has no vCPU left.
 *   ptmmio     a VS-stage table whose non-leaf entry points at the UART; a
 *              store, a load and a fetch through it:
 *                                            hostile: ptmmio <access> scause=0x.. stval=0x..
 *   uwfi       WFI in U-mode:                hostile: uwfi scause=0x.. stval=0x..
 *   vinsn      a WFI (woken by its timer), then an instruction that raises a
 *              virtual-instruction exception (HLV.B from VS): the guest gets
 *              an illegal-instruction exception, the vCPU never sleeps:
 *                                            hostile: vinsn scause=0x2
 *   amo        AMOs on a device register (the PLIC priority of source 1):
 *              read-modify-write as QEMU does them:
 *                                            hostile: amo add old=2 now=5, swap old=5 now=1
 *   ebreak     its own ebreaks, 300 of them, each handled by its own trap
 *              handler (while a debugger has breakpoints in the VM, hvscope
 *              takes them first and must hand them over):
 *                                            hostile: ebreak 300 of 300 delivered
 *   sysfail    SBI SRST shutdown reporting a system failure: hvscope stops
 *              the VM with a report (in gdb, when a debugger is attached):
 *                                            hostile: sysfail now
 * Every mode that ends prints "hostile: done".
 */
#include "guest.h"

const char guest_name[] = "hostile";

#define SATP_SV39    (8UL << 60)
#define PTE_V	     (1UL << 0)
#define PTE_R	     (1UL << 1)
#define PTE_W	     (1UL << 2)
#define PTE_X	     (1UL << 3)
#define PTE_A	     (1UL << 6)
#define PTE_D	     (1UL << 7)
#define PTE_LEAF     (PTE_V | PTE_R | PTE_W | PTE_X | PTE_A | PTE_D)
#define GIGA(pa)     (((pa) >> 12) << 10) /* PPN field of a PTE */
#define UART_PA	     0x10000000UL
#define PTMMIO_VA    0xc0000000UL /* root entry 3: non-leaf -> the UART */

#define HSM_ROUNDS   1000
#define OPAQUE_DIRTY 1 /* vCPU 1: paging on, SIE on, stop */
#define OPAQUE_CHECK 2 /* vCPU 1: record satp and SIE, stop */

#define FLOOD_BASE   0x80400000UL
#define FLOOD_SIZE   (16UL << 20)

static uint64_t root[512] __attribute__((aligned(4096)));
enum { MODE_NONE,
       MODE_SRST2,
       MODE_WFI_TIMER,
       MODE_DBCN,
       MODE_HSM,
       MODE_PTMMIO,
       MODE_UWFI,
       MODE_AMO,
       MODE_VINSN,
       MODE_EBREAK,
       MODE_SYSFAIL };
static int hostile_mode;
static uint64_t timebase;
static volatile int go, arrived;
static volatile unsigned long seen_satp, seen_sie, checked;
static volatile unsigned long trap_scause, trap_stval;
static volatile int trapped;

/* Identity gigapages for the devices (0..1 GiB) and RAM (2..3 GiB). */
static unsigned long identity_satp(void)
{
	root[0] = GIGA(0UL) | PTE_LEAF;
	root[2] = GIGA(0x80000000UL) | PTE_LEAF;
	__asm__ volatile("sfence.vma" ::
				 : "memory");
	return SATP_SV39 | (uintptr_t)root >> 12;
}

/* Catches the one exception a mode provokes; the mode decides where to go on. */
static int hostile_trap(struct trap_frame *tf)
{
	if (trap_is_interrupt(tf->scause))
		return 0;
	trap_scause = tf->scause;
	trap_stval = tf->stval;
	trapped = 1;
	if (tf->scause == CAUSE_FETCH_ACCESS || tf->scause == CAUSE_FETCH_PAGE_FAULT)
		tf->sepc = tf->regs[1]; /* a call through a bad pointer: back to ra */
	else if (!(tf->sstatus & SSTATUS_SPP)) {
		tf->sepc = tf->regs[1]; /* from U-mode: back to S at ra */
		csr_set(sstatus, SSTATUS_SPP);
	} else
		trap_skip_insn(tf);
	return 1;
}

static void both_vcpus(unsigned long opaque)
{
	struct sbiret r = sbi_hart_start(1, (uintptr_t)_secondary_start, opaque);

	if (r.error)
		printf("hostile: FAIL hart_start: %ld\n", r.error);
}

/* ---- srst2 ---- */

static void srst_now(void)
{
	__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL);
	while (!__atomic_load_n(&go, __ATOMIC_ACQUIRE))
		;
	sbi_system_reset(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
	printf("hostile: FAIL srst returned on vcpu %lu\n", hart_id());
}

static void mode_srst2(void)
{
	printf("hostile: srst2 boot\n");
	both_vcpus(0);
	while (__atomic_load_n(&arrived, __ATOMIC_ACQUIRE) < 1)
		;
	__atomic_add_fetch(&arrived, 1, __ATOMIC_ACQ_REL);
	__atomic_store_n(&go, 1, __ATOMIC_RELEASE);
	sbi_system_reset(SBI_SRST_TYPE_COLD_REBOOT, SBI_SRST_REASON_NONE);
	printf("hostile: FAIL srst returned on vcpu 0\n");
}

/* ---- wfi-timer ---- */

static void mode_wfi_timer(void)
{
	printf("hostile: wfi-timer halting\n");
	csr_clear(sstatus, SSTATUS_SIE);
	csr_write(sie, 0);
	sbi_set_timer(0);
	for (;;)
		wfi();
}

/* ---- dbcn ---- */

static void flood(void)
{
	for (;;)
		sbi_debug_console_write(FLOOD_SIZE, FLOOD_BASE, 0);
}

static void mode_dbcn(void)
{
	static const char line[] = "hostile: dbcn flood, a line the hypervisor must not choke on\n";
	char *p = (char *)FLOOD_BASE;
	struct sbiret r;

	for (unsigned long i = 0; i < FLOOD_SIZE; i++)
		p[i] = line[i % (sizeof(line) - 1)];
	r = sbi_debug_console_write(FLOOD_SIZE, FLOOD_BASE, 0);
	printf("\nhostile: dbcn first write returned %ld (error %ld)\n", r.value, r.error);
	/* Two seconds for whoever watches to look away (the flood is not for a terminal). */
	for (uint64_t end = rdtime() + 2 * timebase; rdtime() < end;)
		;
	both_vcpus(0);
	flood();
}

/* ---- hsm ---- */

static void wait_stopped(void)
{
	while (sbi_hart_get_status(1).value != SBI_HSM_STATE_STOPPED)
		;
}

static void mode_hsm(void)
{
	unsigned bad = 0;

	identity_satp();
	for (unsigned i = 0; i < HSM_ROUNDS; i++) {
		both_vcpus(OPAQUE_DIRTY);
		/* Half the rounds poll get_status first (as Linux's CPU hotplug
		 * does), half retry hart_start until it takes: both race the old
		 * hart's save of vCPU 1's state. */
		if (i % 2)
			wait_stopped();
		checked = 0;
		while (sbi_hart_start(1, (uintptr_t)_secondary_start, OPAQUE_CHECK).error ==
		       SBI_ERR_ALREADY_AVAILABLE)
			;
		wait_stopped();
		if (!checked || seen_satp != 0 || seen_sie != 0) {
			if (bad++ < 3)
				printf("hostile: hsm restart %u saw satp=0x%lx SIE=%lu\n", i, seen_satp, seen_sie);
		}
	}
	printf("hostile: hsm %u restarts, %u bad\n", HSM_ROUNDS, bad);
	printf("hostile: done\n");
	sbi_hart_stop();
	printf("hostile: FAIL hart_stop returned\n");
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	switch (opaque) {
	case OPAQUE_CHECK:
		/* Before anything here changes them: what hart_start left us. */
		seen_satp = csr_read(satp);
		seen_sie = csr_read(sstatus) & SSTATUS_SIE;
		checked = 1;
		sbi_hart_stop();
		break;
	case OPAQUE_DIRTY:
		csr_write(satp, identity_satp());
		__asm__ volatile("sfence.vma" ::
					 : "memory");
		csr_set(sstatus, SSTATUS_SIE);
		sbi_hart_stop();
		break;
	default:
		/* srst2 and dbcn: the second vCPU does what the first does. */
		if (hostile_mode == MODE_SRST2)
			srst_now();
		else if (hostile_mode == MODE_DBCN)
			flood();
	}
	guest_halt();
}

/* ---- ptmmio ---- */

static void try_ptmmio(const char *what, int kind)
{
	volatile uint8_t *p = (volatile uint8_t *)PTMMIO_VA;

	trapped = 0;
	if (kind == 0)
		*p = '~';
	else if (kind == 1)
		(void)*(volatile uint32_t *)p;
	else
		((void (*)(void))PTMMIO_VA)();
	if (trapped)
		printf("hostile: ptmmio %s scause=0x%lx stval=0x%lx\n", what, trap_scause, trap_stval);
	else
		printf("hostile: ptmmio %s no trap\n", what);
}

static void mode_ptmmio(void)
{
	unsigned long satp = identity_satp();

	root[PTMMIO_VA >> 30] = GIGA(UART_PA) | PTE_V; /* non-leaf: next table is the UART */
	csr_write(satp, satp);
	__asm__ volatile("sfence.vma" ::
				 : "memory");
	try_ptmmio("store", 0);
	try_ptmmio("load", 1);
	try_ptmmio("fetch", 2);
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::
				 : "memory");
	printf("hostile: done\n");
}

/* ---- uwfi ---- */

__attribute__((noinline)) static void user_wfi(void)
{
	__asm__ volatile("wfi" ::
				 : "memory");
}

static void mode_uwfi(void)
{
	trapped = 0;
	/* sret into U-mode at user_wfi with ra = where the trap hook resumes. */
	__asm__ volatile(
		"la ra, 1f\n"
		"csrw sepc, %0\n"
		"csrc sstatus, %1\n"
		"sret\n"
		"1:\n" ::"r"(user_wfi),
		"r"(SSTATUS_SPP)
		: "ra", "memory");
	if (trapped)
		printf("hostile: uwfi scause=0x%lx stval=0x%lx\n", trap_scause, trap_stval);
	else
		printf("hostile: uwfi no trap\n");
	printf("hostile: done\n");
}

/* ---- amo ---- */

static void mode_amo(void)
{
	volatile uint32_t *prio = (volatile uint32_t *)PLIC_PRIORITY(1);
	uint32_t old_add, after_add, old_swap, after_swap;

	*prio = 2;
	__asm__ volatile("amoadd.w %0, %2, (%1)"
			 : "=r"(old_add)
			 : "r"(prio), "r"(3)
			 : "memory");
	after_add = *prio;
	__asm__ volatile("amoswap.w %0, %2, (%1)"
			 : "=r"(old_swap)
			 : "r"(prio), "r"(1)
			 : "memory");
	after_swap = *prio;
	printf("hostile: amo add old=%u now=%u, swap old=%u now=%u\n", old_add, after_add, old_swap, after_swap);
	printf("hostile: done\n");
}

/* ---- vinsn ---- */

static void mode_vinsn(void)
{
	unsigned long x = 0;

	csr_clear(sstatus, SSTATUS_SIE);
	sbi_set_timer(rdtime() + timebase / 100);
	csr_write(sie, SIE_STIE);
	wfi(); /* wakes on vsip & vsie, SIE stays 0 */
	csr_write(sie, 0);
	sbi_set_timer(~0UL);
	trapped = 0;
	__asm__ volatile(".insn r 0x73, 4, 0x30, %0, %1, x0"
			 : "=r"(x)
			 : "r"(0x80200000UL)); /* hlv.b */
	(void)x;
	if (trapped)
		printf("hostile: vinsn scause=0x%lx\n", trap_scause);
	else
		printf("hostile: vinsn no trap\n");
	printf("hostile: done\n");
}

/* ---- ebreak ---- */

#define EBREAKS 300

static void mode_ebreak(void)
{
	unsigned delivered = 0;

	for (unsigned i = 0; i < EBREAKS; i++) {
		uint64_t until = rdtime() + timebase / 1000;
		trapped = 0;
		__asm__ volatile("ebreak" ::
					 : "memory");
		if (trapped && trap_scause == CAUSE_BREAKPOINT)
			delivered++;
		while (rdtime() < until)
			;
	}
	printf("hostile: ebreak %u of %u delivered\n", delivered, EBREAKS);
	printf("hostile: done\n");
}

/* ---- sysfail ---- */

static void mode_sysfail(void)
{
	printf("hostile: sysfail now\n");
	sbi_system_reset(SBI_SRST_TYPE_SHUTDOWN, SBI_SRST_REASON_SYSFAIL);
	printf("hostile: FAIL sysfail returned\n");
}

/* ---- dispatch ---- */

static const struct {
	const char *name;
	void (*fn)(void);
} modes[] = {
	[MODE_NONE] = { "none", 0 },
	[MODE_SRST2] = { "srst2", mode_srst2 },
	[MODE_WFI_TIMER] = { "wfi-timer", mode_wfi_timer },
	[MODE_DBCN] = { "dbcn", mode_dbcn },
	[MODE_HSM] = { "hsm", mode_hsm },
	[MODE_PTMMIO] = { "ptmmio", mode_ptmmio },
	[MODE_UWFI] = { "uwfi", mode_uwfi },
	[MODE_AMO] = { "amo", mode_amo },
	[MODE_VINSN] = { "vinsn", mode_vinsn },
	[MODE_EBREAK] = { "ebreak", mode_ebreak },
	[MODE_SYSFAIL] = { "sysfail", mode_sysfail },
};

void guest_main(unsigned long hartid, const void *dtb)
{
	char mode[16];

	(void)hartid;
	timebase = fdt_get_timebase(dtb);
	trap_set_hook(hostile_trap);
	fdt_bootarg(dtb, "hostile", mode, sizeof(mode));
	for (unsigned i = 1; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(mode, modes[i].name)) {
			hostile_mode = (int)i;
			modes[i].fn();
			return;
		}
	printf("hostile: unknown mode '%s'\n", mode);
}
