#ifndef CORE_REPORT_H
#define CORE_REPORT_H

struct vcpu;
struct exit_info;

void report_vm_fault(struct vcpu *v, const struct exit_info *e);
void report_gstage_walk(const struct vcpu *v, unsigned long gpa);

#endif
