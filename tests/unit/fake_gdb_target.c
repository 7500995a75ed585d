/* The fake VM: two threads, 8 KiB of memory at 0x80000000, no FP. */
#include <stdio.h>
#include <string.h>
#include "fake_gdb_target.h"

struct fake_target fake;

static unsigned f_threads(void *ctx) { (void)ctx; return FAKE_THREADS; }
static bool f_has_fp(void *ctx) { (void)ctx; return false; }

static int f_reg_read(void *ctx, unsigned tid, unsigned reg, uint64_t *val)
{
	(void)ctx;
	if (tid < 1 || tid > FAKE_THREADS || reg >= GDB_REG_COUNT)
		return -1;
	*val = fake.regs[tid][reg];
	return 0;
}

static int f_reg_write(void *ctx, unsigned tid, unsigned reg, uint64_t val)
{
	(void)ctx;
	if (tid < 1 || tid > FAKE_THREADS || reg >= GDB_REG_COUNT)
		return -1;
	fake.regs[tid][reg] = val;
	return 0;
}

static bool in_mem(uint64_t addr, size_t len)
{
	return addr >= FAKE_MEM_BASE && len <= FAKE_MEM_SIZE && addr - FAKE_MEM_BASE <= FAKE_MEM_SIZE - len;
}

static int f_mem_read(void *ctx, unsigned tid, uint64_t addr, uint8_t *buf, size_t len)
{
	(void)ctx; (void)tid;
	if (!in_mem(addr, len))
		return -1;
	memcpy(buf, fake.mem + (addr - FAKE_MEM_BASE), len);
	return 0;
}

static int f_mem_write(void *ctx, unsigned tid, uint64_t addr, const uint8_t *buf, size_t len)
{
	(void)ctx; (void)tid;
	if (!in_mem(addr, len))
		return -1;
	memcpy(fake.mem + (addr - FAKE_MEM_BASE), buf, len);
	return 0;
}

static int f_bp_insert(void *ctx, uint64_t addr, unsigned kind)
{
	(void)ctx;
	if (!in_mem(addr, kind))
		return -1;
	fake.bps++;
	return 0;
}

static int f_bp_remove(void *ctx, uint64_t addr, unsigned kind)
{
	(void)ctx;
	if (!in_mem(addr, kind) || !fake.bps)
		return -1;
	fake.bps--;
	return 0;
}

static int f_resume(void *ctx, unsigned step_tid) { (void)ctx; fake.resumes++; fake.step_tid = step_tid; return 0; }
static void f_stop(void *ctx) { (void)ctx; fake.stops++; }
static void f_detach(void *ctx) { (void)ctx; fake.detaches++; }
static void f_kill(void *ctx) { (void)ctx; fake.kills++; }

static void f_monitor(void *ctx, const char *cmd, char *out, size_t size)
{
	(void)ctx;
	snprintf(fake.last_monitor, sizeof(fake.last_monitor), "%s", cmd);
	snprintf(out, size, "ran: %s\n", cmd);
}

static void f_thread_name(void *ctx, unsigned tid, char *out, size_t size)
{
	(void)ctx;
	snprintf(out, size, "vCPU %u", tid - 1);
}

static void f_send(void *ctx, const char *data, size_t len)
{
	(void)ctx;
	if (len > sizeof(fake.out) - 1 - fake.out_len)
		len = sizeof(fake.out) - 1 - fake.out_len;
	memcpy(fake.out + fake.out_len, data, len);
	fake.out_len += len;
	fake.out[fake.out_len] = '\0';
}

static const struct gdb_target_ops ops = {
	.thread_count = f_threads, .has_fp = f_has_fp, .reg_read = f_reg_read, .reg_write = f_reg_write,
	.mem_read = f_mem_read, .mem_write = f_mem_write, .bp_insert = f_bp_insert, .bp_remove = f_bp_remove,
	.resume = f_resume, .stop = f_stop, .detach = f_detach, .kill = f_kill, .monitor = f_monitor,
	.thread_name = f_thread_name, .send = f_send,
};

const struct gdb_target_ops *fake_gdb_ops(void) { return &ops; }

void fake_gdb_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	for (unsigned t = 1; t <= FAKE_THREADS; t++)
		for (unsigned r = 0; r < GDB_REG_COUNT; r++)
			fake.regs[t][r] = 0x1000 * t + r;
}
