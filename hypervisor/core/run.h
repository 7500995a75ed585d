/* The run loop every hart ends in (core/run.c). */
#ifndef CORE_RUN_H
#define CORE_RUN_H

struct vcpu_regs;

void sched_loop(void);

#endif
