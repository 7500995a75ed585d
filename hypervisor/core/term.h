/*
 * The terminal: one physical UART shared by the hypervisor and every VM.
 *
 * Output: hypervisor messages (hv_printf) always reach the terminal, starting
 * on a fresh line.  A VM's output passes through raw while it has focus and is
 * kept in its 16 KiB ring otherwise, replayed when it gets focus.  Every VM's
 * full output also goes to its log file when a log directory was given.
 *
 * Input: Ctrl-T (0x14) is the prefix key: then 1..9 focuses that VM, v and
 * a two-digit number (or one digit and Enter) VM 1..VM_MAX, 0 or h the hv>
 * console, Ctrl-T sends a literal Ctrl-T, ? prints the key help.
 */
#ifndef CORE_TERM_H
#define CORE_TERM_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include "lib/log.h"

#define TERM_PREFIX_KEY 0x14
#define TERM_RING_SIZE	(16 * 1024)
#define TERM_FOCUS_HV	0

struct vm;

struct term_ring {
	char buf[TERM_RING_SIZE];
	uint64_t written; /* total bytes ever written */
	uint64_t shown;	  /* `written` when the VM last had focus */
	char line[160];	  /* pending log line */
	unsigned line_len;
	long log_fd;	    /* semihosting handle, -1 = no log */
	uint64_t log_bytes; /* written to the log file, capped at TERM_LOG_MAX */
};

/*
 * A VM's log file grows to at most this; then one last line in it and one
 * notice on the terminal, and the file is left alone (the ring still keeps
 * the VM's latest output for focus and `hv> log`).
 */
#define TERM_LOG_MAX (8UL << 20)

void term_init(const char *logdir);
void term_vm_attach(struct vm *vm);
void term_vm_output(struct vm *vm, char c);
void term_vm_log(struct vm *vm, const char *text);
void term_vm_report(struct vm *vm, const char *text);
void term_input(char c);
void term_poll_input(void);
void term_focus(int vm_id);
int term_focused(void);
size_t term_vm_tail(const struct vm *vm, char *buf, size_t size, uint64_t *dropped);
void term_write_raw(const char *s);
/* The writer of hv_printf (lib/log.h), plugged in at boot: a hypervisor line starts on a fresh line. */
void term_vprintf(const char *fmt, va_list ap);
/* Where the keys go while the hypervisor has focus: the hv> console (top/console_glue.c). */
void term_set_shell(void (*input)(char c), void (*prompt)(void));

#endif
