/*
 * The hv> debug console: line editor, parser and command table.  Portable C:
 * it reaches the hypervisor only through struct console_ops, so the same code
 * runs on the host against a fake for unit tests and fuzzing.
 */
#ifndef CONSOLE_CONSOLE_H
#define CONSOLE_CONSOLE_H

#include <stdint.h>
#include <stdbool.h>

#define CONSOLE_PROMPT "hv> "
#define CONSOLE_LINE_MAX 128
#define CONSOLE_ARGS_MAX 8

struct console_vm_info {
	int id;
	char name[32];
	const char *state;		/* running/paused/stopped/dead */
	unsigned vcpus;
	int harts[8];			/* hart each vCPU last ran on, -1 = never */
	uint64_t ram_size;
	uint64_t exits;
	bool adue, ad_emulation;
	char stop_reason[96];
};

/* What the console may ask of, or do to, the hypervisor. */
struct console_ops {
	void (*write)(const char *s);
	int (*vm_count)(void);
	bool (*vm_info)(int id, struct console_vm_info *out);
	const char *(*version)(void);
	void (*quit)(void);
	void (*mem)(uint64_t *total, uint64_t *free);
};

struct console_cmd {
	const char *name;
	const char *args;
	const char *help;
	int (*fn)(int argc, char **argv);
};

void console_setup(const struct console_ops *ops);
void console_input(char c);
void console_prompt(void);
void console_run_line(const char *line);
void console_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Host glue (hypervisor/core/console_glue.c) */
void console_init(void);

#endif
