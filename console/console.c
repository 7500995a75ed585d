/* Line editor, tokenizer and the command table of the hv> console. */
#include <stdarg.h>
#include <stddef.h>
#include "console/console.h"
#include "lib/printf.h"

static const struct console_ops *ops;
static char line[CONSOLE_LINE_MAX];
static unsigned line_len;
static bool line_overflow;

static int cmd_help(int argc, char **argv);
static int cmd_version(int argc, char **argv);
static int cmd_vms(int argc, char **argv);
static int cmd_mem(int argc, char **argv);
static int cmd_quit(int argc, char **argv);

static const struct console_cmd commands[] = {
	{ "help", "[cmd]", "list commands, or show one command's usage", cmd_help },
	{ "version", "", "hvscope version", cmd_version },
	{ "vms", "", "one line per VM: id, name, state, vCPUs@harts, RAM, exits, ADUE", cmd_vms },
	{ "mem", "", "hypervisor page allocator use", cmd_mem },
	{ "quit", "", "shut the whole machine down", cmd_quit },
};
#define COMMAND_COUNT (sizeof(commands) / sizeof(commands[0]))

static bool str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

void console_printf(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	ops->write(buf);
}

static const struct console_cmd *find(const char *name)
{
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		if (str_eq(commands[i].name, name))
			return &commands[i];
	return NULL;
}

static int cmd_help(int argc, char **argv)
{
	if (argc > 2) {
		console_printf("error: usage: help [cmd]\n");
		return -1;
	}
	if (argc == 2) {
		const struct console_cmd *c = find(argv[1]);
		if (!c) {
			console_printf("error: no command '%s' (help lists them)\n", argv[1]);
			return -1;
		}
		console_printf("usage: %s %s\n  %s\n", c->name, c->args, c->help);
		return 0;
	}
	for (size_t i = 0; i < COMMAND_COUNT; i++)
		console_printf("%-8s %-6s %s\n", commands[i].name, commands[i].args, commands[i].help);
	return 0;
}

static int cmd_version(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		console_printf("error: usage: version\n");
		return -1;
	}
	console_printf("hvscope %s\n", ops->version());
	return 0;
}

static int cmd_vms(int argc, char **argv)
{
	struct console_vm_info vi;
	char harts[40];

	(void)argv;
	if (argc != 1) {
		console_printf("error: usage: vms\n");
		return -1;
	}
	console_printf("id name             state    vcpus@harts     ram     exits       ADUE A/D-emul\n");
	for (int id = 1; id <= ops->vm_count(); id++) {
		if (!ops->vm_info(id, &vi))
			continue;
		size_t n = 0;
		for (unsigned v = 0; v < vi.vcpus && v < 8; v++)
			n += snprintf(harts + n, sizeof(harts) - n, v ? ",%d" : "%d", vi.harts[v]);
		console_printf("%-2d %-16s %-8s %u@%-13s %-4luM %-11lu %-4s %s\n", vi.id, vi.name, vi.state,
			       vi.vcpus, harts, (unsigned long)(vi.ram_size >> 20), (unsigned long)vi.exits,
			       vi.adue ? "on" : "off", vi.ad_emulation ? "on" : "off");
		if (vi.stop_reason[0])
			console_printf("   why: %s\n", vi.stop_reason);
	}
	return 0;
}

static int cmd_mem(int argc, char **argv)
{
	uint64_t total, free;

	(void)argv;
	if (argc != 1) {
		console_printf("error: usage: mem\n");
		return -1;
	}
	ops->mem(&total, &free);
	console_printf("pages: %lu total, %lu free, %lu used (4 KiB each)\n", (unsigned long)total,
		       (unsigned long)free, (unsigned long)(total - free));
	return 0;
}

static int cmd_quit(int argc, char **argv)
{
	(void)argv;
	if (argc != 1) {
		console_printf("error: usage: quit\n");
		return -1;
	}
	console_printf("hvscope: shutting down\n");
	ops->quit();
	return 0;
}

/* Split in place on spaces; returns argc, or -1 if there are too many words. */
static int tokenize(char *s, char **argv)
{
	int argc = 0;

	for (;;) {
		while (*s == ' ' || *s == '\t')
			*s++ = '\0';
		if (!*s)
			return argc;
		if (argc == CONSOLE_ARGS_MAX)
			return -1;
		argv[argc++] = s;
		while (*s && *s != ' ' && *s != '\t')
			s++;
	}
}

void console_run_line(const char *text)
{
	char buf[CONSOLE_LINE_MAX];
	char *argv[CONSOLE_ARGS_MAX];
	size_t n = 0;
	int argc;

	for (; text[n] && n + 1 < sizeof(buf); n++)
		buf[n] = text[n];
	buf[n] = '\0';
	argc = tokenize(buf, argv);
	if (argc == 0)
		return;
	if (argc < 0) {
		console_printf("error: too many words (at most %d)\n", CONSOLE_ARGS_MAX);
		return;
	}
	const struct console_cmd *c = find(argv[0]);
	if (!c) {
		console_printf("error: unknown command '%s' (help lists them)\n", argv[0]);
		return;
	}
	c->fn(argc, argv);
}

void console_prompt(void)
{
	ops->write(CONSOLE_PROMPT);
}

void console_setup(const struct console_ops *o)
{
	ops = o;
	line_len = 0;
	line_overflow = false;
}

/* Line editing: printable characters, backspace/DEL, ^U kills the line, CR/LF runs it. */
void console_input(char c)
{
	char echo[2] = { c, '\0' };

	if (c == '\r' || c == '\n') {
		ops->write("\n");
		line[line_len] = '\0';
		if (line_overflow)
			console_printf("error: line longer than %d characters ignored\n", CONSOLE_LINE_MAX - 1);
		else
			console_run_line(line);
		line_len = 0;
		line_overflow = false;
		console_prompt();
	} else if (c == 0x7f || c == '\b') {
		if (line_len) {
			line_len--;
			ops->write("\b \b");
		}
	} else if (c == 0x15) {
		while (line_len) {
			line_len--;
			ops->write("\b \b");
		}
	} else if (c >= ' ' && c < 0x7f) {
		if (line_len + 1 < sizeof(line)) {
			line[line_len++] = c;
			ops->write(echo);
		} else {
			line_overflow = true;
		}
	}
}
