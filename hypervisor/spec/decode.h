/*
 * Decoders shared by the hv> console, the post-mortem report and (in
 * spelling) gdbscripts/hv.py: cause names as in the privileged spec, CSR
 * fields by name, PTE bits as "V=1 R=1 W=0 X=1 U=0 G=0 A=0 D=0".
 * Portable C: builds into the hypervisor and into host unit tests.
 */
#ifndef CONSOLE_DECODE_H
#define CONSOLE_DECODE_H

#include <stddef.h>
#include <stdint.h>
#include "spec/trace_record.h"

const char *decode_cause_name(uint64_t scause);
const char *decode_irq_name(unsigned irq);
int decode_cause_by_name(const char *name, uint64_t *out); /* short name or number; -1 unknown */
const char *decode_cause_short(unsigned code);		   /* "ipf", "lgpf", ... for deleg */
void decode_pte_bits(uint64_t pte, char *buf, size_t size);
/* "NAME=value ..." for a CSR with fields; returns 0, or -1 if it has none known. */
int decode_csr_fields(const char *csr, uint64_t value, char *buf, size_t size);

/* SBI names from the SBI specification: NULL when unknown. */
const char *decode_sbi_ext_name(uint64_t eid);
const char *decode_sbi_fn_name(uint64_t eid, uint64_t fid);
const char *decode_sbi_error(int64_t err);
void decode_mmio_device(uint64_t gpa, char *buf, size_t size);
/* A trace record's payload (enum trace_kind), as console, reports and gdb print it. */
void decode_trace_payload(const struct trace_record *r, char *buf, size_t size);

/* x0..x31 by their ABI names (the psABI's register table), as the console and reports print them. */
extern const char *const riscv_abi_names[32];

#endif
