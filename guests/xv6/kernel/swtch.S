# void swtch(struct context *old, struct context *new);
# Save the callee-saved registers in old and load them from new; the
# return then continues wherever new last called swtch().
.globl swtch
swtch:
        sd      ra, 0(a0)
        sd      sp, 8(a0)
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
        sd      s\n, (16 + 8 * \n)(a0)
        .endr
        ld      ra, 0(a1)
        ld      sp, 8(a1)
        .irp n, 0,1,2,3,4,5,6,7,8,9,10,11
        ld      s\n, (16 + 8 * \n)(a1)
        .endr
        ret
