/* The run loop every hart ends in, and the fast exit path (core/run.c). */
#ifndef CORE_RUN_H
#define CORE_RUN_H

struct vcpu_regs;

void sched_loop(void);
int trap_fast(struct vcpu_regs *regs);

#endif
