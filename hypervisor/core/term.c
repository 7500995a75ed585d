#include <stdarg.h>
#include <stdbool.h>
#include "core/term.h"
#include "core/vm.h"
#include "drivers/uart8250.h"
#include "drivers/semihost.h"
#include "lib/printf.h"
#include "lib/spinlock.h"
#include "lib/string.h"

static spinlock_t term_lock = SPINLOCK_INIT;
static int focus = 1; /* VM 1 has focus at boot */
/* Keys after Ctrl-T: a digit, or `v` and a VM number of up to two digits. */
static enum { KEYS_PLAIN,
	      KEYS_PREFIX,
	      KEYS_VM_NUMBER } key_state;
static int vm_number, vm_digits;
static bool at_line_start = true;
static int line_owner; /* who wrote the current partial line: 0 = hv */
static char logdir[96];
static int log_capped_vm;	    /* a VM whose log just reached TERM_LOG_MAX */
static void (*shell_input)(char c); /* the hv> console, plugged in by term_set_shell */
static void (*shell_prompt)(void);

static void out_raw(char c)
{
	uart_putc(c);
	at_line_start = c == '\n';
}

/* Write a string to the terminal; callers hold term_lock. */
static void out_str(const char *s)
{
	while (*s)
		out_raw(*s++);
}

static void hv_out(void *ctx, char c)
{
	(void)ctx;
	if (c == '\n')
		out_raw('\r');
	out_raw(c);
}

void term_vprintf(const char *fmt, va_list ap)
{
	spin_lock(&term_lock);
	if (!at_line_start && line_owner != 0)
		out_str("\r\n");
	line_owner = 0;
	vcbprintf(hv_out, 0, fmt, ap);
	spin_unlock(&term_lock);
}

void term_write_raw(const char *s)
{
	spin_lock(&term_lock);
	while (*s) {
		if (*s == '\n')
			out_raw('\r');
		out_raw(*s++);
	}
	spin_unlock(&term_lock);
}

void term_init(const char *dir)
{
	if (dir)
		strncpy_safe(logdir, dir, sizeof(logdir));
}

void term_set_shell(void (*input)(char c), void (*prompt)(void))
{
	shell_input = input;
	shell_prompt = prompt;
}

void term_vm_attach(struct vm *vm)
{
	struct term_ring *r = &vm->term;
	char path[160];

	r->log_fd = -1;
	if (!logdir[0])
		return;
	snprintf(path, sizeof(path), "%s/vm%d-%s.log", logdir, vm->id, vm->name);
	r->log_fd = semihost_open(path, 4);
	if (r->log_fd < 0)
		hv_printf("hvscope: cannot open log %s\n", path);
}

/* Append to a VM's log file, up to TERM_LOG_MAX bytes in all; term_lock held. */
static void log_append(struct vm *vm, const char *text, unsigned len)
{
	static const char capped[] = "\n[hvscope: log file capped at 8 MiB; later output is not logged]\n";
	struct term_ring *r = &vm->term;

	if (r->log_fd < 0 || r->log_bytes >= TERM_LOG_MAX)
		return;
	if (len > TERM_LOG_MAX - r->log_bytes)
		len = (unsigned)(TERM_LOG_MAX - r->log_bytes);
	semihost_write(r->log_fd, text, len);
	r->log_bytes += len;
	if (r->log_bytes < TERM_LOG_MAX)
		return;
	semihost_write(r->log_fd, capped, sizeof(capped) - 1);
	log_capped_vm = vm->id; /* said on the terminal once term_lock is free */
}

static void log_flush(struct vm *vm)
{
	struct term_ring *r = &vm->term;

	if (r->line_len)
		log_append(vm, r->line, r->line_len);
	r->line_len = 0;
}

/* The one terminal line for a log that reached its cap (term_lock not held). */
static void log_cap_notice(void)
{
	int id = __atomic_exchange_n(&log_capped_vm, 0, __ATOMIC_ACQ_REL);
	struct vm *vm = id ? vm_get(id) : 0;

	if (vm)
		hv_printf("vm%d: %s: log file reached 8 MiB; later output is not logged "
			  "(Ctrl-T %d and hv> log %d still show its latest output)\n",
			  id, vm->name, id, id);
}

void term_vm_output(struct vm *vm, char c)
{
	struct term_ring *r = &vm->term;

	spin_lock(&term_lock);
	r->buf[r->written % TERM_RING_SIZE] = c;
	r->written++;
	if (focus == vm->id) {
		line_owner = vm->id;
		out_raw(c);
		r->shown = r->written;
	}
	if (r->log_fd >= 0 && r->log_bytes < TERM_LOG_MAX) {
		r->line[r->line_len++] = c;
		if (c == '\n' || r->line_len == sizeof(r->line))
			log_flush(vm);
	}
	spin_unlock(&term_lock);
	if (log_capped_vm)
		log_cap_notice();
}

/* A hypervisor line about this VM (reports) goes into its log too. */
void term_vm_log(struct vm *vm, const char *text)
{
	struct term_ring *r = &vm->term;

	if (r->log_fd < 0)
		return;
	spin_lock(&term_lock);
	log_flush(vm);
	log_append(vm, text, strlen(text));
	spin_unlock(&term_lock);
	if (log_capped_vm)
		log_cap_notice();
}

static void ring_put(struct term_ring *r, char c)
{
	r->buf[r->written % TERM_RING_SIZE] = c;
	r->written++;
}

/*
 * Hypervisor text about a VM (its post-mortem report): into the VM's console
 * ring and log, so that Ctrl-T N and the log show it, and on the terminal
 * only while that VM or the hv> console has focus (anywhere else a one-line
 * notice does).  It starts on a line of its own wherever it goes.
 */
void term_vm_report(struct vm *vm, const char *text)
{
	struct term_ring *r = &vm->term;
	bool show;

	spin_lock(&term_lock);
	show = focus == vm->id || focus == TERM_FOCUS_HV;
	if (show && !at_line_start)
		out_str("\r\n");
	if (r->written && r->buf[(r->written - 1) % TERM_RING_SIZE] != '\n') {
		ring_put(r, '\r');
		ring_put(r, '\n');
	}
	for (const char *p = text; *p; p++) {
		if (*p == '\n')
			ring_put(r, '\r');
		ring_put(r, *p);
		if (show) {
			if (*p == '\n')
				out_raw('\r');
			out_raw(*p);
		}
	}
	if (show)
		line_owner = 0;
	if (focus == vm->id)
		r->shown = r->written;
	log_flush(vm);
	log_append(vm, text, strlen(text));
	spin_unlock(&term_lock);
	if (log_capped_vm)
		log_cap_notice();
}

/* Replay what a VM printed while it did not have focus; term_lock held. */
static void replay(struct vm *vm)
{
	struct term_ring *r = &vm->term;
	uint64_t from = r->shown;

	if (r->written - from > TERM_RING_SIZE) {
		out_str("[... older output dropped ...]\r\n");
		from = r->written - TERM_RING_SIZE;
	}
	for (; from < r->written; from++)
		out_raw(r->buf[from % TERM_RING_SIZE]);
	r->shown = r->written;
}

void term_focus(int id)
{
	struct vm *vm = id == TERM_FOCUS_HV ? 0 : vm_get(id);

	if (id != TERM_FOCUS_HV && !vm) {
		hv_printf("hvscope: no VM %d\n", id);
		return;
	}
	spin_lock(&term_lock);
	focus = id;
	if (!at_line_start)
		out_str("\r\n");
	if (vm) {
		char msg[96];
		snprintf(msg, sizeof(msg), "[hvscope: console -> vm%d (%s)]\r\n", vm->id, vm->name);
		out_str(msg);
		replay(vm);
	} else {
		out_str("[hvscope: console -> hypervisor; Ctrl-T 1..9 or Ctrl-T v NN returns to a VM]\r\n");
	}
	spin_unlock(&term_lock);
	if (!vm && shell_prompt)
		shell_prompt();
}

/* The last `size` bytes of the VM's ring (read without the lock: at worst a torn byte). */
size_t term_vm_tail(const struct vm *vm, char *buf, size_t size, uint64_t *dropped)
{
	const struct term_ring *r = &vm->term;
	uint64_t end = r->written, from = end > TERM_RING_SIZE ? end - TERM_RING_SIZE : 0;
	size_t n = 0;

	if (end - from > size)
		from = end - size;
	*dropped = from;
	for (uint64_t i = from; i < end; i++)
		buf[n++] = r->buf[i % TERM_RING_SIZE];
	return n;
}

int term_focused(void)
{
	return focus;
}

static void key_help(void)
{
	hv_printf("hvscope keys: Ctrl-T then\n"
		  "  1..9   focus VM 1..9\n"
		  "  v NN   focus VM NN, 1..%d: two digits (v 12, v 07), or one digit and Enter (v 7 Enter)\n"
		  "  0 / h  focus the hv> console\n"
		  "  Ctrl-T send a literal Ctrl-T to the focused VM\n"
		  "  ?      this help\n"
		  "QEMU: Ctrl-A x quits QEMU; hv> quit shuts the machine down.\n",
		  VM_MAX);
}

static void deliver(char c)
{
	struct vm *vm;

	if (focus == TERM_FOCUS_HV) {
		if (shell_input)
			shell_input(c);
		return;
	}
	vm = vm_get(focus);
	if (vm)
		vm_console_input(vm, c);
}

/* Ctrl-T v: digits of a VM number; two of them, or one and Enter, end it. */
static void vm_number_key(char c)
{
	bool enter = (c == '\r' || c == '\n') && vm_digits == 1;

	if (c >= '0' && c <= '9' && vm_digits < 2) {
		vm_number = vm_number * 10 + (c - '0');
		if (++vm_digits < 2)
			return;
	} else if (!enter) {
		key_state = KEYS_PLAIN;
		hv_printf("hvscope: Ctrl-T v takes a VM number 1..%d: two digits, or one digit and Enter\n",
			  VM_MAX);
		return;
	}
	key_state = KEYS_PLAIN;
	if (vm_number == TERM_FOCUS_HV)
		hv_printf("hvscope: no VM 0 (Ctrl-T h is the hv> console)\n");
	else
		term_focus(vm_number);
}

static void prefix_key(char c)
{
	key_state = KEYS_PLAIN;
	if (c >= '1' && c <= '9')
		term_focus(c - '0');
	else if (c == '0' || c == 'h')
		term_focus(TERM_FOCUS_HV);
	else if (c == 'v') {
		key_state = KEYS_VM_NUMBER;
		vm_number = vm_digits = 0;
	} else if (c == TERM_PREFIX_KEY)
		deliver(c);
	else
		key_help();
}

void term_input(char c)
{
	if (key_state == KEYS_PREFIX)
		prefix_key(c);
	else if (key_state == KEYS_VM_NUMBER)
		vm_number_key(c);
	else if (c == TERM_PREFIX_KEY)
		key_state = KEYS_PREFIX;
	else
		deliver(c);
}

void term_poll_input(void)
{
	int c;

	while ((c = uart_getc()) >= 0)
		term_input((char)c);
}
