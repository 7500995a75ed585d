// File status returned by fstat(); shared by kernel and user programs.
#ifndef XV6_STAT_H
#define XV6_STAT_H

#define T_DIR     1   // directory
#define T_FILE    2   // regular file
#define T_DEVICE  3   // device node

struct stat {
  int dev;      // disk device
  uint ino;     // inode number
  short type;   // T_DIR, T_FILE or T_DEVICE
  short nlink;  // links to the inode
  uint64 size;  // bytes
};

#endif
