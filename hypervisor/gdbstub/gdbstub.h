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
#include "core/debug_hooks.h" /* what core calls: the exit path's and the run loop's hooks */

struct vcpu;
struct vm;
struct exit_info;

/* Boot: find the virtio-console (one line either way). */
void gdbstub_setup(void);
size_t gdbstub_state_size(void); /* bytes of debugger state per VM slot (hv> mem) */
/* After the VMs started: hold those with `gdb = wait` until a debugger attaches. */
void gdbstub_hold_waiting(void);
/* Boot banner: probe the SBI Debug Triggers extension, one line. */
void gdbstub_probe_triggers(void);

#endif
