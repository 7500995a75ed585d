// exec(): replace the current process image with an ELF file.
#include "types.h"
#include "param.h"
#include "memlayout.h"
#include "riscv.h"
#include "spinlock.h"
#include "proc.h"
#include "defs.h"
#include "elf.h"

#define USERSTACK 1   // pages of user stack, above one guard page

static int
flags2perm(int flags)
{
  int perm = 0;
  if(flags & ELF_PROG_FLAG_EXEC)
    perm |= PTE_X;
  if(flags & ELF_PROG_FLAG_WRITE)
    perm |= PTE_W;
  return perm;
}

// Load a program segment into pagetable at va (page aligned).
static int
loadseg(pagetable_t pagetable, uint64 va, struct inode *ip, uint offset, uint sz)
{
  for(uint i = 0; i < sz; i += PGSIZE){
    uint64 pa = walkaddr(pagetable, va + i);
    if(pa == 0)
      panic("loadseg: address should exist");
    uint n = sz - i < PGSIZE ? sz - i : PGSIZE;
    if(readi(ip, 0, pa, offset + i, n) != (int)n)
      return -1;
  }
  return 0;
}

// Copy the argument strings and the argv[] array onto the new stack.
// Returns the new stack pointer (also argv), or 0 if they do not fit.
static uint64
pushargs(pagetable_t pagetable, uint64 sp, uint64 stackbase, char **argv, int *pargc)
{
  uint64 ustack[MAXARG + 1];
  int argc;
  for(argc = 0; argv[argc]; argc++){
    if(argc >= MAXARG)
      return 0;
    sp -= strlen(argv[argc]) + 1;
    sp -= sp % 16;   // the RISC-V ABI wants sp 16-byte aligned
    if(sp < stackbase || copyout(pagetable, sp, argv[argc], strlen(argv[argc]) + 1) < 0)
      return 0;
    ustack[argc] = sp;
  }
  ustack[argc] = 0;
  sp -= (argc + 1) * sizeof(uint64);
  sp -= sp % 16;
  if(sp < stackbase || copyout(pagetable, sp, (char *)ustack, (argc + 1) * sizeof(uint64)) < 0)
    return 0;
  *pargc = argc;
  return sp;
}

int
exec(char *path, char **argv)
{
  struct elfhdr elf;
  struct proghdr ph;
  struct inode *ip;
  pagetable_t pagetable = 0;
  uint64 sz = 0, oldsz;
  struct proc *p = myproc();

  begin_op();
  if((ip = namei(path)) == 0){
    end_op();
    return -1;
  }
  ilock(ip);

  if(readi(ip, 0, (uint64)&elf, 0, sizeof(elf)) != sizeof(elf) || elf.magic != ELF_MAGIC)
    goto bad;
  if((pagetable = proc_pagetable(p)) == 0)
    goto bad;

  for(int i = 0, off = elf.phoff; i < elf.phnum; i++, off += sizeof(ph)){
    if(readi(ip, 0, (uint64)&ph, off, sizeof(ph)) != sizeof(ph))
      goto bad;
    if(ph.type != ELF_PROG_LOAD)
      continue;
    if(ph.memsz < ph.filesz || ph.vaddr + ph.memsz < ph.vaddr || ph.vaddr % PGSIZE != 0)
      goto bad;
    uint64 sz1 = uvmalloc(pagetable, sz, ph.vaddr + ph.memsz, flags2perm(ph.flags));
    if(sz1 == 0)
      goto bad;
    sz = sz1;
    if(loadseg(pagetable, ph.vaddr, ip, ph.off, ph.filesz) < 0)
      goto bad;
  }
  iunlockput(ip);
  end_op();
  ip = 0;

  // The stack: a guard page, inaccessible to user code, then USERSTACK pages.
  sz = PGROUNDUP(sz);
  uint64 sz1 = uvmalloc(pagetable, sz, sz + (USERSTACK + 1) * PGSIZE, PTE_W);
  if(sz1 == 0)
    goto bad;
  sz = sz1;
  uvmclear(pagetable, sz - (USERSTACK + 1) * PGSIZE);
  uint64 stackbase = sz - USERSTACK * PGSIZE;

  int argc;
  uint64 sp = pushargs(pagetable, sz, stackbase, argv, &argc);
  if(sp == 0)
    goto bad;

  // main(argc, argv): argc is the syscall's return value in a0.
  p->trapframe->a1 = sp;

  char *last = path, *s;
  for(s = path; *s; s++)
    if(*s == '/')
      last = s + 1;
  safestrcpy(p->name, last, sizeof(p->name));

  // Commit to the new image.
  pagetable_t oldpagetable = p->pagetable;
  oldsz = p->sz;
  p->pagetable = pagetable;
  p->sz = sz;
  p->trapframe->epc = elf.entry;
  p->trapframe->sp = sp;
  proc_freepagetable(oldpagetable, oldsz);
  return argc;

bad:
  if(pagetable)
    proc_freepagetable(pagetable, sz);
  if(ip){
    iunlockput(ip);
    end_op();
  }
  return -1;
}
