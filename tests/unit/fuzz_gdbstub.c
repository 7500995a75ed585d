/*
 * libFuzzer target: arbitrary bytes from a "debugger" into the gdbstub's
 * packet layer and dispatch (hypervisor/gdbstub/rsp.c, stub.c) against the
 * fake VM.  Each input starts from a fresh stub, attached and stopped; the
 * first byte picks whether the VM is stopped, running or not yet stopped.
 * Crashes, sanitizer reports and hangs are findings.
 */
#include <stddef.h>
#include <stdint.h>
#include "fake_gdb_target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct gdbstub stub;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fake_gdb_reset();
	gdbstub_init(&stub, fake_gdb_ops(), 0);
	if (size && (data[0] & 3) != 0)
		gdbstub_input(&stub, (const uint8_t *)"$qC#b4", 6);	/* attach */
	if (size && (data[0] & 3) == 1)
		gdbstub_stopped(&stub, 1 + (data[0] >> 7), 0);
	gdbstub_input(&stub, data, size);
	if (size && (data[0] & 4))
		gdbstub_stopped(&stub, 2, 5);
	gdbstub_input(&stub, data, size);
	return 0;
}
