/*
 * What core/ calls outside itself and arch/, faked for host unit tests of
 * trap dispatch, the scheduler, VM pause/reset and vCPU CSR access
 * (tests/unit/fake_core_env.c): the handlers above core (SBI, MMIO), the
 * debugger's hooks, the post-mortem report, the terminal, the devices'
 * create/reset hooks, the host PLIC and page allocator.  Each records its
 * calls in `env` so that tests can see what happened.
 */
#ifndef FAKE_CORE_ENV_H
#define FAKE_CORE_ENV_H

#include <stdbool.h>
#include "core/vm.h"

struct fake_core_env {
	unsigned sbi_calls, mmio_calls;
	unsigned sbi_advance;		/* what the fake SBI handler skips (4: an ecall) */
	int sbi_result;			/* its return value: nonzero stops the VM */
	unsigned quick_calls;		/* sbi_quick/mmio_quick calls */
	unsigned quick_advance;		/* what they return: 0 sends the exit to the general path */
	unsigned captures, announces, loop_captures;
	unsigned vdev_creates, vdev_resets;
	unsigned term_lines;
	char last_log[192];
};

extern struct fake_core_env env;

void fake_core_env_reset(void);
/* VM id (1..) afresh with n vCPUs: RUNNING, vCPUs RUNNABLE, each on the run list once. */
struct vm *fake_core_vm(int id, unsigned n);

#endif
