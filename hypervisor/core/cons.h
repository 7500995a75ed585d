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
#ifndef CORE_CONS_H
#define CORE_CONS_H

#include <stdint.h>

#define CONS_PREFIX_KEY 0x14
#define CONS_RING_SIZE  (16 * 1024)
#define CONS_FOCUS_HV   0

struct vm;

struct cons_ring {
	char buf[CONS_RING_SIZE];
	uint64_t written;	/* total bytes ever written */
	uint64_t shown;		/* `written` when the VM last had focus */
	char line[160];		/* pending log line */
	unsigned line_len;
	long log_fd;		/* semihosting handle, -1 = no log */
	uint64_t log_bytes;	/* written to the log file, capped at CONS_LOG_MAX */
};

/*
 * A VM's log file grows to at most this; then one last line in it and one
 * notice on the terminal, and the file is left alone (the ring still keeps
 * the VM's latest output for focus and `hv> log`).
 */
#define CONS_LOG_MAX (8UL << 20)

void cons_init(const char *logdir);
void cons_vm_attach(struct vm *vm);
void cons_vm_output(struct vm *vm, char c);
void cons_vm_log(struct vm *vm, const char *text);
void cons_vm_report(struct vm *vm, const char *text);
void cons_input(char c);
void cons_poll_input(void);
void cons_focus(int vm_id);
int cons_focused(void);
void cons_write_raw(const char *s);
void hv_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hv_vprintf(const char *fmt, __builtin_va_list ap);

#endif
