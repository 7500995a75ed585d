/*
 * vblk: the VM contract's disk, a virtio-blk device (virtio-mmio version 2)
 * at 0x10001000 on IRQ 1, driven by polling, then attacked.
 *   vblk: device ok capacity=<sectors>
 *   vblk: serial <serial>
 *   vblk: rw ok                              sector 1 written and read back
 *   vblk: irq ok                             IRQ 1 pending at the PLIC, delivered, claimed, acked
 *   vblk: bad <name> ioerr                   a request the device must refuse
 *   vblk: bad rings needs-reset              rings outside RAM: device needs reset
 *   vblk: still ok                           good I/O after all of that
 *   vblk: done failures=<n>
 * Any check that does not hold prints "vblk: FAIL <what>".  The bad
 * requests only make sense under hvscope: natively QEMU's device would just
 * stop working.
 */
#include "guest.h"

const char guest_name[] = "vblk";

#define VIRTIO_BASE	0x10001000UL
#define VIRTIO_IRQ	1
#define QNUM		8
#define SECTOR		512
#define VM_RAM_START	0x80000000UL
#define TIMEOUT_TICKS	(10UL * 10000000UL) /* 10 s at QEMU's 10 MHz timebase */

/* virtio 1.1, 4.2.2 */
#define R_MAGIC		0x000
#define R_VERSION	0x004
#define R_DEVICE_ID	0x008
#define R_DEV_FEAT	0x010
#define R_DEV_FEAT_SEL	0x014
#define R_DRV_FEAT	0x020
#define R_DRV_FEAT_SEL	0x024
#define R_QUEUE_SEL	0x030
#define R_QUEUE_NUM_MAX 0x034
#define R_QUEUE_NUM	0x038
#define R_QUEUE_READY	0x044
#define R_QUEUE_NOTIFY	0x050
#define R_INT_STATUS	0x060
#define R_INT_ACK	0x064
#define R_STATUS	0x070
#define R_DESC_LO	0x080
#define R_DESC_HI	0x084
#define R_AVAIL_LO	0x090
#define R_AVAIL_HI	0x094
#define R_USED_LO	0x0a0
#define R_USED_HI	0x0a4
#define R_CAPACITY	0x100

#define ST_ACK		1
#define ST_DRIVER	2
#define ST_DRIVER_OK	4
#define ST_FEATURES_OK	8
#define ST_NEEDS_RESET	64

#define F_NEXT		1
#define F_WRITE		2

#define T_IN		0
#define T_OUT		1
#define T_GET_ID	8
#define S_OK		0
#define S_IOERR		1

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
static volatile uint8_t status;
static uint8_t buf[2 * SECTOR] __attribute__((aligned(16)));
static uint16_t used_seen;
static uint64_t ram_end;
static unsigned failures;

static volatile uint32_t *reg(unsigned off) { return (volatile uint32_t *)(VIRTIO_BASE + off); }
static void wr64(unsigned lo, uint64_t v)
{
	*reg(lo) = (uint32_t)v;
	*reg(lo + 4) = (uint32_t)(v >> 32);
}
static void fence(void) { __asm__ volatile("fence rw, rw" ::
						   : "memory"); }

static void fail(const char *what)
{
	printf("vblk: FAIL %s\n", what);
	failures++;
}

static int init_device(uint64_t used_addr)
{
	uint32_t st = ST_ACK | ST_DRIVER;

	*reg(R_STATUS) = 0;
	*reg(R_STATUS) = ST_ACK;
	*reg(R_STATUS) = st;
	*reg(R_DEV_FEAT_SEL) = 1;
	if (!(*reg(R_DEV_FEAT) & 1))
		return -1;
	*reg(R_DRV_FEAT_SEL) = 0;
	*reg(R_DRV_FEAT) = 0;
	*reg(R_DRV_FEAT_SEL) = 1;
	*reg(R_DRV_FEAT) = 1; /* VIRTIO_F_VERSION_1 only */
	*reg(R_STATUS) = st | ST_FEATURES_OK;
	if (!(*reg(R_STATUS) & ST_FEATURES_OK))
		return -1;
	*reg(R_QUEUE_SEL) = 0;
	if (*reg(R_QUEUE_NUM_MAX) < QNUM)
		return -1;
	memset(descs, 0, sizeof(descs));
	memset(&avail, 0, sizeof(avail));
	memset(&used, 0, sizeof(used));
	used_seen = 0;
	*reg(R_QUEUE_NUM) = QNUM;
	wr64(R_DESC_LO, (uintptr_t)descs);
	wr64(R_AVAIL_LO, (uintptr_t)&avail);
	wr64(R_USED_LO, used_addr);
	*reg(R_QUEUE_READY) = 1;
	*reg(R_STATUS) = st | ST_FEATURES_OK | ST_DRIVER_OK;
	return 0;
}

/* header -> data -> status from descs[0..2]; returns the status byte, or -1 on timeout. */
static int run_request(void)
{
	unsigned long t0 = rdtime();

	status = 0xff;
	avail.ring[avail.idx % QNUM] = 0;
	fence();
	avail.idx++;
	fence();
	*reg(R_QUEUE_NOTIFY) = 0;
	while (*(volatile uint16_t *)&used.idx == used_seen)
		if (rdtime() - t0 > TIMEOUT_TICKS)
			return -1;
	fence();
	used_seen++;
	*reg(R_INT_ACK) = *reg(R_INT_STATUS);
	return status;
}

static void chain(uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
	hdr = (struct req_hdr){ type, 0, sector };
	descs[0] = (struct desc){ (uintptr_t)&hdr, sizeof(hdr), F_NEXT, 1 };
	descs[1] = (struct desc){ data, len, (uint16_t)((type == T_OUT ? 0 : F_WRITE) | F_NEXT), 2 };
	descs[2] = (struct desc){ (uintptr_t)&status, 1, F_WRITE, 0 };
}

static int io(uint32_t type, uint64_t sector, void *data, uint32_t len)
{
	chain(type, sector, (uintptr_t)data, len);
	return run_request();
}

static int same(const uint8_t *a, const uint8_t *b, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i] != b[i])
			return 0;
	return 1;
}

static void good_io(const char *tag)
{
	static uint8_t pattern[SECTOR];
	char what[48];

	for (unsigned i = 0; i < SECTOR; i++)
		pattern[i] = (uint8_t)(i * 13 + tag[0]);
	memcpy(buf, pattern, SECTOR);
	if (io(T_OUT, 1, buf, SECTOR) != S_OK) {
		snprintf(what, sizeof(what), "%s write", tag);
		fail(what);
		return;
	}
	memset(buf, 0, sizeof(buf));
	if (io(T_IN, 1, buf, SECTOR) != S_OK || !same(buf, pattern, SECTOR)) {
		snprintf(what, sizeof(what), "%s read", tag);
		fail(what);
		return;
	}
	printf("vblk: %s ok\n", tag);
}

/* Set by the trap hook: the external interrupt arrived, and what it claimed. */
static volatile unsigned irq_taken, irq_claimed;
static unsigned irq_ctx;

static int irq_hook(struct trap_frame *tf)
{
	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_EXT))
		return 0;
	irq_claimed = plic_claim(irq_ctx);
	*reg(R_INT_ACK) = *reg(R_INT_STATUS);
	if (irq_claimed)
		plic_complete(irq_ctx, irq_claimed);
	irq_taken++;
	return 1;
}

/*
 * IRQ 1 goes through the PLIC: pending after the completion, delivered as a
 * supervisor external interrupt once enabled, claimable, gone after
 * ack + complete.
 */
static const char *irq_check(unsigned ctx)
{
	volatile uint32_t *pending = (volatile uint32_t *)(PLIC_BASE + 0x1000);
	unsigned long t0 = rdtime();

	irq_ctx = ctx;
	trap_set_hook(irq_hook);
	chain(T_IN, 0, (uintptr_t)buf, SECTOR);
	status = 0xff;
	avail.ring[avail.idx % QNUM] = 0;
	fence();
	avail.idx++;
	fence();
	*reg(R_QUEUE_NOTIFY) = 0;
	while (*(volatile uint16_t *)&used.idx == used_seen)
		if (rdtime() - t0 > TIMEOUT_TICKS)
			return "irq request timed out";
	used_seen++;
	if (status != S_OK)
		return "irq request status";
	if (!(*reg(R_INT_STATUS) & 1))
		return "irq InterruptStatus";
	if (!(*pending & (1U << VIRTIO_IRQ)))
		return "irq not pending at the PLIC";
	csr_set(sie, SIE_SEIE);
	csr_set(sstatus, SSTATUS_SIE);
	while (!irq_taken && rdtime() - t0 < TIMEOUT_TICKS)
		;
	csr_clear(sstatus, SSTATUS_SIE);
	csr_clear(sie, SIE_SEIE);
	if (!irq_taken)
		return "irq never delivered";
	if (irq_claimed != VIRTIO_IRQ)
		return "irq claim";
	if ((*pending & (1U << VIRTIO_IRQ)) || plic_claim(ctx) != 0 || *reg(R_INT_STATUS))
		return "irq still pending after ack";
	return 0;
}

static void bad(const char *name, uint64_t data, uint32_t len, int header_out)
{
	chain(T_IN, 0, data, len);
	if (header_out) {
		descs[0].addr = ram_end + 0x10000;
		descs[1].flags = F_NEXT; /* a write request's data */
	}
	int st = run_request();
	if (st == S_IOERR)
		printf("vblk: bad %s ioerr\n", name);
	else
		printf("vblk: FAIL bad %s status=%d\n", name, st), failures++;
}

static void bad_rings(void)
{
	/* The used ring's last bytes lie past the end of RAM. */
	init_device(ram_end - 16);
	if (*reg(R_QUEUE_READY) || !(*reg(R_STATUS) & ST_NEEDS_RESET))
		fail("bad rings accepted");
	else
		printf("vblk: bad rings needs-reset\n");
}

static int setup(unsigned long hartid, const void *dtb)
{
	uint64_t ram_base = 0, ram_size = 0;
	unsigned ctx = plic_s_context(hartid);

	if (fdt_get_memory(dtb, &ram_base, &ram_size)) {
		fail("no /memory in the device tree");
		return -1;
	}
	ram_end = ram_base + ram_size;
	if (*reg(R_MAGIC) != 0x74726976 || *reg(R_VERSION) != 2 || *reg(R_DEVICE_ID) != 2) {
		fail("no virtio-blk (version 2) at 0x10001000");
		return -1;
	}
	plic_set_priority(VIRTIO_IRQ, 1);
	plic_enable(ctx, VIRTIO_IRQ);
	plic_set_threshold(ctx, 0);
	if (init_device((uintptr_t)&used)) {
		fail("device init");
		return -1;
	}
	return 0;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	const char *why;
	char serial[21];

	if (setup(hartid, dtb))
		return;
	printf("vblk: device ok capacity=%lu\n",
	       (unsigned long)*reg(R_CAPACITY) | (unsigned long)*reg(R_CAPACITY + 4) << 32);
	memset(serial, 0, sizeof(serial));
	if (io(T_GET_ID, 0, buf, 20) != S_OK)
		fail("get id");
	memcpy(serial, buf, 20);
	printf("vblk: serial %s\n", serial);
	good_io("rw");
	why = irq_check(plic_s_context(hartid));
	if (why)
		fail(why);
	else
		printf("vblk: irq ok\n");

	bad("past-end", ram_end, SECTOR, 0);
	bad("straddle", ram_end - SECTOR / 2, SECTOR, 0);
	bad("low", 0x1000, SECTOR, 0);
	bad("uart", 0x10000000, SECTOR, 0);
	bad("wrap", 0xfffffffffffff000UL, 0x2000, 0);
	bad("huge", VM_RAM_START, 0xfffffe00, 0);
	bad("header", (uintptr_t)buf, SECTOR, 1);
	bad_rings();

	if (init_device((uintptr_t)&used))
		fail("device re-init");
	else
		good_io("still");
	printf("vblk: done failures=%u\n", failures);
}
