"""hvscope's gdb support.

The package has two halves: pure decoders that know the RISC-V privileged
specification and hvscope's record formats but nothing of gdb (decode, walk,
trace, show: unit-tested with pytest, no QEMU), and the gdb glue that reads
the target and registers the `hv` commands (target, commands).  Only the
glue imports the `gdb` module.
"""
