/*
 * Where the exit path and the run loop call the debugger.  Declared here,
 * beside their callers, and implemented by gdbstub/, which sits
 * above core: core calls them without knowing the stub.  They cost nothing
 * while no debugger is attached (gdbstub/gdbstub.h says how).
 */
#ifndef CORE_DEBUG_HOOKS_H
#define CORE_DEBUG_HOOKS_H

#include <stdbool.h>

struct vcpu;
struct exit_info;

/* The device's host interrupt line, 0 without a device. */
unsigned gdbstub_irq(void);
/* The device interrupted: take debugger input. */
void gdbstub_poll(void);
/* An ebreak trapped (hedeleg bit 3 clear): true if it was the stub's (the VM now stops). */
bool gdbstub_breakpoint(struct vcpu *v, struct exit_info *e);
/*
 * The VM cannot go on (core/trap.c vm_died, report captured): true if a
 * debugger is attached, which then has the VM stopped with the fault
 * (SIGSEGV, SIGILL, SIGTRAP for a fault loop); it dies when gdb lets go.
 */
bool gdbstub_vm_dying(struct vcpu *v, struct exit_info *e, bool loop);
/* `monitor catch fault on` and a reflected exception: true if it stopped the VM instead. */
bool gdbstub_catch(struct vcpu *v, struct exit_info *e);
/*
 * A store guest-page fault while the VM has write-protected watch pages
 * (vm->watch_pages): true if it hit one, and then it was either done here
 * (e->advance) or it stops the VM for gdb (gdbstub/watch.c).
 */
bool gdbstub_watch_fault(struct vcpu *v, struct exit_info *e);
/*
 * Nonzero while any VM has hardware triggers or any hart has some
 * installed: then the scheduler calls gdbstub_vcpu_enter() before it runs
 * a vCPU (once per time slice), to install or take down triggers.
 */
extern volatile unsigned gdbstub_trigger_users;
void gdbstub_vcpu_enter(struct vcpu *v);
/* A vCPU left its hart (vm_vcpu_left): finish a stop that waited for it. */
void gdbstub_vcpu_left(struct vcpu *v);

#endif
