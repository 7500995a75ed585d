/* Between the gdbstub's VM glue (gdbstub.c) and its monitor commands (monitor.c). */
#ifndef GDBSTUB_INTERNAL_H
#define GDBSTUB_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm_debug;

void gdbstub_monitor(struct vm_debug *d, const char *cmd, char *out, size_t size);
void gdbstub_set_phys(struct vm_debug *d, bool on);
bool gdbstub_phys(struct vm_debug *d);
int gdbstub_vm_id(struct vm_debug *d);
void gdbstub_set_catch(struct vm_debug *d, bool on);
bool gdbstub_catching(struct vm_debug *d);
uint64_t gdbstub_pc(struct vm_debug *d);
void gdbstub_triggers_info(struct vm_debug *d, char *out, size_t size);	/* monitor triggers */
void gdbstub_why(struct vm_debug *d, char *out, size_t size);	/* monitor why */
unsigned gdbstub_vcpu_index(struct vm_debug *d);	/* the thread gdb has selected (Hg) */

#endif
