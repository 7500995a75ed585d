/*
 * Unit tests for hypervisor/vdev/vvirtio_blk.c, the emulated virtio-blk:
 * register file, feature negotiation, queue setup, and above all the
 * translation and bounds checks of descriptors, rings and buffers.
 *
 * The file under test is included, so its static helpers are reachable; the
 * VM is a fake with 1 MiB of RAM at guest-physical 0x80000000 (a host
 * buffer), and the host virtio-blk driver is a fake disk in memory that
 * fails the test if it is ever handed an address outside that buffer.
 * Expected behaviour: virtio 1.1 sections 2.6 (split virtqueues), 4.2.2
 * (MMIO registers) and 5.2 (block device), and the VM contract (nothing
 * outside the VM's RAM is ever read or written on a guest's behalf).
 */
#include "../../hypervisor/vdev/vvirtio_blk.c"
#include <stdarg.h>
#include "unit.h"

#define RAM_BASE	0x80000000ULL
#define RAM_SIZE	(1ULL << 20)
#define RAM_END		(RAM_BASE + RAM_SIZE)
#define DISK_SECTORS	64
#define SERIAL		"vm1-test"

/* Where the test driver keeps its queue and buffers (guest-physical). */
#define G_DESC		(RAM_BASE + 0x1000)
#define G_AVAIL		(RAM_BASE + 0x2000)
#define G_USED		(RAM_BASE + 0x3000)
#define G_HDR		(RAM_BASE + 0x4000)
#define G_STATUS	(RAM_BASE + 0x4100)
#define G_DATA		(RAM_BASE + 0x5000)
#define QNUM		8

/* ---- fakes ---- */

static struct vm vm;
static uint8_t *ram;
static uint8_t disk[DISK_SECTORS * VIRTIO_BLK_SECTOR_SIZE];
static struct { int dummy; } host_dev;
static unsigned host_calls;
static bool host_flush = true;
static bool irq_level;
static unsigned irq_updates;
static char printed[8192];
static size_t printed_len;

bool vm_gpa_range_ok(const struct vm *v, uint64_t gpa, uint64_t len)
{
	return gpa >= VM_RAM_BASE && len <= v->ram_size && gpa - VM_RAM_BASE <= v->ram_size - len;
}

void *vm_gpa_ptr(const struct vm *v, uint64_t gpa)
{
	return (void *)(uintptr_t)(v->ram.v + (gpa - VM_RAM_BASE));
}

void vm_irq_update(struct vm *v)
{
	(void)v;
	irq_updates++;
}

/* vplic_set_level() (inline, vplic.h) calls this when the line changes. */
void vplic_change_level(struct vplic *p, unsigned irq, bool level)
{
	if (level)
		p->level[irq / 32] |= 1U << (irq % 32);
	else
		p->level[irq / 32] &= ~(1U << (irq % 32));
	if (irq == VM_VIRTIO_IRQ(0))
		irq_level = level;
}

void hv_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (printed_len < sizeof(printed))
		printed_len += (size_t)vsnprintf(printed + printed_len, sizeof(printed) - printed_len, fmt, ap);
	va_end(ap);
	if (printed_len > sizeof(printed))
		printed_len = sizeof(printed);
}

struct virtio_blk *virtio_blk_claim(const char *serial, size_t len)
{
	(void)len;
	return strcmp(serial, SERIAL) == 0 ? (struct virtio_blk *)&host_dev : 0;
}

uint64_t virtio_blk_capacity(const struct virtio_blk *d) { (void)d; return DISK_SECTORS; }
bool virtio_blk_has_flush(const struct virtio_blk *d) { (void)d; return host_flush; }
unsigned virtio_blk_max_segs(const struct virtio_blk *d) { (void)d; return 126; }

static bool host_addr_in_ram(uint64_t addr, uint64_t len)
{
	uint64_t lo = (uint64_t)(uintptr_t)ram;

	return addr >= lo && len <= RAM_SIZE && addr - lo <= RAM_SIZE - len;
}

/* The fake device: reads/writes `disk`, refuses (and fails the test on) foreign addresses. */
int virtio_blk_request(struct virtio_blk *d, uint32_t type, uint64_t sector,
		       const struct virtio_blk_seg *segs, unsigned count, uint32_t *written)
{
	uint64_t pos = sector * VIRTIO_BLK_SECTOR_SIZE;

	(void)d;
	host_calls++;
	*written = 1;
	for (unsigned i = 0; i < count; i++) {
		if (!host_addr_in_ram(segs[i].addr, segs[i].len)) {
			UNIT_FAIL("host device handed [0x%llx, +0x%x), outside the VM's RAM",
				  (unsigned long long)segs[i].addr, segs[i].len);
			return VIRTIO_BLK_S_IOERR;
		}
	}
	if (type == VIRTIO_BLK_T_GET_ID) {
		for (unsigned i = 0; i < count; i++)
			memset((void *)(uintptr_t)segs[i].addr, 0, segs[i].len);
		if (count)
			memcpy((void *)(uintptr_t)segs[0].addr, SERIAL,
			       segs[0].len < sizeof(SERIAL) ? segs[0].len : sizeof(SERIAL));
		*written += count ? segs[0].len : 0;
		return VIRTIO_BLK_S_OK;
	}
	if (type == VIRTIO_BLK_T_FLUSH)
		return VIRTIO_BLK_S_OK;
	for (unsigned i = 0; i < count; i++) {
		if (pos + segs[i].len > sizeof(disk))
			return VIRTIO_BLK_S_IOERR;
		if (type == VIRTIO_BLK_T_IN && segs[i].device_writes)
			memcpy((void *)(uintptr_t)segs[i].addr, disk + pos, segs[i].len), *written += segs[i].len;
		else if (type == VIRTIO_BLK_T_OUT && !segs[i].device_writes)
			memcpy(disk + pos, (void *)(uintptr_t)segs[i].addr, segs[i].len);
		else
			return VIRTIO_BLK_S_IOERR;
		pos += segs[i].len;
	}
	return VIRTIO_BLK_S_OK;
}

/* ---- a tiny driver, as a guest would write it ---- */

static void *gp(uint64_t gpa) { return ram + (gpa - RAM_BASE); }

static uint32_t rd(uint64_t off)
{
	uint64_t v = 0xdeadbeef;

	if (vvblk_mmio_read(&vm, off, 4, &v) != 0)
		UNIT_FAIL("read of register 0x%llx failed", (unsigned long long)off);
	return (uint32_t)v;
}

static void wr(uint64_t off, uint32_t v)
{
	if (vvblk_mmio_write(&vm, off, 4, v) != 0)
		UNIT_FAIL("write of register 0x%llx failed", (unsigned long long)off);
}

static void wr64(uint64_t lo, uint64_t v)
{
	wr(lo, (uint32_t)v);
	wr(lo + 4, (uint32_t)(v >> 32));
}

static void setup_vm(void)
{
	static uint8_t *buf;

	if (!buf)
		buf = aligned_alloc(4096, RAM_SIZE);
	ram = buf;
	memset(ram, 0x5a, RAM_SIZE);
	memset(&vm, 0, sizeof(vm));
	vm.id = 1;
	vm.ram = hpa((uint64_t)(uintptr_t)ram);
	vm.ram_size = RAM_SIZE;
	for (unsigned i = 0; i < sizeof(disk); i++)
		disk[i] = (uint8_t)(i * 7 + i / 512);
	host_calls = irq_updates = 0;
	host_flush = true;
	irq_level = false;
	printed_len = 0;
	printed[0] = '\0';
	if (vvblk_create(&vm, SERIAL, sizeof(SERIAL)) != 0)
		UNIT_FAIL("vvblk_create failed");
	vvblk_reset(&vm);
}

/* Driver initialization of 3.1.1 with queue 0 at desc/avail/used. */
static void driver_init(uint64_t desc, uint64_t avail, uint64_t used)
{
	memset(gp(G_DESC), 0, 0x3000);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);	/* VERSION_1 */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, desc);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, avail);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
	   VIRTIO_STATUS_FEATURES_OK | VIRTIO_STATUS_DRIVER_OK);
}

static struct virtq_desc *desc(unsigned i) { return (struct virtq_desc *)gp(G_DESC) + i; }
static uint16_t *avail_idx(void) { return (uint16_t *)gp(G_AVAIL + 2); }
static uint16_t *avail_ring(unsigned i) { return (uint16_t *)gp(G_AVAIL + 4 + 2 * i); }
static uint16_t used_idx(void) { return *(uint16_t *)gp(G_USED + 2); }
static struct virtq_used_elem *used_elem(unsigned i) { return (struct virtq_used_elem *)gp(G_USED + 4 + 8 * i); }
static uint8_t *status_byte(void) { return gp(G_STATUS); }

static void set_desc(unsigned i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	*desc(i) = (struct virtq_desc){ addr, len, flags, next };
}

static void set_hdr(uint32_t type, uint64_t sector)
{
	*(struct virtio_blk_req_hdr *)gp(G_HDR) = (struct virtio_blk_req_hdr){ type, 0, sector };
}

/* header(0) -> data(1) -> status(2), the xv6 shape. */
static void three_desc(uint32_t type, uint64_t sector, uint64_t data, uint32_t len)
{
	set_hdr(type, sector);
	set_desc(0, G_HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, data, len, (type == VIRTIO_BLK_T_OUT ? 0 : VIRTQ_DESC_F_WRITE) | VIRTQ_DESC_F_NEXT, 2);
	set_desc(2, G_STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
}

/* Offer chain `head` and notify; returns the status byte the device left. */
static uint8_t submit(uint16_t head)
{
	uint16_t idx = *avail_idx();

	*status_byte() = 0xff;
	*avail_ring(idx % QNUM) = head;
	*avail_idx() = (uint16_t)(idx + 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	return *status_byte();
}

static bool printed_has(const char *s) { return strstr(printed, s) != 0; }

/* ---- tests ---- */

TEST(identity_registers)
{
	setup_vm();
	CHECK_EQ(rd(VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	CHECK_EQ(rd(VIRTIO_MMIO_VERSION), 2);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_BLOCK);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), VVBLK_QUEUE_MAX);
	wr(VIRTIO_MMIO_QUEUE_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);	/* only one queue */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), 1);	/* VERSION_1 */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_DEVICE_FEATURES), VIRTIO_BLK_F_FLUSH | VIRTIO_BLK_F_BLK_SIZE);
	CHECK_EQ(rd(VIRTIO_MMIO_VENDOR_ID), 0x554d4551);	/* "QEMU", as drivers check */
}

TEST(config_space_capacity_any_width)
{
	uint64_t v = 0;

	setup_vm();
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_CONFIG, 8, &v), 0);
	CHECK_EQ(v, DISK_SECTORS);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_CONFIG, 1, &v), 0);
	CHECK_EQ(v, DISK_SECTORS);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_CONFIG + 4, 4, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_CONFIG + 20, 4, &v), 0);
	CHECK_EQ(v, 512);	/* blk_size */
	/* registers are 32-bit: other widths read 0 and write nothing (QEMU) */
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_STATUS, 2, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_STATUS + 1, 1, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vvblk_mmio_write(&vm, VIRTIO_MMIO_STATUS, 1, 0), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE);
	/* 64 bits are two 32-bit registers */
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_MAGIC_VALUE, 8, &v), 0);
	CHECK_EQ(v, 0x74726976 | 2ULL << 32);
}

/* As QEMU: FEATURES_OK always sticks; unoffered bits are dropped. */
TEST(features_ok_accepted_as_qemu_does)
{
	uint32_t base = VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER;

	setup_vm();
	wr(VIRTIO_MMIO_STATUS, base);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 0);	/* low word only, as xv6-riscv */
	wr(VIRTIO_MMIO_STATUS, base | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, base);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1 | 2);	/* VERSION_1 + something not offered */
	wr(VIRTIO_MMIO_STATUS, base | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, base);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, base | VIRTIO_STATUS_FEATURES_OK);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
}

TEST(read_completes_with_used_entry_and_interrupt)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 3, G_DATA, 1024);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_OK);
	CHECK(memcmp(gp(G_DATA), disk + 3 * 512, 1024) == 0);
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used_elem(0)->id, 0);
	CHECK_EQ(used_elem(0)->len, 1025);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	CHECK(irq_level);
	CHECK(irq_updates > 0);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level);
	CHECK_EQ(printed_len, 0);
}

TEST(write_then_read_back)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	memset(gp(G_DATA), 0xc3, 512);
	three_desc(VIRTIO_BLK_T_OUT, 10, G_DATA, 512);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_OK);
	CHECK_EQ(disk[10 * 512], 0xc3);
	CHECK_EQ(disk[10 * 512 + 511], 0xc3);
	CHECK_EQ(used_elem(0)->len, 1);		/* only the status byte was written */
	memset(gp(G_DATA), 0, 512);
	three_desc(VIRTIO_BLK_T_IN, 10, G_DATA, 512);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_OK);
	CHECK_EQ(*(uint8_t *)gp(G_DATA + 100), 0xc3);
	CHECK_EQ(used_idx(), 2);
}

/* The spec's byte-stream view: descriptor boundaries may fall anywhere. */
TEST(header_split_and_status_sharing_a_descriptor)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	set_hdr(VIRTIO_BLK_T_IN, 2);
	set_desc(5, G_HDR, 10, VIRTQ_DESC_F_NEXT, 3);
	set_desc(3, G_HDR + 10, 6, VIRTQ_DESC_F_NEXT, 7);
	set_desc(7, G_DATA, 300, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	/* 212 more data bytes, then the status byte, in one descriptor */
	set_desc(1, G_DATA + 0x800, 213, VIRTQ_DESC_F_WRITE, 0);
	*(uint8_t *)gp(G_DATA + 0x800 + 212) = 0xff;
	submit(5);
	CHECK_EQ(*(uint8_t *)gp(G_DATA + 0x800 + 212), VIRTIO_BLK_S_OK);
	CHECK(memcmp(gp(G_DATA), disk + 2 * 512, 300) == 0);
	CHECK(memcmp(gp(G_DATA + 0x800), disk + 2 * 512 + 300, 212) == 0);
	CHECK_EQ(used_elem(0)->id, 5);
	CHECK_EQ(used_elem(0)->len, 513);
}

TEST(get_id_and_flush)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_GET_ID, 0, G_DATA, 20);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_OK);
	CHECK_STR((char *)gp(G_DATA), SERIAL);
	/* FLUSH was offered but not negotiated: unsupported */
	set_hdr(VIRTIO_BLK_T_FLUSH, 0);
	set_desc(0, G_HDR, 16, VIRTQ_DESC_F_NEXT, 2);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_UNSUPP);
	set_hdr(99, 0);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_UNSUPP);
}

/* Each bad address: IOERR, one report line, the host device never called. */
static void expect_rejected(uint64_t data, uint32_t len, const char *what)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, data, len);
	if (submit(0) != VIRTIO_BLK_S_IOERR)
		UNIT_FAIL("%s: status %u, expected IOERR", what, *status_byte());
	CHECK_EQ(host_calls, 0);
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used_elem(0)->len, 1);
	CHECK(printed_has("vm1: virtio-blk: request at descriptor 0 failed with IOERR"));
	CHECK(printed_has("outside the VM's RAM"));
	CHECK(irq_level);
}

TEST(buffer_past_ram_end_is_ioerr)
{
	expect_rejected(RAM_END, 512, "past the end");
}

TEST(buffer_straddling_ram_end_is_ioerr)
{
	expect_rejected(RAM_END - 256, 512, "straddling");
}

TEST(buffer_below_ram_is_ioerr)
{
	expect_rejected(0x10000000, 512, "UART page");
	expect_rejected(RAM_BASE - 512, 512, "just below RAM");
}

TEST(buffer_wrapping_around_is_ioerr)
{
	expect_rejected(0xfffffffffffffe00ULL, 0x400, "wrap-around");
	expect_rejected(RAM_BASE + 0x1000, 0xffffffff, "huge length");
}

TEST(header_outside_ram_is_ioerr)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_OUT, 0, G_DATA, 512);
	desc(0)->addr = RAM_END + 0x1000;
	CHECK_EQ(submit(0), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(host_calls, 0);
}

TEST(status_outside_ram_is_never_written)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	desc(2)->addr = RAM_END;	/* one past the end */
	submit(0);
	CHECK_EQ(host_calls, 0);
	CHECK_EQ(used_idx(), 1);
	CHECK_EQ(used_elem(0)->len, 0);
	CHECK(printed_has("no status"));
}

TEST(chain_loop_and_bad_index_are_rejected)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	set_desc(2, G_STATUS, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);	/* 1 -> 2 -> 1 ... */
	submit(0);
	CHECK(printed_has("loops"));
	CHECK_EQ(host_calls, 0);
	CHECK_EQ(used_idx(), 1);
	set_desc(2, G_STATUS, 1, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, QNUM);
	submit(0);
	CHECK(printed_has("outside the queue"));
	CHECK_EQ(submit(QNUM + 3), 0xff);	/* head out of range: no status, but a used entry */
	CHECK_EQ(used_idx(), 3);
	CHECK_EQ(host_calls, 0);
}

TEST(indirect_and_misordered_descriptors_are_rejected)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	desc(1)->flags |= VIRTQ_DESC_F_INDIRECT;
	submit(0);
	CHECK(printed_has("indirect"));
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	set_desc(1, G_DATA, 512, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 3);
	set_desc(3, G_DATA + 512, 512, VIRTQ_DESC_F_NEXT, 2);	/* readable after writable */
	CHECK_EQ(submit(0), VIRTIO_BLK_S_IOERR);
	CHECK(printed_has("after a writable one"));
	CHECK_EQ(host_calls, 0);
}

TEST(partial_sector_is_ioerr)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 100);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_IOERR);
	CHECK_EQ(host_calls, 0);
}

/* The descriptor is read once, into hypervisor memory: what is checked is what is used. */
TEST(descriptors_are_copied_before_checks)
{
	struct vvblk *d;
	char why[128];

	setup_vm();
	d = dev_of(&vm);
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	CHECK_EQ(copy_chain(&vm, &d->q, 0, &d->chain, why, sizeof(why)), 0);
	desc(1)->addr = RAM_END + 0x10000;	/* the guest changes it after the copy */
	CHECK_EQ(parse_chain(&vm, &d->chain, &d->req), 0);
	CHECK_EQ(d->req.seg_count, 1);
	CHECK_EQ(d->req.segs[0].addr, (uint64_t)(uintptr_t)gp(G_DATA));
	CHECK_EQ(d->req.segs[0].len, 512);
	CHECK(d->req.segs[0].device_writes);
}

TEST(rings_outside_ram_need_reset)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, RAM_END - 8);	/* used ring runs off the end */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK(rd(VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	CHECK(printed_has("not aligned inside the VM's RAM"));
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	CHECK_EQ(submit(0), 0xff);		/* ignored */
	CHECK_EQ(host_calls, 0);
	driver_init(G_DESC + 8, G_AVAIL, G_USED);	/* misaligned descriptor table */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	driver_init(G_DESC, G_AVAIL, G_USED);	/* a reset clears NEEDS_RESET */
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	CHECK_EQ(submit(0), VIRTIO_BLK_S_OK);
}

TEST(queue_size_must_be_power_of_two)
{
	setup_vm();
	wr(VIRTIO_MMIO_QUEUE_NUM, 6);
	wr64(VIRTIO_MMIO_QUEUE_DESC_LOW, G_DESC);
	wr64(VIRTIO_MMIO_QUEUE_DRIVER_LOW, G_AVAIL);
	wr64(VIRTIO_MMIO_QUEUE_DEVICE_LOW, G_USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK(printed_has("power of two"));
}

TEST(avail_index_jump_needs_reset)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	*avail_idx() = QNUM + 1;
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	CHECK(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	CHECK_EQ(used_idx(), 0);
	CHECK_EQ(host_calls, 0);
}

TEST(reset_clears_queue_and_interrupt)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, G_DATA, 512);
	submit(0);
	CHECK(irq_level);
	wr(VIRTIO_MMIO_STATUS, 0);
	CHECK_EQ(rd(VIRTIO_MMIO_STATUS), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	CHECK_EQ(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	CHECK(!irq_level);
}

TEST(reports_are_rate_limited)
{
	setup_vm();
	driver_init(G_DESC, G_AVAIL, G_USED);
	three_desc(VIRTIO_BLK_T_IN, 0, RAM_END, 512);
	for (int i = 0; i < 40; i++)
		submit(0);
	CHECK(printed_has("no further reports"));
	CHECK(printed_len < 4000);
}

TEST(vm_without_disk_or_unknown_serial)
{
	uint64_t v;

	setup_vm();
	CHECK(vvblk_present(&vm));
	CHECK_EQ(vvblk_create(&vm, "", 0), 0);
	CHECK(!vvblk_present(&vm));
	/* an empty transport, as QEMU's: magic, version, vendor, then zeros */
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_MAGIC_VALUE, 4, &v), 0);
	CHECK_EQ(v, 0x74726976);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_DEVICE_ID, 4, &v), 0);
	CHECK_EQ(v, 0);
	CHECK_EQ(vvblk_mmio_read(&vm, VIRTIO_MMIO_VENDOR_ID, 4, &v), 0);
	CHECK_EQ(v, 0x554d4551);
	CHECK(vvblk_create(&vm, "nosuch", 6) != 0);
	CHECK(printed_has("no free host virtio-blk device with serial \"nosuch\""));
}

UNIT_MAIN("test_vvirtio",
	  UNIT(identity_registers),
	  UNIT(config_space_capacity_any_width),
	  UNIT(features_ok_accepted_as_qemu_does),
	  UNIT(read_completes_with_used_entry_and_interrupt),
	  UNIT(write_then_read_back),
	  UNIT(header_split_and_status_sharing_a_descriptor),
	  UNIT(get_id_and_flush),
	  UNIT(buffer_past_ram_end_is_ioerr),
	  UNIT(buffer_straddling_ram_end_is_ioerr),
	  UNIT(buffer_below_ram_is_ioerr),
	  UNIT(buffer_wrapping_around_is_ioerr),
	  UNIT(header_outside_ram_is_ioerr),
	  UNIT(status_outside_ram_is_never_written),
	  UNIT(chain_loop_and_bad_index_are_rejected),
	  UNIT(indirect_and_misordered_descriptors_are_rejected),
	  UNIT(partial_sector_is_ioerr),
	  UNIT(descriptors_are_copied_before_checks),
	  UNIT(rings_outside_ram_need_reset),
	  UNIT(queue_size_must_be_power_of_two),
	  UNIT(avail_index_jump_needs_reset),
	  UNIT(reset_clears_queue_and_interrupt),
	  UNIT(reports_are_rate_limited),
	  UNIT(vm_without_disk_or_unknown_serial))
