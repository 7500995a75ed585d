/*
 * smp: SBI HSM, IPI and RFENCE between the VM's vCPUs.
 *   smp: boot vcpu <id>
 *   smp: vcpu <id> up                (each secondary, started by hart_start)
 *   smp: ipi received on <id>        (each secondary, after send_ipi)
 *   smp: ok | smp: FAIL <what>
 * With one hart in the DTB: "smp: single vcpu" then "smp: ok".
 */
#include "guest.h"

const char guest_name[] = "smp";

/* hart_start's opaque argument: the secondary checks it came through. */
#define SMP_OPAQUE(hartid) (0x5350000000UL ^ (hartid))
#define WAIT_MS		   5000

static volatile int online[GUEST_MAX_HARTS];
static volatile int ipi_seen[GUEST_MAX_HARTS];
static uint64_t timebase;

static int smp_trap(struct trap_frame *tf)
{
	unsigned long id = hart_id();

	if (tf->scause != (SCAUSE_INTERRUPT | IRQ_S_SOFT))
		return 0;
	csr_clear(sip, SIP_SSIP);
	printf("smp: ipi received on %lu\n", id);
	__atomic_store_n(&ipi_seen[id], 1, __ATOMIC_RELEASE);
	return 1;
}

void guest_secondary_main(unsigned long hartid, unsigned long opaque)
{
	if (opaque != SMP_OPAQUE(hartid)) {
		printf("smp: FAIL opaque on vcpu %lu: 0x%lx\n", hartid, opaque);
		guest_halt();
	}
	csr_set(sie, SIE_SSIE);
	csr_set(sstatus, SSTATUS_SIE);
	printf("smp: vcpu %lu up\n", hartid);
	__atomic_store_n(&online[hartid], 1, __ATOMIC_RELEASE);
}

/* Waits until *flag is set; 0 on success, -1 after WAIT_MS. */
static int wait_flag(volatile int *flag)
{
	uint64_t end = rdtime() + timebase * WAIT_MS / 1000;

	while (!__atomic_load_n(flag, __ATOMIC_ACQUIRE))
		if (rdtime() > end)
			return -1;
	return 0;
}

/* Starts one secondary and exchanges an IPI with it; NULL or what failed. */
static const char *smp_check_hart(unsigned long id)
{
	struct sbiret r;

	if (id >= GUEST_MAX_HARTS)
		return "hart id too large";
	r = sbi_hart_start(id, (uintptr_t)_secondary_start, SMP_OPAQUE(id));
	if (r.error)
		return "hart_start";
	if (wait_flag(&online[id]))
		return "secondary did not come up";
	r = sbi_hart_get_status(id);
	if (r.error || r.value != SBI_HSM_STATE_STARTED)
		return "hart_get_status";
	r = sbi_send_ipi(1, id);
	if (r.error)
		return "send_ipi";
	if (wait_flag(&ipi_seen[id]))
		return "ipi not acknowledged";
	return NULL;
}

static const char *smp_check_rfence(void)
{
	if (sbi_remote_fence_i(0, SBI_HART_MASK_BASE_ALL).error)
		return "remote_fence_i";
	/* start 0, size 2^XLEN-1: flush everything (SBI v2.0, RFENCE). */
	if (sbi_remote_sfence_vma(0, SBI_HART_MASK_BASE_ALL, 0, -1UL).error)
		return "remote_sfence_vma";
	return NULL;
}

void guest_main(unsigned long hartid, const void *dtb)
{
	unsigned long ids[GUEST_MAX_HARTS];
	const char *fail = NULL;
	int n, i;

	trap_set_hook(smp_trap);
	printf("smp: boot vcpu %lu\n", hartid);
	timebase = fdt_get_timebase(dtb);
	n = fdt_get_cpus(dtb, ids, GUEST_MAX_HARTS);
	if (n > GUEST_MAX_HARTS || !timebase) {
		printf("smp: FAIL device tree (%d cpus, timebase %lu)\n", n,
		       (unsigned long)timebase);
		return;
	}
	if (n <= 1)
		printf("smp: single vcpu\n");
	for (i = 0; i < n && !fail; i++)
		if (ids[i] != hartid)
			fail = smp_check_hart(ids[i]);
	if (!fail)
		fail = smp_check_rfence();
	if (fail)
		printf("smp: FAIL %s\n", fail);
	else
		printf("smp: ok\n");
}
