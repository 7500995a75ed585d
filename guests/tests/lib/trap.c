#include "guest.h"

static trap_hook_t trap_hook;

void trap_set_hook(trap_hook_t hook)
{
	trap_hook = hook;
}

unsigned long trap_insn_length(unsigned long pc)
{
	/* Compressed instructions have low bits != 0b11 (ISA manual 1.5);
	 * a 16-bit read works for both sizes since pc is 2-byte aligned. */
	uint16_t low = *(volatile uint16_t *)pc;

	return (low & 3) == 3 ? 4 : 2;
}

void trap_skip_insn(struct trap_frame *tf)
{
	tf->sepc += trap_insn_length(tf->sepc);
}

void trap_handle(struct trap_frame *tf)
{
	if (trap_hook && trap_hook(tf))
		return;
	printf("%s: unexpected trap scause=0x%lx sepc=0x%lx stval=0x%lx\n",
	       guest_name, tf->scause, tf->sepc, tf->stval);
	guest_halt();
}
