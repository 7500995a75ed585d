/*
 * Host unit tests of core/ on the fake arch (fake_arch.c) with fakes of
 * what lies above it (fake_core_env.c): trap dispatch (trap.c), the
 * scheduler's pick (sched.c), VM pause, kill and reset (vm.c), and a
 * vCPU's VS CSRs live or saved (vcpu.c).  The core code is the real code.
 */
#include "unit.h"
#include "fake_arch.h"
#include "fake_core_env.h"
#include "core/sched.h"
#include "core/trap.h"
#include "trace/trace.h"
#include "mem/page.h"

#define ENTRY 0x80200000UL
#define RAM_SIZE (8UL << 20)

static const uint8_t image[4] = { 0x73, 0x00, 0x50, 0x10 };	/* wfi */

/* Two VMs: vm1 with 2 vCPUs, vm2 with 1; this hart is hart 0 with nothing loaded. */
static struct vm *setup(void)
{
	struct vm *vm1;

	fake_arch_reset(0);
	fake_core_env_reset();
	memset(harts, 0, sizeof(harts));
	harts[0].online = true;
	vm1 = fake_core_vm(1, 2);
	fake_core_vm(2, 1);
	vm1->ram_size = RAM_SIZE;
	vm1->ram = page_alloc(RAM_SIZE / PAGE_SIZE, MEGAPAGE_SIZE);
	vm1->image = (struct vm_image){ .load = ENTRY, .entry = ENTRY, .size = sizeof(image), .data = image };
	vm1->hideleg = MIP_VSSIP | MIP_VSTIP | MIP_VSEIP;
	hv_henvcfg_caps = ENVCFG_STCE | ENVCFG_ADUE | ENVCFG_FIOM;
	return vm1;
}

static void teardown(struct vm *vm1)
{
	free(hpa_ptr(vm1->ram));
}

/* An exit of v on this hart with this scause (and stval). */
static enum trap_action exit_with(struct vcpu *v, uint64_t scause, uint64_t stval)
{
	this_hart()->current = v;
	vcpu_trace_on_hart(v, this_hart()->hartid);	/* as vcpu_load() does */
	v->running = true;
	fake_csr[CSR_SCAUSE] = scause;
	fake_csr[CSR_STVAL] = stval;
	return trap_handle(v);
}

enum { LEAVE, REENTER_FULL, REENTER_QUICK };

/* An exit as the trap vector (arch/entry.S) hands it over: sepc, sstatus, hstatus still in their CSRs. */
static int vector_exit(struct vcpu *v, uint64_t scause, uint64_t sepc)
{
	this_hart()->current = v;
	vcpu_trace_on_hart(v, this_hart()->hartid);
	v->running = true;
	fake_csr[CSR_SCAUSE] = scause;
	fake_csr[CSR_SEPC] = sepc;
	fake_csr[CSR_STVAL] = 0;
	if (trap_quick(v))
		return REENTER_QUICK;
	return trap_slow(v) ? REENTER_FULL : LEAVE;
}

/* ---- trap dispatch ---- */

TEST(quick_exit_moves_sepc_in_the_csr_and_counts)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	struct trace_record r[1];

	trace_clear();
	trace_set(false, ~0UL, TRACE_CLASS_ALL);
	env.quick_advance = 4;
	v->loop.count = 5;
	CHECK_EQ(vector_exit(v, CAUSE_VIRTUAL_SUPERVISOR_ECALL, ENTRY), REENTER_QUICK);
	CHECK_EQ(env.quick_calls, 1);
	CHECK_EQ(env.sbi_calls, 0);		/* the general path never ran */
	CHECK_EQ(fake_csr[CSR_SEPC], ENTRY + 4);
	CHECK_EQ(v->stats.exits, 1);
	CHECK_EQ(v->stats.by_cause[CAUSE_VIRTUAL_SUPERVISOR_ECALL], 1);
	CHECK_EQ(v->loop.count, 0);		/* an emulated instruction is progress */
	CHECK_EQ(this_hart()->last_trap.sepc, ENTRY);
	CHECK_EQ(this_hart()->last_trap.vcpu, v);
	CHECK_EQ(trace_collect(1, 0, r, 1), 0);	/* tracing off: no record */
	trace_set(true, ~0UL, TRACE_CLASS_ALL);	/* the default */
	teardown(vm);
}

TEST(declined_quick_exit_takes_the_general_path_once)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	env.quick_advance = 0;
	fake_csr[CSR_SSTATUS] = SSTATUS_SPP;
	CHECK_EQ(vector_exit(v, CAUSE_VIRTUAL_SUPERVISOR_ECALL, ENTRY), REENTER_FULL);
	CHECK_EQ(env.quick_calls, 1);
	CHECK_EQ(env.sbi_calls, 1);
	CHECK_EQ(v->regs.sepc, ENTRY + 4);	/* saved from the CSR, then moved in regs */
	CHECK_EQ(v->regs.sstatus, SSTATUS_SPP);
	CHECK_EQ(v->stats.exits, 1);		/* counted once */
	CHECK_EQ(v->stats.by_cause[CAUSE_VIRTUAL_SUPERVISOR_ECALL], 1);
	teardown(vm);
}

TEST(only_ecalls_and_guest_page_faults_are_quick)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	env.quick_advance = 4;
	CHECK_EQ(vector_exit(v, CAUSE_LOAD_GUEST_PAGE_FAULT, ENTRY), REENTER_QUICK);
	CHECK_EQ(vector_exit(v, CAUSE_STORE_GUEST_PAGE_FAULT, ENTRY), REENTER_QUICK);
	CHECK_EQ(env.quick_calls, 2);
	fake_csr[CSR_VSTVEC] = 0x80001000;
	vector_exit(v, CAUSE_ILLEGAL_INSTRUCTION, ENTRY);	/* reflected by the general path */
	vector_exit(v, CAUSE_FETCH_GUEST_PAGE_FAULT, ENTRY);
	CHECK_EQ(env.quick_calls, 2);
	CHECK_EQ(env.mmio_calls, 1);
	teardown(vm);
}

TEST(traced_quick_exit_writes_its_record)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];
	struct trace_record r[2];

	trace_clear();
	trace_set(true, ~0UL, TRACE_CLASS_ALL);
	env.quick_advance = 2;
	fake_csr[CSR_HTVAL] = 0x10000005UL >> 2;
	CHECK_EQ(vector_exit(v, CAUSE_STORE_GUEST_PAGE_FAULT, ENTRY), REENTER_QUICK);
	CHECK_EQ(trace_collect(1, 0, r, 2), 1);
	CHECK_EQ(r[0].kind, TRACE_MMIO);
	CHECK_EQ(r[0].cause, CAUSE_STORE_GUEST_PAGE_FAULT);
	CHECK_EQ(r[0].sepc, ENTRY);
	CHECK_EQ(r[0].info, 0x42);
	CHECK_EQ(r[0].payload[0], 0x10000004);	/* the GPA from htval (stval's low bits are 0) */
	CHECK_EQ(r[0].payload[1], 0x5678);
	CHECK_EQ(r[0].vm, 1);
	CHECK_EQ(fake_csr[CSR_SEPC], ENTRY + 2);
	v->regs.x[REG_A7] = 0x10;	/* an SBI call's record names the EID */
	CHECK_EQ(vector_exit(v, CAUSE_VIRTUAL_SUPERVISOR_ECALL, ENTRY), REENTER_QUICK);
	CHECK_EQ(trace_collect(1, 0, r, 2), 2);
	CHECK_EQ(r[1].kind, TRACE_SBI);
	CHECK_EQ(r[1].payload[0], 0x10);
	CHECK_EQ(r[1].info, 0x42);
	trace_clear();
	/* Under a filter the general path decides (and applies it). */
	trace_set(true, 1UL << 2, TRACE_CLASS_ALL);
	CHECK_EQ(vector_exit(v, CAUSE_VIRTUAL_SUPERVISOR_ECALL, ENTRY), REENTER_FULL);
	CHECK_EQ(env.quick_calls, 2);
	CHECK_EQ(trace_collect(1, 0, r, 2), 0);	/* VM 1 is filtered out */
	trace_set(true, ~0UL, TRACE_CLASS_ALL);
	teardown(vm);
}

TEST(ecall_goes_to_sbi_and_sepc_moves_once)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	v->regs.sepc = ENTRY;
	CHECK_EQ(exit_with(v, CAUSE_VIRTUAL_SUPERVISOR_ECALL, 0), TRAP_RESUME);
	CHECK_EQ(env.sbi_calls, 1);
	CHECK_EQ(env.mmio_calls, 0);
	CHECK_EQ(v->regs.sepc, ENTRY + 4);
	CHECK_EQ(v->stats.exits, 1);
	CHECK_EQ(v->stats.by_cause[CAUSE_VIRTUAL_SUPERVISOR_ECALL], 1);
	CHECK_EQ(this_hart()->last_trap.scause, CAUSE_VIRTUAL_SUPERVISOR_ECALL);
	CHECK_EQ(this_hart()->last_trap.vcpu, v);
	CHECK_EQ(vm->state, VM_RUNNING);
	teardown(vm);
}

TEST(guest_page_fault_goes_to_mmio)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[1];

	CHECK_EQ(exit_with(v, CAUSE_STORE_GUEST_PAGE_FAULT, 0x10000000), TRAP_RESUME);
	CHECK_EQ(env.mmio_calls, 1);
	CHECK_EQ(env.sbi_calls, 0);
	CHECK_EQ(v->stats.by_cause[CAUSE_STORE_GUEST_PAGE_FAULT], 1);
	teardown(vm);
}

TEST(unexpected_cause_stops_only_that_vm)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	v->regs.sepc = ENTRY;
	CHECK_EQ(exit_with(v, CAUSE_SUPERVISOR_ECALL, 0), TRAP_YIELD);
	CHECK_EQ(vm->state, VM_DEAD);
	CHECK_STR(vm->stop_reason, "unhandled trap from the guest");
	CHECK_EQ(env.captures, 1);
	CHECK_EQ(env.announces, 1);
	CHECK_EQ(v->regs.sepc, ENTRY);		/* a failed exit does not move sepc */
	CHECK_EQ(vms[1].state, VM_RUNNING);
	teardown(vm);
}

TEST(failing_handler_stops_the_vm)
{
	struct vm *vm = setup();

	env.sbi_result = -1;
	CHECK_EQ(exit_with(&vm->vcpus[0], CAUSE_VIRTUAL_SUPERVISOR_ECALL, 0), TRAP_YIELD);
	CHECK_EQ(vm->state, VM_DEAD);
	teardown(vm);
}

TEST(reflected_exception_enters_guest_handler_and_loops_are_caught)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	fake_csr[CSR_VSTVEC] = 0x80001000;
	v->regs.sepc = 0x80002000;
	CHECK_EQ(exit_with(v, CAUSE_USER_ECALL, 0), TRAP_RESUME);
	CHECK_EQ(v->regs.sepc, 0x80001000);		/* the guest's handler */
	CHECK_EQ(fake_csr[CSR_VSEPC], 0x80002000);
	CHECK_EQ(fake_csr[CSR_VSCAUSE], CAUSE_USER_ECALL);
	/* The same exception at the same pc, again and again: a fault loop, reported once. */
	for (unsigned i = 1; i < hv_fault_loop_k && vm->state == VM_RUNNING; i++) {
		v->regs.sepc = 0x80002000;
		exit_with(v, CAUSE_USER_ECALL, 0);
	}
	CHECK_EQ(vm->state, VM_DEAD);
	CHECK_EQ(env.loop_captures, 1);
	CHECK(strstr(vm->stop_reason, "fault loop") != NULL);
	teardown(vm);
}

TEST(timer_interrupt_counts_and_yields_at_slice_end)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];

	this_hart()->timer_at = 100;
	this_hart()->timer_armed = true;
	fake_csr[CSR_SIP] = MIP_STIP;
	fake_csr[CSR_TIME] = 50;
	CHECK_EQ(exit_with(v, CAUSE_IRQ_FLAG | IRQ_S_TIMER, 0), TRAP_RESUME);
	CHECK_EQ(v->stats.by_irq[IRQ_S_TIMER], 1);
	CHECK_EQ(fake_arch.timer, UINT64_MAX);		/* disarmed until the next entry */
	CHECK(!this_hart()->timer_armed);
	fake_csr[CSR_TIME] = 150;
	CHECK_EQ(exit_with(v, CAUSE_IRQ_FLAG | IRQ_S_TIMER, 0), TRAP_YIELD);
	CHECK_EQ(v->stats.by_cause[IRQ_S_TIMER], 0);	/* interrupts are not exceptions */
	teardown(vm);
}

/* ---- the scheduler's pick ---- */

static bool picked(struct vcpu *got, struct vcpu *a, struct vcpu *b)
{
	return got == a || got == b;
}

TEST(pick_runs_each_runnable_vcpu_once_and_skips_the_rest)
{
	struct vm *vm1 = setup();
	struct vcpu *a = &vm1->vcpus[0], *blocked = &vm1->vcpus[1], *b = &vms[1].vcpus[0];
	struct vcpu *first, *second;

	blocked->state = VCPU_BLOCKED;		/* in WFI with nothing pending */
	first = sched_pick();
	second = sched_pick();
	CHECK(picked(first, a, b) && picked(second, a, b) && first != second);
	CHECK(first->running && second->running);
	CHECK_EQ(first->hart, 0);
	CHECK(sched_pick() == NULL);		/* the rest is running or blocked */
	CHECK_EQ(blocked->state, VCPU_BLOCKED);
	sched_release(first);
	CHECK(sched_pick() == first);
	teardown(vm1);
}

TEST(pick_wakes_a_blocked_vcpu_with_an_interrupt_and_skips_paused_vms)
{
	struct vm *vm1 = setup();
	struct vcpu *woken = &vm1->vcpus[1];

	vm1->vcpus[0].state = VCPU_OFF;
	vms[1].state = VM_PAUSED;
	woken->state = VCPU_BLOCKED;
	CHECK(sched_pick() == NULL);
	woken->vsie = 1UL << IRQ_S_SOFT;
	woken->ssip_pending = 1;		/* an IPI arrived */
	CHECK(sched_pick() == woken);
	CHECK_EQ(woken->state, VCPU_RUNNABLE);
	CHECK(sched_pick() == NULL);		/* vm2 is paused */
	teardown(vm1);
}

/* ---- VM pause, kill, reset ---- */

TEST(pause_resume_kill_follow_the_vm_state)
{
	struct vm *vm = setup();
	const char *why = NULL;

	CHECK_EQ(vm_pause(vm, &why), 0);
	CHECK_EQ(vm->state, VM_PAUSED);
	CHECK(sched_pick() == &vms[1].vcpus[0]);	/* only vm2 runs */
	CHECK_EQ(vm_pause(vm, &why), -1);
	CHECK_STR(why, "it is paused");
	CHECK_EQ(vm_resume(vm, &why), 0);
	CHECK_EQ(vm->state, VM_RUNNING);
	CHECK_EQ(vm_resume(vm, &why), -1);
	CHECK_STR(why, "it is running");
	CHECK_EQ(vm_kill(vm, "killed by the test", &why), 0);
	CHECK_EQ(vm->state, VM_STOPPED);
	CHECK_STR(vm->stop_reason, "killed by the test");
	CHECK_EQ(vm_kill(vm, "again", &why), -1);
	CHECK_STR(why, "it is stopped");
	teardown(vm);
}

TEST(pause_inside_an_exit_of_the_vm_does_not_wait_for_itself)
{
	struct vm *vm = setup();
	struct vcpu *self = &vm->vcpus[0];
	const char *why = NULL;

	this_hart()->current = self;
	self->running = true;
	CHECK_EQ(vm_pause(vm, &why), 0);
	CHECK_EQ(vm->state, VM_PAUSED);
	teardown(vm);
}

TEST(reset_waits_until_the_last_vcpu_leaves_its_hart)
{
	struct vm *vm = setup();
	struct vcpu *v = sched_pick();		/* vm1's vCPU 0 or vm2's: make it vm1's */

	while (v && v->vm != vm)
		v = sched_pick();
	CHECK(v != NULL);
	if (!v)
		return;
	v->regs.sepc = 0x1234;
	vm_reset(vm, "test");
	CHECK_EQ(vm->state, VM_RESETTING);
	CHECK_EQ(env.vdev_resets, 0);		/* only asked: v is still on a hart */
	CHECK_EQ(vm->reset_gen, 0);
	vm_reset(vm, "again");			/* the same pending reset */
	sched_release(v);
	vm_vcpu_left(v);			/* the run loop, after v left */
	CHECK_EQ(env.vdev_resets, 1);
	CHECK_EQ(vm->reset_gen, 1);
	CHECK_EQ(vm->state, VM_RUNNING);
	CHECK_EQ(vm->vcpus[0].regs.sepc, ENTRY);
	CHECK_EQ(vm->vcpus[0].state, VCPU_RUNNABLE);
	CHECK_EQ(vm->vcpus[1].state, VCPU_OFF);	/* secondary harts wait for HSM */
	CHECK(memcmp(vm_gpa_ptr(vm, ENTRY), image, sizeof(image)) == 0);
	CHECK(strstr(env.last_log, "rebooting (test)") != NULL);
	teardown(vm);
}

TEST(reset_of_an_idle_vm_happens_at_once)
{
	struct vm *vm = setup();

	vm_reset_wait(vm, "hv> reset");
	CHECK_EQ(vm->reset_gen, 1);
	CHECK_EQ(vm->state, VM_RUNNING);
	CHECK_EQ(env.vdev_resets, 1);
	teardown(vm);
}

TEST(reset_from_inside_the_vm_returns_without_waiting)
{
	struct vm *vm = setup();
	struct vcpu *self = &vm->vcpus[0];

	this_hart()->current = self;
	self->running = true;
	vm_reset_wait(vm, "hv> reset");		/* would spin a second if it waited */
	CHECK_EQ(vm->state, VM_RESETTING);
	CHECK_EQ(vm->reset_gen, 0);
	teardown(vm);
}

/* ---- a vCPU's VS CSRs ---- */

TEST(vs_csrs_are_live_while_loaded_here)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[0];
	uint64_t val = 0;

	this_hart()->current = v;
	fake_csr[CSR_VSTVEC] = 0x80001000;
	v->vstvec = 0xdead;
	CHECK_EQ(vcpu_vs_csr_read(v, CSR_VSTVEC, &val), 0);
	CHECK_EQ(val, 0x80001000);
	CHECK_EQ(vcpu_vs_csr_write(v, CSR_VSATP, 0x8000000000080100UL), 0);
	CHECK_EQ(fake_csr[CSR_VSATP], 0x8000000000080100UL);
	CHECK_EQ(v->vsatp, 0);
	CHECK_EQ(fake_hfence_vvma, 1);		/* no stale VS TLB entries */
	teardown(vm);
}

TEST(vs_csrs_are_saved_while_not_loaded)
{
	struct vm *vm = setup();
	struct vcpu *v = &vm->vcpus[1];
	uint64_t val = 0;

	fake_csr[CSR_VSTVEC] = 0x80001000;	/* another vCPU's, live on this hart */
	v->vstvec = 0x80300000;
	CHECK_EQ(vcpu_vs_csr_read(v, CSR_VSTVEC, &val), 0);
	CHECK_EQ(val, 0x80300000);
	CHECK_EQ(vcpu_vs_csr_write(v, CSR_VSATP, 0x8000000000080200UL), 0);
	CHECK_EQ(v->vsatp, 0x8000000000080200UL);
	CHECK_EQ(v->flush_pending, 1);		/* flushed at its next entry */
	CHECK_EQ(fake_csr[CSR_VSATP], 0);
	v->hvip = MIP_VSSIP;
	CHECK_EQ(vcpu_vs_csr_read(v, CSR_VSIP, &val), 0);
	CHECK_EQ(val, 1UL << IRQ_S_SOFT);	/* vsip.SSIP from the saved hvip */
	CHECK(!vcpu_vs_csr_writable(CSR_VSIP));
	CHECK_EQ(vcpu_vs_csr_write(v, CSR_VSIP, 0), -1);
	CHECK_EQ(vcpu_vs_csr_read(v, CSR_HSTATUS, &val), -1);
	teardown(vm);
}

TEST(vm_csr_writes_check_the_hart_and_reach_every_vcpu)
{
	struct vm *vm = setup();
	const char *why = NULL;
	uint32_t gen = vm->csr_gen;

	CHECK_EQ(vm_vcpu_csr_write(vm, 0, CSR_HENVCFG, ENVCFG_PBMTE, &why), -1);	/* not in caps */
	CHECK(why && strstr(why, "cannot set"));
	CHECK_EQ(vm->csr_gen, gen);
	CHECK_EQ(vm_vcpu_csr_write(vm, 0, CSR_HENVCFG, ENVCFG_STCE | ENVCFG_ADUE, &why), 0);
	CHECK_EQ(vm->henvcfg, ENVCFG_STCE | ENVCFG_ADUE);
	CHECK(vm->adue);
	CHECK(vm->hedeleg & 1UL << CAUSE_FETCH_PAGE_FAULT);	/* ADUE on: page faults are the guest's */
	CHECK(vm->csr_gen != gen);
	CHECK_EQ(vm_vcpu_csr_write(vm, 0, CSR_HEDELEG, 1UL << CAUSE_VIRTUAL_SUPERVISOR_ECALL, &why), -1);
	CHECK_EQ(vm_vcpu_csr_write(vm, 0, CSR_HEDELEG, 1UL << CAUSE_BREAKPOINT, &why), 0);
	CHECK_EQ(vm->hedeleg, 1UL << CAUSE_BREAKPOINT);
	CHECK_EQ(vm_vcpu_csr_write(vm, 1, CSR_VSSCRATCH, 0x42, &why), 0);	/* paused and resumed */
	CHECK_EQ(vm->vcpus[1].vsscratch, 0x42);
	CHECK_EQ(vm->state, VM_RUNNING);
	CHECK_EQ(vm_vcpu_csr_write(vm, 1, CSR_VSIP, 0, &why), -1);
	CHECK_STR(why, "not writable from the console");
	teardown(vm);
}

UNIT_MAIN("test_core",
	  UNIT(quick_exit_moves_sepc_in_the_csr_and_counts),
	  UNIT(declined_quick_exit_takes_the_general_path_once),
	  UNIT(only_ecalls_and_guest_page_faults_are_quick),
	  UNIT(traced_quick_exit_writes_its_record),
	  UNIT(ecall_goes_to_sbi_and_sepc_moves_once),
	  UNIT(guest_page_fault_goes_to_mmio),
	  UNIT(unexpected_cause_stops_only_that_vm),
	  UNIT(failing_handler_stops_the_vm),
	  UNIT(reflected_exception_enters_guest_handler_and_loops_are_caught),
	  UNIT(timer_interrupt_counts_and_yields_at_slice_end),
	  UNIT(pick_runs_each_runnable_vcpu_once_and_skips_the_rest),
	  UNIT(pick_wakes_a_blocked_vcpu_with_an_interrupt_and_skips_paused_vms),
	  UNIT(pause_resume_kill_follow_the_vm_state),
	  UNIT(pause_inside_an_exit_of_the_vm_does_not_wait_for_itself),
	  UNIT(reset_waits_until_the_last_vcpu_leaves_its_hart),
	  UNIT(reset_of_an_idle_vm_happens_at_once),
	  UNIT(reset_from_inside_the_vm_returns_without_waiting),
	  UNIT(vs_csrs_are_live_while_loaded_here),
	  UNIT(vs_csrs_are_saved_while_not_loaded),
	  UNIT(vm_csr_writes_check_the_hart_and_reach_every_vcpu))
