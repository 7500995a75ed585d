// Processes: creation, scheduling, sleep/wakeup, exit and wait.
#include <stddef.h>
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"

_Static_assert(offsetof(struct trapframe, kernel_satp) == TF_KERNEL_SATP, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_sp) == TF_KERNEL_SP, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_trap) == TF_KERNEL_TRAP, "trapframe");
_Static_assert(offsetof(struct trapframe, epc) == TF_EPC, "trapframe");
_Static_assert(offsetof(struct trapframe, kernel_hartid) == TF_KERNEL_HARTID, "trapframe");
_Static_assert(offsetof(struct trapframe, ra) == TF_X(1), "trapframe");
_Static_assert(offsetof(struct trapframe, a0) == TF_X(10), "trapframe");
_Static_assert(offsetof(struct trapframe, t6) == TF_X(31), "trapframe");
_Static_assert(sizeof(struct trapframe) == TF_SIZE, "trapframe");
_Static_assert(sizeof(struct context) == 14 * 8, "swtch.S saves 14 registers");

struct cpu cpus[NCPU];
struct proc proc[NPROC];
static struct proc *initproc;

static int nextpid = 1;
static struct spinlock pid_lock;

// Orders parent/child updates in exit() and wait() so wakeups are not lost.
// Taken before any p->lock.
static struct spinlock wait_lock;

extern char _trampoline[];
static void forkret(void);

// Map a kernel stack, with a guard page below it, for every process slot.
void
proc_mapstacks(pagetable_t kpgtbl)
{
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    char *pa = kalloc();
    if(pa == 0)
      panic("kalloc");
    kvmmap(kpgtbl, KSTACK(p - proc), (uint64)pa, PGSIZE, PTE_R | PTE_W);
  }
}

void
procinit(void)
{
  initlock(&pid_lock, "nextpid");
  initlock(&wait_lock, "wait_lock");
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    initlock(&p->lock, "proc");
    p->state = UNUSED;
    p->kstack = KSTACK(p - proc);
  }
}

// The hart id is kept in tp; call with interrupts off so the result is stable.
int
cpuid(void)
{
  return r_tp();
}

struct cpu *
mycpu(void)
{
  return &cpus[cpuid()];
}

struct proc *
myproc(void)
{
  push_off();
  struct proc *p = mycpu()->proc;
  pop_off();
  return p;
}

static int
allocpid(void)
{
  acquire(&pid_lock);
  int pid = nextpid++;
  release(&pid_lock);
  return pid;
}

static void
freeproc(struct proc *p)
{
  if(p->trapframe)
    kfree(p->trapframe);
  p->trapframe = 0;
  if(p->pagetable)
    proc_freepagetable(p->pagetable, p->sz);
  p->pagetable = 0;
  p->sz = 0;
  p->pid = 0;
  p->parent = 0;
  p->name[0] = 0;
  p->chan = 0;
  p->killed = 0;
  p->xstate = 0;
  p->state = UNUSED;
}

// Find an unused slot and set it up to start in forkret().  Returns with
// p->lock held, or 0 if there is no slot or no memory.
static struct proc *
allocproc(void)
{
  struct proc *p;
  for(p = proc; p < &proc[NPROC]; p++){
    acquire(&p->lock);
    if(p->state == UNUSED)
      goto found;
    release(&p->lock);
  }
  return 0;

found:
  p->pid = allocpid();
  p->state = USED;
  if((p->trapframe = kalloc()) == 0 || (p->pagetable = proc_pagetable(p)) == 0){
    freeproc(p);
    release(&p->lock);
    return 0;
  }
  memset(&p->context, 0, sizeof(p->context));
  p->context.ra = (uint64)forkret;
  p->context.sp = p->kstack + PGSIZE;
  return p;
}

// A user page table with only the trampoline and the trapframe mapped.
pagetable_t
proc_pagetable(struct proc *p)
{
  pagetable_t pagetable = uvmcreate();
  if(pagetable == 0)
    return 0;
  // No PTE_U: only the kernel, on its way in and out, uses these pages.
  if(mappages(pagetable, TRAMPOLINE, PGSIZE, (uint64)_trampoline, PTE_R | PTE_X) < 0){
    uvmfree(pagetable, 0);
    return 0;
  }
  if(mappages(pagetable, TRAPFRAME, PGSIZE, (uint64)p->trapframe, PTE_R | PTE_W) < 0){
    uvmunmap(pagetable, TRAMPOLINE, 1, 0);
    uvmfree(pagetable, 0);
    return 0;
  }
  return pagetable;
}

void
proc_freepagetable(pagetable_t pagetable, uint64 sz)
{
  uvmunmap(pagetable, TRAMPOLINE, 1, 0);
  uvmunmap(pagetable, TRAPFRAME, 1, 0);
  uvmfree(pagetable, sz);
}

// The first process: empty for now; forkret() execs /init in it.
void
userinit(void)
{
  struct proc *p = allocproc();
  if(p == 0)
    panic("userinit");
  initproc = p;
  safestrcpy(p->name, "init", sizeof(p->name));
  p->state = RUNNABLE;
  release(&p->lock);
}

// Grow or shrink user memory by n bytes.
int
growproc(int n)
{
  struct proc *p = myproc();
  uint64 sz = p->sz;
  if(n > 0){
    if(sz + n >= TRAPFRAME || (sz = uvmalloc(p->pagetable, sz, sz + n, PTE_W)) == 0)
      return -1;
  } else if(n < 0){
    if((uint64)-n > sz)
      return -1;
    sz = uvmdealloc(p->pagetable, sz, sz + n);
  }
  p->sz = sz;
  return 0;
}

int
fork(void)
{
  struct proc *p = myproc(), *np;
  if((np = allocproc()) == 0)
    return -1;
  if(uvmcopy(p->pagetable, np->pagetable, p->sz) < 0){
    freeproc(np);
    release(&np->lock);
    return -1;
  }
  np->sz = p->sz;
  *np->trapframe = *p->trapframe;
  np->trapframe->a0 = 0;   // fork() returns 0 in the child

  for(int i = 0; i < NOFILE; i++)
    if(p->ofile[i])
      np->ofile[i] = filedup(p->ofile[i]);
  np->cwd = idup(p->cwd);
  safestrcpy(np->name, p->name, sizeof(p->name));
  int pid = np->pid;
  release(&np->lock);

  acquire(&wait_lock);
  np->parent = p;
  release(&wait_lock);

  acquire(&np->lock);
  np->state = RUNNABLE;
  release(&np->lock);
  return pid;
}

// Give p's children to init.  Caller holds wait_lock.
static void
reparent(struct proc *p)
{
  for(struct proc *pp = proc; pp < &proc[NPROC]; pp++){
    if(pp->parent == p){
      pp->parent = initproc;
      wakeup(initproc);
    }
  }
}

// Exit the current process; it stays a zombie until its parent calls wait().
void
exit(int status)
{
  struct proc *p = myproc();
  if(p == initproc)
    panic("init exiting");

  for(int fd = 0; fd < NOFILE; fd++){
    if(p->ofile[fd]){
      fileclose(p->ofile[fd]);
      p->ofile[fd] = 0;
    }
  }
  begin_op();
  iput(p->cwd);
  end_op();
  p->cwd = 0;

  acquire(&wait_lock);
  reparent(p);
  wakeup(p->parent);   // the parent may be sleeping in wait()
  acquire(&p->lock);
  p->xstate = status;
  p->state = ZOMBIE;
  release(&wait_lock);

  sched();
  panic("zombie exit");
}

// Wait for a child to exit; copy its status to user address addr unless 0.
// Returns its pid, or -1 if there are no children.
int
wait(uint64 addr)
{
  struct proc *p = myproc();
  acquire(&wait_lock);
  for(;;){
    int havekids = 0;
    for(struct proc *pp = proc; pp < &proc[NPROC]; pp++){
      if(pp->parent != p)
        continue;
      acquire(&pp->lock);   // make sure the child is not still in exit() or swtch()
      havekids = 1;
      if(pp->state == ZOMBIE){
        int pid = pp->pid;
        if(addr != 0 && copyout(p->pagetable, addr, (char *)&pp->xstate, sizeof(pp->xstate)) < 0){
          release(&pp->lock);
          release(&wait_lock);
          return -1;
        }
        freeproc(pp);
        release(&pp->lock);
        release(&wait_lock);
        return pid;
      }
      release(&pp->lock);
    }
    if(!havekids || killed(p)){
      release(&wait_lock);
      return -1;
    }
    sleep(p, &wait_lock);
  }
}

// Each hart ends up here after boot and loops forever, picking runnable
// processes in round-robin order and swtch()ing to them.
void
scheduler(void)
{
  struct cpu *c = mycpu();
  c->proc = 0;
  for(;;){
    // Devices may need to interrupt to make something runnable; also avoids
    // deadlock if every process is waiting.
    intr_on();
    int found = 0;
    for(struct proc *p = proc; p < &proc[NPROC]; p++){
      acquire(&p->lock);
      if(p->state == RUNNABLE){
        p->state = RUNNING;
        c->proc = p;
        swtch(&c->context, &p->context);
        c->proc = 0;   // the process has switched back, state changed
        found = 1;
      }
      release(&p->lock);
    }
    if(!found){
      intr_on();
      asm volatile("wfi");
    }
  }
}

// Switch to the scheduler.  Caller holds exactly p->lock and has changed
// p->state.  intena belongs to this kernel thread, not to the hart.
void
sched(void)
{
  struct proc *p = myproc();
  if(!holding(&p->lock))
    panic("sched p->lock");
  if(mycpu()->noff != 1)
    panic("sched locks");
  if(p->state == RUNNING)
    panic("sched running");
  if(intr_get())
    panic("sched interruptible");
  int intena = mycpu()->intena;
  swtch(&p->context, &mycpu()->context);
  mycpu()->intena = intena;
}

void
yield(void)
{
  struct proc *p = myproc();
  acquire(&p->lock);
  p->state = RUNNABLE;
  sched();
  release(&p->lock);
}

// A new process's first scheduling lands here, still holding p->lock.
static void
forkret(void)
{
  static int first = 1;
  release(&myproc()->lock);

  if(first){
    // The file system needs a process context (it sleeps), so it starts
    // here rather than in main().
    fsinit(ROOTDEV);
    first = 0;
    __sync_synchronize();

    struct proc *p = myproc();
    char *argv[] = { "/init", 0 };
    p->cwd = namei("/");
    if(p->cwd == 0 || (p->trapframe->a0 = exec("/init", argv)) == (uint64)-1)
      panic("cannot run /init");
  }
  usertrapret();
}

// Release lk and sleep on chan; reacquire lk when woken.
void
sleep(void *chan, struct spinlock *lk)
{
  struct proc *p = myproc();
  // With p->lock held no wakeup(chan) can slip in between releasing lk and
  // marking ourselves asleep, since wakeup() takes p->lock.
  acquire(&p->lock);
  release(lk);
  p->chan = chan;
  p->state = SLEEPING;
  sched();
  p->chan = 0;
  release(&p->lock);
  acquire(lk);
}

// Wake every process sleeping on chan.  Call without any p->lock held.
void
wakeup(void *chan)
{
  struct proc *me = myproc();
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    if(p == me)
      continue;
    acquire(&p->lock);
    if(p->state == SLEEPING && p->chan == chan)
      p->state = RUNNABLE;
    release(&p->lock);
  }
}

// Mark process pid killed; it exits on its next way out of the kernel.
int
kill(int pid)
{
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    acquire(&p->lock);
    if(p->pid == pid && p->state != UNUSED){
      p->killed = 1;
      if(p->state == SLEEPING)
        p->state = RUNNABLE;   // wake it so it notices
      release(&p->lock);
      return 0;
    }
    release(&p->lock);
  }
  return -1;
}

void
setkilled(struct proc *p)
{
  acquire(&p->lock);
  p->killed = 1;
  release(&p->lock);
}

int
killed(struct proc *p)
{
  acquire(&p->lock);
  int k = p->killed;
  release(&p->lock);
  return k;
}

// Copy to a user address (user_dst) or a kernel address.
int
either_copyout(int user_dst, uint64 dst, void *src, uint64 len)
{
  if(user_dst)
    return copyout(myproc()->pagetable, dst, src, len);
  memmove((char *)dst, src, len);
  return 0;
}

int
either_copyin(void *dst, int user_src, uint64 src, uint64 len)
{
  if(user_src)
    return copyin(myproc()->pagetable, dst, src, len);
  memmove(dst, (char *)src, len);
  return 0;
}

// ^P on the console: list processes.  Takes no locks so it works on a wedged
// system.
void
procdump(void)
{
  static const char *states[] = {
    [UNUSED] "unused", [USED] "used", [SLEEPING] "sleep ",
    [RUNNABLE] "runble", [RUNNING] "run   ", [ZOMBIE] "zombie",
  };
  printf("\n");
  for(struct proc *p = proc; p < &proc[NPROC]; p++){
    if(p->state == UNUSED)
      continue;
    printf("%d %s %s\n", p->pid, states[p->state], p->name);
  }
}
