/* A fake VM behind the gdbstub's packet layer (tests/unit/test_gdbstub.c, fuzz_gdbstub.c). */
#ifndef FAKE_GDB_TARGET_H
#define FAKE_GDB_TARGET_H

#include <stddef.h>
#include <stdint.h>
#include "gdbstub/stub.h"

#define FAKE_THREADS 2
#define FAKE_MEM_BASE 0x80000000UL
#define FAKE_MEM_SIZE 8192

struct fake_target {
	uint64_t regs[FAKE_THREADS + 1][GDB_REG_COUNT];
	uint8_t mem[FAKE_MEM_SIZE];
	char out[65536];		/* everything the stub sent */
	size_t out_len;
	unsigned stops, resumes, detaches, kills, step_tid;
	unsigned bps;
	char last_monitor[128];
};

extern struct fake_target fake;
const struct gdb_target_ops *fake_gdb_ops(void);
void fake_gdb_reset(void);

#endif
