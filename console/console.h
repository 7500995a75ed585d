/*
 * The hv> debug console: line editor, parser and command table.  Portable C:
 * it reaches the hypervisor only through struct console_ops, so the same code
 * runs on the host against a fake (tests/unit/fake_console_backend.c) for
 * unit tests and fuzzing.  Commands and their output: docs/console.md.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include "spec/csr.h"
#include "spec/gwalk.h"
#include "spec/trace_record.h"

#define CONSOLE_PROMPT	  "hv> "
#define CONSOLE_LINE_MAX  256 /* characters of one line, with the NUL */
#define CONSOLE_ARGS_MAX  16
#define CONSOLE_HISTORY	  32 /* lines kept for up/down */
#define CONSOLE_VCPUS_MAX 8

struct console_vm_info {
	int id;
	char name[32];
	const char *state; /* running/paused/stopped/dead */
	unsigned vcpus;
	int harts[CONSOLE_VCPUS_MAX]; /* hart each vCPU last ran on, -1 = never */
	uint64_t ram_size;
	uint64_t exits;
	bool adue, ad_emulation;
	char stop_reason[96];
	uint64_t gstage_bytes; /* its G-stage tables */
	uint64_t hv_bytes;     /* the hypervisor's own state for a VM (static, per VM slot) */
};

/* Where the hypervisor's own memory goes (hv> mem). */
struct console_mem_layout {
	uint64_t image_bytes; /* _start.._end: code, data and bss */
	uint64_t code_bytes;  /* code, read-only and initialized data */
	uint64_t trace_bytes; /* trace rings, one per possible hart */
	uint64_t stack_bytes; /* hart stacks, one per possible hart */
	uint64_t vm_bytes;    /* per-VM state of every VM slot */
	unsigned harts_max, vms_max;
};

/*
 * One vCPU's state, read as a consistent snapshot (the VM is paused while it
 * is copied, or the vCPU is the one loaded on the console's own hart), plus
 * the per-VM H CSRs its hart loads with it.
 */
struct console_vcpu {
	uint64_t pc, x[32];
	bool priv_u; /* it trapped from VU-mode (else VS-mode) */
	int hart;    /* hart it runs or last ran on, -1 never */
	uint64_t vsstatus, vsie, vsip, vstvec, vsscratch, vsepc, vscause, vstval, vsatp;
	uint64_t hstatus;			   /* as at its last trap */
	uint64_t henvcfg, hedeleg, hideleg, hgatp; /* the VM's */
};

/* The last trap taken from a guest on the console's hart. */
struct console_last_trap {
	uint64_t scause, sepc, stval, htval, htinst;
	int vm, vcpu; /* vm 0: none yet */
};

struct console_trace_state {
	bool enabled;
	uint64_t vm_mask;    /* bit N = VM N */
	uint32_t class_mask; /* TRACE_CLASS_* */
	uint64_t lost;	     /* records overwritten, all harts */
	uint64_t recorded;   /* records ever written, all harts */
	/* The trace file (docs/tracing.md). */
	bool file_open, file_on;
	uint64_t file_bytes;   /* header and records written */
	uint64_t file_dropped; /* records that never reached the file */
	const char *file_path; /* "" when there is no log directory */
};

#define CONSOLE_SBI_EXTS  9
#define CONSOLE_MMIO_DEVS 4
struct console_stats {
	uint64_t exits;
	uint64_t by_cause[CAUSE_COUNT];
	uint64_t by_irq[16];
	uint64_t sbi_calls, sbi_by_ext[CONSOLE_SBI_EXTS];
	uint64_t mmio, mmio_by_dev[CONSOLE_MMIO_DEVS];
	uint64_t ad_fixups, pf_reflected;
	const char *sbi_ext_name[CONSOLE_SBI_EXTS]; /* NULL: unused slot */
	const char *mmio_dev_name[CONSOLE_MMIO_DEVS];
};

/* A physical hart's idle loop (core/run.c). */
struct console_hart_stats {
	unsigned hartid;
	uint64_t idle;	     /* rounds of the idle loop */
	uint64_t idle_empty; /* of them, WFI came back with no host interrupt pending */
};

/*
 * What the console may ask of, or do to, the hypervisor.  VMs are numbered
 * from 1.  Functions returning int give 0 on success and -1 on failure with
 * *why (when given) set to a static sentence saying why.
 */
struct console_ops {
	void (*write)(const char *s);
	const char *(*version)(void);
	void (*quit)(void);
	void (*mem)(uint64_t *total_pages, uint64_t *free_pages);
	void (*mem_layout)(struct console_mem_layout *out);
	uint64_t (*timebase)(void); /* `time` ticks per second */

	/* VMs */
	int (*vm_count)(void);
	bool (*vm_info)(int vm, struct console_vm_info *out);
	int (*vm_pause)(int vm, const char **why);
	int (*vm_resume)(int vm, const char **why);
	int (*vm_reset)(int vm, const char **why);
	int (*vm_kill)(int vm, const char **why);
	/* The kernel command line the VM's device tree gets at its next (re)start. */
	const char *(*vm_bootargs)(int vm);
	int (*vm_set_bootargs)(int vm, const char *text, const char **why);
	bool (*vm_dump)(int vm); /* print the post-mortem; false: none */
	size_t (*vm_log)(int vm, char *buf, size_t size, uint64_t *dropped);

	/* CSRs (by CSR number) */
	int (*hart_csr_read)(unsigned csr, uint64_t *value);
	int (*hart_csr_write)(unsigned csr, uint64_t value, const char **why);
	void (*last_trap)(struct console_last_trap *out);
	int (*vcpu_read)(int vm, unsigned vcpu, struct console_vcpu *out, const char **why);
	int (*vcpu_csr_write)(int vm, unsigned vcpu, unsigned csr, uint64_t value, const char **why);

	/* ADUE, A/D emulation, delegation */
	uint64_t (*henvcfg_caps)(void); /* henvcfg bits the hart implements */
	int (*set_adue)(int vm, bool on, const char **why);
	void (*set_ad_emulation)(int vm, bool on);
	uint64_t (*hedeleg_allowed)(void);
	int (*set_hedeleg)(int vm, uint64_t hedeleg, const char **why);

	/* Guest memory and the two translation stages */
	uint64_t *(*guest_pte)(int vm, uint64_t gpa); /* 8-byte aligned RAM word, or NULL */
	int (*read_guest)(int vm, uint64_t gpa, void *buf, size_t len);
	void (*gstage_walk)(int vm, uint64_t gpa, struct gstage_walk *w, uint64_t *hgatp);

	/* Trace and statistics */
	/* the newest `max` records of these TRACE_CLASS_* classes, oldest first */
	unsigned (*trace_collect)(int vm, int vcpu, unsigned classes, struct trace_record *out, unsigned max);
	void (*trace_get)(struct console_trace_state *out);
	void (*trace_set)(bool enabled, uint64_t vm_mask, uint32_t class_mask);
	void (*trace_clear)(void);
	int (*trace_file_set)(bool on); /* 0, or -1: no file can be written */
	bool (*stats)(int vm, struct console_stats *out);
	void (*stats_reset)(int vm);
	bool (*hart_stats)(unsigned n, struct console_hart_stats *out); /* the n-th hart; false past the last */
	void (*hart_stats_reset)(void);
};

struct console_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(int argc, char **argv);
};

void console_setup(const struct console_ops *ops);
void console_input(char c);
void console_prompt(void);
void console_run_line(const char *line);
void console_run_captured(const char *line, void (*write)(const char *s));
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Host glue (hypervisor/top/console_glue.c) */
void console_init(void);

#endif
