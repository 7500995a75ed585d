/*
 * escape: tries to reach memory outside its RAM, one access per step.
 *   escape: try <name> addr=0x<addr>
 *   escape: blocked <name> scause=0x<cause>    (the access trapped)
 *   escape: blocked <name> scause=none (store discarded)
 *                                               (no trap, but the value did
 *                                               not stick: QEMU's boot ROM)
 *   escape: LEAK <name>                         (the access went through)
 *   escape: done
 * Steps, in order: ram (load past RAM end), low (store to 0x1000),
 * dev (load from 0x02000000, a CLINT's place), high (load from 64 GiB).
 * Bootargs "escape=<name>" limits the run to that step; "nohandler" clears
 * stvec before each access, so a fault has nowhere to go (the guest then
 * faults at address 0 for ever: under hvscope the fault-loop detector stops
 * it with a report that names the first fault).
 */
#include "guest.h"

const char guest_name[] = "escape";

#define STORE_PATTERN 0x6573636170650a00UL

enum access { LOAD,
	      STORE };

struct attempt {
	const char *name;
	enum access access;
	uint64_t addr; /* 0: computed from the device tree */
};

static struct attempt attempts[] = {
	{ "ram", LOAD, 0 },
	{ "low", STORE, 0x1000 },
	{ "dev", LOAD, 0x02000000 },
	{ "high", LOAD, 0x1000000000 },
};

static volatile int trapped;
static volatile unsigned long trap_cause;

static int escape_trap(struct trap_frame *tf)
{
	switch (tf->scause) {
	case CAUSE_LOAD_ACCESS:
	case CAUSE_STORE_ACCESS:
	case CAUSE_LOAD_PAGE_FAULT:
	case CAUSE_STORE_PAGE_FAULT:
	case CAUSE_MISALIGNED_LOAD:
	case CAUSE_MISALIGNED_STORE:
		trapped = 1;
		trap_cause = tf->scause;
		trap_skip_insn(tf);
		return 1;
	default:
		return 0;
	}
}

/* After a store that did not trap: did the value land?  A read that traps
 * counts as "no". */
static int store_stuck(volatile uint64_t *p)
{
	uint64_t v;

	trapped = 0;
	v = *p;
	return !trapped && v == STORE_PATTERN;
}

static int no_handler;

static void try_access(const struct attempt *a)
{
	volatile uint64_t *p = (volatile uint64_t *)(uintptr_t)a->addr;

	printf("escape: try %s addr=0x%lx\n", a->name, (unsigned long)a->addr);
	trapped = 0;
	if (no_handler)
		csr_write(stvec, 0);
	if (a->access == LOAD)
		(void)*p;
	else
		*p = STORE_PATTERN;
	if (trapped)
		printf("escape: blocked %s scause=0x%lx\n", a->name, trap_cause);
	else if (a->access == STORE && !store_stuck(p))
		printf("escape: blocked %s scause=none (store discarded)\n", a->name);
	else
		printf("escape: LEAK %s\n", a->name);
}

void guest_main(unsigned long hartid, const void *dtb)
{
	uint64_t ram_base = 0, ram_size = 0;
	char only[16];
	size_t i;

	(void)hartid;
	trap_set_hook(escape_trap);
	if (fdt_get_memory(dtb, &ram_base, &ram_size))
		printf("escape: no /memory in the device tree\n");
	attempts[0].addr = ram_base + ram_size + 0x1000;
	fdt_bootarg(dtb, "escape", only, sizeof(only));
	no_handler = strstr_const(fdt_get_bootargs(dtb), "nohandler") != 0;
	for (i = 0; i < sizeof(attempts) / sizeof(attempts[0]); i++)
		if (!only[0] || !strcmp(only, attempts[i].name))
			try_access(&attempts[i]);
	printf("escape: done\n");
}
