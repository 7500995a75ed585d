// Compile-time limits.
#ifndef XV6_PARAM_H
#define XV6_PARAM_H

#define NPROC        64    // processes
#define NCPU          8    // harts; hart ids must be below this
#define NOFILE       16    // open files per process
#define NFILE       100    // open files in the system
#define NINODE       50    // in-memory inodes
#define NDEV         10    // device major numbers
#define ROOTDEV       1    // device number of the file system root disk
#define MAXARG       32    // exec arguments
#define MAXOPBLOCKS  10    // blocks one FS operation may write
#define LOGSIZE      (MAXOPBLOCKS * 3)   // data blocks in the on-disk log
#define NBUF         (MAXOPBLOCKS * 3)   // blocks in the buffer cache
#define FSSIZE     2000    // file system size in blocks
#define MAXPATH     128    // path name length
#define TICK_HZ      10    // timer interrupts per second

#endif
