/*
 * devprobe: reads and exercises every register a driver of the QEMU `virt`
 * board can see and prints one line per fact, "dp: SECTION KEY VALUE", so
 * that the same image run natively (QEMU + OpenSBI) and as a VM under hvscope
 * gives two transcripts a test can diff (tests/system/test_devprobe.py).
 *
 * Sections: dt (the devices the device tree lists), sbi, virtio (a virtio-blk
 * disk in slot 0: registers, config space, feature negotiation three ways,
 * reset, out-of-order driving, a read and a GET_ID request completing with
 * the used ring and the interrupt), vslot (an empty virtio slot), width
 * (wrong-width register accesses), uart (every register with DLAB 0 and 1,
 * THRE and receive interrupts through loopback, the FIFO), plic, hole
 * (addresses with no device), then "dp: done".
 *
 * An access that traps prints "fault CAUSE tval TVAL" instead of a value.
 * Lines are collected in memory and printed through the UART only when a
 * section is over and the UART's registers are back as they were, so
 * probing the UART cannot garble the transcript.
 *
 * The disk's sector 0 holds whatever the test put there; the probe prints a
 * checksum.  Only reads are issued: the image is never written.
 */
#include "guest.h"

const char guest_name[] = "devprobe";

#define VIRTIO0	    0x10001000UL
#define VIRTIO1	    0x10002000UL
#define VIRTIO_IRQ0 1
#define QNUM	    8
#define SCTX	    1		       /* S-mode context of hart 0 (QEMU layout) */
#define POLL_TICKS  (5UL * 10000000UL) /* 5 s at the 10 MHz timebase */

/* virtio 1.1, 4.2.2 */
enum {
	R_MAGIC = 0x000,
	R_VERSION = 0x004,
	R_DEVICE_ID = 0x008,
	R_VENDOR = 0x00c,
	R_DEV_FEAT = 0x010,
	R_DEV_FEAT_SEL = 0x014,
	R_DRV_FEAT = 0x020,
	R_DRV_FEAT_SEL = 0x024,
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_INT_STATUS = 0x060,
	R_INT_ACK = 0x064,
	R_STATUS = 0x070,
	R_DESC_LO = 0x080,
	R_DESC_HI = 0x084,
	R_AVAIL_LO = 0x090,
	R_AVAIL_HI = 0x094,
	R_USED_LO = 0x0a0,
	R_USED_HI = 0x0a4,
	R_SHM_SEL = 0x0ac,
	R_SHM_LEN_LO = 0x0b0,
	R_SHM_LEN_HI = 0x0b4,
	R_SHM_BASE_LO = 0x0b8,
	R_SHM_BASE_HI = 0x0bc,
	R_CONFIG_GEN = 0x0fc,
	R_CONFIG = 0x100,
};

#define ST_ACK	       1
#define ST_DRIVER      2
#define ST_DRIVER_OK   4
#define ST_FEATURES_OK 8

#define F_NEXT	       1
#define F_WRITE	       2
#define T_IN	       0
#define T_GET_ID       8

/* ns16550a registers (byte offsets) and bits */
enum { U_RBR = 0,
       U_IER = 1,
       U_IIR = 2,
       U_LCR = 3,
       U_MCR = 4,
       U_LSR = 5,
       U_MSR = 6,
       U_SCR = 7 };
#define U_FCR	   2
#define U_LCR_DLAB 0x80
#define U_MCR_LOOP 0x10

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
struct avail {
	uint16_t flags, idx, ring[QNUM], event;
};
struct used_elem {
	uint32_t id, len;
};
struct used {
	uint16_t flags, idx;
	struct used_elem ring[QNUM];
	uint16_t event;
};
struct req_hdr {
	uint32_t type, reserved;
	uint64_t sector;
};

static struct desc descs[QNUM] __attribute__((aligned(4096)));
static struct avail avail __attribute__((aligned(4096)));
static struct used used __attribute__((aligned(4096)));
static struct req_hdr hdr;
static volatile uint8_t req_status;
static uint8_t data[512] __attribute__((aligned(16)));

/* ---- transcript ---- */

static char tbuf[24576];
static size_t tlen;

__attribute__((format(printf, 1, 2))) static void out(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tbuf + tlen, sizeof(tbuf) - tlen, fmt, ap);
	va_end(ap);
	tlen += (size_t)n < sizeof(tbuf) - tlen ? (size_t)n : sizeof(tbuf) - tlen - 1;
}

/* Print what was collected: only with the UART in its normal state. */
static void flush(void)
{
	uart_puts(tbuf);
	tlen = 0;
	tbuf[0] = '\0';
}

/* ---- accesses that may trap ---- */

static volatile int faulted;
static volatile unsigned long fault_cause, fault_tval;

static volatile int ext_irq_taken;

static int probe_trap(struct trap_frame *tf)
{
	if (tf->scause == (SCAUSE_INTERRUPT | IRQ_S_EXT)) {
		/* noted and masked: the probe claims it itself */
		ext_irq_taken = 1;
		csr_clear(sie, SIE_SEIE);
		return 1;
	}
	switch (tf->scause) {
	case CAUSE_FETCH_ACCESS:
		tf->sepc = tf->regs[1]; /* back to the caller of the jump */
		break;
	case CAUSE_MISALIGNED_LOAD:
	case CAUSE_LOAD_ACCESS:
	case CAUSE_MISALIGNED_STORE:
	case CAUSE_STORE_ACCESS:
		trap_skip_insn(tf);
		break;
	default:
		return 0;
	}
	faulted = 1;
	fault_cause = tf->scause;
	fault_tval = tf->stval;
	return 1;
}

static uint64_t rd(uint64_t a, unsigned w)
{
	uint64_t v = 0;

	switch (w) {
	case 1: v = *(volatile uint8_t *)a; break;
	case 2: v = *(volatile uint16_t *)a; break;
	case 4: v = *(volatile uint32_t *)a; break;
	default: v = *(volatile uint64_t *)a; break;
	}
	return v;
}

static void wr(uint64_t a, unsigned w, uint64_t v)
{
	switch (w) {
	case 1: *(volatile uint8_t *)a = (uint8_t)v; break;
	case 2: *(volatile uint16_t *)a = (uint16_t)v; break;
	case 4: *(volatile uint32_t *)a = (uint32_t)v; break;
	default: *(volatile uint64_t *)a = v; break;
	}
}

/* "dp: SEC KEY rW 0xVALUE" or "... rW fault C tval T" */
static void load(const char *sec, const char *key, uint64_t a, unsigned w)
{
	uint64_t v;

	faulted = 0;
	v = rd(a, w);
	if (faulted)
		out("dp: %s %s r%u fault %lu tval 0x%lx\n", sec, key, w, fault_cause, fault_tval);
	else
		out("dp: %s %s r%u 0x%lx\n", sec, key, w, (unsigned long)v);
}

static void store(const char *sec, const char *key, uint64_t a, unsigned w, uint64_t v)
{
	faulted = 0;
	wr(a, w, v);
	if (faulted)
		out("dp: %s %s w%u fault %lu tval 0x%lx\n", sec, key, w, fault_cause, fault_tval);
}

static void fetch(const char *sec, const char *key, uint64_t a)
{
	faulted = 0;
	((void (*)(void))a)();
	if (faulted)
		out("dp: %s %s x fault %lu tval 0x%lx\n", sec, key, fault_cause, fault_tval);
	else
		out("dp: %s %s x returned\n", sec, key);
}

/* ---- device tree ---- */

static void dt_device(const char *node, const char *compatible, void *ctx)
{
	(void)ctx;
	(void)node;
	out("dp: dt device %s\n", compatible);
}

/* ---- SBI ---- */

static const struct {
	const char *name;
	long id;
} sbi_exts[] = {
	{ "legacy-set-timer", 0 },
	{ "legacy-putchar", 1 },
	{ "legacy-getchar", 2 },
	{ "legacy-clear-ipi", 3 },
	{ "legacy-send-ipi", 4 },
	{ "legacy-fence-i", 5 },
	{ "legacy-sfence-vma", 6 },
	{ "legacy-sfence-vma-asid", 7 },
	{ "legacy-shutdown", 8 },
	{ "BASE", SBI_EXT_BASE },
	{ "TIME", SBI_EXT_TIME },
	{ "IPI", SBI_EXT_IPI },
	{ "RFENCE", SBI_EXT_RFENCE },
	{ "HSM", SBI_EXT_HSM },
	{ "SRST", SBI_EXT_SRST },
	{ "PMU", SBI_EXT_PMU },
	{ "DBCN", SBI_EXT_DBCN },
	{ "SUSP", SBI_EXT_SUSP },
	{ "CPPC", SBI_EXT_CPPC },
	{ "NACL", SBI_EXT_NACL },
	{ "STA", SBI_EXT_STA },
	{ "SSE", SBI_EXT_SSE },
	{ "FWFT", SBI_EXT_FWFT },
	{ "DBTR", SBI_EXT_DBTR },
	{ "MPXY", SBI_EXT_MPXY },
};

static void sbi_line(const char *what, struct sbiret r)
{
	out("dp: sbi %s error %ld value 0x%lx\n", what, r.error, (unsigned long)r.value);
}

static void probe_sbi(void)
{
	char name[48];

	sbi_line("spec-version", sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_SPEC_VERSION, 0, 0, 0, 0, 0, 0));
	sbi_line("impl-id", sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_ID, 0, 0, 0, 0, 0, 0));
	sbi_line("impl-version", sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_IMPL_VERSION, 0, 0, 0, 0, 0, 0));
	sbi_line("mvendorid", sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_MVENDORID, 0, 0, 0, 0, 0, 0));
	sbi_line("marchid", sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_MARCHID, 0, 0, 0, 0, 0, 0));
	sbi_line("mimpid", sbi_ecall(SBI_EXT_BASE, SBI_BASE_GET_MIMPID, 0, 0, 0, 0, 0, 0));
	for (size_t i = 0; i < sizeof(sbi_exts) / sizeof(sbi_exts[0]); i++) {
		snprintf(name, sizeof(name), "probe %s", sbi_exts[i].name);
		sbi_line(name, sbi_ecall(SBI_EXT_BASE, SBI_BASE_PROBE_EXTENSION, sbi_exts[i].id, 0, 0, 0, 0, 0));
	}
	sbi_line("unknown-extension", sbi_ecall(0x0a5a5a5a, 0, 0, 0, 0, 0, 0, 0));
	sbi_line("base-unknown-fid", sbi_ecall(SBI_EXT_BASE, 0x77, 0, 0, 0, 0, 0, 0));
	sbi_line("time-unknown-fid", sbi_ecall(SBI_EXT_TIME, 5, 0, 0, 0, 0, 0, 0));
	sbi_line("hsm-status-0", sbi_hart_get_status(0));
	sbi_line("hsm-status-7", sbi_hart_get_status(7));
	sbi_line("hsm-unknown-fid", sbi_ecall(SBI_EXT_HSM, 0x33, 0, 0, 0, 0, 0, 0));
	sbi_line("set-timer-far", sbi_set_timer(~0UL));
	sbi_line("rfence-i-self", sbi_remote_fence_i(1, 0));
	sbi_line("ipi-absent-hart", sbi_send_ipi(1, 5));
	sbi_line("srst-bad-type", sbi_system_reset(0x1234, 0));
}

/* ---- virtio-blk in slot 0 ---- */

static volatile uint32_t *vreg(uint64_t base, unsigned off)
{
	return (volatile uint32_t *)(base + off);
}

static uint32_t v0(unsigned off) { return *vreg(VIRTIO0, off); }
static void v0w(unsigned off, uint32_t v) { *vreg(VIRTIO0, off) = v; }
static void fence(void) { __asm__ volatile("fence rw, rw" ::
						   : "memory"); }

static void vline(const char *key, unsigned off)
{
	out("dp: virtio %s 0x%x\n", key, v0(off));
}

static const struct {
	const char *name;
	unsigned off;
} virtio_regs[] = {
	{ "magic", R_MAGIC },
	{ "version", R_VERSION },
	{ "device-id", R_DEVICE_ID },
	{ "vendor-id", R_VENDOR },
	{ "queue-num-max", R_QUEUE_NUM_MAX },
	{ "queue-ready", R_QUEUE_READY },
	{ "interrupt-status", R_INT_STATUS },
	{ "status", R_STATUS },
	{ "config-generation", R_CONFIG_GEN },
	/* write-only registers, read anyway */
	{ "dev-features-sel", R_DEV_FEAT_SEL },
	{ "drv-features", R_DRV_FEAT },
	{ "drv-features-sel", R_DRV_FEAT_SEL },
	{ "queue-sel", R_QUEUE_SEL },
	{ "queue-num", R_QUEUE_NUM },
	{ "queue-notify", R_QUEUE_NOTIFY },
	{ "interrupt-ack", R_INT_ACK },
	{ "queue-desc-lo", R_DESC_LO },
	{ "queue-desc-hi", R_DESC_HI },
	{ "queue-avail-lo", R_AVAIL_LO },
	{ "queue-avail-hi", R_AVAIL_HI },
	{ "queue-used-lo", R_USED_LO },
	{ "queue-used-hi", R_USED_HI },
	{ "shm-sel", R_SHM_SEL },
	{ "shm-len-lo", R_SHM_LEN_LO },
	{ "shm-len-hi", R_SHM_LEN_HI },
	{ "shm-base-lo", R_SHM_BASE_LO },
	{ "shm-base-hi", R_SHM_BASE_HI },
	{ "reserved-0x0c0", 0x0c0 },
};

/*
 * Config space fields of virtio-blk (5.2.4) and the feature that makes each
 * meaningful: lines carry "fN" so that a test can drop the fields of
 * features one side does not offer.
 */
static const struct {
	const char *name;
	unsigned off, width, feature;
} blk_config[] = {
	{ "capacity-lo", 0, 4, 0 },
	{ "capacity-hi", 4, 4, 0 },
	{ "size_max", 8, 4, 1 },
	{ "seg_max", 12, 4, 2 },
	{ "geometry", 16, 4, 4 },
	{ "blk_size", 20, 4, 6 },
	{ "topology-lo", 24, 4, 10 },
	{ "topology-hi", 28, 4, 10 },
	{ "writeback", 32, 1, 11 },
	{ "num_queues", 34, 2, 12 },
	{ "max_discard_sectors", 36, 4, 13 },
	{ "max_discard_seg", 40, 4, 13 },
	{ "discard_sector_alignment", 44, 4, 13 },
	{ "max_write_zeroes_sectors", 48, 4, 14 },
	{ "max_write_zeroes_seg", 52, 4, 14 },
	{ "write_zeroes_may_unmap", 56, 1, 14 },
};

static void virtio_config(void)
{
	for (size_t i = 0; i < sizeof(blk_config) / sizeof(blk_config[0]); i++) {
		uint64_t a = VIRTIO0 + R_CONFIG + blk_config[i].off;
		out("dp: virtio config f%u %s 0x%lx\n", blk_config[i].feature, blk_config[i].name,
		    (unsigned long)rd(a, blk_config[i].width));
	}
}

static void virtio_reset(void)
{
	v0w(R_STATUS, 0);
}

/* ACK, DRIVER, the given feature words, FEATURES_OK: prints what Status says. */
static void negotiate(const char *how, int write_lo, uint32_t lo, int write_hi, uint32_t hi)
{
	virtio_reset();
	v0w(R_STATUS, ST_ACK);
	v0w(R_STATUS, ST_ACK | ST_DRIVER);
	if (write_hi) {
		v0w(R_DRV_FEAT_SEL, 1);
		v0w(R_DRV_FEAT, hi);
	}
	if (write_lo) {
		v0w(R_DRV_FEAT_SEL, 0);
		v0w(R_DRV_FEAT, lo);
	}
	v0w(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK);
	out("dp: virtio negotiate %s status 0x%x\n", how, v0(R_STATUS));
}

static void queue_setup(void)
{
	memset(descs, 0, sizeof(descs));
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	v0w(R_QUEUE_SEL, 0);
	v0w(R_QUEUE_NUM, QNUM);
	v0w(R_DESC_LO, (uint32_t)(uintptr_t)descs);
	v0w(R_DESC_HI, 0);
	v0w(R_AVAIL_LO, (uint32_t)(uintptr_t)&avail);
	v0w(R_AVAIL_HI, 0);
	v0w(R_USED_LO, (uint32_t)(uintptr_t)&used);
	v0w(R_USED_HI, 0);
	v0w(R_QUEUE_READY, 1);
}

/* Drivers that do things in the wrong order get what QEMU gives them. */
static void virtio_out_of_order(void)
{
	virtio_reset();
	v0w(R_STATUS, ST_ACK | ST_DRIVER);
	queue_setup(); /* before FEATURES_OK */
	out("dp: virtio early-queue ready 0x%x status 0x%x\n", v0(R_QUEUE_READY), v0(R_STATUS));
	v0w(R_QUEUE_READY, 1);
	out("dp: virtio ready-twice ready 0x%x status 0x%x\n", v0(R_QUEUE_READY), v0(R_STATUS));
	virtio_reset();
	out("dp: virtio after-reset ready 0x%x status 0x%x isr 0x%x\n",
	    v0(R_QUEUE_READY), v0(R_STATUS), v0(R_INT_STATUS));
	v0w(R_QUEUE_NOTIFY, 0); /* notify before anything is ready */
	out("dp: virtio early-notify status 0x%x isr 0x%x\n", v0(R_STATUS), v0(R_INT_STATUS));
	negotiate("for-clearing", 1, 0, 1, 1);
	v0w(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	out("dp: virtio clear-bits start 0x%x\n", v0(R_STATUS));
	static const uint32_t steps[] = { ST_ACK | ST_DRIVER | ST_FEATURES_OK, ST_ACK | ST_DRIVER, ST_ACK };
	for (size_t i = 0; i < 3; i++) {
		v0w(R_STATUS, steps[i]);
		out("dp: virtio clear-bits wrote 0x%x reads 0x%x\n", steps[i], v0(R_STATUS));
	}
	v0w(R_QUEUE_SEL, 1);
	out("dp: virtio queue1 num-max 0x%x ready 0x%x\n", v0(R_QUEUE_NUM_MAX), v0(R_QUEUE_READY));
	v0w(R_QUEUE_SEL, 0);
	virtio_reset();
}

/* Submit descs[0..n) as one chain; returns 0 when the used ring moved. */
static int submit(unsigned n)
{
	unsigned long t0 = rdtime();
	uint16_t seen = used.idx;

	for (unsigned i = 0; i + 1 < n; i++) {
		descs[i].flags |= F_NEXT;
		descs[i].next = (uint16_t)(i + 1);
	}
	avail.ring[avail.idx % QNUM] = 0;
	fence();
	avail.idx++;
	fence();
	v0w(R_QUEUE_NOTIFY, 0);
	while (*(volatile uint16_t *)&used.idx == seen)
		if (rdtime() - t0 > POLL_TICKS)
			return -1;
	fence();
	return 0;
}

static void request(const char *name, uint32_t type, uint32_t len)
{
	uint32_t sum = 0, x = 0;

	memset(data, 0xee, sizeof(data));
	memset(descs, 0, sizeof(descs));
	hdr.type = type;
	hdr.reserved = 0;
	hdr.sector = 0;
	req_status = 0xff;
	descs[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), 0, 0 };
	descs[1] = (struct desc){ (uintptr_t)data, len, F_WRITE, 0 };
	descs[2] = (struct desc){ (uintptr_t)&req_status, 1, F_WRITE, 0 };
	if (submit(3)) {
		out("dp: virtio %s timeout\n", name);
		return;
	}
	for (unsigned i = 0; i < len; i++) {
		sum += data[i];
		x = (x << 1 | x >> 31) ^ data[i];
	}
	out("dp: virtio %s used-idx %u id %u len %u status %u\n", name, used.idx,
	    used.ring[(used.idx - 1) % QNUM].id, used.ring[(used.idx - 1) % QNUM].len, req_status);
	if (type == T_GET_ID)
		out("dp: virtio %s id \"%s\"\n", name, (const char *)data);
	else
		out("dp: virtio %s sum 0x%x mix 0x%x\n", name, sum, x);
}

/* Is a supervisor external interrupt taken once it is enabled? */
static int ext_irq_delivered(void)
{
	unsigned long t0 = rdtime();

	ext_irq_taken = 0;
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	while (!ext_irq_taken && rdtime() - t0 < POLL_TICKS / 50)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_SEIE);
	return ext_irq_taken;
}

/* The interrupt of a completed request: ISR, PLIC pending, delivery, claim, ack. */
static void virtio_interrupt(void)
{
	mmio_write32(PLIC_PRIORITY(VIRTIO_IRQ0), 1);
	mmio_write32(PLIC_ENABLE(SCTX, VIRTIO_IRQ0), 1U << VIRTIO_IRQ0);
	mmio_write32(PLIC_THRESHOLD(SCTX), 0);
	out("dp: virtio irq isr 0x%x pending 0x%x\n", v0(R_INT_STATUS),
	    mmio_read32(PLIC_BASE + 0x1000) & (1U << VIRTIO_IRQ0));
	out("dp: virtio irq delivered %d\n", ext_irq_delivered());
	uint32_t irq = mmio_read32(PLIC_CLAIM(SCTX));
	out("dp: virtio irq claim %u again %u\n", irq, mmio_read32(PLIC_CLAIM(SCTX)));
	v0w(R_INT_ACK, v0(R_INT_STATUS));
	mmio_write32(PLIC_CLAIM(SCTX), irq);
	out("dp: virtio irq after-ack isr 0x%x pending 0x%x\n", v0(R_INT_STATUS),
	    mmio_read32(PLIC_BASE + 0x1000) & (1U << VIRTIO_IRQ0));
	out("dp: virtio irq after-ack delivered %d\n", ext_irq_delivered());
	mmio_write32(PLIC_ENABLE(SCTX, VIRTIO_IRQ0), 0);
	mmio_write32(PLIC_PRIORITY(VIRTIO_IRQ0), 0);
}

static void probe_virtio(void)
{
	char key[40];

	for (size_t i = 0; i < sizeof(virtio_regs) / sizeof(virtio_regs[0]); i++)
		vline(virtio_regs[i].name, virtio_regs[i].off);
	for (uint32_t sel = 0; sel < 2; sel++) {
		v0w(R_DEV_FEAT_SEL, sel);
		snprintf(key, sizeof(key), "device-features-%u", sel);
		vline(key, R_DEV_FEAT);
	}
	v0w(R_DEV_FEAT_SEL, 0);
	virtio_config();
	load("virtio", "config-byte-0", VIRTIO0 + R_CONFIG, 1);
	load("virtio", "config-half-0", VIRTIO0 + R_CONFIG, 2);
	load("virtio", "config-dword-0", VIRTIO0 + R_CONFIG, 8);
	store("virtio", "config-write", VIRTIO0 + R_CONFIG, 4, 0x1234);
	load("virtio", "config-after-write", VIRTIO0 + R_CONFIG, 4);

	negotiate("both-words", 1, 0, 1, 1);
	negotiate("low-word-only", 1, 0, 0, 0);
	negotiate("nothing-written", 0, 0, 0, 0);
	negotiate("unoffered-bit-50", 1, 0, 1, 1 | 1U << 18);
	negotiate("unoffered-bit-0", 1, 1, 1, 1);
	virtio_reset();
	out("dp: virtio reset status 0x%x ready 0x%x isr 0x%x\n", v0(R_STATUS), v0(R_QUEUE_READY),
	    v0(R_INT_STATUS));
	virtio_out_of_order();

	/* A working driver, as xv6-riscv's: low word only, then a read. */
	negotiate("driver", 1, 0, 0, 0);
	queue_setup();
	v0w(R_STATUS, ST_ACK | ST_DRIVER | ST_FEATURES_OK | ST_DRIVER_OK);
	out("dp: virtio driver-ok status 0x%x ready 0x%x\n", v0(R_STATUS), v0(R_QUEUE_READY));
	request("read", T_IN, 512);
	virtio_interrupt();
	request("get-id", T_GET_ID, 20);
	v0w(R_INT_ACK, v0(R_INT_STATUS));
	out("dp: virtio acked isr 0x%x\n", v0(R_INT_STATUS));
	virtio_reset();
	out("dp: virtio end status 0x%x\n", v0(R_STATUS));
}

/* An empty slot, and registers accessed with the wrong width. */
static void probe_vslot_width(void)
{
	static const unsigned regs[] = { R_MAGIC, R_VERSION, R_DEVICE_ID, R_VENDOR, R_DEV_FEAT,
					 R_QUEUE_NUM_MAX, R_STATUS, R_CONFIG };
	char key[24];

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++) {
		snprintf(key, sizeof(key), "0x%03x", regs[i]);
		load("vslot", key, VIRTIO1 + regs[i], 4);
	}
	store("vslot", "status", VIRTIO1 + R_STATUS, 4, ST_ACK);
	load("vslot", "status-after-write", VIRTIO1 + R_STATUS, 4);

	load("width", "virtio-magic", VIRTIO0 + R_MAGIC, 1);
	load("width", "virtio-magic", VIRTIO0 + R_MAGIC, 2);
	load("width", "virtio-magic", VIRTIO0 + R_MAGIC, 8);
	load("width", "virtio-magic+1", VIRTIO0 + R_MAGIC + 1, 1);
	store("width", "virtio-status", VIRTIO0 + R_STATUS, 1, ST_ACK);
	load("width", "virtio-status-after-byte-write", VIRTIO0 + R_STATUS, 4);
	store("width", "virtio-status", VIRTIO0 + R_STATUS, 8, ST_ACK);
	load("width", "virtio-status-after-dword-write", VIRTIO0 + R_STATUS, 4);
	virtio_reset();
	load("width", "plic-priority1", PLIC_PRIORITY(1), 1);
	load("width", "plic-priority1", PLIC_PRIORITY(1), 2);
	store("width", "plic-priority1", PLIC_PRIORITY(1), 1, 3);
	load("width", "plic-priority1-after", PLIC_PRIORITY(1), 4);
	load("width", "uart-msr", UART_BASE + U_MSR, 2);
	load("width", "uart-mcr", UART_BASE + U_MCR, 4);
	load("width", "uart-rbr", UART_BASE + U_RBR, 8);
	load("width", "uart-lcr", UART_BASE + U_LCR, 1);
}

/* ---- UART: collected while the registers are changed, printed after ---- */

static uint8_t ur(unsigned off) { return mmio_read8(UART_BASE + off); }
static void uw(unsigned off, uint8_t v) { mmio_write8(UART_BASE + off, v); }

static void uline(const char *key, unsigned off)
{
	out("dp: uart %s 0x%02x\n", key, ur(off));
}

static void uart_all(const char *mode)
{
	static const char *const names[8] = { "rbr", "ier", "iir", "lcr", "mcr", "lsr", "msr", "scr" };
	char key[24];

	for (unsigned off = 1; off < 8; off++) {
		snprintf(key, sizeof(key), "%s-%s", mode, names[off]);
		uline(key, off);
	}
}

static uint32_t plic_pending0(void)
{
	return mmio_read32(PLIC_BASE + 0x1000);
}

static void probe_uart(void)
{
	uint8_t lcr = ur(U_LCR), ier = ur(U_IER), mcr = ur(U_MCR);

	/* wait until everything printed so far has left */
	while (!(ur(U_LSR) & 0x40))
		;
	uw(U_IER, 0);
	uw(U_LCR, 0x03);
	uw(U_MCR, 0);
	uw(U_FCR, 0x07);
	uart_all("dlab0");
	/* the divisor latch (its value before is the firmware's business) */
	uw(U_LCR, 0x83);
	uw(0, 0x34);
	uw(1, 0x12);
	uline("dlab1-dll", 0);
	uart_all("dlab1");
	uw(U_LCR, 0x03);
	uline("after-dlab-ier", U_IER);
	uw(U_LCR, 0x7f);
	uline("lcr-0x7f", U_LCR);
	uw(U_LCR, 0x03);
	uw(U_SCR, 0x5a);
	uline("scr-0x5a", U_SCR);
	uw(U_IER, 0xff);
	uline("ier-0xff", U_IER);
	uline("ier-0xff-iir", U_IIR);
	uline("ier-0xff-iir-again", U_IIR);
	uw(U_IER, 0);

	/* THRE interrupt: raised by enabling it with THR empty, cleared by reading IIR */
	uw(U_IER, 0x02);
	out("dp: uart thre pending 0x%x\n", plic_pending0() & (1U << UART_IRQ));
	uline("thre-iir", U_IIR);
	out("dp: uart thre-after-iir pending 0x%x\n", plic_pending0() & (1U << UART_IRQ));
	uline("thre-iir-again", U_IIR);
	uw(U_IER, 0);

	/* loopback: MSR mirrors MCR, transmitted bytes are received */
	uw(U_MCR, U_MCR_LOOP);
	uline("loop-msr", U_MSR);
	uw(U_MCR, U_MCR_LOOP | 0x0f);
	uline("loop-all-msr", U_MSR);
	uline("loop-all-msr-again", U_MSR);
	uw(U_MCR, U_MCR_LOOP);
	uline("loop-msr-cleared", U_MSR);
	uw(U_IER, 0x01);
	uw(0, 'Z');
	uline("loop-lsr", U_LSR);
	uline("loop-iir", U_IIR);
	out("dp: uart loop pending 0x%x\n", plic_pending0() & (1U << UART_IRQ));
	mmio_write32(PLIC_PRIORITY(UART_IRQ), 2);
	mmio_write32(PLIC_ENABLE(SCTX, UART_IRQ), 1U << UART_IRQ);
	uint32_t irq = mmio_read32(PLIC_CLAIM(SCTX));
	out("dp: uart loop claim %u again %u\n", irq, mmio_read32(PLIC_CLAIM(SCTX)));
	uline("loop-rbr", 0);
	uline("loop-lsr-after", U_LSR);
	uline("loop-iir-after", U_IIR);
	mmio_write32(PLIC_CLAIM(SCTX), irq);
	out("dp: uart loop after-complete pending 0x%x claim %u\n",
	    plic_pending0() & (1U << UART_IRQ), mmio_read32(PLIC_CLAIM(SCTX)));
	uw(U_IER, 0);
	mmio_write32(PLIC_ENABLE(SCTX, UART_IRQ), 0);
	mmio_write32(PLIC_PRIORITY(UART_IRQ), 0);
	for (char c = 'a'; c < 'd'; c++)
		uw(0, (uint8_t)c);
	uline("fifo3-lsr", U_LSR);
	uline("fifo3-rbr1", 0);
	uw(U_FCR, 0x03); /* FIFO on, receive FIFO cleared */
	uline("fifo-cleared-lsr", U_LSR);
	uw(0, 'q');
	uw(U_FCR, 0x00); /* FIFO off */
	uline("fifo-off-iir", U_IIR);
	uline("fifo-off-lsr", U_LSR);
	uline("fifo-off-rbr", 0);
	uline("fifo-off-lsr-after", U_LSR);
	uw(U_FCR, 0xc1);
	uline("fifo-trigger14-iir", U_IIR);
	uw(U_MCR, 0xff);
	uline("mcr-0xff", U_MCR);

	/* restore, then print */
	uw(U_MCR, mcr);
	uw(U_FCR, 0x07);
	uw(U_LCR, lcr & ~U_LCR_DLAB);
	uw(U_IER, ier);
	flush();
}

/* ---- PLIC ---- */

static void plic_rw(const char *key, uint64_t a, uint32_t v)
{
	char k[48];

	store("plic", key, a, 4, v);
	snprintf(k, sizeof(k), "%s-written-0x%x", key, v);
	load("plic", k, a, 4);
}

static void probe_plic(void)
{
	char key[32];

	plic_rw("priority0", PLIC_PRIORITY(0), 1);
	plic_rw("priority1", PLIC_PRIORITY(1), 0xffffffff);
	plic_rw("priority10", PLIC_PRIORITY(10), 5);
	plic_rw("priority95", PLIC_PRIORITY(95), 2);
	plic_rw("priority96", PLIC_PRIORITY(96), 2);
	plic_rw("priority1023", PLIC_PRIORITY(1023), 2);
	for (unsigned irq = 1; irq < 97; irq++)
		mmio_write32(PLIC_PRIORITY(irq), 0);
	for (unsigned w = 0; w < 5; w++) {
		snprintf(key, sizeof(key), "pending%u", w);
		load("plic", key, PLIC_BASE + 0x1000 + 4 * w, 4);
		store("plic", key, PLIC_BASE + 0x1000 + 4 * w, 4, 0xffffffff);
		snprintf(key, sizeof(key), "pending%u-after-write", w);
		load("plic", key, PLIC_BASE + 0x1000 + 4 * w, 4);
	}
	for (unsigned w = 0; w < 5; w++) {
		snprintf(key, sizeof(key), "s-enable%u", w);
		plic_rw(key, PLIC_ENABLE(SCTX, 32 * w), 0xffffffff);
		mmio_write32(PLIC_ENABLE(SCTX, 32 * w), 0);
	}
	plic_rw("s-threshold", PLIC_THRESHOLD(SCTX), 0xffffffff);
	plic_rw("s-threshold", PLIC_THRESHOLD(SCTX), 0);
	load("plic", "s-claim-nothing", PLIC_CLAIM(SCTX), 4);
	store("plic", "s-complete-bogus", PLIC_CLAIM(SCTX), 4, 77);
	load("plic", "s-context-reserved", PLIC_THRESHOLD(SCTX) + 8, 4);
	load("plic", "enable-reserved", PLIC_BASE + 0x1f0000, 4);
	load("plic", "gap-0x1080", PLIC_BASE + 0x1080, 4);
	/* contexts of a hart this machine does not have */
	plic_rw("ctx2-enable0", PLIC_ENABLE(2, 0), 0x2);
	plic_rw("ctx3-threshold", PLIC_THRESHOLD(3), 1);
	load("plic", "ctx3-claim", PLIC_CLAIM(3), 4);
	load("plic", "ctx15871-threshold", PLIC_THRESHOLD(15871), 4);
	/* the M-mode context: belongs to the firmware natively (allow-listed) */
	plic_rw("m-enable0", PLIC_ENABLE(0, 0), 0x2);
	mmio_write32(PLIC_ENABLE(0, 0), 0);
	load("plic", "m-threshold", PLIC_THRESHOLD(0), 4);
}

/* ---- addresses with no device ---- */

static void probe_holes(void)
{
	static const struct {
		const char *name;
		uint64_t addr;
	} holes[] = {
		{ "uart-page-0x100", UART_BASE + 0x100 },
		{ "after-virtio-slots", 0x10009000UL },
		{ "between-plic-and-uart", 0x0e000000UL },
		{ "clint", 0x02000000UL },
	};

	for (size_t i = 0; i < sizeof(holes) / sizeof(holes[0]); i++) {
		load("hole", holes[i].name, holes[i].addr, 4);
		load("hole", holes[i].name, holes[i].addr, 1);
		store("hole", holes[i].name, holes[i].addr, 4, 0x12345678);
		load("hole", holes[i].name, holes[i].addr, 4);
	}
	fetch("hole", "after-virtio-slots", 0x10009000UL);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	(void)hartid;
	trap_set_hook(probe_trap);
	out("dp: begin\n");
	fdt_for_each_device(dtb, dt_device, 0);
	flush();
	probe_sbi();
	flush();
	probe_virtio();
	flush();
	probe_vslot_width();
	flush();
	probe_uart();
	probe_plic();
	flush();
	probe_holes();
	out("dp: done\n");
	flush();
}
