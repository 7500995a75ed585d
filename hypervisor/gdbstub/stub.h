/*
 * The GDB remote protocol server for one VM: packets in, replies out,
 * against a target reached only through struct gdb_target_ops (the VM glue
 * in gdbstub/target.c, a fake in tests/unit/test_gdbstub.c and the fuzz
 * target).  Pure, portable C.
 *
 * Threads are the VM's vCPUs, numbered from 1 (gdb thread ids must be
 * positive): vCPU 0 is thread 1.  The protocol is all-stop within the VM:
 * the target stops every vCPU when one stops, and calls gdbstub_stopped()
 * once they are all off their harts; only then may registers and memory be
 * read, so until then such packets get an error reply.
 */
#ifndef GDBSTUB_STUB_H
#define GDBSTUB_STUB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gdbstub/rsp.h"

/* Register numbers, as the target description (qXfer:features:read) names them. */
enum {
	GDB_REG_X0 = 0,
	GDB_REG_PC = 32,
	GDB_REG_F0 = 33,
	GDB_REG_FFLAGS = 65,
	GDB_REG_FRM,
	GDB_REG_FCSR,
	GDB_REG_SSTATUS, /* the guest's sstatus: vsstatus */
	GDB_REG_SIE,
	GDB_REG_STVEC,
	GDB_REG_SSCRATCH,
	GDB_REG_SEPC,
	GDB_REG_SCAUSE,
	GDB_REG_STVAL,
	GDB_REG_SIP,
	GDB_REG_SATP,
	GDB_REG_PRIV, /* 0 = U, 1 = S */
	GDB_REG_COUNT,
};
#define GDB_G_REGS  33 /* the 'g' packet: x0-x31 and pc */

/* Unix signal numbers in stop replies (gdb's own numbering for these). */
#define GDB_SIGINT  2
#define GDB_SIGILL  4
#define GDB_SIGTRAP 5
#define GDB_SIGBUS  10
#define GDB_SIGSEGV 11

/* Error replies. */
#define GDB_EFAULT  "E14" /* address does not translate / not RAM */
#define GDB_EINVAL  "E16" /* malformed or out-of-range argument */
#define GDB_EBUSY   "E10" /* the VM is not stopped */

struct gdb_target_ops {
	unsigned (*thread_count)(void *ctx);
	bool (*has_fp)(void *ctx);
	/* 0, or -1: no such register for this thread. */
	int (*reg_read)(void *ctx, unsigned tid, unsigned reg, uint64_t *val);
	int (*reg_write)(void *ctx, unsigned tid, unsigned reg, uint64_t val);
	/* 0, or -1: some byte does not translate to the VM's RAM. */
	int (*mem_read)(void *ctx, unsigned tid, uint64_t addr, uint8_t *buf, size_t len);
	int (*mem_write)(void *ctx, unsigned tid, uint64_t addr, const uint8_t *buf, size_t len);
	int (*bp_insert)(void *ctx, uint64_t addr, unsigned kind);
	int (*bp_remove)(void *ctx, uint64_t addr, unsigned kind);
	/*
	 * Z1-Z4 (type 1 hardware breakpoint, 2 write, 3 read, 4 access
	 * watchpoint): 0, -1 (cannot: an error reply) or 1 (no hardware
	 * triggers here: the empty reply, and gdb falls back to software).
	 * NULL: always 1.
	 */
	int (*hw_insert)(void *ctx, unsigned type, uint64_t addr, unsigned len);
	int (*hw_remove)(void *ctx, unsigned type, uint64_t addr, unsigned len);
	/* Let the VM run; step_tid != 0: that vCPU stops after one instruction. */
	int (*resume)(void *ctx, unsigned step_tid);
	void (*stop)(void *ctx);   /* ask for a stop; gdbstub_stopped() follows */
	void (*detach)(void *ctx); /* breakpoints out, VM running */
	void (*kill)(void *ctx);   /* stop the VM for good (hv> kill) */
	/* `monitor CMD`: its output, NUL-terminated, in out. */
	void (*monitor)(void *ctx, const char *cmd, char *out, size_t size);
	void (*thread_name)(void *ctx, unsigned tid, char *out, size_t size);
	void (*send)(void *ctx, const char *data, size_t len);
};

enum gdb_state {
	GDB_DETACHED, /* no debugger: the VM runs as usual */
	GDB_STOPPING, /* a stop was asked for, the vCPUs are leaving their harts */
	GDB_STOPPED,  /* every vCPU is off its hart; the debugger has it */
	GDB_RUNNING,  /* resumed by c/s; a stop reply is owed */
};

struct gdbstub {
	const struct gdb_target_ops *ops;
	void *ctx;
	enum gdb_state state;
	bool no_ack;	 /* QStartNoAckMode */
	bool reply_owed; /* '?' or a resume waits for the stop */
	unsigned g_tid;	 /* Hg: registers and memory */
	unsigned stop_tid;
	int stop_sig;
	char stop_extra[40]; /* "watch:ADDR;" and the like, set by the target before gdbstub_stopped() */
	struct rsp_rx rx;
	char reply[RSP_PACKET_MAX + 1];
	char frame[2 * RSP_PACKET_MAX + 8];
	char xml[8192];
};

void gdbstub_init(struct gdbstub *s, const struct gdb_target_ops *ops, void *ctx);
/* Bytes from the debugger's connection. */
void gdbstub_input(struct gdbstub *s, const uint8_t *data, size_t len);
/* The target stopped (every vCPU off its hart): tid stopped with sig (0: for the stub's own stop request). */
void gdbstub_stopped(struct gdbstub *s, unsigned tid, int sig);
/* The debugger went away without detaching. */
void gdbstub_disconnected(struct gdbstub *s);
/* The target description for gdb (target.xml). */
size_t gdbstub_target_xml(char *out, size_t size, bool fp);

#endif
