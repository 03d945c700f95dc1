"""Where and in which precision emotune's encoders run."""

from __future__ import annotations

from .errors import InvalidInputError

__all__ = ["DTYPES", "resolve_device_dtype"]

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
