/*
 * hvscope's gdbstub: one GDB remote-protocol server per VM (stub.c) over a
 * port of the host's virtio-console (drivers/virtio_console.c), and what it
 * does to the VM: stop and resume it (the console's pause), read and write
 * its vCPUs' saved state and its memory through both translation stages,
 * plant breakpoints and step.  docs/gdb.md, "Debugging a guest".
 *
 * Costs nothing while no debugger is attached: the exit path only reaches
 * gdbstub_breakpoint() when hedeleg bit 3 was cleared for a VM being
 * debugged, and gdbstub_vcpu_left() runs once per time slice, not per exit.
 */
#ifndef GDBSTUB_GDBSTUB_H
#define GDBSTUB_GDBSTUB_H

#include <stdbool.h>
#include <stddef.h>

struct vcpu;
struct vm;
struct exit_info;

/* Boot: find the virtio-console (one line either way). */
void gdbstub_setup(void);
size_t gdbstub_state_size(void);	/* bytes of debugger state per VM slot (hv> mem) */
/* After the VMs started: hold those with `gdb = wait` until a debugger attaches. */
void gdbstub_hold_waiting(void);
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
 * (e->advance) or it stops the VM for gdb (watch.c).
 */
bool gdbstub_watch_fault(struct vcpu *v, struct exit_info *e);
/* Boot banner: probe the SBI Debug Triggers extension, one line. */
void gdbstub_probe_triggers(void);
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
