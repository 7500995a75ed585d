/*
 * What the console's command files share: the hypervisor interface, the
 * command table, argument parsing that prints its own error line, and the
 * CSR name table (for `csr`, `regs` and Tab completion).
 *
 * Every command prints exactly one line starting with "error: " when its
 * input is bad, and nothing else; the helpers below follow that rule, so a
 * command returns -1 as soon as one of them fails.
 */
#ifndef CONSOLE_CMD_H
#define CONSOLE_CMD_H

#include "console/console.h"

extern const struct console_ops *con;

extern const struct console_cmd console_commands[];
extern const unsigned console_command_count;
const struct console_cmd *console_find(const char *name);

/* One "error: ..." line. */
void console_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* "error: usage: NAME ARGS" from the command table. */
int console_usage(const char *name);

bool console_str_eq(const char *a, const char *b);
bool console_has_prefix(const char *s, const char *prefix);

/* Numbers: decimal or 0x hex; an error names the bad token. */
int console_parse_u64(const char *tok, uint64_t *out);
/* "N": an existing VM. */
int console_parse_vm(const char *tok, int *vm);
/* "N" or "N.V": a VM and one of its vCPUs (V defaults to 0). */
int console_parse_vcpu(const char *tok, int *vm, unsigned *vcpu);
int console_parse_onoff(const char *tok, bool *on);
/* A token that names a VM (starts with a digit) rather than a keyword. */
bool console_is_vm_token(const char *tok);

/* CSR names the console knows, for Tab completion: NULL past the end. */
const char *console_csr_name(unsigned i, bool vcpu_scope);

/* Command functions, by file. */
int cmd_help(int argc, char **argv);
int cmd_version(int argc, char **argv);
int cmd_mem(int argc, char **argv);
int cmd_quit(int argc, char **argv);
int cmd_vms(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_resume(int argc, char **argv);
int cmd_reset(int argc, char **argv);
int cmd_bootargs(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_dump(int argc, char **argv);
int cmd_log(int argc, char **argv);
int cmd_csr(int argc, char **argv);
int cmd_regs(int argc, char **argv);
int cmd_adue(int argc, char **argv);
int cmd_adem(int argc, char **argv);
int cmd_deleg(int argc, char **argv);
int cmd_pt(int argc, char **argv);
int cmd_gpt(int argc, char **argv);
int cmd_xlate(int argc, char **argv);
int cmd_x(int argc, char **argv);
int cmd_trace(int argc, char **argv);
int cmd_stats(int argc, char **argv);

/* Shared printing. */
void console_print_csr(const char *name, uint64_t value, const char *note);

#endif
