/*
 * A fake hypervisor behind struct console_ops for the console's unit tests
 * and fuzzer: three VMs with host-memory "RAM", real G-stage tables built by
 * mem/gstage.c (host addresses play the part of HPAs, as in test_gstage.c),
 * a synthetic Sv39 VS-stage table inside VM 1's RAM, fake CSRs, and trace
 * records in the real trace rings (trace/trace.c).
 *
 * VM 1 "alpha" (1 vCPU, running, 4 MiB, vsatp Sv39 root at FAKE_VS_ROOT):
 *   VA 0x80200000 -> GPA 0x80200000  4 KiB leaf R W X A D (image bytes FAKE_IMAGE)
 *   VA 0x80201000 -> GPA 0x80201000  4 KiB leaf R W, A=0 D=0
 *   VA 0x80202000                    invalid PTE
 *   VA 0x80203000                    reserved bits set
 *   VA 0x80204000 -> GPA 0x90000000  R leaf to a GPA outside RAM (guest-page fault)
 *   VA 0x80205000 -> GPA 0x80205000  X-only leaf
 *   VA 0x80400000                    2 MiB leaf with a misaligned PPN
 *   VA 0xc0000000                    level-2 pointer to GPA 0x70000000 (not RAM)
 * VM 2 "beta" (2 vCPUs, paused, 2 MiB, vsatp Bare).
 * VM 3 "gamma" (1 vCPU, dead, with a post-mortem report).
 */
#ifndef FAKE_CONSOLE_BACKEND_H
#define FAKE_CONSOLE_BACKEND_H

#include <stddef.h>
#include "console/console.h"
/* The fake stands where the hypervisor does: it uses the hypervisor's own G-stage tables, fake CSRs and trace rings. */
#include "arch/csr.h"
#include "mem/gstage.h"
#include "trace/trace.h"

#define FAKE_VMS 3
#define FAKE_VS_ROOT 0x80100000UL
#define FAKE_IMAGE "hvscope console test image\x01\x02\x7f"

struct fake_vm {
	struct console_vm_info info;
	struct console_vcpu vcpu[2];
	struct console_stats stats;
	uint8_t *ram;			/* host memory of the guest's RAM at 0x80000000 */
	struct gstage gstage;
	bool has_report;
	char log[64];
};

struct fake_console {
	struct fake_vm vm[FAKE_VMS];
	uint64_t caps;			/* henvcfg bits the "hart" can set */
	struct console_last_trap last_trap;
	bool quit_called;
	unsigned pauses, resumes, resets, kills, dumps, csr_writes, stats_resets;
	uint64_t hart_idle[2];
	uint64_t last_write_value;
	char out[1 << 16];		/* what the console wrote (truncated when full) */
	size_t out_len;
};

extern struct fake_console fk;
extern uint64_t fake_trace_file_bytes;	/* what the fake trace file was given */
extern bool fake_trace_file_dir;	/* false: as if started without a log directory */

/* Builds the fake machine (first call) and sets every field back to its initial value. */
void fake_console_reset(void);
const struct console_ops *fake_console_ops(void);
void fake_console_clear_output(void);

#endif
