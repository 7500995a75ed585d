/*
 * A simple fair scheduler: one global run list of all vCPUs, round robin, a
 * time slice per turn.  Any hart runs any vCPU; a vCPU in WFI gives up its
 * hart until it has an interrupt.
 */
#ifndef CORE_SCHED_H
#define CORE_SCHED_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;

#define SCHED_SLICE_MS 10

void sched_add(struct vcpu *v);
struct vcpu *sched_pick(void);
void sched_release(struct vcpu *v);
bool sched_claim_start(struct vcpu *v);
bool sched_claim_idle_vm(struct vm *vm, volatile uint32_t *flag);
int sched_wake(struct vcpu *v);
void sched_set_state(struct vcpu *v, int state);
uint64_t sched_next_deadline(void);

#endif
