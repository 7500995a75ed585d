/*
 * The hv> console's line editor, tokenizer and command table.
 *
 * Input arrives one byte at a time from the UART.  Printable ASCII is
 * echoed and kept; backspace/DEL, ^U (kill line), ^C (abandon line), Tab
 * (complete a command or CSR name) and the arrow keys ESC [ A / ESC [ B
 * (history) edit the line; CR or LF runs it (LF right after CR is ignored,
 * so CRLF is one Enter).  A line that overflowed, or that held any other
 * control or non-ASCII byte, is answered with one error line and not run.
 */
#include <stdarg.h>
#include "console/cmd.h"
#include "lib/printf.h"

const struct console_ops *con;

const struct console_cmd console_commands[] = {
	{ "help", "[CMD]", "list commands, or show one command's usage", cmd_help },
	{ "version", "", "hvscope version", cmd_version },
	{ "mem", "", "hypervisor memory; per VM: RAM, G-stage tables, hypervisor state", cmd_mem },
	{ "vms", "", "one line per VM: id, name, state, vCPUs@harts, RAM, exits, ADUE, A/D emulation", cmd_vms },
	{ "csr", "[N[.V]] [NAME [VALUE]]", "read or write a CSR of this hart, or a VM's saved VS/H CSR", cmd_csr },
	{ "regs", "N[.V]", "pc, GPRs by ABI name and VS CSRs of a vCPU", cmd_regs },
	{ "pt", "N[.V] VA [fetch|load|store]", "walk the vCPU's VS-stage table (vsatp) for VA", cmd_pt },
	{ "gpt", "N GPA", "walk the VM's G-stage table (hgatp) for GPA", cmd_gpt },
	{ "xlate", "N[.V] VA [fetch|load|store]", "translate VA through both stages as the hardware does", cmd_xlate },
	{ "x", "N GPA|v:VA [LEN]", "hex+ASCII dump of guest memory (LEN <= 4096, default 64)", cmd_x },
	{ "adue", "N [on|off]", "show or set henvcfg.ADUE (hardware A/D updating) for a VM; A/D emulation follows, as in configs", cmd_adue },
	{ "adem", "N [on|off]", "show or set A/D emulation for a VM", cmd_adem },
	{ "deleg", "N [+CAUSE|-CAUSE ...]", "show or change the VM's delegated exceptions (hedeleg)", cmd_deleg },
	{ "trace", "[COUNT] [vm N] [class C]|on|off|clear|filter|file", "show or control the trap trace", cmd_trace },
	{ "stats", "[N] | reset [N]", "exit counts by cause, SBI calls, MMIO accesses", cmd_stats },
	{ "pause", "N", "stop running a VM's vCPUs until resume", cmd_pause },
	{ "resume", "N", "let a paused VM run again", cmd_resume },
	{ "reset", "N", "reboot a VM from its image (its disk stays)", cmd_reset },
	{ "bootargs", "N [TEXT...]", "show or set the VM's bootargs for its next reset", cmd_bootargs },
	{ "kill", "N", "stop a VM for good", cmd_kill },
	{ "dump", "N", "print the VM's post-mortem report again", cmd_dump },
	{ "log", "N", "the VM's buffered console output", cmd_log },
	{ "quit", "", "shut the whole machine down", cmd_quit },
};
const unsigned console_command_count = sizeof(console_commands) / sizeof(console_commands[0]);

/* The line being edited. */
static char line[CONSOLE_LINE_MAX];
static unsigned line_len;
static bool line_overflow;
static int line_bad_byte = -1; /* first rejected byte, -1 none */
static bool last_was_cr;
static enum { ESC_NONE,
	      ESC_START,
	      ESC_CSI } esc;

/* History: a ring of the last CONSOLE_HISTORY non-empty lines. */
static char history[CONSOLE_HISTORY][CONSOLE_LINE_MAX];
static unsigned history_count; /* lines ever added */
static unsigned history_back;  /* 0 = editing a new line, k = k-th newest shown */
static char history_draft[CONSOLE_LINE_MAX];

bool console_str_eq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

bool console_has_prefix(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

void console_printf(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	con->write(buf);
}

void console_error(const char *fmt, ...)
{
	char buf[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	console_printf("error: %s\n", buf);
}

const struct console_cmd *console_find(const char *name)
{
	for (unsigned i = 0; i < console_command_count; i++)
		if (console_str_eq(console_commands[i].name, name))
			return &console_commands[i];
	return NULL;
}

int console_usage(const char *name)
{
	const struct console_cmd *c = console_find(name);

	console_error("usage: %s%s%s", name, c && c->args[0] ? " " : "", c ? c->args : "");
	return -1;
}

int cmd_help(int argc, char **argv)
{
	if (argc > 2)
		return console_usage("help");
	if (argc == 2) {
		const struct console_cmd *c = console_find(argv[1]);
		if (!c) {
			console_error("no command '%s' (help lists them)", argv[1]);
			return -1;
		}
		console_printf("usage: %s %s\n  %s\n", c->name, c->args, c->help);
		return 0;
	}
	for (unsigned i = 0; i < console_command_count; i++)
		console_printf("%-8s %-28s %s\n", console_commands[i].name, console_commands[i].args,
			       console_commands[i].help);
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
		console_error("too many words (at most %d)", CONSOLE_ARGS_MAX);
		return;
	}
	const struct console_cmd *c = console_find(argv[0]);
	if (!c) {
		console_error("unknown command '%s' (help lists them)", argv[0]);
		return;
	}
	c->fn(argc, argv);
}

/*
 * Run one line with its output going to write instead of the terminal
 * (gdb's `monitor CMD`).  Output of a command typed on the terminal at the
 * same moment on another hart would land there too: rare, and harmless.
 */
void console_run_captured(const char *text, void (*write)(const char *s))
{
	static struct console_ops captured;
	const struct console_ops *saved = con;

	captured = *saved;
	captured.write = write;
	con = &captured;
	console_run_line(text);
	con = saved;
}

void console_prompt(void)
{
	con->write(CONSOLE_PROMPT);
}

void console_setup(const struct console_ops *o)
{
	con = o;
	line_len = 0;
	line_overflow = false;
	line_bad_byte = -1;
	last_was_cr = false;
	esc = ESC_NONE;
	history_count = history_back = 0;
}

static void erase_chars(unsigned n)
{
	while (n--)
		con->write("\b \b");
}

/* Replace the edited line (and what the terminal shows) with s. */
static void set_line(const char *s)
{
	erase_chars(line_len);
	for (line_len = 0; s[line_len] && line_len + 1 < sizeof(line); line_len++)
		line[line_len] = s[line_len];
	line[line_len] = '\0';
	con->write(line);
}

static void copy_line(char *dst, const char *src)
{
	unsigned i;

	for (i = 0; src[i] && i + 1 < CONSOLE_LINE_MAX; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void history_add(const char *s)
{
	if (!s[0])
		return;
	if (history_count && console_str_eq(history[(history_count - 1) % CONSOLE_HISTORY], s))
		return;
	copy_line(history[history_count % CONSOLE_HISTORY], s);
	history_count++;
}

/* Up (older) or down (newer) through the history. */
static void history_move(int older)
{
	unsigned avail = history_count < CONSOLE_HISTORY ? history_count : CONSOLE_HISTORY;
	unsigned back = history_back;

	/* cppcheck-suppress knownConditionTrueFalse ; history_add() grows history_count: cppcheck sees it stay 0 */
	if (older && back < avail)
		back++;
	else if (!older && back > 0)
		back--;
	if (back == history_back)
		return;
	line[line_len] = '\0';
	if (history_back == 0)
		copy_line(history_draft, line);
	history_back = back;
	set_line(back ? history[(history_count - back) % CONSOLE_HISTORY] : history_draft);
	line_overflow = false;
	line_bad_byte = -1;
}

static void line_done(void)
{
	con->write("\n");
	line[line_len] = '\0';
	if (line_overflow)
		console_error("line longer than %d characters ignored", CONSOLE_LINE_MAX - 1);
	else if (line_bad_byte >= 0)
		console_error("line holds the control or non-ASCII byte 0x%02x; ignored", line_bad_byte);
	else {
		history_add(line);
		console_run_line(line);
	}
	line_len = 0;
	line_overflow = false;
	line_bad_byte = -1;
	history_back = 0;
	console_prompt();
}

static void line_append(const char *s)
{
	for (; *s; s++) {
		if (line_len + 1 >= sizeof(line)) {
			line_overflow = true;
			return;
		}
		line[line_len++] = *s;
		char echo[2] = { *s, '\0' };
		con->write(echo);
	}
}

/*
 * Tab: the word under the cursor (the last one) is completed against the
 * command names (first word, or after `help`) or the CSR names (after `csr`,
 * or after `csr N[.V]`).  One candidate: completed with a space; several:
 * completed to their common prefix, or listed when that adds nothing.
 */
static const char *candidate(unsigned kind, unsigned i)
{
	if (kind == 0)
		return i < console_command_count ? console_commands[i].name : NULL;
	return console_csr_name(i, kind == 2);
}

static void complete(void)
{
	char copy[CONSOLE_LINE_MAX], *argv[CONSOLE_ARGS_MAX];
	unsigned start = line_len, kind, matches = 0, common = 0;
	const char *first = NULL, *word, *c;
	int argc;

	while (start > 0 && line[start - 1] != ' ')
		start--;
	line[line_len] = '\0';
	word = line + start;
	copy_line(copy, line);
	copy[start] = '\0';
	argc = tokenize(copy, argv); /* the words before the one completed */
	if (argc == 0)
		kind = 0;
	else if (argc == 1 && console_str_eq(argv[0], "help"))
		kind = 0;
	else if (argc == 1 && console_str_eq(argv[0], "csr"))
		kind = 1;
	else if (argc == 2 && console_str_eq(argv[0], "csr") && console_is_vm_token(argv[1]))
		kind = 2;
	else
		return;
	for (unsigned i = 0; (c = candidate(kind, i)) != NULL; i++) {
		if (!console_has_prefix(c, word))
			continue;
		if (!first) {
			first = c;
			while (c[common])
				common++;
		} else {
			unsigned k = 0;
			while (k < common && c[k] == first[k])
				k++;
			common = k;
		}
		matches++;
	}
	if (!matches)
		return;
	unsigned have = line_len - start;
	if (common > have) {
		char add[CONSOLE_LINE_MAX];
		unsigned n = 0;
		for (unsigned k = have; k < common && n + 1 < sizeof(add); k++)
			add[n++] = first[k];
		add[n] = '\0';
		line_append(add);
		if (matches == 1)
			line_append(" ");
		return;
	}
	if (matches == 1) {
		line_append(" ");
		return;
	}
	con->write("\n");
	for (unsigned i = 0; (c = candidate(kind, i)) != NULL; i++)
		if (console_has_prefix(c, word)) {
			con->write(c);
			con->write(" ");
		}
	con->write("\n" CONSOLE_PROMPT);
	con->write(line);
}

/* Bytes of an escape sequence; returns true if c was consumed by it. */
static bool escape_byte(unsigned char c)
{
	switch (esc) {
	case ESC_NONE:
		return false;
	case ESC_START:
		if (c == '[' || c == 'O') {
			esc = ESC_CSI;
			return true;
		}
		esc = ESC_NONE;
		if (line_bad_byte < 0)
			line_bad_byte = 0x1b;
		return c >= ' ' && c < 0x7f; /* ESC x: x is part of the (bad) sequence */
	case ESC_CSI:
		if (c >= 0x20 && c <= 0x3f)
			return true; /* parameters and intermediates */
		esc = ESC_NONE;
		if (c >= 0x40 && c <= 0x7e) {
			if (c == 'A' || c == 'B')
				history_move(c == 'A');
			return true; /* other keys (arrows left/right, F-keys): ignored */
		}
		return false; /* not a sequence after all: handle c normally */
	}
	return false;
}

void console_input(char ch)
{
	unsigned char c = (unsigned char)ch;
	bool after_cr = last_was_cr;

	last_was_cr = c == '\r';
	if (escape_byte(c))
		return;
	if (c == '\r' || c == '\n') {
		if (c == '\n' && after_cr)
			return;
		line_done();
	} else if (c == 0x7f || c == '\b') {
		if (line_len) {
			line_len--;
			erase_chars(1);
		}
	} else if (c == 0x15) { /* ^U */
		erase_chars(line_len);
		line_len = 0;
		line_overflow = false;
		line_bad_byte = -1;
	} else if (c == 0x03) { /* ^C */
		con->write("^C\n");
		line_len = 0;
		line_overflow = false;
		line_bad_byte = -1;
		history_back = 0;
		console_prompt();
	} else if (c == '\t') {
		if (!line_overflow && line_bad_byte < 0)
			complete();
	} else if (c == 0x1b) {
		esc = ESC_START;
	} else if (c >= ' ' && c < 0x7f) {
		char s[2] = { (char)c, '\0' };
		line_append(s);
	} else if (line_bad_byte < 0) {
		line_bad_byte = c;
	}
}
