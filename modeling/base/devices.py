"""Where, in which precision and with how many threads emotune's models run.

The thread policy (:func:`thread_budget`, applied with :func:`stage_threads`): the cached AMT generation at
batch 2 or less runs with one intra-op thread on a CPU, the MERT encoder with torch's own count, and the
background threads beside a CPU encoder (chords, reading) with one; nothing changes on a GPU, nor when the
user chose the counts (``OMP_NUM_THREADS``, ``torch.set_num_threads``, ``EMOTUNE_THREAD_POLICY=off``:
:func:`user_thread_choice`). ``benchmarks/amt_generation.py`` and ``benchmarks/mer_pipeline.py`` measure it
against torch's default, on an idle machine and beside a busy process.
"""

from __future__ import annotations

import threading
from contextlib import ExitStack, contextmanager
from functools import lru_cache

from .errors import InvalidInputError

__all__ = [
    "DTYPES",
    "THREAD_POLICY_VARIABLE",
    "THREAD_STAGES",
    "THREAD_VARIABLES",
    "default_thread_counts",
    "limited_threads",
    "lower_thread_priority",
    "resolve_device_dtype",
    "stage_threads",
    "starting_threads",
    "thread_budget",
    "user_thread_choice",
]

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


# --- threads -----------------------------------------------------------------------------------------------

THREAD_STAGES = ("cached-generation", "encoder", "background")
"""The stages :func:`thread_budget` knows (its docstring says the count each gets, and why)."""

THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")
"""Environment variables that set thread counts: when one is set, the user chose and emotune keeps out."""

THREAD_POLICY_VARIABLE = "EMOTUNE_THREAD_POLICY"
"""``EMOTUNE_THREAD_POLICY=off`` (or ``0``, ``false``, ``no``): emotune changes no thread count."""

_SMALL_BATCH = 2
"""Cached generation at this batch size or below runs with one thread (see :func:`thread_budget`)."""

_starting: int | None = None  # torch's intra-op count when the policy first looked (starting_threads)
_per_thread = threading.local()  # .limits: the counts limited_threads set in a thread, innermost last
_blas_lock = threading.Lock()
_blas: dict = {"holders": 0, "limiter": None}  # the process-wide BLAS limit, and how many limits hold it


def _limits() -> list[int]:
    if not hasattr(_per_thread, "limits"):
        _per_thread.limits = []
    return _per_thread.limits


@lru_cache(maxsize=1)
def default_thread_counts() -> frozenset[int]:
    """The intra-op counts torch may start with on this machine: the CPUs this process may run on (torch's
    OpenMP build follows the affinity mask: under ``taskset -c 0`` it starts with 1), their physical cores
    (torch counts cores where a core runs two hardware threads), and all the machine's CPUs."""
    import os

    counts = {os.cpu_count() or 1}
    if not hasattr(os, "sched_getaffinity"):
        return frozenset(counts)
    cpus = sorted(os.sched_getaffinity(0))
    counts.add(len(cpus))
    cores = set()
    for cpu in cpus:
        topology = f"/sys/devices/system/cpu/cpu{cpu}/topology/"
        try:
            with open(topology + "physical_package_id") as package, open(topology + "core_id") as core:
                cores.add((package.read().strip(), core.read().strip()))
        except OSError:
            return frozenset(counts)
    return frozenset(counts | {len(cores)})


def starting_threads() -> int:
    """Torch's intra-op thread count the first time emotune's thread policy looked (kept for the process):
    the encoder's count, and the one the policy expects to find in a thread it has not limited."""
    global _starting
    if _starting is None:
        import torch

        _starting = torch.get_num_threads()
    return _starting


def user_thread_choice() -> str | None:
    """Why emotune leaves the thread counts alone (a sentence), or ``None`` when the policy may set them.

    The user chose when :data:`EMOTUNE_THREAD_POLICY <THREAD_POLICY_VARIABLE>` is ``off``; when one of
    :data:`THREAD_VARIABLES` is set (``OMP_NUM_THREADS=4``; Accelerate sets it in the processes it launches);
    when the count torch had as the policy first looked is none of :func:`default_thread_counts` (a
    ``torch.set_num_threads`` call before); or when the calling thread's count is not the one emotune left it
    at (a ``torch.set_num_threads`` call since). A call that sets torch's own default before the policy first
    looks cannot be told from the default.
    """
    import os

    if os.environ.get(THREAD_POLICY_VARIABLE, "").strip().lower() in ("off", "0", "false", "no"):
        return f"{THREAD_POLICY_VARIABLE}={os.environ[THREAD_POLICY_VARIABLE]}"
    for name in THREAD_VARIABLES:
        if os.environ.get(name, "").strip():
            return f"{name}={os.environ[name]} is set"
    import torch

    starting = starting_threads()
    if starting not in default_thread_counts():
        return f"torch started with {starting} threads, not its default on this machine"
    current, limits = torch.get_num_threads(), _limits()
    if current != (limits[-1] if limits else starting):
        return f"torch.set_num_threads({current}) was called"
    return None


def thread_budget(stage: str, *, device="cpu", batch_size: int = 1, cached: bool = True) -> int | None:
    """The intra-op thread count for ``stage``, or ``None``: leave the count as it is.

    * ``"cached-generation"`` (the AMT's chords; ``cached``: with the decoder's key/value cache): one thread
      on a CPU at ``batch_size`` 2 or less. A cached step reads every weight for one multiply-add per weight
      and video, so it is bound by memory, not arithmetic, and a second thread adds little; and when another
      process holds one of the two cores, every one of a step's many small operations waits for the thread
      that lost its core (120 chords: 46 s with two threads, 2.3 s with one). Larger batches, full
      recomputation and GPUs keep torch's count.
    * ``"encoder"`` (MERT): :func:`starting_threads` on a CPU, the cores torch chose: large matrix products,
      bound by arithmetic, which every core speeds up.
    * ``"background"`` (the chord worker and the reader beside a CPU encoder): one thread, for torch, OpenMP
      and BLAS, so that background work does not take the encoder's cores; on a GPU the cores are not the
      encoder's, and the count stays.

    ``None`` for every stage when the user chose the counts (:func:`user_thread_choice`).
    """
    if stage not in THREAD_STAGES:
        raise InvalidInputError(f"Unknown thread stage {stage!r}. Accepted: {', '.join(THREAD_STAGES)}")
    import torch

    if torch.device(device).type != "cpu" or user_thread_choice() is not None:
        return None
    if stage == "cached-generation":
        return 1 if cached and batch_size <= _SMALL_BATCH else None
    if stage == "encoder":
        return starting_threads()
    return 1


def stage_threads(stage: str, **options):
    """``with stage_threads("cached-generation", device=..., batch_size=...):`` runs the block with
    :func:`thread_budget`'s count for ``stage`` (:func:`limited_threads`, with BLAS for ``"background"``)."""
    return limited_threads(thread_budget(stage, **options), blas=stage == "background")


@contextmanager
def limited_threads(threads: int | None, *, blas: bool = False):
    """``with limited_threads(n):`` the calling thread runs torch with ``n`` intra-op threads, then gets its
    count back. ``None``, or a user's choice (:func:`user_thread_choice`), changes nothing.

    Torch's CPU build runs its operations on OpenMP, whose thread count belongs to each calling thread: the
    count is set with ``threadpoolctl`` on the OpenMP runtimes loaded in the process, which changes the
    calling thread only, so the encoder in one thread keeps its cores while a background thread runs with
    one. (``torch.set_num_threads`` would also set the count of every thread that starts using torch
    afterwards; it is the fallback where no OpenMP runtime answers.) ``blas=True`` also lowers the BLAS
    libraries' counts (NumPy's and SciPy's OpenBLAS): theirs are process-wide, so they stay lowered until the
    last limit holding them ends, and only ever to fewer threads.
    """
    if threads is not None and threads < 1:
        raise InvalidInputError(f"A thread count must be at least 1, got {threads!r}")
    if threads is None or user_thread_choice() is not None:
        yield None
        return
    import torch

    with ExitStack() as undo:
        if torch.get_num_threads() != threads:  # (it also starts torch's OpenMP in this thread: set after)
            openmp = _controller("openmp")
            if openmp is not None:
                undo.enter_context(openmp.limit(limits=threads))
            if torch.get_num_threads() != threads:
                undo.callback(torch.set_num_threads, torch.get_num_threads())
                torch.set_num_threads(threads)
        if blas:
            _hold_blas(threads)
            undo.callback(_release_blas)
        limits = _limits()
        limits.append(threads)
        undo.callback(limits.pop)
        yield threads


def _controller(user_api: str):
    """threadpoolctl's controller of the loaded ``user_api`` libraries (``"openmp"``, ``"blas"``), or
    ``None``: no threadpoolctl (it comes with scikit-learn), or no such library."""
    try:
        from threadpoolctl import ThreadpoolController
    except ImportError:
        return None
    selected = ThreadpoolController().select(user_api=user_api)
    return selected if selected.lib_controllers else None


def _hold_blas(threads: int) -> None:
    with _blas_lock:
        _blas["holders"] += 1
        if _blas["holders"] == 1:
            blas = _controller("blas")
            if blas is not None and max(lib.num_threads for lib in blas.lib_controllers) > threads:
                _release_openblas_control()  # whichever thread set OpenBLAS's count last
                _blas["limiter"] = blas.limit(limits=threads)
                _release_openblas_control()


def _release_blas() -> None:
    with _blas_lock:
        _blas["holders"] -= 1
        if _blas["holders"] == 0 and _blas["limiter"] is not None:
            _release_openblas_control()  # the last holder may not be the thread that set the limit
            _blas["limiter"].restore_original_limits()
            _blas["limiter"] = None
            _release_openblas_control()


def _release_openblas_control() -> None:
    """threadpoolctl (3.6 and later) lets only one thread set a process-wide OpenBLAS's count, the last one
    that did: let go, so that this thread can set it (the limit is taken and given back by whichever
    background threads begin first and end last)."""
    import threadpoolctl

    release = getattr(getattr(threadpoolctl, "OpenBLASController", None), "clear_controlling_thread", None)
    if release is not None:
        release(force=True)
