/* Trap frame shared by start.S (which fills it) and C trap hooks. */
#ifndef GT_TRAP_H
#define GT_TRAP_H

/* Byte offsets into struct trap_frame, for start.S. */
#define TF_REG(n)  ((n)*8) /* x0..x31; x0's slot is unused, x2 is sp at trap */
#define TF_SEPC	   (32 * 8)
#define TF_SCAUSE  (33 * 8)
#define TF_STVAL   (34 * 8)
#define TF_SSTATUS (35 * 8)
#define TF_SIZE	   (36 * 8)

#ifndef __ASSEMBLER__
#include <stddef.h>

struct trap_frame {
	unsigned long regs[32];
	unsigned long sepc; /* written back on return: a hook may move it */
	unsigned long scause;
	unsigned long stval;
	unsigned long sstatus;
};

_Static_assert(offsetof(struct trap_frame, sepc) == TF_SEPC, "TF_SEPC");
_Static_assert(offsetof(struct trap_frame, scause) == TF_SCAUSE, "TF_SCAUSE");
_Static_assert(offsetof(struct trap_frame, stval) == TF_STVAL, "TF_STVAL");
_Static_assert(offsetof(struct trap_frame, sstatus) == TF_SSTATUS, "TF_SSTATUS");
_Static_assert(sizeof(struct trap_frame) == TF_SIZE && TF_SIZE % 16 == 0, "TF_SIZE");

/* A hook returns nonzero when it handled the trap; otherwise the runtime
 * reports the trap as unexpected and halts the hart. */
typedef int (*trap_hook_t)(struct trap_frame *tf);
void trap_set_hook(trap_hook_t hook);
void trap_handle(struct trap_frame *tf);
void trap_entry(void);

static inline int trap_is_interrupt(unsigned long scause)
{
	return (long)scause < 0;
}

static inline unsigned long trap_code(unsigned long scause)
{
	return scause & ~(1UL << 63);
}

/* Length in bytes of the instruction at pc (2 for compressed ones). */
unsigned long trap_insn_length(unsigned long pc);
/* Step sepc past the trapping instruction. */
void trap_skip_insn(struct trap_frame *tf);

#endif
#endif
