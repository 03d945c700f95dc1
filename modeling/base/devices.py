"""Where and in which precision emotune's encoders run."""

from __future__ import annotations

from .errors import InvalidInputError

__all__ = ["DTYPES", "lower_thread_priority", "resolve_device_dtype"]

DTYPES = ("float32", "bfloat16", "float16")
"""Precisions accepted by name."""


def resolve_device_dtype(device=None, dtype=None):
    """``(torch.device, torch.dtype)``: CUDA when available and no device is given; float32 unless
    ``dtype`` (``"bfloat16"``, ``"float16"``, ``"float32"`` or a ``torch.dtype``) asks otherwise."""
    import torch

    device = torch.device(device if device is not None else ("cuda" if torch.cuda.is_available() else "cpu"))
    if dtype is None:
        return device, torch.float32
    if isinstance(dtype, str):
        if dtype not in DTYPES:
            raise InvalidInputError(f"Unknown dtype {dtype!r}. Accepted: {', '.join(DTYPES)}")
        dtype = getattr(torch, dtype)
    if dtype not in (torch.float32, torch.bfloat16, torch.float16):
        raise InvalidInputError(f"Unsupported dtype {dtype}. Accepted: {', '.join(DTYPES)}")
    return device, dtype


def lower_thread_priority(nice: int) -> None:
    """Raise the calling thread's nice value by ``nice`` (Linux schedules threads one by one; the processes
    the thread starts, such as ffmpeg, inherit it): background work then takes the cores only when the
    encoder leaves them idle. Elsewhere, or if the system refuses, nothing changes."""
    import os
    import threading

    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    try:
        thread = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + nice))
    except OSError:
        pass
