"""Keeps glibc malloc from handing PyTorch's big temporaries back to the kernel after every step.

PyTorch's CPU allocator is plain malloc/free. glibc serves blocks above M_MMAP_THRESHOLD (128 KiB
at start, raised dynamically as such blocks are freed) with fresh mmap()s and trims the heap top
above M_TRIM_THRESHOLD, so a training step that allocates and frees megabyte tensors can pay a
page fault per 4 KiB page on every step. Whether it does depends on the process's allocation
history (reading a big dataset first raises the dynamic threshold and hides the effect) -- measured
on this machine (a Firecracker VM, where faults are expensive): fashion_mlp, batch 128, one
thread, random input, ~1600 minor faults and ~25 ms per training step before, 0 faults and ~7 ms
after. Pinning both thresholds makes the steady state independent of that history, as in a long
training run. Allocations above 32 MiB still use mmap.
"""
import ctypes
import ctypes.util

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3


def keep_freed_memory(mmap_threshold=32 << 20, trim_threshold=1 << 30):
    """mallopt(M_MMAP_THRESHOLD, 32 MiB) and mallopt(M_TRIM_THRESHOLD, 1 GiB); True if both took."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False  # not glibc
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, mmap_threshold)) & bool(mallopt(M_TRIM_THRESHOLD, trim_threshold))
