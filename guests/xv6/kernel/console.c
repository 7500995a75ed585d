// The console device: line-buffered input with editing, output to the UART.
//   backspace  erase a character     ^U  erase the line
//   ^D         end of file           ^P  list processes
#include "types.h"
#include "param.h"
#include "spinlock.h"
#include "sleeplock.h"
#include "fs.h"
#include "file.h"
#include "memlayout.h"
#include "riscv.h"
#include "proc.h"
#include "defs.h"

#define CTRL(x)   ((x) - '@')
#define BACKSPACE 0x100   // consputc: rub out the last character

static struct {
  struct spinlock lock;
#define INPUT_BUF_SIZE 128
  char buf[INPUT_BUF_SIZE];
  uint r;   // next to hand to read()
  uint w;   // end of committed lines
  uint e;   // end of the line being edited
} cons;

void
consputc(int c)
{
  if(c == BACKSPACE){
    uartputc_sync('\b');
    uartputc_sync(' ');
    uartputc_sync('\b');
  } else {
    uartputc_sync(c);
  }
}

static int
consolewrite(int user_src, uint64 src, int n)
{
  int i;
  for(i = 0; i < n; i++){
    char c;
    if(either_copyin(&c, user_src, src + i, 1) < 0)
      break;
    uartputc(c);
  }
  return i;
}

// Copy up to one line into dst; ^D ends input (a lone ^D reads as 0 bytes).
static int
consoleread(int user_dst, uint64 dst, int n)
{
  int target = n;
  acquire(&cons.lock);
  while(n > 0){
    while(cons.r == cons.w){
      if(killed(myproc())){
        release(&cons.lock);
        return -1;
      }
      sleep(&cons.r, &cons.lock);
    }
    int c = cons.buf[cons.r++ % INPUT_BUF_SIZE];
    if(c == CTRL('D')){
      if(n < target)
        cons.r--;   // keep ^D so the next read returns 0
      break;
    }
    char cbuf = c;
    if(either_copyout(user_dst, dst, &cbuf, 1) < 0)
      break;
    dst++;
    n--;
    if(c == '\n')
      break;
  }
  release(&cons.lock);
  return target - n;
}

// Called by the UART interrupt for each received character.
void
consoleintr(int c)
{
  acquire(&cons.lock);
  switch(c){
  case CTRL('P'):
    procdump();
    break;
  case CTRL('U'):
    while(cons.e != cons.w && cons.buf[(cons.e - 1) % INPUT_BUF_SIZE] != '\n'){
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  case CTRL('H'):
  case '\x7f':
    if(cons.e != cons.w){
      cons.e--;
      consputc(BACKSPACE);
    }
    break;
  default:
    if(c != 0 && cons.e - cons.r < INPUT_BUF_SIZE){
      if(c == '\r')
        c = '\n';
      if(c != CTRL('D'))
        consputc(c);
      cons.buf[cons.e++ % INPUT_BUF_SIZE] = c;
      if(c == '\n' || c == CTRL('D') || cons.e - cons.r == INPUT_BUF_SIZE){
        cons.w = cons.e;   // a whole line (or EOF): wake readers
        wakeup(&cons.r);
      }
    }
    break;
  }
  release(&cons.lock);
}

void
consoleinit(void)
{
  initlock(&cons.lock, "cons");
  uartinit();
  devsw[CONSOLE].read = consoleread;
  devsw[CONSOLE].write = consolewrite;
}
