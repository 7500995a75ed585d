// usertests: a self-test of the kernel through its system calls.
//
//   usertests          run every test
//   usertests -q       the quick subset
//   usertests name     run one test
//
// Each test runs in its own child process; a test fails by exiting non-zero
// (or by being killed).  The run ends with "ALL TESTS PASSED" or a list of
// the failed tests.
#include "kernel/param.h"
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/fs.h"
#include "kernel/fcntl.h"
#include "kernel/syscall.h"
#include "kernel/memlayout.h"
#include "kernel/riscv.h"
#include "user/user.h"

#define NELEM(x) (sizeof(x) / sizeof((x)[0]))
#define BUFSZ ((MAXOPBLOCKS + 2) * BSIZE)
static char buf[BUFSZ];

static void
fail(const char *test, const char *what)
{
  printf("%s: %s\n", test, what);
  exit(1);
}

static int
waitstatus(void)
{
  int st = 0;
  if(wait(&st) < 0)
    return -12345;
  return st;
}

// Addresses no user pointer may reach.
static uint64 bad_addrs[] = {
  0x80000000UL, 0x80200000UL, 0x3fffffe000UL, 0x3ffffff000UL,
  0x4000000000UL, 0xffffffffffffffffUL, 0x1000000000UL,
};

// ------------------------------------------------------------------
// bad pointers and page boundaries

// write() from kernel or unmapped addresses must fail, not crash.
static void
copyin(char *s)
{
  for(int ai = 0; ai < (int)NELEM(bad_addrs); ai++){
    uint64 addr = bad_addrs[ai];
    int fd = open("copyin1", O_CREATE | O_WRONLY);
    if(fd < 0)
      fail(s, "open failed");
    int n = write(fd, (void *)addr, 8192);
    if(n >= 0)
      fail(s, "write from bad address succeeded");
    close(fd);
    unlink("copyin1");
    n = write(1, (char *)addr, 8192);
    if(n > 0)
      fail(s, "write to console from bad address succeeded");
    int fds[2];
    if(pipe(fds) < 0)
      fail(s, "pipe failed");
    n = write(fds[1], (char *)addr, 8192);
    if(n > 0)
      fail(s, "write to pipe from bad address succeeded");
    close(fds[0]);
    close(fds[1]);
  }
}

// read() into kernel or unmapped addresses must fail.
static void
copyout(char *s)
{
  for(int ai = 0; ai < (int)NELEM(bad_addrs); ai++){
    uint64 addr = bad_addrs[ai];
    int fd = open("README", O_RDONLY);
    if(fd < 0)
      fail(s, "open README failed");
    int n = read(fd, (void *)addr, 8192);
    if(n > 0)
      fail(s, "read into bad address succeeded");
    close(fd);
    int fds[2];
    if(pipe(fds) < 0)
      fail(s, "pipe failed");
    if(write(fds[1], "x", 1) != 1)
      fail(s, "pipe write failed");
    n = read(fds[0], (void *)addr, 8192);
    if(n > 0)
      fail(s, "read from pipe into bad address succeeded");
    close(fds[0]);
    close(fds[1]);
  }
}

// Bad path pointers.
static void
copyinstr1(char *s)
{
  for(int ai = 0; ai < (int)NELEM(bad_addrs); ai++){
    if(open((char *)bad_addrs[ai], O_CREATE | O_WRONLY) >= 0)
      fail(s, "open with bad path pointer succeeded");
    if(unlink((char *)bad_addrs[ai]) >= 0 || mkdir((char *)bad_addrs[ai]) >= 0)
      fail(s, "unlink/mkdir with bad path pointer succeeded");
  }
}

// Paths longer than MAXPATH, and exec with a huge argument.
static void
copyinstr2(char *s)
{
  static char b[MAXPATH + 2];
  memset(b, 'x', sizeof(b) - 1);
  b[sizeof(b) - 1] = 0;
  if(unlink(b) != -1 || open(b, O_CREATE | O_WRONLY) != -1 || link(b, b) != -1)
    fail(s, "over-long path accepted");
  char *args[] = { "xx", 0 };
  if(exec(b, args) != -1)
    fail(s, "exec of over-long path succeeded");

  int pid = fork();
  if(pid == 0){
    static char big[PGSIZE + 1];
    memset(big, 'x', PGSIZE);
    big[PGSIZE] = 0;
    char *args2[] = { big, big, big, 0 };
    exec("echo", args2);   // may fail; must not crash the kernel
    exit(747);
  }
  int st = waitstatus();
  if(st != 747)
    fail(s, "exec with page-sized argument misbehaved");
}

// A string that runs off the end of mapped memory.
static void
copyinstr3(char *s)
{
  sbrk(PGSIZE - ((uint64)sbrk(0) % PGSIZE));   // page align the break
  char *top = sbrk(0);
  sbrk(-1);
  sbrk(1);   // still the same page
  char *b = top - 1;
  *b = 'x';  // last byte of memory, no terminator after it
  if(unlink(b) != -1 || open(b, O_CREATE) != -1 || link(b, b) != -1)
    fail(s, "unterminated string at end of memory accepted");
  char *args[] = { "xx", 0 };
  if(exec(b, args) != -1)
    fail(s, "exec of unterminated string succeeded");
}

// Copies that straddle a page boundary work, and ones running into
// unmapped memory fail.
static void
pageboundary(char *s)
{
  char *p = sbrk(0);
  p += PGSIZE - (uint64)p % PGSIZE;
  if(sbrk(p - (char *)sbrk(0) + 2 * PGSIZE) == (char *)-1)
    fail(s, "sbrk failed");
  char *edge = p + PGSIZE - 50;   // 50 bytes in one page, 50 in the next
  for(int i = 0; i < 100; i++)
    edge[i] = 'a' + i % 26;
  int fd = open("pb", O_CREATE | O_RDWR);
  if(write(fd, edge, 100) != 100)
    fail(s, "write across page boundary failed");
  close(fd);
  memset(edge, 0, 100);
  fd = open("pb", O_RDONLY);
  if(read(fd, edge, 100) != 100)
    fail(s, "read across page boundary failed");
  for(int i = 0; i < 100; i++)
    if(edge[i] != 'a' + i % 26)
      fail(s, "wrong data across page boundary");
  close(fd);

  // Drop the second page: the same copies now run into a hole.
  sbrk(-PGSIZE);
  fd = open("pb", O_RDONLY);
  if(read(fd, edge, 100) == 100)
    fail(s, "read into unmapped page succeeded");
  close(fd);
  fd = open("pb", O_WRONLY);
  if(write(fd, edge, 100) == 100)
    fail(s, "write from unmapped page succeeded");
  close(fd);
  int fds[2];
  pipe(fds);
  if(write(fds[1], "0123456789", 10) != 10)
    fail(s, "pipe write failed");
  int n = read(fds[0], p + PGSIZE - 5, 10);
  if(n == 10)
    fail(s, "pipe read into unmapped page succeeded");
  close(fds[0]);
  close(fds[1]);
  unlink("pb");
}

// Bad argument values for fd-based calls.
static void
badfd(char *s)
{
  char c;
  struct stat st;
  int bad[] = { -1, NOFILE, 1000, 12345678, -2000000000 };
  for(int i = 0; i < (int)NELEM(bad); i++){
    if(read(bad[i], &c, 1) != -1 || write(bad[i], &c, 1) != -1 || close(bad[i]) != -1 ||
       dup(bad[i]) != -1 || fstat(bad[i], &st) != -1)
      fail(s, "bad fd accepted");
  }
  if(fstat(0, (struct stat *)0x80000000UL) != -1)
    fail(s, "fstat into kernel memory succeeded");
  if(pipe((int *)0x80000000UL) != -1 || pipe((int *)0xffffffffffffffffUL) != -1)
    fail(s, "pipe into bad address succeeded");
  int fd = open("README", O_RDONLY);
  if(write(fd, "x", 1) != -1)
    fail(s, "write to read-only file succeeded");
  close(fd);
  if(read(fd, &c, 1) != -1)
    fail(s, "read from closed fd succeeded");
  if(wait((int *)0x80000000UL) != -1)
    fail(s, "wait without children succeeded");
}

// exec with bad argv pointers.
static void
badarg(char *s)
{
  for(int i = 0; i < 500; i++){
    uint64 argv[2] = { 0xffffffffUL, 0 };
    exec("echo", (char **)argv);
  }
  if(exec("echo", (char **)0x80000000UL) != -1)
    fail(s, "exec with kernel argv succeeded");
  if(exec("echo", (char **)0xffffffffffffffffUL) != -1)
    fail(s, "exec with wild argv succeeded");
}

// link() with a pointer sweeping through the address space.
static void
validatetest(char *s)
{
  uint64 hi = 1100 * 1024;
  for(uint64 p = 0; p <= hi; p += PGSIZE)
    if(link("nosuchfile", (char *)p) != -1)
      fail(s, "link should not succeed");
}

// Unknown system call numbers return -1.
static void
badsyscall(char *s)
{
  for(long n = 0; n < 30; n += 29){
    register long a7 asm("a7") = 1000 + n;
    register long a0 asm("a0");
    asm volatile("ecall" : "=r"(a0) : "r"(a7) : "memory");
    if(a0 != -1)
      fail(s, "unknown syscall did not return -1");
  }
}

// Every sbrk()ed byte can be passed to system calls.
static void
sbrkarg(char *s)
{
  char *a = sbrk(PGSIZE);
  int fd = open("sbrk", O_CREATE | O_WRONLY);
  unlink("sbrk");
  if(fd < 0)
    fail(s, "open failed");
  if(write(fd, a, PGSIZE) < 0)
    fail(s, "write of sbrk memory failed");
  close(fd);
  a = sbrk(PGSIZE);
  if(pipe((int *)a) != 0)
    fail(s, "pipe() into sbrk memory failed");
}

// ------------------------------------------------------------------
// processes

// Addresses outside user memory kill the process.
static void
kernmem(char *s)
{
  for(char *a = (char *)KERNBASE; a < (char *)(KERNBASE + 2000000); a += 50000){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      printf("%s: oops could read %lx = %x\n", s, (uint64)a, *a);
      exit(1);
    }
    if(waitstatus() != -1)
      exit(1);
  }
}

// The trapframe and trampoline pages are not for user code.
static void
trampoline_prot(char *s)
{
  uint64 addrs[] = { TRAPFRAME, TRAMPOLINE, MAXVA - 8 };
  for(int i = 0; i < (int)NELEM(addrs); i++){
    int pid = fork();
    if(pid == 0){
      volatile char *p = (char *)addrs[i];
      *p = 99;
      printf("%s: wrote %lx\n", s, addrs[i]);
      exit(1);
    }
    if(waitstatus() != -1)
      fail(s, "user store to trampoline/trapframe not killed");
  }
}

// The page below the stack is a guard page.
static void
stacktest(char *s)
{
  int pid = fork();
  if(pid == 0){
    char *sp = (char *)r_sp();
    sp -= PGSIZE;
    printf("%s: read below stack %d\n", s, *sp);   // should fault
    exit(1);
  }
  if(waitstatus() != -1)
    fail(s, "guard page not protected");
}

// Text is not writable.
static void
textwrite(char *s)
{
  int pid = fork();
  if(pid == 0){
    volatile int *addr = (int *)0;
    *addr = 10;
    exit(1);
  }
  if(waitstatus() != -1)
    fail(s, "write to text not killed");
}

static void
exitwait(char *s)
{
  for(int i = 0; i < 100; i++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0)
      exit(i);
    int st;
    if(wait(&st) != pid)
      fail(s, "wait wrong pid");
    if(st != i)
      fail(s, "wrong exit status");
  }
}

// Children of an exiting process are handed to init and reaped.
static void
reparent(char *s)
{
  int master = getpid();
  for(int i = 0; i < 200; i++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid){
      if(wait(0) != pid)
        fail(s, "wait wrong pid");
    } else {
      int pid2 = fork();
      if(pid2 < 0){
        kill(master);
        exit(1);
      }
      exit(0);
    }
  }
}

static void
reparent2(char *s)
{
  for(int i = 0; i < 400; i++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      fork();
      fork();
      exit(0);
    }
    wait(0);
  }
}

static void
twochildren(char *s)
{
  for(int i = 0; i < 500; i++){
    int pid1 = fork();
    if(pid1 < 0)
      fail(s, "fork failed");
    if(pid1 == 0)
      exit(0);
    int pid2 = fork();
    if(pid2 < 0)
      fail(s, "fork failed");
    if(pid2 == 0)
      exit(0);
    wait(0);
    wait(0);
  }
}

// Concurrent forks from several processes.
static void
forkfork(char *s)
{
  enum { N = 2 };
  for(int i = 0; i < N; i++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      for(int j = 0; j < 200; j++){
        int pid1 = fork();
        if(pid1 < 0)
          exit(1);
        if(pid1 == 0)
          exit(0);
        wait(0);
      }
      exit(0);
    }
  }
  for(int i = 0; i < N; i++)
    if(waitstatus() != 0)
      fail(s, "fork in child failed");
}

// A fork storm fills the process table; fork must then fail cleanly.
static void
forkforkfork(char *s)
{
  unlink("stopforking");
  int pid = fork();
  if(pid < 0)
    fail(s, "fork failed");
  if(pid == 0){
    for(;;){
      int fd = open("stopforking", 0);
      if(fd >= 0)
        exit(0);
      if(fork() < 0)
        close(open("stopforking", O_CREATE | O_RDWR));
    }
  }
  sleep(20);   // two seconds
  close(open("stopforking", O_CREATE | O_RDWR));
  wait(0);
  sleep(10);   // let the rest exit
  unlink("stopforking");
}

// Fork until the process table is full, then reap everything.
static void
forktest(char *s)
{
  enum { N = 1000 };
  int n;
  for(n = 0; n < N; n++){
    int pid = fork();
    if(pid < 0)
      break;
    if(pid == 0)
      exit(0);
  }
  if(n == 0)
    fail(s, "no fork at all");
  if(n == N)
    fail(s, "fork claimed to work 1000 times");
  for(; n > 0; n--)
    if(wait(0) < 0)
      fail(s, "wait stopped early");
  if(wait(0) != -1)
    fail(s, "wait got too many");
}

// kill() stops children that spin, sleep in a pipe read, or sleep().
static void
preempt(char *s)
{
  int pfds[2];
  int pid1 = fork();
  if(pid1 < 0)
    fail(s, "fork failed");
  if(pid1 == 0)
    for(;;)
      ;
  int pid2 = fork();
  if(pid2 < 0)
    fail(s, "fork failed");
  if(pid2 == 0)
    for(;;)
      ;
  pipe(pfds);
  int pid3 = fork();
  if(pid3 == 0){
    close(pfds[0]);
    if(write(pfds[1], "x", 1) != 1)
      printf("%s: preempt write error\n", s);
    close(pfds[1]);
    for(;;)
      ;
  }
  close(pfds[1]);
  if(read(pfds[0], buf, sizeof(buf)) != 1)
    fail(s, "preempt read error");
  close(pfds[0]);
  kill(pid1);
  kill(pid2);
  kill(pid3);
  for(int i = 0; i < 3; i++)
    if(waitstatus() != -1)
      fail(s, "killed child did not exit with -1");
}

static void
killstatus(char *s)
{
  for(int i = 0; i < 20; i++){
    int pid1 = fork();
    if(pid1 < 0)
      fail(s, "fork failed");
    if(pid1 == 0){
      for(;;)
        getpid();
    }
    sleep(1);
    kill(pid1);
    if(waitstatus() != -1)
      fail(s, "status should be -1");
  }
  // A child asleep in sleep() and one blocked on an empty pipe.
  int fds[2];
  pipe(fds);
  int a = fork();
  if(a == 0){
    sleep(1000);
    exit(0);
  }
  int b = fork();
  if(b == 0){
    read(fds[0], buf, 1);
    exit(0);
  }
  sleep(2);
  kill(a);
  kill(b);
  if(waitstatus() != -1 || waitstatus() != -1)
    fail(s, "sleeping children not killed");
  close(fds[0]);
  close(fds[1]);
  if(kill(999999) != -1)
    fail(s, "kill of a missing pid succeeded");
}

static void
getpidtest(char *s)
{
  int me = getpid();
  int fds[2];
  pipe(fds);
  int pid = fork();
  if(pid == 0){
    int c = getpid();
    write(fds[1], &c, sizeof(c));
    exit(0);
  }
  int c = 0;
  read(fds[0], &c, sizeof(c));
  wait(0);
  if(c != pid || c == me || me <= 0)
    fail(s, "getpid wrong");
  close(fds[0]);
  close(fds[1]);
}

// sleep() waits at least the asked ticks; uptime() counts them.
static void
sleeptest(char *s)
{
  int t0 = uptime();
  if(sleep(3) != 0)
    fail(s, "sleep failed");
  int t1 = uptime();
  if(t1 - t0 < 3)
    fail(s, "woke too early");
  if(t1 - t0 > 50)
    fail(s, "slept far too long");
  if(sleep(0) != 0 || sleep(-5) != 0)
    fail(s, "sleep(0) or negative failed");
}

// ------------------------------------------------------------------
// memory

// Allocate all memory with malloc(), free it, and do it again.
static void
mem(char *s)
{
  int pid = fork();
  if(pid == 0){
    void *m1 = 0, *m2;
    while((m2 = malloc(10001)) != 0){
      *(char **)m2 = m1;
      m1 = m2;
    }
    while(m1){
      m2 = *(char **)m1;
      free(m1);
      m1 = m2;
    }
    m1 = malloc(1024 * 20);
    if(m1 == 0)
      fail(s, "couldn't allocate mem after freeing it");
    free(m1);
    exit(0);
  }
  if(waitstatus() != 0)
    exit(1);
}

static void
sbrkbasic(char *s)
{
  // One big request either succeeds or fails cleanly.
  int pid = fork();
  if(pid == 0){
    char *a = sbrk(1 << 30);
    if(a == (char *)-1)
      exit(0);   // too big: fine
    for(char *b = a; b < a + (1 << 30); b += PGSIZE)
      *b = 99;
    exit(0);
  }
  if(waitstatus() != 0)
    fail(s, "huge sbrk misbehaved");

  // Many small growths.
  char *a = sbrk(0);
  for(int i = 0; i < 5000; i++){
    char *b = sbrk(1);
    if(b != a)
      fail(s, "sbrk(1) returned the wrong address");
    *b = 1;
    a = b + 1;
  }
  pid = fork();
  if(pid < 0)
    fail(s, "fork failed");
  char *c = sbrk(1);
  c = sbrk(1);
  if(c != a + 1)
    fail(s, "sbrk(1) after fork wrong");
  if(pid == 0)
    exit(0);
  wait(0);
}

// Grow a lot, shrink, grow again; memory is zeroed and the old pages gone.
static void
sbrkmuch(char *s)
{
  enum { BIG = 16 * 1024 * 1024 };
  char *oldbrk = sbrk(0);
  char *a = sbrk(0);
  uint64 amt = BIG - (uint64)a;
  char *p = sbrk(amt);
  if(p != a)
    fail(s, "sbrk to 16MB failed");
  for(char *pp = a; pp < (char *)BIG; pp += PGSIZE)
    *pp = 1;
  char *lastaddr = (char *)(BIG - 1);
  *lastaddr = 99;

  a = sbrk(0);
  char *c = sbrk(-PGSIZE);
  if(c == (char *)-1)
    fail(s, "sbrk could not deallocate");
  c = sbrk(0);
  if(c != a - PGSIZE)
    fail(s, "sbrk deallocation produced the wrong address");

  a = sbrk(0);
  c = sbrk(PGSIZE);
  if(c != a || sbrk(0) != a + PGSIZE)
    fail(s, "sbrk re-allocation failed");
  if(*lastaddr == 99)
    fail(s, "sbrk de-allocation didn't really deallocate");

  a = sbrk(0);
  c = sbrk(-(sbrk(0) - oldbrk));
  if(c != a)
    fail(s, "sbrk downsize failed");
  if(sbrk(-(int)((uint64)sbrk(0) + 1)) != (char *)-1)
    fail(s, "sbrk below zero succeeded");
}

// Touching memory just given back kills the process.
static void
sbrkshrink(char *s)
{
  int pid = fork();
  if(pid == 0){
    char *a = sbrk(0);
    a += PGSIZE - (uint64)a % PGSIZE;
    sbrk(a - (char *)sbrk(0) + PGSIZE);
    a[10] = 1;
    sbrk(-PGSIZE);
    a[10] = 2;   // must fault
    exit(1);
  }
  if(waitstatus() != -1)
    fail(s, "access to freed memory not killed");
}

// Several processes exhaust memory together; the kernel must survive and
// every process must see sbrk() fail rather than crash.
static void
sbrkfail(char *s)
{
  enum { BIG = 100 * 1024 * 1024 };
  int pids[5], fds[2];
  char scratch;
  if(pipe(fds) != 0)
    fail(s, "pipe failed");
  for(int i = 0; i < (int)NELEM(pids); i++){
    if((pids[i] = fork()) == 0){
      sbrk(BIG - (uint64)sbrk(0));   // may fail
      write(fds[1], "x", 1);
      for(;;)
        sleep(1000);
    }
    if(pids[i] != -1)
      read(fds[0], &scratch, 1);
  }
  // With the memory held by the children, one more page may not fit.
  char *c = sbrk(PGSIZE);
  for(int i = 0; i < (int)NELEM(pids); i++){
    if(pids[i] == -1)
      continue;
    kill(pids[i]);
    wait(0);
  }
  if(c == (char *)-1)
    fail(s, "failed sbrk leaked memory");
  close(fds[0]);
  close(fds[1]);

  // A child that allocates too much is refused, not killed by the kernel.
  int pid = fork();
  if(pid == 0){
    char *a = sbrk(0);
    if(sbrk(10 * BIG) != (char *)-1)
      exit(0);   // a very big machine
    if(sbrk(0) != a)
      exit(1);
    exit(0);
  }
  if(waitstatus() != 0)
    fail(s, "failed sbrk changed the break");
}

// Uninitialised data starts out zero.
static char uninit[10000];
static void
bsstest(char *s)
{
  for(int i = 0; i < (int)sizeof(uninit); i++)
    if(uninit[i] != 0)
      fail(s, "bss not zero");
}

// exec() with many large arguments.
static void
bigargtest(char *s)
{
  unlink("bigarg-ok");
  int pid = fork();
  if(pid == 0){
    static char *args[MAXARG];
    int i;
    for(i = 0; i < MAXARG - 1; i++)
      args[i] = "bigargs test: failed\n                                                                                                                                                                                                       ";
    args[MAXARG - 1] = 0;
    exec("echo", args);
    int fd = open("bigarg-ok", O_CREATE);
    close(fd);
    exit(0);
  }
  if(pid < 0)
    fail(s, "fork failed");
  if(waitstatus() != 0)
    exit(1);
  int fd = open("bigarg-ok", 0);
  if(fd < 0)
    fail(s, "bigarg test failed");
  close(fd);
  unlink("bigarg-ok");
}

// exec() while memory is nearly exhausted fails cleanly.
static void
execout(char *s)
{
  for(int avail = 0; avail < 15; avail++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      for(;;){   // take all memory
        char *a = sbrk(PGSIZE);
        if(a == (char *)-1)
          break;
        *(a + PGSIZE - 1) = 1;
      }
      for(int i = 0; i < avail; i++)   // give a little back
        sbrk(-PGSIZE);
      close(1);
      char *args[] = { "echo", "x", 0 };
      exec("echo", args);
      exit(0);
    }
    wait(0);
  }
}

// ------------------------------------------------------------------
// files

static void
opentest(char *s)
{
  int fd = open("echo", 0);
  if(fd < 0)
    fail(s, "open echo failed");
  close(fd);
  if(open("doesnotexist", 0) >= 0)
    fail(s, "open doesnotexist succeeded");
}

static void
writetest(char *s)
{
  enum { N = 100, SZ = 10 };
  int fd = open("small", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "create small failed");
  for(int i = 0; i < N; i++){
    if(write(fd, "aaaaaaaaaa", SZ) != SZ || write(fd, "bbbbbbbbbb", SZ) != SZ)
      fail(s, "write failed");
  }
  close(fd);
  fd = open("small", O_RDONLY);
  if(fd < 0)
    fail(s, "open small failed");
  if(read(fd, buf, N * SZ * 2) != N * SZ * 2)
    fail(s, "read failed");
  close(fd);
  if(unlink("small") < 0)
    fail(s, "unlink small failed");
}

// A file of the maximum size, written and read back block by block.
static void
writebig(char *s)
{
  int fd = open("big", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "create big failed");
  for(int i = 0; i < (int)MAXFILE; i++){
    ((int *)buf)[0] = i;
    if(write(fd, buf, BSIZE) != BSIZE)
      fail(s, "write big failed");
  }
  if(write(fd, buf, 1) != -1)
    fail(s, "write past MAXFILE succeeded");
  close(fd);
  fd = open("big", O_RDONLY);
  if(fd < 0)
    fail(s, "open big failed");
  for(int n = 0;; n++){
    int i = read(fd, buf, BSIZE);
    if(i == 0){
      if(n != (int)MAXFILE)
        fail(s, "read only part of big");
      break;
    }
    if(i != BSIZE)
      fail(s, "read big failed");
    if(((int *)buf)[0] != n)
      fail(s, "read wrong content");
  }
  close(fd);
  if(unlink("big") < 0)
    fail(s, "unlink big failed");
}

static void
createtest(char *s)
{
  enum { N = 52 };
  char name[3] = { 'a', 0, 0 };
  for(int i = 0; i < N; i++){
    name[1] = '0' + i;
    int fd = open(name, O_CREATE | O_RDWR);
    close(fd);
  }
  for(int i = 0; i < N; i++){
    name[1] = '0' + i;
    unlink(name);
  }
}

static void
dirtest(char *s)
{
  if(mkdir("dir0") < 0)
    fail(s, "mkdir failed");
  if(chdir("dir0") < 0)
    fail(s, "chdir dir0 failed");
  if(chdir("..") < 0)
    fail(s, "chdir .. failed");
  if(unlink("dir0") < 0)
    fail(s, "unlink dir0 failed");
}

static void
exectest(char *s)
{
  char *echoargv[] = { "echo", "OK", 0 };
  unlink("echo-ok");
  int pid = fork();
  if(pid < 0)
    fail(s, "fork failed");
  if(pid == 0){
    close(1);
    if(open("echo-ok", O_CREATE | O_WRONLY) != 1)
      fail(s, "wrong fd");
    if(exec("echo", echoargv) < 0)
      fail(s, "exec echo failed");
  }
  if(waitstatus() != 0)
    fail(s, "child exited with an error");
  int fd = open("echo-ok", O_RDONLY);
  if(fd < 0)
    fail(s, "open failed");
  memset(buf, 0, sizeof(buf));
  if(read(fd, buf, 2) != 2)
    fail(s, "read failed");
  close(fd);
  unlink("echo-ok");
  if(buf[0] != 'O' || buf[1] != 'K')
    fail(s, "wrong output");
  if(exec("nosuchprogram", echoargv) != -1 || exec("README", echoargv) != -1)
    fail(s, "exec of a non-program succeeded");
}

// Data through a pipe arrives in order and intact.
static void
pipe1(char *s)
{
  enum { N = 5, SZ = 1033 };
  int fds[2], seq = 0, cc, total;
  if(pipe(fds) != 0)
    fail(s, "pipe() failed");
  int pid = fork();
  if(pid == 0){
    close(fds[0]);
    for(int n = 0; n < N; n++){
      for(int i = 0; i < SZ; i++)
        buf[i] = seq++;
      if(write(fds[1], buf, SZ) != SZ)
        fail(s, "pipe1 oops 1");
    }
    exit(0);
  }
  if(pid < 0)
    fail(s, "fork failed");
  close(fds[1]);
  total = 0;
  cc = 1;
  int n;
  while((n = read(fds[0], buf, cc)) > 0){
    for(int i = 0; i < n; i++)
      if((buf[i] & 0xff) != (seq++ & 0xff))
        fail(s, "pipe1 oops 2");
    total += n;
    cc = cc * 2;
    if(cc > (int)sizeof(buf))
      cc = sizeof(buf);
  }
  if(total != N * SZ)
    fail(s, "pipe1 oops 3");
  close(fds[0]);
  if(waitstatus() != 0)
    exit(1);
}

// Writing to a pipe with no reader fails; reading one with no writer is EOF.
static void
pipeclosed(char *s)
{
  int fds[2];
  pipe(fds);
  close(fds[0]);
  if(write(fds[1], "x", 1) != -1)
    fail(s, "write to pipe without reader succeeded");
  close(fds[1]);
  pipe(fds);
  close(fds[1]);
  if(read(fds[0], buf, 1) != 0)
    fail(s, "read from pipe without writer not EOF");
  close(fds[0]);
  // A writer blocked on a full pipe wakes when the reader closes.
  pipe(fds);
  int pid = fork();
  if(pid == 0){
    close(fds[0]);
    for(;;)
      if(write(fds[1], buf, 100) < 0)
        exit(0);
  }
  close(fds[1]);
  sleep(2);
  close(fds[0]);
  if(waitstatus() != 0)
    fail(s, "writer was not released");
}

// dup() shares the offset.
static void
duptest(char *s)
{
  int fd = open("duptest", O_CREATE | O_RDWR);
  int fd2 = dup(fd);
  if(fd2 < 0 || fd2 == fd)
    fail(s, "dup failed");
  write(fd, "ab", 2);
  write(fd2, "cd", 2);
  close(fd);
  close(fd2);
  fd = open("duptest", O_RDONLY);
  if(read(fd, buf, 10) != 4 || memcmp(buf, "abcd", 4) != 0)
    fail(s, "dup offsets not shared");
  close(fd);
  unlink("duptest");
  // Use up every descriptor; the next open fails.
  int fds[NOFILE];
  int n = 0;
  while(n < NOFILE && (fds[n] = dup(0)) >= 0)
    n++;
  if(n == NOFILE || open("README", 0) != -1)
    fail(s, "descriptor table did not fill");
  for(int i = 0; i < n; i++)
    close(fds[i]);
}

// Two processes share a file offset through fork.
static void
sharedfd(char *s)
{
  enum { N = 300, SZ = 10 };
  unlink("sharedfd");
  int fd = open("sharedfd", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "cannot open sharedfd");
  int pid = fork();
  memset(buf, pid == 0 ? 'c' : 'p', SZ);
  for(int i = 0; i < N; i++)
    if(write(fd, buf, SZ) != SZ)
      fail(s, "write sharedfd failed");
  if(pid == 0)
    exit(0);
  if(waitstatus() != 0)
    exit(1);
  close(fd);
  fd = open("sharedfd", 0);
  int nc = 0, np = 0, n;
  while((n = read(fd, buf, sizeof(buf))) > 0){
    for(int i = 0; i < n; i++){
      if(buf[i] == 'c')
        nc++;
      if(buf[i] == 'p')
        np++;
    }
  }
  close(fd);
  unlink("sharedfd");
  if(nc != N * SZ || np != N * SZ)
    fail(s, "nc/np test fails");
}

// Four processes write four files at once.
static void
fourfiles(char *s)
{
  char *names[] = { "f0", "f1", "f2", "f3" };
  enum { N = 12, SZ = 500 };
  for(int pi = 0; pi < 4; pi++){
    unlink(names[pi]);
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      int fd = open(names[pi], O_CREATE | O_RDWR);
      if(fd < 0)
        fail(s, "create failed");
      memset(buf, '0' + pi, SZ);
      for(int i = 0; i < N; i++)
        if(write(fd, buf, SZ) != SZ)
          fail(s, "write failed");
      exit(0);
    }
  }
  for(int pi = 0; pi < 4; pi++)
    if(waitstatus() != 0)
      exit(1);
  for(int i = 0; i < 4; i++){
    int fd = open(names[i], 0), total = 0, n;
    while((n = read(fd, buf, sizeof(buf))) > 0){
      for(int j = 0; j < n; j++)
        if(buf[j] != '0' + i)
          fail(s, "wrong char");
      total += n;
    }
    close(fd);
    if(total != N * SZ)
      fail(s, "wrong length");
    unlink(names[i]);
  }
}

// Four processes create and delete files in the same directory.
static void
createdelete(char *s)
{
  enum { N = 20, NCHILD = 4 };
  char name[32];
  for(int pi = 0; pi < NCHILD; pi++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      name[0] = 'p' + pi;
      name[2] = 0;
      for(int i = 0; i < N; i++){
        name[1] = '0' + i;
        int fd = open(name, O_CREATE | O_RDWR);
        if(fd < 0)
          fail(s, "create failed");
        close(fd);
        if(i > 0 && (i % 2) == 0){
          name[1] = '0' + (i / 2);
          if(unlink(name) < 0)
            fail(s, "unlink failed");
        }
      }
      exit(0);
    }
  }
  for(int pi = 0; pi < NCHILD; pi++)
    if(waitstatus() != 0)
      exit(1);
  name[0] = name[1] = name[2] = 0;
  for(int i = 0; i < N; i++){
    for(int pi = 0; pi < NCHILD; pi++){
      name[0] = 'p' + pi;
      name[1] = '0' + i;
      int fd = open(name, 0);
      if((i == 0 || i >= N / 2) && fd < 0)
        fail(s, "file missing");
      if(i >= 1 && i < N / 2 && fd >= 0)
        fail(s, "deleted file exists");
      if(fd >= 0)
        close(fd);
    }
  }
  for(int i = 0; i < N; i++){
    for(int pi = 0; pi < NCHILD; pi++){
      name[0] = 'p' + pi;
      name[1] = '0' + i;
      unlink(name);
    }
  }
}

// An unlinked file stays readable through an open descriptor.
static void
unlinkread(char *s)
{
  enum { SZ = 5 };
  int fd = open("unlinkread", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "create unlinkread failed");
  write(fd, "hello", SZ);
  close(fd);
  fd = open("unlinkread", O_RDWR);
  if(fd < 0)
    fail(s, "open unlinkread failed");
  if(unlink("unlinkread") != 0)
    fail(s, "unlink unlinkread failed");
  int fd1 = open("unlinkread", O_CREATE | O_RDWR);
  write(fd1, "yyy", 3);
  close(fd1);
  if(read(fd, buf, sizeof(buf)) != SZ)
    fail(s, "unlinkread read failed");
  if(buf[0] != 'h')
    fail(s, "unlinkread wrong data");
  if(write(fd, buf, 10) != 10)
    fail(s, "unlinkread write failed");
  close(fd);
  unlink("unlinkread");
}

static void
linktest(char *s)
{
  enum { SZ = 5 };
  unlink("lf1");
  unlink("lf2");
  int fd = open("lf1", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "create lf1 failed");
  if(write(fd, "hello", SZ) != SZ)
    fail(s, "write lf1 failed");
  close(fd);
  if(link("lf1", "lf2") < 0)
    fail(s, "link lf1 lf2 failed");
  unlink("lf1");
  if(open("lf1", 0) >= 0)
    fail(s, "unlinked lf1 but it is still there");
  fd = open("lf2", 0);
  if(fd < 0)
    fail(s, "open lf2 failed");
  if(read(fd, buf, sizeof(buf)) != SZ)
    fail(s, "read lf2 failed");
  close(fd);
  if(link("lf2", "lf2") >= 0)
    fail(s, "link lf2 lf2 succeeded");
  unlink("lf2");
  if(link("lf2", "lf1") >= 0)
    fail(s, "link non-existent succeeded");
  if(link(".", "lf1") >= 0)
    fail(s, "link . lf1 succeeded");
}

// Processes race to create, link and unlink the same names.
static void
concreate(char *s)
{
  enum { N = 40 };
  char file[3] = { 'C', 0, 0 };
  struct { ushort inum; char name[DIRSIZ]; } de;
  for(int i = 0; i < N; i++){
    file[1] = '0' + i;
    unlink(file);
    int pid = fork();
    if(pid && (i % 3) == 1){
      link("C0", file);
    } else if(pid == 0 && (i % 5) == 1){
      link("C0", file);
    } else {
      int fd = open(file, O_CREATE | O_RDWR);
      if(fd < 0)
        fail(s, "create failed");
      close(fd);
    }
    if(pid == 0)
      exit(0);
    if(waitstatus() != 0)
      exit(1);
  }

  char fa[N];
  memset(fa, 0, sizeof(fa));
  int fd = open(".", 0), n = 0;
  while(read(fd, &de, sizeof(de)) > 0){
    if(de.inum == 0)
      continue;
    if(de.name[0] == 'C' && de.name[2] == '\0'){
      int i = de.name[1] - '0';
      if(i < 0 || i >= (int)sizeof(fa))
        fail(s, "weird file");
      if(fa[i])
        fail(s, "duplicate file");
      fa[i] = 1;
      n++;
    }
  }
  close(fd);
  if(n != N)
    fail(s, "not enough files in directory listing");

  for(int i = 0; i < N; i++){
    file[1] = '0' + i;
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(((i % 3) == 0 && pid == 0) || ((i % 3) == 1 && pid != 0)){
      close(open(file, 0));
      close(open(file, 0));
    } else {
      unlink(file);
      unlink(file);
    }
    if(pid == 0)
      exit(0);
    wait(0);
  }
}

// Another link/unlink race, checked only for not crashing.
static void
linkunlink(char *s)
{
  unlink("x");
  int pid = fork();
  if(pid < 0)
    fail(s, "fork failed");
  unsigned int x = pid ? 1 : 97;
  for(int i = 0; i < 100; i++){
    x = x * 1103515245 + 12345;
    if((x % 3) == 0){
      close(open("x", O_RDWR | O_CREATE));
    } else if((x % 3) == 1){
      link("cat", "x");
    } else {
      unlink("x");
    }
  }
  if(pid)
    wait(0);
  else
    exit(0);
  unlink("x");
}

// Directories within directories; "..", unlink rules, errors.
static void
subdir(char *s)
{
  unlink("ff");
  if(mkdir("dd") != 0)
    fail(s, "mkdir dd failed");
  int fd = open("dd/ff", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "create dd/ff failed");
  write(fd, "ff", 2);
  close(fd);
  if(unlink("dd") >= 0)
    fail(s, "unlink dd (non-empty dir) succeeded");
  if(mkdir("/dd/dd") != 0)
    fail(s, "subdir mkdir dd/dd failed");
  fd = open("dd/dd/ff", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "create dd/dd/ff failed");
  write(fd, "FF", 2);
  close(fd);
  fd = open("dd/dd/../ff", 0);
  if(fd < 0)
    fail(s, "open dd/dd/../ff failed");
  int cc = read(fd, buf, sizeof(buf));
  if(cc != 2 || buf[0] != 'f')
    fail(s, "dd/dd/../ff wrong content");
  close(fd);
  if(link("dd/dd/ff", "dd/dd/ffff") != 0)
    fail(s, "link dd/dd/ff dd/dd/ffff failed");
  if(unlink("dd/dd/ff") != 0)
    fail(s, "unlink dd/dd/ff failed");
  if(open("dd/dd/ff", O_RDONLY) >= 0)
    fail(s, "open (unlinked) dd/dd/ff succeeded");
  if(chdir("dd") != 0 || chdir("dd/../../dd") != 0 || chdir("dd/../../../dd") != 0 ||
     chdir("./..") != 0)
    fail(s, "chdir through .. failed");
  fd = open("dd/dd/ffff", 0);
  if(fd < 0 || read(fd, buf, sizeof(buf)) != 2)
    fail(s, "read dd/dd/ffff wrong len");
  close(fd);
  if(open("dd/ff/ff", O_CREATE | O_RDWR) >= 0)
    fail(s, "create dd/ff/ff succeeded");
  if(open("dd/xx/ff", O_CREATE | O_RDWR) >= 0)
    fail(s, "create dd/xx/ff succeeded");
  if(open("dd", O_RDWR) >= 0)
    fail(s, "open dd rdwr succeeded");
  if(open("dd", O_WRONLY) >= 0)
    fail(s, "open dd wronly succeeded");
  if(link("dd/ff/ff", "dd/dd/xx") == 0 || link("dd/xx/ff", "dd/dd/xx") == 0 ||
     link("dd/ff", "dd/dd/ffff") == 0)
    fail(s, "bad link succeeded");
  if(mkdir("dd/ff/ff") == 0 || mkdir("dd/xx/ff") == 0 || mkdir("dd/dd/ffff") == 0)
    fail(s, "bad mkdir succeeded");
  if(unlink("dd/xx/ff") == 0 || unlink("dd/ff/ff") == 0)
    fail(s, "bad unlink succeeded");
  if(chdir("dd/ff") == 0 || chdir("dd/xx") == 0)
    fail(s, "chdir to a non-directory succeeded");
  if(unlink("dd/dd/ffff") != 0 || unlink("dd/ff") != 0)
    fail(s, "unlink failed");
  if(unlink("dd") == 0)
    fail(s, "unlink non-empty dd succeeded");
  if(unlink("dd/dd") < 0 || unlink("dd") < 0)
    fail(s, "unlink of empty directories failed");
}

// Writes of many sizes, each within or across log transactions.
static void
bigwrite(char *s)
{
  for(int sz = 499; sz < (MAXOPBLOCKS + 2) * BSIZE; sz += 471){
    int fd = open("bigwrite", O_CREATE | O_RDWR);
    if(fd < 0)
      fail(s, "cannot create bigwrite");
    for(int i = 0; i < 2; i++)
      if(write(fd, buf, sz) != sz)
        fail(s, "write failed");
    close(fd);
    unlink("bigwrite");
  }
}

static void
bigfile(char *s)
{
  enum { N = 20, SZ = 600 };
  unlink("bigfile.dat");
  int fd = open("bigfile.dat", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "cannot create bigfile");
  for(int i = 0; i < N; i++){
    memset(buf, i, SZ);
    if(write(fd, buf, SZ) != SZ)
      fail(s, "write bigfile failed");
  }
  close(fd);
  fd = open("bigfile.dat", 0);
  if(fd < 0)
    fail(s, "cannot open bigfile");
  int total = 0;
  for(int i = 0;; i++){
    int cc = read(fd, buf, SZ / 2);
    if(cc < 0)
      fail(s, "read bigfile failed");
    if(cc == 0)
      break;
    if(cc != SZ / 2)
      fail(s, "short read bigfile");
    if(buf[0] != i / 2 || buf[SZ / 2 - 1] != i / 2)
      fail(s, "read bigfile wrong data");
    total += cc;
  }
  close(fd);
  if(total != N * SZ)
    fail(s, "read bigfile wrong total");
  unlink("bigfile.dat");
}

// Names of exactly DIRSIZ characters, and longer ones cut to DIRSIZ.
static void
fourteen(char *s)
{
  if(mkdir("12345678901234") != 0)
    fail(s, "mkdir 12345678901234 failed");
  if(mkdir("12345678901234/123456789012345") != 0)
    fail(s, "mkdir 12345678901234/123456789012345 failed");
  int fd = open("123456789012345/123456789012345/123456789012345", O_CREATE);
  if(fd < 0)
    fail(s, "create 123456789012345/123456789012345/123456789012345 failed");
  close(fd);
  fd = open("12345678901234/12345678901234/12345678901234", 0);
  if(fd < 0)
    fail(s, "open 12345678901234/12345678901234/12345678901234 failed");
  close(fd);
  if(mkdir("12345678901234/12345678901234") == 0)
    fail(s, "mkdir 12345678901234/12345678901234 succeeded");
  if(mkdir("123456789012345/12345678901234") == 0)
    fail(s, "mkdir 12345678901234/123456789012345 succeeded");
  unlink("123456789012345/12345678901234/12345678901234");
  unlink("12345678901234/12345678901234/12345678901234");
  unlink("12345678901234/12345678901234");
  unlink("12345678901234");
}

static void
rmdot(char *s)
{
  if(mkdir("dots") != 0 || chdir("dots") != 0)
    fail(s, "mkdir/chdir dots failed");
  if(unlink(".") == 0 || unlink("..") == 0)
    fail(s, "rm . or .. worked");
  if(chdir("/") != 0)
    fail(s, "chdir / failed");
  if(unlink("dots/.") == 0 || unlink("dots/..") == 0)
    fail(s, "unlink dots/. or dots/.. worked");
  if(unlink("dots") != 0)
    fail(s, "unlink dots failed");
}

// A file used where a directory is expected.
static void
dirfile(char *s)
{
  int fd = open("dirfile", O_CREATE);
  if(fd < 0)
    fail(s, "create dirfile failed");
  close(fd);
  if(chdir("dirfile") == 0)
    fail(s, "chdir dirfile succeeded");
  if(open("dirfile/xx", 0) >= 0 || open("dirfile/xx", O_CREATE) >= 0 ||
     mkdir("dirfile/xx") == 0 || unlink("dirfile/xx") == 0 || link("README", "dirfile/xx") == 0)
    fail(s, "path through a file succeeded");
  if(unlink("dirfile") != 0)
    fail(s, "unlink dirfile failed");
  if(open(".", O_RDWR) >= 0)
    fail(s, "open . for writing succeeded");
  fd = open(".", 0);
  if(write(fd, "x", 1) > 0)
    fail(s, "write . succeeded");
  close(fd);
}

// O_TRUNC empties a file, also under a reader's feet.
static void
truncate1(char *s)
{
  char b[32];
  unlink("truncfile");
  int fd1 = open("truncfile", O_CREATE | O_WRONLY | O_TRUNC);
  write(fd1, "abcd", 4);
  close(fd1);
  int fd2 = open("truncfile", O_RDONLY);
  if(read(fd2, b, sizeof(b)) != 4)
    fail(s, "read wrong count");
  fd1 = open("truncfile", O_WRONLY | O_TRUNC);
  int fd3 = open("truncfile", O_RDONLY);
  if(read(fd3, b, sizeof(b)) != 0 || read(fd2, b, sizeof(b)) != 0)
    fail(s, "read after truncate not empty");
  write(fd1, "abcdef", 6);
  if(read(fd3, b, sizeof(b)) != 6 || read(fd2, b, sizeof(b)) != 2)
    fail(s, "read after rewrite wrong");
  unlink("truncfile");
  close(fd1);
  close(fd2);
  close(fd3);
}

// Many directory references at once: cwd in deep dirs, open files, links.
static void
iref(char *s)
{
  for(int i = 0; i < NINODE + 1; i++){
    if(mkdir("irefd") != 0)
      fail(s, "mkdir irefd failed");
    if(chdir("irefd") != 0)
      fail(s, "chdir irefd failed");
    mkdir("");
    link("README", "");
    int fd = open("", O_CREATE);
    if(fd >= 0)
      close(fd);
    fd = open("xx", O_CREATE);
    if(fd >= 0)
      close(fd);
    unlink("xx");
  }
  // Clean up the chain of directories.
  for(int i = 0; i < NINODE + 1; i++){
    chdir("..");
    unlink("irefd");
  }
  chdir("/");
}

// Exiting with a cwd or open file inside a removed directory.
static void
exitiput(char *s)
{
  int pid = fork();
  if(pid == 0){
    if(mkdir("iputdir") < 0 || chdir("iputdir") < 0 || unlink("../iputdir") < 0)
      exit(1);
    exit(0);
  }
  if(waitstatus() != 0)
    fail(s, "child failed");
  pid = fork();
  if(pid == 0){
    if(mkdir("oidir") != 0)
      exit(1);
    int fd = open("oidir", O_RDONLY);
    if(fd < 0 || unlink("oidir") != 0)
      exit(1);
    exit(0);   // closes the last reference
  }
  if(waitstatus() != 0)
    fail(s, "open-dir child failed");
}

// A directory with hundreds of entries.
static void
bigdir(char *s)
{
  enum { N = 500 };
  char name[10];
  unlink("bd");
  int fd = open("bd", O_CREATE);
  if(fd < 0)
    fail(s, "bigdir create failed");
  close(fd);
  for(int i = 0; i < N; i++){
    name[0] = 'x';
    name[1] = '0' + (i / 64);
    name[2] = '0' + (i % 64);
    name[3] = '\0';
    if(link("bd", name) != 0)
      fail(s, "bigdir link failed");
  }
  unlink("bd");
  for(int i = 0; i < N; i++){
    name[0] = 'x';
    name[1] = '0' + (i / 64);
    name[2] = '0' + (i % 64);
    name[3] = '\0';
    if(unlink(name) != 0)
      fail(s, "bigdir unlink failed");
  }
}

// Repeated writes from a bad address must not leak blocks or inodes.
static void
badwrite(char *s)
{
  enum { N = 50 };
  unlink("junk");
  for(int i = 0; i < N; i++){
    int fd = open("junk", O_CREATE | O_WRONLY);
    if(fd < 0)
      fail(s, "open junk failed");
    write(fd, (char *)0xffffffffffUL, 1);
    close(fd);
    unlink("junk");
  }
  int fd = open("junk", O_CREATE | O_WRONLY);
  if(fd < 0)
    fail(s, "open junk failed");
  if(write(fd, "x", 1) != 1)
    fail(s, "write failed");
  close(fd);
  unlink("junk");
}

// Several processes write many files at once.
static void
manywrites(char *s)
{
  enum { NCHILD = 4, HOWMANY = 30 };
  for(int ci = 0; ci < NCHILD; ci++){
    int pid = fork();
    if(pid < 0)
      fail(s, "fork failed");
    if(pid == 0){
      char name[3] = { 'b', 'a' + ci, 0 };
      unlink(name);
      for(int iters = 0; iters < HOWMANY; iters++){
        for(int i = 0; i < ci + 1; i++){
          int fd = open(name, O_CREATE | O_RDWR);
          if(fd < 0)
            fail(s, "cannot create");
          if(write(fd, buf, sizeof(buf)) != sizeof(buf))
            fail(s, "write failed");
          close(fd);
        }
        unlink(name);
      }
      exit(0);
    }
  }
  for(int ci = 0; ci < NCHILD; ci++)
    if(waitstatus() != 0)
      exit(1);
}

// Fill the disk: writes must fail cleanly, and the space come back.
static void
diskfull(char *s)
{
  int fi, done = 0;
  unlink("diskfulldir");
  for(fi = 0; !done && fi < 100; fi++){
    char name[32] = { 'b', 'i', 'g', 'a' + fi / 26, 'a' + fi % 26, 0 };
    unlink(name);
    int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
    if(fd < 0){
      done = 1;
      break;
    }
    for(int i = 0; i < (int)MAXFILE; i++){
      char b[BSIZE];
      if(write(fd, b, BSIZE) != BSIZE){
        done = 1;
        break;
      }
    }
    close(fd);
  }
  if(!done)
    fail(s, "disk never filled");
  // Inodes still work with the data blocks gone.
  for(int i = 0; i < 10; i++){
    char name[32] = { 'z', 'z', '0' + i, 0 };
    unlink(name);
    int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
    if(fd >= 0)
      close(fd);
    unlink(name);
  }
  for(int i = 0; i <= fi; i++){
    char name[32] = { 'b', 'i', 'g', 'a' + i / 26, 'a' + i % 26, 0 };
    unlink(name);
  }
  // Space is back.
  int fd = open("afterfull", O_CREATE | O_RDWR);
  char b[BSIZE];
  if(fd < 0 || write(fd, b, BSIZE) != BSIZE)
    fail(s, "no space after freeing");
  close(fd);
  unlink("afterfull");
}

// Use up all inodes, then give them back.
static void
outofinodes(char *s)
{
  enum { NI = 250 };
  char name[32];
  for(int i = 0; i < NI; i++){
    name[0] = 'z';
    name[1] = 'z';
    name[2] = '0' + (i / 32) % 32;
    name[3] = '0' + i % 32;
    name[4] = 0;
    unlink(name);
    int fd = open(name, O_CREATE | O_RDWR | O_TRUNC);
    if(fd < 0)
      break;   // out of inodes
    close(fd);
  }
  for(int i = 0; i < NI; i++){
    name[0] = 'z';
    name[1] = 'z';
    name[2] = '0' + (i / 32) % 32;
    name[3] = '0' + i % 32;
    name[4] = 0;
    unlink(name);
  }
  int fd = open("zzafter", O_CREATE | O_RDWR);
  if(fd < 0)
    fail(s, "no inode after freeing");
  close(fd);
  unlink("zzafter");
}

// ------------------------------------------------------------------
// driver

struct test {
  void (*f)(char *);
  char *name;
  int slow;   // left out of -q
};

static struct test tests[] = {
  { copyin, "copyin", 0 },
  { copyout, "copyout", 0 },
  { copyinstr1, "copyinstr1", 0 },
  { copyinstr2, "copyinstr2", 0 },
  { copyinstr3, "copyinstr3", 0 },
  { pageboundary, "pageboundary", 0 },
  { badfd, "badfd", 0 },
  { badarg, "badarg", 0 },
  { validatetest, "validatetest", 0 },
  { badsyscall, "badsyscall", 0 },
  { sbrkarg, "sbrkarg", 0 },
  { kernmem, "kernmem", 0 },
  { trampoline_prot, "trampoline", 0 },
  { stacktest, "stacktest", 0 },
  { textwrite, "textwrite", 0 },
  { exitwait, "exitwait", 0 },
  { reparent, "reparent", 0 },
  { reparent2, "reparent2", 1 },
  { twochildren, "twochildren", 0 },
  { forkfork, "forkfork", 0 },
  { forkforkfork, "forkforkfork", 1 },
  { forktest, "forktest", 0 },
  { preempt, "preempt", 0 },
  { killstatus, "killstatus", 0 },
  { getpidtest, "getpid", 0 },
  { sleeptest, "sleep", 0 },
  { mem, "mem", 0 },
  { sbrkbasic, "sbrkbasic", 0 },
  { sbrkmuch, "sbrkmuch", 0 },
  { sbrkshrink, "sbrkshrink", 0 },
  { sbrkfail, "sbrkfail", 1 },
  { bsstest, "bsstest", 0 },
  { bigargtest, "bigargtest", 0 },
  { execout, "execout", 1 },
  { opentest, "opentest", 0 },
  { writetest, "writetest", 0 },
  { writebig, "writebig", 0 },
  { createtest, "createtest", 0 },
  { dirtest, "dirtest", 0 },
  { exectest, "exectest", 0 },
  { pipe1, "pipe1", 0 },
  { pipeclosed, "pipeclosed", 0 },
  { duptest, "dup", 0 },
  { sharedfd, "sharedfd", 0 },
  { fourfiles, "fourfiles", 0 },
  { createdelete, "createdelete", 0 },
  { unlinkread, "unlinkread", 0 },
  { linktest, "linktest", 0 },
  { concreate, "concreate", 0 },
  { linkunlink, "linkunlink", 0 },
  { subdir, "subdir", 0 },
  { bigwrite, "bigwrite", 0 },
  { bigfile, "bigfile", 0 },
  { fourteen, "fourteen", 0 },
  { rmdot, "rmdot", 0 },
  { dirfile, "dirfile", 0 },
  { truncate1, "truncate1", 0 },
  { iref, "iref", 0 },
  { exitiput, "exitiput", 0 },
  { badwrite, "badwrite", 0 },
  { bigdir, "bigdir", 1 },
  { manywrites, "manywrites", 1 },
  { diskfull, "diskfull", 1 },
  { outofinodes, "outofinodes", 1 },
  { 0, 0, 0 },
};

// Run one test in a child; 1 if it passed.
static int
run(struct test *t)
{
  printf("test %s: ", t->name);
  int pid = fork();
  if(pid < 0){
    printf("runtest fork error\n");
    exit(1);
  }
  if(pid == 0){
    t->f(t->name);
    exit(0);
  }
  int st = waitstatus();
  printf(st == 0 ? "OK\n" : "FAILED\n");
  return st == 0;
}

// Free physical pages, measured by a child that sbrk()s until it cannot:
// a megabyte at a time, then page by page.
static int
countfree(void)
{
  int fds[2];
  if(pipe(fds) < 0){
    printf("countfree: pipe failed\n");
    exit(1);
  }
  int pid = fork();
  if(pid == 0){
    close(fds[0]);
    int n = 0;
    for(int chunk = 256; chunk > 0; chunk = chunk > 1 ? chunk / 16 : 0){
      while(sbrk(chunk * PGSIZE) != (char *)-1)
        n += chunk;
    }
    write(fds[1], &n, sizeof(n));
    exit(0);
  }
  close(fds[1]);
  int n = -1;
  if(read(fds[0], &n, sizeof(n)) != sizeof(n))
    n = -1;
  close(fds[0]);
  wait(0);
  return n;
}

int
main(int argc, char *argv[])
{
  int quick = 0;
  char *only = 0;
  if(argc == 2 && strcmp(argv[1], "-q") == 0)
    quick = 1;
  else if(argc == 2 && argv[1][0] != '-')
    only = argv[1];
  else if(argc > 1){
    printf("usage: usertests [-q] [testname]\n");
    exit(1);
  }

  printf("usertests starting\n");
  int free0 = countfree();
  char *failed[NELEM(tests) + 1];
  int nfailed = 0, nrun = 0;
  for(struct test *t = tests; t->f; t++){
    if((quick && t->slow) || (only && strcmp(only, t->name) != 0))
      continue;
    nrun++;
    if(!run(t))
      failed[nfailed++] = t->name;
  }
  if(only && nrun == 0){
    printf("usertests: no test named %s\n", only);
    exit(1);
  }
  int free1 = countfree();
  if(free1 < free0){
    printf("FAILED -- lost some free pages %d (out of %d)\n", free0 - free1, free0);
    failed[nfailed++] = "(free page count)";
  }
  if(nfailed){
    printf("SOME TESTS FAILED:");
    for(int i = 0; i < nfailed; i++)
      printf(" %s", failed[i]);
    printf("\n");
    exit(1);
  }
  printf("ALL TESTS PASSED\n");
  exit(0);
}
