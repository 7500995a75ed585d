/*
 * Unit tests for the SBI server, the files in hypervisor/sbi, driven through
 * sbi_handle_ecall() the way core/trap.c calls it (exit_info.advance = 4
 * beforehand).  The VM around it is a plain struct vm with host memory as
 * its RAM; what the server calls outside hypervisor/sbi is faked in
 * fake_hv.c, except the emulated UART, which is the real devmodel/vuart.c.
 *
 * Expected values are from the RISC-V SBI specification 2.0: the binary
 * encoding (a0 = error, a1 = value; unknown EID/FID -> SBI_ERR_NOT_SUPPORTED;
 * hart_mask_base = -1 means all harts), BASE, IPI, HSM (hart start/status/
 * suspend error tables), SRST (reserved or unimplemented platform-specific
 * types/reasons -> SBI_ERR_INVALID_PARAM), DBCN (memory outside the
 * allowed range -> SBI_ERR_INVALID_PARAM) and the legacy extensions (value
 * in a0 only, everything else preserved; getchar returns -1 when empty).
 */
#include "sbi/sbi.h"
#include "fake_hv.h"
#include "trace/trace.h"
#include "unit.h"

#define RAM_SIZE   (1ul << 20)
#define RAM_END    (VM_RAM_BASE + RAM_SIZE)
#define NVCPU      4
#define SENTINEL   0x5a5a5a5a5a5a5a5aul

#define EID_PMU    0x504D55ul
#define EID_SUSP   0x53555350ul
#define EID_CPPC   0x43505043ul
#define EID_NACL   0x4E41434Cul
#define EID_STA    0x535441ul

static struct vm vm;
static void *ram;

/* One call's observable outcome. */
struct res {
	int rc;
	long a0, a1;
	struct exit_info e;
};

static void setup(void)
{
	fake_reset();
	free(ram);
	memset(&vm, 0, sizeof(vm));
	ram = aligned_alloc(4096, RAM_SIZE);
	memset(ram, 0, RAM_SIZE);
	vm.id = 1;
	vm.state = VM_RUNNING;
	vm.ram = hpa((uint64_t)(uintptr_t)ram);
	vm.ram_size = RAM_SIZE;
	vm.image.entry = 0x80200000ul;
	vm.fdt_gpa = RAM_END - (2ul << 20) / 2;
	vm.vcpu_count = NVCPU;
	for (unsigned i = 0; i < NVCPU; i++) {
		vm.vcpus[i].vm = &vm;
		vm.vcpus[i].id = i;
		vm.vcpus[i].hart = -1;
		vm.vcpus[i].state = i == 0 ? VCPU_RUNNABLE : VCPU_OFF;
	}
	vm.vcpus[0].running = true;
	vuart_init(&vm.uart);
}

static struct res ecall(unsigned vcpu, unsigned long eid, unsigned long fid,
			unsigned long a0, unsigned long a1, unsigned long a2)
{
	struct vcpu *v = &vm.vcpus[vcpu];
	struct res r;

	for (int i = 0; i < 32; i++)
		v->regs.x[i] = SENTINEL + (unsigned long)i;
	v->regs.x[0] = 0;
	v->regs.x[REG_A0] = a0;
	v->regs.x[REG_A1] = a1;
	v->regs.x[REG_A2] = a2;
	v->regs.x[REG_A3] = 0x3333;
	v->regs.x[REG_A4] = 0x4444;
	v->regs.x[REG_A5] = 0x5555;
	v->regs.x[REG_A6] = fid;
	v->regs.x[REG_A7] = eid;
	memset(&r, 0, sizeof(r));
	r.e.scause = CAUSE_VIRTUAL_SUPERVISOR_ECALL;
	r.e.advance = 4;
	r.e.action = TRAP_RESUME;
	r.rc = sbi_handle_ecall(v, &r.e);
	r.a0 = (long)v->regs.x[REG_A0];
	r.a1 = (long)v->regs.x[REG_A1];
	/* Nothing but a0/a1 may change. */
	for (int i = 0; i < 32; i++)
		if (i != REG_A0 && i != REG_A1 && i != 0 && !fake.resets && !fake.vm_resets &&
		    v->regs.x[i] != (i == REG_A2 ? a2 : i == REG_A3 ? 0x3333 : i == REG_A4 ? 0x4444 :
				     i == REG_A5 ? 0x5555 : i == REG_A6 ? fid : i == REG_A7 ? eid :
				     SENTINEL + (unsigned long)i))
			UNIT_FAIL("x%d changed by eid 0x%lx fid %lu", i, eid, fid);
	return r;
}

/* Error code in a0, value in a1, sepc to advance past the ecall, guest resumes. */
#define CHECK_RET(r, err, val)                       \
	do {                                         \
		CHECK_EQ((r).rc, 0);                 \
		CHECK_EQ((r).a0, (err));             \
		CHECK_EQ((r).a1, (val));             \
		CHECK_EQ((r).e.advance, 4);          \
	} while (0)

#define CHECK_ERR(r, err)                            \
	do {                                         \
		CHECK_EQ((r).rc, 0);                 \
		CHECK_EQ((r).a0, (err));             \
		CHECK_EQ((r).e.advance, 4);          \
		CHECK_EQ((r).e.action, TRAP_RESUME); \
	} while (0)

static void check_nothing_happened(void)
{
	CHECK_EQ(fake.vm_stops, 0);
	CHECK_EQ(fake.vm_resets, 0);
	CHECK_EQ(fake.resets, 0);
	CHECK_EQ(fake.out_len, 0);
	CHECK_EQ(fake.set_state_calls, 0);
	for (unsigned i = 0; i < NVCPU; i++) {
		CHECK_EQ(fake.kicks[i], 0);
		CHECK_EQ(vm.vcpus[i].ssip_pending, 0);
		CHECK_EQ(vm.vcpus[i].flush_pending, 0);
	}
	CHECK_EQ(vm.state, VM_RUNNING);
}

TEST(base_versions_and_ids)
{
	struct res r;

	setup();
	r = ecall(0, SBI_EXT_BASE, 0, 0, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 0x02000000);		/* major 2 in bits 30:24, minor 0 */
	CHECK_EQ((r.a1 >> 24) & 0x7f, 2);
	CHECK_EQ(r.a1 & 0xffffff, 0);
	r = ecall(0, SBI_EXT_BASE, 1, 0, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, SBI_IMPL_ID_HVSCOPE);
	CHECK(r.a1 > 10);		/* not one of the registered IDs 0..10 */
	r = ecall(0, SBI_EXT_BASE, 2, 0, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, SBI_IMPL_VERSION);
	for (unsigned long fid = 4; fid <= 6; fid++) {
		r = ecall(0, SBI_EXT_BASE, fid, 0, 0, 0);
		CHECK_RET(r, SBI_SUCCESS, 0);		/* mvendorid/marchid/mimpid: 0 is legal */
	}
	CHECK_EQ(vm.vcpus[0].stats.sbi_calls, 6);
	check_nothing_happened();
}

TEST(base_probe_extension)
{
	static const unsigned long yes[] = {
		SBI_EXT_BASE, SBI_EXT_TIME, SBI_EXT_IPI, SBI_EXT_RFENCE, SBI_EXT_HSM,
		SBI_EXT_SRST, SBI_EXT_DBCN,
		SBI_EXT_LEGACY_SET_TIMER, SBI_EXT_LEGACY_PUTCHAR, SBI_EXT_LEGACY_GETCHAR,
		SBI_EXT_LEGACY_CLEAR_IPI, SBI_EXT_LEGACY_SHUTDOWN,
	};
	/* Legacy 0x04..0x07 are not implemented; 0x09..0x0f are reserved. */
	static const unsigned long no[] = {
		EID_PMU, EID_SUSP, EID_CPPC, EID_NACL, EID_STA, 0x11, 0x0f, 0x09,
		SBI_EXT_LEGACY_SEND_IPI, 0x05, 0x06, 0x07, 0x12345678, 0x08000000,
		0x09000000, 0xffffffff, ~0ul, SBI_EXT_TIME + 1, SBI_EXT_DBCN - 1,
	};
	struct res r;

	setup();
	for (unsigned i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		r = ecall(0, SBI_EXT_BASE, 3, yes[i], 0, 0);
		CHECK_RET(r, SBI_SUCCESS, 1);
		if (r.a1 != 1)
			UNIT_FAIL("probe 0x%lx", yes[i]);
	}
	for (unsigned i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		r = ecall(0, SBI_EXT_BASE, 3, no[i], 0, 0);
		CHECK_RET(r, SBI_SUCCESS, 0);
		if (r.a1 != 0)
			UNIT_FAIL("probe 0x%lx", no[i]);
	}
	check_nothing_happened();
}

TEST(unknown_extensions)
{
	static const unsigned long eids[] = { EID_PMU, EID_SUSP, EID_CPPC, 0x11, 0x0A000000, ~0ul };
	struct res r;

	setup();
	for (unsigned i = 0; i < sizeof(eids) / sizeof(eids[0]); i++) {
		r = ecall(0, eids[i], 0, 1, VM_RAM_BASE, 0);
		CHECK_ERR(r, SBI_ERR_NOT_SUPPORTED);
	}
	check_nothing_happened();
}

TEST(unknown_functions)
{
	static const struct { unsigned long eid, fid; } calls[] = {
		{ SBI_EXT_BASE, 7 }, { SBI_EXT_BASE, 0x100 }, { SBI_EXT_BASE, ~0ul },
		{ SBI_EXT_TIME, 1 }, { SBI_EXT_IPI, 1 }, { SBI_EXT_IPI, ~0ul },
		{ SBI_EXT_RFENCE, 3 }, { SBI_EXT_RFENCE, 6 }, { SBI_EXT_RFENCE, 7 },
		{ SBI_EXT_HSM, 4 }, { SBI_EXT_HSM, ~0ul }, { SBI_EXT_SRST, 1 },
		{ SBI_EXT_DBCN, 3 }, { SBI_EXT_DBCN, 0x80000000ul },
	};
	struct res r;

	setup();
	for (unsigned i = 0; i < sizeof(calls) / sizeof(calls[0]); i++) {
		/* Plausible-looking arguments, with a non-zero a2 as a guest may leave. */
		r = ecall(0, calls[i].eid, calls[i].fid, 1, VM_RAM_BASE, 0x80);
		CHECK_ERR(r, SBI_ERR_NOT_SUPPORTED);
		if (r.a0 != SBI_ERR_NOT_SUPPORTED)
			UNIT_FAIL("eid 0x%lx fid 0x%lx gave %ld", calls[i].eid, calls[i].fid, r.a0);
		r = ecall(0, calls[i].eid, calls[i].fid, 0, 0, 0);
		CHECK_ERR(r, SBI_ERR_NOT_SUPPORTED);
	}
	check_nothing_happened();
}

TEST(ipi_masks)
{
	struct res r;

	setup();
	r = ecall(0, SBI_EXT_IPI, 0, 0x6, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(vm.vcpus[0].ssip_pending, 0);
	CHECK_EQ(vm.vcpus[1].ssip_pending, 1);
	CHECK_EQ(vm.vcpus[2].ssip_pending, 1);
	CHECK_EQ(vm.vcpus[3].ssip_pending, 0);
	CHECK_EQ(fake.kicks[1], 1);
	CHECK_EQ(fake.kicks[2], 1);
	CHECK_EQ(fake.kicks[0] + fake.kicks[3], 0);

	setup();
	r = ecall(1, SBI_EXT_IPI, 0, 0x1, 3, 0);	/* base 3, bit 0: vCPU 3 */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(vm.vcpus[3].ssip_pending, 1);
	CHECK_EQ(vm.vcpus[0].ssip_pending + vm.vcpus[1].ssip_pending + vm.vcpus[2].ssip_pending, 0);
	CHECK_EQ(fake.kicks[3], 1);

	setup();
	r = ecall(2, SBI_EXT_IPI, 0, 0, ~0ul, 0);	/* base -1: all, mask ignored */
	CHECK_RET(r, SBI_SUCCESS, 0);
	for (unsigned i = 0; i < NVCPU; i++)
		CHECK_EQ(vm.vcpus[i].ssip_pending, 1);
	CHECK_EQ(fake.kicks[0] + fake.kicks[1] + fake.kicks[3], 3);	/* itself needs no kick */

	setup();
	r = ecall(0, SBI_EXT_IPI, 0, 0x1, 0, 0);	/* to itself */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(vm.vcpus[0].ssip_pending, 1);

	setup();
	r = ecall(0, SBI_EXT_IPI, 0, 0, 0, 0);		/* empty mask */
	CHECK_RET(r, SBI_SUCCESS, 0);
	check_nothing_happened();
}

TEST(ipi_invalid_masks)
{
	static const unsigned long bad[][2] = {
		{ 1ul << NVCPU, 0 }, { 0xf | 1ul << NVCPU, 0 }, { 1ul << 63, 0 },
		{ 0x1, NVCPU }, { 0x3, NVCPU - 1 }, { 0x1, 1ul << 63 }, { 0x1, ~0ul - 1 },
		{ 0x2, ~0ul - 1 },
	};
	struct res r;

	setup();
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ecall(0, SBI_EXT_IPI, 0, bad[i][0], bad[i][1], 0);
		CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
		if (r.a0 != SBI_ERR_INVALID_PARAM)
			UNIT_FAIL("mask 0x%lx base 0x%lx gave %ld", bad[i][0], bad[i][1], r.a0);
	}
	check_nothing_happened();		/* no partial delivery either */
}

TEST(rfence)
{
	struct res r;

	setup();
	r = ecall(0, SBI_EXT_RFENCE, 0, 0x1, 0, 0);		/* fence.i on itself */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(fake_fence_i, 1);
	CHECK_EQ(fake_hfence_vvma, 1);

	setup();
	vm.vcpus[2].running = true;
	r = ecall(0, SBI_EXT_RFENCE, 1, 0, ~0ul, 0);		/* sfence.vma on all */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(vm.vcpus[0].flush_pending, 0);
	for (unsigned i = 1; i < NVCPU; i++)
		CHECK_EQ(vm.vcpus[i].flush_pending, 1);
	CHECK_EQ(fake.kicks[2], 1);		/* only the running one is interrupted */
	CHECK_EQ(fake.kicks[1] + fake.kicks[3], 0);

	setup();
	r = ecall(0, SBI_EXT_RFENCE, 2, 1ul << NVCPU, 0, 0);
	CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
	check_nothing_happened();
}

TEST(time_set_timer)
{
	struct res r;

	setup();
	fake_csr[CSR_HVIP] = MIP_VSTIP | MIP_VSSIP;
	r = ecall(0, SBI_EXT_TIME, 0, 0x123456789ul, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], 0x123456789ul);
	CHECK_EQ(fake_csr[CSR_HVIP], MIP_VSSIP);
}

TEST(hsm_hart_start)
{
	struct res r;

	setup();
	r = ecall(0, SBI_EXT_HSM, 0, NVCPU, VM_RAM_BASE, 0);
	CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
	r = ecall(0, SBI_EXT_HSM, 0, ~0ul, VM_RAM_BASE, 0);
	CHECK_ERR(r, SBI_ERR_INVALID_PARAM);

	static const unsigned long bad_addr[] = {
		0, 0x1000, VM_RAM_BASE - 2, VM_RAM_BASE - 1, RAM_END, RAM_END - 1, ~0ul, 0x10000000,
	};
	for (unsigned i = 0; i < sizeof(bad_addr) / sizeof(bad_addr[0]); i++) {
		r = ecall(0, SBI_EXT_HSM, 0, 1, bad_addr[i], 0);
		CHECK_ERR(r, SBI_ERR_INVALID_ADDRESS);
	}
	check_nothing_happened();
	CHECK_EQ(vm.vcpus[1].state, VCPU_OFF);

	r = ecall(0, SBI_EXT_HSM, 0, 1, RAM_END - 2, 0xabcdef);
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(fake.resets, 1);
	CHECK(fake.reset_vcpu == &vm.vcpus[1]);
	CHECK_EQ(fake.reset_pc, RAM_END - 2);
	CHECK_EQ(fake.reset_a1, 0xabcdef);		/* opaque -> a1 */
	CHECK_EQ(vm.vcpus[1].regs.x[REG_A0], 1);	/* hartid -> a0 */
	CHECK_EQ(vm.vcpus[1].state, VCPU_RUNNABLE);
	CHECK_EQ(fake.kicks[1], 1);

	r = ecall(0, SBI_EXT_HSM, 0, 1, VM_RAM_BASE, 0);
	CHECK_ERR(r, SBI_ERR_ALREADY_AVAILABLE);
	r = ecall(0, SBI_EXT_HSM, 0, 0, VM_RAM_BASE, 0);	/* itself */
	CHECK_ERR(r, SBI_ERR_ALREADY_AVAILABLE);
	vm.vcpus[3].state = VCPU_BLOCKED;			/* started, in WFI */
	r = ecall(0, SBI_EXT_HSM, 0, 3, VM_RAM_BASE, 0);
	CHECK_ERR(r, SBI_ERR_ALREADY_AVAILABLE);
	CHECK_EQ(fake.resets, 1);
}

TEST(hsm_get_status_and_stop)
{
	struct res r;

	setup();
	vm.vcpus[2].state = VCPU_BLOCKED;
	r = ecall(0, SBI_EXT_HSM, 2, 0, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 0);		/* STARTED */
	r = ecall(0, SBI_EXT_HSM, 2, 1, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 1);		/* STOPPED */
	r = ecall(0, SBI_EXT_HSM, 2, 2, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 0);
	r = ecall(0, SBI_EXT_HSM, 2, NVCPU, 0, 0);
	CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
	r = ecall(0, SBI_EXT_HSM, 2, ~0ul, 0, 0);
	CHECK_ERR(r, SBI_ERR_INVALID_PARAM);

	r = ecall(2, SBI_EXT_HSM, 1, 0, 0, 0);	/* vCPU 2 stops itself */
	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.e.action, TRAP_YIELD);
	/* Still on its hart: STOP_PENDING, and a start must not reset it yet. */
	CHECK_EQ(vm.vcpus[2].state, VCPU_STOP_PENDING);
	r = ecall(0, SBI_EXT_HSM, 2, 2, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 3);
	r = ecall(0, SBI_EXT_HSM, 0, 2, VM_RAM_BASE, 0);
	CHECK_ERR(r, SBI_ERR_ALREADY_AVAILABLE);
	CHECK_EQ(fake.resets, 0);
	vm.vcpus[2].state = VCPU_OFF;		/* what sched_release does once it left */
	r = ecall(0, SBI_EXT_HSM, 2, 2, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 1);
	r = ecall(0, SBI_EXT_HSM, 0, 2, VM_RAM_BASE, 0);
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(fake.resets, 1);
}

TEST(hsm_suspend_types)
{
	/* Reserved, and platform-specific ones hvscope does not implement. */
	static const unsigned long invalid[] = {
		0x00000001, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000001, 0x8fffffff,
		0x90000000, 0xefffffff, 0xf0000000, 0xffffffff,
	};
	struct res r;

	setup();
	fake.interrupt_loaded = false;
	r = ecall(0, SBI_EXT_HSM, 3, 0, 0, 0);		/* default retentive: like WFI */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(r.e.action, TRAP_YIELD);
	CHECK_EQ(vm.vcpus[0].state, VCPU_BLOCKED);

	setup();
	fake.interrupt_loaded = true;			/* wake-up already pending */
	r = ecall(0, SBI_EXT_HSM, 3, 0, 0, 0);
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(r.e.action, TRAP_RESUME);
	CHECK_EQ(vm.vcpus[0].state, VCPU_RUNNABLE);

	setup();
	r = ecall(0, SBI_EXT_HSM, 3, 0x80000000ul, VM_RAM_BASE, 0);	/* default non-retentive */
	CHECK_ERR(r, SBI_ERR_NOT_SUPPORTED);
	for (unsigned i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		r = ecall(0, SBI_EXT_HSM, 3, invalid[i], VM_RAM_BASE, 0);
		CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
		if (r.a0 != SBI_ERR_INVALID_PARAM)
			UNIT_FAIL("suspend_type 0x%lx gave %ld", invalid[i], r.a0);
	}
	CHECK_EQ(vm.vcpus[0].state, VCPU_RUNNABLE);
	check_nothing_happened();
}

TEST(srst_invalid)
{
	static const unsigned long bad_type[] = { 3, 0xefffffff, 0xf0000000, 0xffffffff };
	/* reasons wider than uint32_t: the guest fuzzer rebooted its VM with 1 << 63 */
	static const unsigned long bad_reason[] = { 2, 0xdfffffff, 0x100000000UL, 1UL << 63, ~0UL };
	struct res r;

	setup();
	for (unsigned i = 0; i < sizeof(bad_type) / sizeof(bad_type[0]); i++) {
		r = ecall(0, SBI_EXT_SRST, 0, bad_type[i], 0, 0);
		CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
		if (r.a0 != SBI_ERR_INVALID_PARAM)
			UNIT_FAIL("reset_type 0x%lx gave %ld", bad_type[i], r.a0);
	}
	for (unsigned t = 0; t < 3; t++)
		for (unsigned i = 0; i < sizeof(bad_reason) / sizeof(bad_reason[0]); i++) {
			r = ecall(0, SBI_EXT_SRST, 0, t, bad_reason[i], 0);
			CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
		}
	check_nothing_happened();
}

TEST(srst_shutdown)
{
	struct res r;

	setup();
	r = ecall(0, SBI_EXT_SRST, 0, 0, 0, 0);
	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.e.action, TRAP_YIELD);
	CHECK_EQ(fake.vm_stops, 1);
	CHECK_EQ(fake.stop_state, VM_STOPPED);
	CHECK_EQ(vm.state, VM_STOPPED);
	CHECK_EQ(fake.vm_resets, 0);

	setup();
	r = ecall(1, SBI_EXT_SRST, 0, 0, 1, 0);		/* system failure: the VM dies, with a report */
	CHECK_EQ(r.rc, -1);
	CHECK_EQ(fake.vm_stops, 0);			/* trap_handle stops it, after the report */
	CHECK(strstr(r.e.why, "system failure (SBI SRST)") != NULL);

	setup();
	r = ecall(0, SBI_EXT_SRST, 0, 0, 0xe0000000ul, 0);	/* SBI-implementation reason */
	CHECK_EQ(fake.vm_stops, 1);
}

TEST(srst_reboot)
{
	for (unsigned long type = 1; type <= 2; type++) {
		struct res r;

		setup();
		r = ecall(1, SBI_EXT_SRST, 0, type, 0, 0);
		CHECK_EQ(r.rc, 0);
		CHECK_EQ(fake.vm_resets, 1);
		CHECK_EQ(fake.vm_stops, 0);
		CHECK_EQ(r.e.action, TRAP_YIELD);
		CHECK_EQ(r.e.advance, 0);		/* sepc is the entry now, not ecall + 4 */
		CHECK_EQ(r.e.kind, TRACE_SBI);		/* a7/a6 are the new image's: traced here */
		CHECK_EQ(r.e.payload[0], SBI_EXT_SRST);
		CHECK_EQ(r.e.payload[1], 0);
		/* a0/a1 are what the reset set up (hartid, DTB), not an sbiret. */
		CHECK_EQ(vm.vcpus[1].regs.x[REG_A0], 1);
		CHECK_EQ(vm.vcpus[1].regs.x[REG_A1], vm.fdt_gpa);
		CHECK_EQ(vm.vcpus[0].regs.x[REG_A1], vm.fdt_gpa);
		CHECK_EQ(vm.vcpus[0].regs.sepc, vm.image.entry);
	}
}

TEST(dbcn_write)
{
	struct res r;
	char *p;

	setup();
	p = (char *)ram + 0x100;
	memcpy(p, "hello", 5);
	r = ecall(0, SBI_EXT_DBCN, 0, 5, VM_RAM_BASE + 0x100, 0);
	CHECK_RET(r, SBI_SUCCESS, 5);
	CHECK_EQ(fake.out_len, 5);
	CHECK(memcmp(fake.out, "hello", 5) == 0);

	/* The last bytes of RAM. */
	memcpy((char *)ram + RAM_SIZE - 3, "xyz", 3);
	r = ecall(0, SBI_EXT_DBCN, 0, 3, RAM_END - 3, 0);
	CHECK_RET(r, SBI_SUCCESS, 3);
	CHECK(memcmp(fake.out + 5, "xyz", 3) == 0);

	r = ecall(0, SBI_EXT_DBCN, 2, 'Q', 0x77, 0x88);		/* write_byte */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(fake.out_len, 9);
	CHECK_EQ(fake.out[8], 'Q');
}

/* A whole-RAM buffer: at most 4 KiB per call, the count says how many; the rest is the caller's. */
TEST(dbcn_write_is_bounded_per_call)
{
	struct res r;

	setup();
	memset(ram, 'a', RAM_SIZE);
	r = ecall(0, SBI_EXT_DBCN, 0, RAM_SIZE, VM_RAM_BASE, 0);
	CHECK_RET(r, SBI_SUCCESS, 4096);
	CHECK_EQ(fake.out_len, 4096);
	r = ecall(0, SBI_EXT_DBCN, 0, 4097, VM_RAM_BASE, 0);
	CHECK_RET(r, SBI_SUCCESS, 4096);
	r = ecall(0, SBI_EXT_DBCN, 0, 4096, VM_RAM_BASE, 0);
	CHECK_RET(r, SBI_SUCCESS, 4096);
	r = ecall(0, SBI_EXT_DBCN, 0, RAM_SIZE + 1, VM_RAM_BASE, 0);	/* still checked whole */
	CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
}

TEST(dbcn_write_outside_ram)
{
	static const unsigned long bad[][3] = {
		{ 4, 0x1000, 0 },			/* below RAM */
		{ 4, VM_RAM_BASE - 2, 0 },		/* straddles the start */
		{ 3, RAM_END - 2, 0 },			/* straddles the end */
		{ 1, RAM_END, 0 },			/* just past it */
		{ RAM_SIZE + 1, VM_RAM_BASE, 0 },	/* longer than RAM */
		{ ~0ul, VM_RAM_BASE + 8, 0 },		/* wraps */
		{ 16, ~0ul - 7, 0 },
		{ 4, VM_RAM_BASE, 1 },			/* base_addr_hi != 0 */
		{ 4, 0x10000000, 0 },			/* the UART */
	};
	struct res r;

	setup();
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = ecall(0, SBI_EXT_DBCN, 0, bad[i][0], bad[i][1], bad[i][2]);
		CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
		if (r.a0 != SBI_ERR_INVALID_PARAM)
			UNIT_FAIL("write(%lu, 0x%lx, 0x%lx) gave %ld", bad[i][0], bad[i][1], bad[i][2], r.a0);
		r = ecall(0, SBI_EXT_DBCN, 1, bad[i][0], bad[i][1], bad[i][2]);
		CHECK_ERR(r, SBI_ERR_INVALID_PARAM);
	}
	check_nothing_happened();
}

TEST(dbcn_read)
{
	struct res r;
	char *p = NULL;

	setup();
	p = (char *)ram + 0x200;
	memset(p, '.', 8);
	r = ecall(0, SBI_EXT_DBCN, 1, 8, VM_RAM_BASE + 0x200, 0);	/* nothing to read */
	CHECK_RET(r, SBI_SUCCESS, 0);
	CHECK_EQ(p[0], '.');

	vuart_receive(&vm.uart, 'a');
	vuart_receive(&vm.uart, 'b');
	vuart_receive(&vm.uart, 'c');
	r = ecall(0, SBI_EXT_DBCN, 1, 2, VM_RAM_BASE + 0x200, 0);
	CHECK_RET(r, SBI_SUCCESS, 2);
	CHECK(memcmp(p, "ab..", 4) == 0);
	CHECK(fake.irq_updates >= 1);
	r = ecall(0, SBI_EXT_DBCN, 1, 8, VM_RAM_BASE + 0x200, 0);
	CHECK_RET(r, SBI_SUCCESS, 1);
	CHECK(memcmp(p, "cb..", 4) == 0);
	CHECK_EQ(vm.uart.rx_count, 0);
}

TEST(legacy_console)
{
	struct res r;

	setup();
	r = ecall(0, SBI_EXT_LEGACY_PUTCHAR, 0, 'Z', 0x1234, 0);
	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.a0, 0);
	CHECK_EQ(r.a1, 0x1234);
	CHECK_EQ(r.e.advance, 4);
	CHECK_EQ(fake.out_len, 1);
	CHECK_EQ(fake.out[0], 'Z');

	/* getchar: -1 when empty; a1 untouched (the guest's value survives). */
	r = ecall(0, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0x1234, 0);
	CHECK_EQ(r.rc, 0);
	CHECK_EQ(r.a0, -1);
	CHECK_EQ(r.a1, 0x1234);
	CHECK_EQ(r.e.advance, 4);

	vuart_receive(&vm.uart, 'q');
	vuart_receive(&vm.uart, 0xff);
	r = ecall(0, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0x1234, 0);
	CHECK_EQ(r.a0, 'q');
	CHECK_EQ(r.a1, 0x1234);
	r = ecall(0, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0x1234, 0);
	CHECK_EQ(r.a0, 0xff);				/* a byte, not the -1 of "empty" */
	r = ecall(0, SBI_EXT_LEGACY_GETCHAR, 0, 0, 0x1234, 0);
	CHECK_EQ(r.a0, -1);
	CHECK(fake.irq_updates >= 2);

	/* putchar leaves a1 alone too. */
	r = ecall(0, SBI_EXT_LEGACY_PUTCHAR, 0x99, '!', 0x4321, 0);
	CHECK_EQ(r.a0, 0);
	CHECK_EQ(r.a1, 0x4321);
}

TEST(legacy_other_calls)
{
	struct res r;

	setup();
	fake_csr[CSR_HVIP] = MIP_VSTIP | MIP_VSSIP | MIP_VSEIP;
	r = ecall(0, SBI_EXT_LEGACY_SET_TIMER, 0, 0xabcdef, 0x77, 0);
	CHECK_EQ(r.a0, 0);
	CHECK_EQ(r.a1, 0x77);
	CHECK_EQ(fake_csr[CSR_VSTIMECMP], 0xabcdef);
	CHECK_EQ(fake_csr[CSR_HVIP], MIP_VSSIP | MIP_VSEIP);

	r = ecall(0, SBI_EXT_LEGACY_CLEAR_IPI, 0, 0, 0x77, 0);
	CHECK_EQ(r.a0, 0);
	CHECK_EQ(r.a1, 0x77);
	CHECK_EQ(fake_csr[CSR_HVIP], MIP_VSEIP);

	/* Unimplemented or reserved legacy EIDs: -2 in a0, a1 untouched. */
	static const unsigned long unimpl[] = { 0x04, 0x05, 0x06, 0x07, 0x09, 0x0f };
	for (unsigned i = 0; i < sizeof(unimpl) / sizeof(unimpl[0]); i++) {
		r = ecall(0, unimpl[i], 0, VM_RAM_BASE, 0x77, 0);
		CHECK_EQ(r.a0, SBI_ERR_NOT_SUPPORTED);
		CHECK_EQ(r.a1, 0x77);
		CHECK_EQ(r.e.advance, 4);
	}
	check_nothing_happened();

	r = ecall(0, SBI_EXT_LEGACY_SHUTDOWN, 0, 0, 0x77, 0);
	CHECK_EQ(r.e.action, TRAP_YIELD);
	CHECK_EQ(fake.vm_stops, 1);
	CHECK_EQ(vm.state, VM_STOPPED);
}

UNIT_MAIN("test_sbi",
	  UNIT(base_versions_and_ids),
	  UNIT(base_probe_extension),
	  UNIT(unknown_extensions),
	  UNIT(unknown_functions),
	  UNIT(ipi_masks),
	  UNIT(ipi_invalid_masks),
	  UNIT(rfence),
	  UNIT(time_set_timer),
	  UNIT(hsm_hart_start),
	  UNIT(hsm_get_status_and_stop),
	  UNIT(hsm_suspend_types),
	  UNIT(srst_invalid),
	  UNIT(srst_shutdown),
	  UNIT(srst_reboot),
	  UNIT(dbcn_write),
	  UNIT(dbcn_write_is_bounded_per_call), UNIT(dbcn_write_outside_ram),
	  UNIT(dbcn_read),
	  UNIT(legacy_console),
	  UNIT(legacy_other_calls))
