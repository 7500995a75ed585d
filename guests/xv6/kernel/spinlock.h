#ifndef XV6_SPINLOCK_H
#define XV6_SPINLOCK_H

// Mutual exclusion between harts; interrupts stay off while it is held.
struct spinlock {
  uint locked;
  char *name;
  struct cpu *cpu;   // holder, for holding() and debugging
};

#endif
