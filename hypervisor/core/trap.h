#ifndef CORE_TRAP_H
#define CORE_TRAP_H

#include <stdbool.h>
#include <stdint.h>
#include "spec/vswalk.h"
#include "core/exit_info.h"

struct vcpu;

enum trap_action trap_handle(struct vcpu *v);
/* Called by the trap vector (arch/entry.S): the quick exits, then every other one (core/run.c). */
bool trap_quick(struct vcpu *v);
int trap_slow(struct vcpu *v);
void trap_handle_host_interrupts(void);
void trap_vs_walk(struct vcpu *v, uint64_t va, enum vs_access access, struct vs_walk *w);
int trap_fetch_insn(uint64_t pc, uint32_t *insn);
void vcpu_inject_exception(struct vcpu *v, uint64_t cause, uint64_t tval);

/* Handlers in other files. */
int sbi_handle_ecall(struct vcpu *v, struct exit_info *e);
int mmio_handle_guest_fault(struct vcpu *v, struct exit_info *e);
const char *mmio_dev_name_at(unsigned slot);
/* Quick handlers (trap_quick): the whole job, or advance 0 and nothing changed. */
quick_result_t sbi_quick(struct vcpu *v);
quick_result_t mmio_quick(struct vcpu *v, uint64_t scause);

#endif
