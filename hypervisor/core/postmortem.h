/*
 * Post-mortem reports: when a VM dies the facts are captured once (so that
 * `hv> dump N` and gdb can show them again) and printed on the terminal,
 * whichever VM has focus, and into the VM's log.
 *
 * Format (tests rely on it): first line `=== hvscope post-mortem: vmN ...`,
 * second-last line `diagnosis: ...` (core/diagnose.c), last line
 * `=== end of report`, causes by the spec's names, PTE bits as
 * `V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0`, repeated trace records collapsed to one
 * `#first..#last  N x ...` line.
 */
#ifndef CORE_POSTMORTEM_H
#define CORE_POSTMORTEM_H

#include <stdbool.h>
#include <stdint.h>

struct vcpu;
struct vm;
struct exit_info;
struct vm_postmortem;
struct vs_walk;

#define POSTMORTEM_TRACE_RECORDS 32

void postmortem_capture(struct vcpu *v, const struct exit_info *e, bool loop);
void postmortem_print(struct vm *vm);	 /* hv> dump N: on the terminal */
void postmortem_announce(struct vm *vm); /* at death: VM console, log, notice */
/* core/diagnose.c: fills pm->tag and pm->diagnosis */
void postmortem_diagnose(struct vm *vm, struct vm_postmortem *pm);
void postmortem_vs_walk(struct vm *vm, const struct vm_postmortem *pm, uint64_t va, uint64_t scause,
			struct vs_walk *w);

#endif
