/*
 * libFuzzer target: arbitrary bytes into the hv> console's line editor and
 * parser, against the fake backend.  Every input starts from a fresh
 * console and fake machine and ends with an Enter, so each runs whatever
 * line it left.  Crashes, leaks, sanitizer reports and hangs are findings.
 */
#include <stddef.h>
#include <stdint.h>
#include "fake_console_backend.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fake_console_reset();
	console_setup(fake_console_ops());
	for (size_t i = 0; i < size; i++)
		console_input((char)data[i]);
	console_input('\r');
	return 0;
}
