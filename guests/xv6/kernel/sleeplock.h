#ifndef XV6_SLEEPLOCK_H
#define XV6_SLEEPLOCK_H

// A lock held across disk I/O: waiters sleep instead of spinning.
struct sleeplock {
  uint locked;
  struct spinlock lk;   // protects this structure
  char *name;
  int pid;              // holder
};

#endif
