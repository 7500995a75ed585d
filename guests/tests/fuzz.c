/*
 * fuzz: throws random, adversarial but reproducible input at every interface
 * a VM has: SBI calls, MMIO of every width to the devices and the holes
 * between them, the virtio-blk queue, trapping instructions, VS-stage tables
 * that make the hypervisor walk them (A/D emulation, entries in MMIO).
 * scripts/fuzz_guest.py runs it next to xv6 (`make fuzz-guest`).
 *
 * Bootargs "seed=S" seeds the PRNG (xorshift64*); the same seed gives the
 * same sequence of operations.  It prints
 *   fuzz: seed S
 *   fuzz: N ops, seed S, K unexpected answers     (every second)
 *   fuzz: unexpected <what>                        (the first few)
 *   fuzz: FINDING <what>                           (its own state corrupted)
 * An op is one interaction the guest expects to trap to the hypervisor; the
 * harness counts the hypervisor's exits for the VM, not this number.
 *
 * Memory the ops may touch is confined: the virtio queue and its buffers
 * and the fuzzed page tables live in `sandbox`; `guard` is never a target,
 * and a checksum over it finds any write that should not have happened.
 */
#include "guest.h"

const char guest_name[] = "fuzz";

#define RAM_BASE      0x80000000UL
#define UART_BASE     0x10000000UL
#define PLIC_BASE_    0x0c000000UL
#define PLIC_SIZE     0x4000000UL
#define VIRTIO_BASE   0x10001000UL
#define VIRTIO_STRIDE 0x1000UL
#define SANDBOX_SIZE  (64UL << 10)
/*
 * The sandbox's layout.  Everything a device or the hypervisor may write on
 * the guest's behalf lands here: the virtio queue (a descriptor table for
 * the largest queue, rings), the buffers its descriptors name, what SBI
 * DBCN reads, and the fuzzed page tables (A/D emulation writes them).
 */
#define SB_DESC	      0x0000UL /* 1024 descriptors */
#define SB_AVAIL      0x4000UL
#define SB_USED	      0x5000UL
#define SB_L1	      0x8000UL
#define SB_L0	      0x9000UL
#define SB_BUF	      0xa000UL /* buffers, DBCN reads */
#define SB_BUF_SIZE   (SANDBOX_SIZE - SB_BUF)
#define GUARD_SIZE    (4UL << 10)
#define REPORT_MAX    8
#define PTE_V	      1UL
#define PTE_A	      (1UL << 6)
#define PTE_D	      (1UL << 7)
#define SATP_SV39     (8UL << 60)
#define FUZZ_VA	      0x40000000UL /* root entry 1: the fuzzed part of the table */
#define GIGA_PTE(pa)  (((pa) >> 12) << 10)

static uint8_t sandbox[SANDBOX_SIZE] __attribute__((aligned(4096)));
static uint8_t guard[GUARD_SIZE] __attribute__((aligned(4096)));
static uint64_t root[512] __attribute__((aligned(4096)));
static uint64_t ram_size, timebase, seed, state;
static uint64_t guard_sum;
static unsigned long ops, unexpected;
static volatile int trapped;
static volatile unsigned long trap_cause;

/* ---- PRNG and the values it favours ---- */

static uint64_t rnd(void)
{
	state ^= state >> 12;
	state ^= state << 25;
	state ^= state >> 27;
	return state * 0x2545f4914f6cdd1dUL;
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static uint64_t pool[30];

/* Boundary values: of numbers, of RAM, of the devices, of pages. */
static void pool_init(void)
{
	const uint64_t ram_end = RAM_BASE + ram_size;
	const uint64_t values[] = {
		0,
		1,
		2,
		3,
		4,
		7,
		8,
		~0UL,
		~0UL - 1,
		1UL << 63,
		(1UL << 63) - 1,
		0xffffffffUL,
		0x100000000UL,
		RAM_BASE,
		RAM_BASE - 1,
		RAM_BASE - 8,
		ram_end,
		ram_end - 1,
		ram_end - 8,
		ram_end - 4095,
		UART_BASE,
		UART_BASE + 7,
		PLIC_BASE_,
		VIRTIO_BASE,
		0x10008fffUL,
		0x1000,
		0x2000000,
		0x40000000UL,
		(uintptr_t)sandbox,
		(uintptr_t)guard,
	};
	_Static_assert(sizeof(values) == sizeof(pool), "pool size");
	memcpy(pool, values, sizeof(pool));
}

/* Boundary values first, then random ones. */
static uint64_t wild(void)
{
	switch (below(4)) {
	case 0:
		return pool[below(sizeof(pool) / sizeof(pool[0]))];
	case 1:
		return pool[below(sizeof(pool) / sizeof(pool[0]))] + below(16) - 8;
	case 2:
		return below(1UL << below(64));
	default:
		return rnd();
	}
}

static void expect(int ok, const char *what, unsigned long a, unsigned long b)
{
	if (ok)
		return;
	if (unexpected++ < REPORT_MAX)
		printf("fuzz: unexpected %s (0x%lx 0x%lx)\n", what, a, b);
}

static uint64_t checksum(const uint8_t *p, size_t n)
{
	uint64_t h = 1469598103934665603UL;

	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211UL;
	return h;
}

/* ---- traps the ops provoke come back here ---- */

static int fuzz_trap(struct trap_frame *tf)
{
	if (trap_is_interrupt(tf->scause)) {
		csr_write(sie, 0); /* a timer or IPI op left one enabled: not ours to handle */
		return 1;
	}
	trapped = 1;
	trap_cause = tf->scause;
	if (tf->scause == CAUSE_FETCH_ACCESS || tf->scause == CAUSE_FETCH_PAGE_FAULT ||
	    tf->scause == CAUSE_MISALIGNED_FETCH)
		tf->sepc = tf->regs[1]; /* a call through a bad pointer: back to ra */
	else
		trap_skip_insn(tf);
	return 1;
}

/* An address the guest may hand out for writing: never its own memory. */
static uint64_t outside_ram(void)
{
	uint64_t a = wild();

	return a >= RAM_BASE && a < RAM_BASE + (64UL << 20) ? a | 1UL << 40 : a;
}

static int is_ram(uint64_t a, unsigned w)
{
	return a >= RAM_BASE && a + w <= RAM_BASE + ram_size && a + w > a;
}

/* vCPU 1, started by an HSM op: stop again at once. */
void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	(void)hartid;
	(void)opaque;
	sbi_hart_stop();
	guest_halt();
}

/* ---- SBI ---- */

static const unsigned long known_exts[] = {
	SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM, SBI_EXT_SRST,
	SBI_EXT_DBCN, SBI_EXT_PMU, SBI_EXT_SUSP, SBI_EXT_CPPC, SBI_EXT_NACL, SBI_EXT_STA,
	SBI_EXT_SSE, SBI_EXT_FWFT, SBI_EXT_DBTR, SBI_EXT_MPXY,
	0x0, 0x1, 0x2, 0x3, 0x4, 0x5, 0x6, 0x7, /* legacy; 0x8 (shutdown) would end the run */
};

/* Calls that would end or freeze the fuzzing VM itself: shutdown, reboot,
 * stopping or suspending the fuzzing vCPU.  Everything else goes. */
static int sbi_allowed(unsigned long ext, unsigned long fid, unsigned long a0, unsigned long a1)
{
	if (ext == SBI_EXT_SRST && fid == 0)
		return a0 > 2 || (a1 > 1 && a1 < 0xe0000000UL) || a1 > 0xffffffffUL;
	if (ext == SBI_EXT_HSM && fid == 1)
		return 0;
	if (ext == SBI_EXT_HSM && fid == 3)
		return a0 != 0; /* retentive suspend sleeps like WFI with sie = 0 */
	if (ext == SBI_EXT_SUSP)
		return 0;
	if (ext == 0x8)
		return 0;
	return 1;
}

static unsigned long sbi_arg(unsigned long ext, unsigned long fid, int i)
{
	/* HSM hart_start: vCPU 1 at the entry that stops it again, or anywhere
	 * outside RAM (inside, it would run whatever lies there). */
	if (ext == SBI_EXT_HSM && fid == 0 && i == 1) {
		uint64_t a = wild();
		return below(2) || is_ram(a, 2) ? (uintptr_t)_secondary_start : a;
	}
	/* Legacy IPI/fence calls take a pointer to a hart mask. */
	if (ext >= 0x4 && ext <= 0x7 && i == 0 && below(2))
		return (uintptr_t)&sandbox[below(SANDBOX_SIZE / 8) * 8];
	if (ext == SBI_EXT_DBCN && i == 1)
		return below(2) ? (uintptr_t)&sandbox[SB_BUF + below(SB_BUF_SIZE)] : outside_ram();
	if (ext == SBI_EXT_DBCN && i == 0 && below(2))
		return below(9000);
	return wild();
}

static void op_sbi(void)
{
	unsigned long ext = below(8) ? known_exts[below(sizeof(known_exts) / sizeof(known_exts[0]))] : (below(2) ? rnd() : below(0x1000000));
	unsigned long fid = below(4) ? below(10) : wild();
	unsigned long a[6];
	struct sbiret r;
	int known = 0;

	for (int i = 0; i < 6; i++)
		a[i] = sbi_arg(ext, fid, i);
	if (!sbi_allowed(ext, fid, a[0], a[1]))
		return;
	r = sbi_ecall(ext, fid, a[0], a[1], a[2], a[3], a[4], a[5]);
	ops++;
	if (ext <= 0x8)
		return; /* legacy calls return a value, not sbiret */
	for (unsigned i = 0; i < 7; i++)
		known |= ext == known_exts[i];
	expect(r.error <= 0 && r.error >= -14, "SBI error code out of range", ext, (unsigned long)r.error);
	if (!known && sbi_probe_extension((long)ext) == 0)
		expect(r.error == SBI_ERR_NOT_SUPPORTED, "unknown extension did not answer NOT_SUPPORTED",
		       ext, (unsigned long)r.error);
}

/* ---- MMIO: every width, to the devices and around them ---- */

static uint64_t mmio_target(void)
{
	switch (below(16)) {
	case 0:
	case 1:
	case 2:
	case 3:
	case 4:
		return UART_BASE + (below(4) ? below(8) : below(0x1000));
	case 5:
	case 6:
	case 7:
	case 8: {
		static const uint64_t regions[] = { 0, 0x1000, 0x2000, 0x200000 };
		uint64_t base = regions[below(4)];
		return PLIC_BASE_ + base + (below(4) ? below(0x2000) : below(PLIC_SIZE - base));
	}
	case 9:
	case 10:
	case 11:
	case 12:
		return VIRTIO_BASE + (below(4) ? below(0x110) : below(VIRTIO_STRIDE));
	default:
		/* holes and other slots: the VM may die here, contained */
		return below(2) ? VIRTIO_BASE + VIRTIO_STRIDE * (1 + below(7)) + below(0x200) : wild();
	}
}

static void op_mmio(void)
{
	unsigned w = 1u << below(4);
	uint64_t a = mmio_target(), v = wild();
	int store = below(2);

	if (below(8))
		a &= ~(uint64_t)(w - 1); /* mostly aligned; misaligned ones trap in the guest first */
	if (is_ram(a, w) || (a >= (uintptr_t)sandbox - 8 && a < (uintptr_t)guard + GUARD_SIZE + 8))
		return; /* plain memory: no trap, not an op */
	/* Virtio queue addresses: the sandbox's queue, or outside RAM (device DMA). */
	if (a >= VIRTIO_BASE && a < VIRTIO_BASE + 0x100 && (a & 0xff) >= 0x80 && (a & 0xff) < 0xa8) {
		static const uint64_t parts[] = { SB_DESC, SB_AVAIL, SB_USED };
		v = below(2) ? (uintptr_t)sandbox + parts[below(3)] : outside_ram();
		if ((a & 0xf) >= 4)
			v >>= 32; /* the high half of an address */
	}
	trapped = 0;
	if (store) {
		switch (w) {
		case 1: *(volatile uint8_t *)a = (uint8_t)v; break;
		case 2: *(volatile uint16_t *)a = (uint16_t)v; break;
		case 4: *(volatile uint32_t *)a = (uint32_t)v; break;
		default: *(volatile uint64_t *)a = v; break;
		}
	} else {
		switch (w) {
		case 1: v = *(volatile uint8_t *)a; break;
		case 2: v = *(volatile uint16_t *)a; break;
		case 4: v = *(volatile uint32_t *)a; break;
		default: v = *(volatile uint64_t *)a; break;
		}
	}
	(void)v;
	ops++;
}

/* Compressed and differently-registered loads and stores to the UART's scratch register. */
static void op_mmio_encodings(void)
{
	register uint64_t base __asm__("a5") = UART_BASE + 4; /* IER..MCR: 4 is MCR-aligned for c.lw */
	register uint64_t val __asm__("s1") = rnd() & 0xff;

	switch (below(4)) {
	case 0:
		__asm__ volatile(".option push\n.option rvc\nc.lw s1, 0(a5)\n.option pop"
				 : "+r"(val)
				 : "r"(base)
				 : "memory");
		break;
	case 1:
		__asm__ volatile(".option push\n.option rvc\nc.sw s1, 0(a5)\n.option pop" ::"r"(val), "r"(base)
				 : "memory");
		break;
	case 2:
		__asm__ volatile("lbu a5, 3(a5)"
				 : "+r"(base)::"memory"); /* rd == rs1 */
		break;
	default:
		__asm__ volatile("sb zero, 3(a5)" ::"r"(base)
				 : "memory"); /* x0 as the value */
		break;
	}
	ops++;
}

/* An AMO or an FP access to a device: the hypervisor cannot emulate it as a
 * plain load or store (the VM may die here, contained, with a report). */
static void op_mmio_odd(void)
{
	register uint64_t a __asm__("a0") = UART_BASE + 7;

	if (below(2))
		__asm__ volatile("amoadd.w zero, zero, (%0)" ::"r"(a & ~3UL)
				 : "memory");
	else
		__asm__ volatile("amoswap.d zero, zero, (%0)" ::"r"(VIRTIO_BASE + 0x100)
				 : "memory");
	ops++;
}

/* ---- virtio-blk: a queue in the sandbox with wild descriptors ---- */

/* A descriptor: its buffer in the sandbox, outside RAM, or straddling RAM's end. */
static void random_desc(uint64_t *d)
{
	uint64_t len = below(4) ? below(1024) : rnd() & 0xffffffffUL;
	uint64_t addr = below(3) ? (uintptr_t)sandbox + SB_BUF + below(SB_BUF_SIZE - 1024) :
			below(2) ? RAM_BASE + ram_size - below(len < 600 ? len + 1 : 600) :
				   outside_ram();

	d[0] = addr;
	d[1] = len | (uint64_t)below(8) << 32 |				/* flags: NEXT, WRITE, INDIRECT */
	       (uint64_t)(below(4) ? below(16) : rnd() & 0xffff) << 48; /* next */
}

static void op_virtio(void)
{
	volatile uint32_t *r = (volatile uint32_t *)VIRTIO_BASE;
	uint64_t *desc = (uint64_t *)(sandbox + SB_DESC);
	unsigned qsize = below(4) ? 8 : (unsigned)wild();

	for (unsigned i = 0; i < 16; i++)
		random_desc(&desc[2 * i]);
	/* avail ring: a few heads */
	for (unsigned i = 0; i < 8; i++)
		((uint16_t *)(sandbox + SB_AVAIL))[2 + i] = (uint16_t)below(below(4) ? 8 : 0x10000);
	((volatile uint16_t *)(sandbox + SB_AVAIL))[1] = (uint16_t)(below(4) ? below(9) : rnd());
	switch (below(6)) {
	case 0:
		r[0x70 / 4] = 0; /* reset, maybe mid-request */
		break;
	case 1:
		r[0x70 / 4] = (uint32_t)wild(); /* status bits in any order */
		break;
	case 2:
		r[0x30 / 4] = 0;
		r[0x38 / 4] = qsize;
		r[0x80 / 4] = (uint32_t)(uintptr_t)desc;
		r[0x84 / 4] = 0;
		r[0x90 / 4] = (uint32_t)(uintptr_t)(sandbox + SB_AVAIL);
		r[0x94 / 4] = 0;
		r[0xa0 / 4] = (uint32_t)(uintptr_t)(sandbox + SB_USED);
		r[0xa4 / 4] = 0;
		r[0x44 / 4] = (uint32_t)below(3); /* ready, maybe twice, maybe 2 */
		ops += 9;
		break;
	case 3:
		r[0x70 / 4] = 1 | 2 | 8 | 4; /* ACK DRIVER FEATURES_OK DRIVER_OK, skipping steps */
		break;
	default:
		r[0x50 / 4] = (uint32_t)below(3); /* notify, set up or not */
		break;
	}
	ops++;
	(void)r[0x60 / 4]; /* InterruptStatus */
	r[0x64 / 4] = 3;   /* InterruptACK */
	ops += 2;
}

/* ---- instructions that trap ---- */

static void op_insn(void)
{
	unsigned long x = 0;

	trapped = 0;
	switch (below(9)) {
	case 0:
		__asm__ volatile("csrr %0, 0x600"
				 : "=r"(x));
		/* hstatus */ /* H CSRs from VS: virtual instruction */
		break;
	case 1:
		__asm__ volatile("csrw 0x680, %0" ::"r"(wild())); /* hgatp */
		break;
	case 2:
		__asm__ volatile("csrr %0, 0x280"
				 : "=r"(x)); /* vsatp */
		break;
	case 3:
		__asm__ volatile(".insn r 0x73, 0, 0x11, x0, %0, x0" ::"r"(wild())); /* hfence.vvma */
		break;
	case 4:
		__asm__ volatile(".insn r 0x73, 0, 0x31, x0, %0, x0" ::"r"(wild())); /* hfence.gvma */
		break;
	case 5:
		__asm__ volatile(".insn r 0x73, 4, 0x30, %0, %1, x0"
				 : "=r"(x)
				 : "r"(wild())); /* hlv.b */
		break;
	case 6: {
		/* WFI ends on vsip & vsie: a timer due soon with STIE on and SIE off. */
		csr_clear(sstatus, SSTATUS_SIE);
		sbi_set_timer(rdtime() + 100 + below(2000));
		csr_write(sie, SIE_STIE);
		wfi();
		csr_write(sie, 0);
		sbi_set_timer(~0UL);
		ops += 2;
		break;
	}
	case 7:
		__asm__ volatile("csrr %0, 0x645"
				 : "=r"(x)); /* hvip */
		break;
	default:
		__asm__ volatile("csrw 0x604, %0" ::"r"(wild())); /* hideleg */
		break;
	}
	(void)x;
	ops++;
}

/* ---- VS-stage tables the hypervisor has to walk (A/D emulation on) ---- */

static uint64_t random_pte(uint64_t *tables)
{
	uint64_t flags = rnd() & 0xff, ppn;

	switch (below(5)) {
	case 0:
		ppn = (UART_BASE >> 12) + below(2);
		break;
	case 1:
		ppn = (RAM_BASE + ram_size + below(4) * 4096) >> 12;
		break;
	case 2:
		ppn = (uintptr_t)tables >> 12; /* itself: loops */
		break;
	case 3:
		ppn = outside_ram() >> 12 & ((1UL << 44) - 1); /* never the guest's own memory */
		break;
	default:
		ppn = ((uintptr_t)sandbox + SB_BUF) / 4096 + below(SB_BUF_SIZE / 4096);
		flags &= ~0x6UL;
		flags |= below(2) ? 0x2 : 0x6; /* readable or read-write, A/D random */
		break;
	}
	if (below(4))
		flags |= PTE_V;
	return ppn << 10 | flags;
}

/* Above level 0 a leaf maps 2 MiB or 1 GiB: one into RAM would reach past the sandbox, so make it misaligned (a page fault). */
static uint64_t no_superpage(uint64_t pte)
{
	uint64_t pa = (pte >> 10) << 12;

	if ((pte & 0xe) && pa >= RAM_BASE && pa < RAM_BASE + (64UL << 20))
		pte |= 1UL << 10;
	return pte;
}

static void op_pagetable(void)
{
	uint64_t *l1 = (uint64_t *)(sandbox + SB_L1), *l0 = (uint64_t *)(sandbox + SB_L0);
	uint64_t va = FUZZ_VA + below(4) * 0x200000 + below(0x200000);
	volatile uint8_t *p;

	root[0] = (0UL >> 12) << 10 | 0xcf;	 /* devices: identity, R W X A D V */
	root[2] = (RAM_BASE >> 12) << 10 | 0xcf; /* RAM: identity */
	int via_uart = !below(8);		 /* the walk reads its level-1 entry from the UART */

	root[1] = via_uart ? GIGA_PTE(UART_BASE) | PTE_V :
		  below(8) ? ((uintptr_t)l1 >> 12) << 10 | PTE_V :
			     no_superpage(random_pte(l1));
	for (unsigned i = 0; i < 4; i++) {
		l1[i] = below(2) ? ((uintptr_t)l0 >> 12) << 10 | PTE_V : no_superpage(random_pte(l1));
		l0[i * 128 + below(128)] = random_pte(l0);
	}
	l0[(va >> 12) & 511] = random_pte(l0);
	csr_write(satp, SATP_SV39 | (uintptr_t)root >> 12);
	__asm__ volatile("sfence.vma" ::
				 : "memory");
	p = (volatile uint8_t *)va;
	trapped = 0;
	int store = below(2);
	if (store)
		*p = '~';
	else
		(void)*p;
	/* A page-table entry in MMIO: the access page-faults (as on QEMU), it never reaches the device. */
	if (via_uart)
		expect(trapped && trap_cause == (store ? CAUSE_STORE_PAGE_FAULT : CAUSE_LOAD_PAGE_FAULT),
		       "access through a page table in MMIO did not fault", va, trapped ? trap_cause : ~0UL);
	csr_write(satp, 0);
	__asm__ volatile("sfence.vma" ::
				 : "memory");
	ops++;
}

/* ---- the loop ---- */

static uint64_t bootarg_seed(const void *dtb)
{
	const char *p = strstr_const(fdt_get_bootargs(dtb), "seed=");
	uint64_t s = 0;

	if (!p)
		return 1;
	for (p += 5; *p >= '0' && *p <= '9'; p++)
		s = s * 10 + (uint64_t)(*p - '0');
	return s;
}

static void check_guard(void)
{
	if (checksum(guard, GUARD_SIZE) != guard_sum) {
		printf("fuzz: FINDING guard area changed (seed %lu, %lu ops)\n", seed, ops);
		for (size_t i = 0; i < GUARD_SIZE; i++)
			guard[i] = (uint8_t)(i * 7);
		guard_sum = checksum(guard, GUARD_SIZE);
	}
}

void guest_main(unsigned long hartid, const void *dtb)
{
	uint64_t base, next_report;
	unsigned long last_ops = 0;

	(void)hartid;
	trap_set_hook(fuzz_trap);
	if (fdt_get_memory(dtb, &base, &ram_size))
		ram_size = 16UL << 20;
	timebase = fdt_get_timebase(dtb);
	seed = bootarg_seed(dtb);
	pool_init();
	for (unsigned i = 0; i < 1024; i++) /* the whole table a queue of any size reads */
		random_desc((uint64_t *)(sandbox + SB_DESC) + 2 * i);
	state = seed * 0x9e3779b97f4a7c15UL + 1;
	for (size_t i = 0; i < GUARD_SIZE; i++)
		guard[i] = (uint8_t)(i * 7);
	guard_sum = checksum(guard, GUARD_SIZE);
	printf("fuzz: seed %lu\n", seed);
	next_report = rdtime() + timebase;
	for (;;) {
		switch (below(16)) {
		case 0:
		case 1:
		case 2:
		case 3:
		case 4:
			op_sbi();
			break;
		case 5:
		case 6:
		case 7:
		case 8:
			op_mmio();
			break;
		case 9:
			op_mmio_encodings();
			break;
		case 10:
		case 11:
			op_virtio();
			break;
		case 12:
		case 13:
			op_insn();
			break;
		case 14:
			op_pagetable();
			break;
		default:
			if (!below(64))
				op_mmio_odd();
			else
				op_sbi();
			break;
		}
		if (ops - last_ops >= 1024) {
			last_ops = ops;
			check_guard();
		}
		if (rdtime() >= next_report) {
			next_report = rdtime() + timebase;
			printf("fuzz: %lu ops, seed %lu, %lu unexpected answers\n", ops, seed, unexpected);
		}
	}
}
