#ifndef XV6_PROC_H
#define XV6_PROC_H

#include "trapframe.h"

// Callee-saved registers that swtch() saves and restores.
struct context {
  uint64 ra;
  uint64 sp;
  uint64 s[12];
};

// Per-hart state, indexed by hart id (kept in tp).
struct cpu {
  struct proc *proc;        // process running here, or 0
  struct context context;   // swtch() here to enter the scheduler
  int noff;                 // depth of push_off() nesting
  int intena;               // were interrupts on before push_off()?
  int started;
};

extern struct cpu cpus[NCPU];

// Saved user registers; see trapframe.h for the layout contract.
struct trapframe {
  uint64 kernel_satp;
  uint64 kernel_sp;
  uint64 kernel_trap;
  uint64 epc;
  uint64 kernel_hartid;
  uint64 ra, sp, gp, tp, t0, t1, t2, s0, s1;
  uint64 a0, a1, a2, a3, a4, a5, a6, a7;
  uint64 s2, s3, s4, s5, s6, s7, s8, s9, s10, s11;
  uint64 t3, t4, t5, t6;
};

enum procstate { UNUSED, USED, SLEEPING, RUNNABLE, RUNNING, ZOMBIE };

struct proc {
  struct spinlock lock;

  // p->lock must be held to use these:
  enum procstate state;
  void *chan;            // sleeping on chan if non-zero
  int killed;
  int xstate;            // exit status for the parent's wait()
  int pid;

  // wait_lock must be held to use this:
  struct proc *parent;

  // private to the process, no lock needed:
  uint64 kstack;               // kernel stack virtual address
  uint64 sz;                   // bytes of user memory
  pagetable_t pagetable;
  struct trapframe *trapframe; // page for trampoline.S
  struct context context;      // swtch() here to run the process
  struct file *ofile[NOFILE];
  struct inode *cwd;
  char name[16];
};

#endif
