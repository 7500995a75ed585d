// init: the first user program.  Sets up the console as fds 0, 1 and 2,
// then keeps a shell running, reaping orphans in between.
#include "kernel/types.h"
#include "kernel/stat.h"
#include "kernel/spinlock.h"
#include "kernel/sleeplock.h"
#include "kernel/fs.h"
#include "kernel/file.h"
#include "user/user.h"
#include "kernel/fcntl.h"

static char *argv[] = { "sh", 0 };

int
main(void)
{
  if(open("console", O_RDWR) < 0){
    mknod("console", CONSOLE, 0);
    open("console", O_RDWR);
  }
  dup(0);   // stdout
  dup(0);   // stderr

  for(;;){
    printf("init: starting sh\n");
    int pid = fork();
    if(pid < 0){
      printf("init: fork failed\n");
      exit(1);
    }
    if(pid == 0){
      exec("sh", argv);
      printf("init: exec sh failed\n");
      exit(1);
    }
    for(;;){
      int wpid = wait(0);
      if(wpid == pid)
        break;   // the shell exited: start another
      if(wpid < 0){
        printf("init: wait returned an error\n");
        exit(1);
      }
      // otherwise a parentless process exited; nothing to do
    }
  }
}
