/*
 * Post-mortem reports: when a VM dies the facts are captured once (so that
 * `hv> dump N` and gdb can show them again) and printed on the terminal,
 * whichever VM has focus, and into the VM's log.
 *
 * Format (tests rely on it): first line `=== hvscope post-mortem: vmN ...`,
 * last line `=== end of report`, causes by the spec's names, PTE bits as
 * `V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0`.
 */
#ifndef CORE_POSTMORTEM_H
#define CORE_POSTMORTEM_H

#include <stdbool.h>

struct vcpu;
struct vm;
struct exit_info;

#define POSTMORTEM_TRACE_RECORDS 32

void postmortem_capture(struct vcpu *v, const struct exit_info *e, bool loop);
void postmortem_print(struct vm *vm);

#endif
