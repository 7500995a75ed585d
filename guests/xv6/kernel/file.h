#ifndef XV6_FILE_H
#define XV6_FILE_H

struct file {
  enum { FD_NONE, FD_PIPE, FD_INODE, FD_DEVICE } type;
  int ref;
  char readable;
  char writable;
  struct pipe *pipe;   // FD_PIPE
  struct inode *ip;    // FD_INODE and FD_DEVICE
  uint off;            // FD_INODE
  short major;         // FD_DEVICE
};

// In-memory copy of an inode.
struct inode {
  uint dev;
  uint inum;
  int ref;
  struct sleeplock lock;   // protects everything below
  int valid;               // read from disk yet?

  short type;              // copy of struct dinode
  short major;
  short minor;
  short nlink;
  uint size;
  uint addrs[NDIRECT + 1];
};

// Device switch: read/write functions per major number.
struct devsw {
  int (*read)(int user_dst, uint64 dst, int n);
  int (*write)(int user_src, uint64 src, int n);
};

extern struct devsw devsw[];

#define CONSOLE 1

#endif
