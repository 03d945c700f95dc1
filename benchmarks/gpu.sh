#!/usr/bin/env bash
# The GPU figures the README lacks, on one GPU (H100/H200) in under 8 minutes: MER audio-hours per hour
# (MERT-v1-95M at batch 8/16/32, float32 and bf16), CLIP ViT-L/14@336 frames per second for Video2Music,
# AMT generation at batch 1 and 8, and peak GPU memory. benchmarks/gpu_figures.py says what each figure is.
#
#   bash benchmarks/gpu.sh             # on the GPU machine, from any folder
#   bash benchmarks/gpu.sh --dry-run   # tiny models on the CPU: checks the script anywhere (~1 minute)
#   bash benchmarks/gpu.sh --only amt  # one section (mer, clip, amt); --repeats N (default 2)
#
# It needs a copy of the repo and a Python with torch (a CUDA build), transformers, numpy, safetensors,
# tokenizers and scipy; it sets up nothing from the network and writes only to a temporary folder. Python:
# $PYTHON, else the repo's .venv/bin/python, else python3. Wheels in the repo's .whl/ folder (ignored by
# git; e.g. the transformers of constraints.txt, when the machine's is another) are installed, offline, into
# a temporary folder first. Without a CUDA GPU it stops with a message and status 2 (unless --dry-run).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [[ -n "${PYTHON:-}" ]]; then
    python="$PYTHON"
elif [[ -x "$repo/.venv/bin/python" ]]; then
    python="$repo/.venv/bin/python"
else
    python="$(command -v python3 || true)"
fi
if [[ -z "$python" ]] || ! "$python" -c "" 2>/dev/null; then
    echo "gpu.sh: no Python found (tried \$PYTHON, $repo/.venv/bin/python, python3). Set PYTHON=/path/to/python." >&2
    exit 2
fi

scratch="$(mktemp -d "${TMPDIR:-/tmp}/emotune-gpu-sh.XXXXXX")"
trap 'rm -rf "$scratch"' EXIT
site=""
shopt -s nullglob
wheels=("$repo"/.whl/*.whl)
if ((${#wheels[@]})); then
    echo "gpu.sh: installing ${#wheels[@]} wheel(s) from .whl/ into a temporary folder (offline)"
    "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --target "$scratch/site" "${wheels[@]}"
    site="$scratch/site:"
fi

export PYTHONPATH="${site}$repo${PYTHONPATH:+:$PYTHONPATH}"
export PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1
export HF_HOME="$scratch/hf-home" MPLCONFIGDIR="$scratch/matplotlib"

missing="$("$python" - <<'EOF'
import importlib.util

needed = ("torch", "transformers", "numpy", "safetensors", "tokenizers", "scipy")
print(" ".join(name for name in needed if importlib.util.find_spec(name) is None))
EOF
)"
if [[ -n "$missing" ]]; then
    echo "gpu.sh: $python lacks: $missing. Accepted: a Python that has them (PYTHON=...), or their wheels in $repo/.whl/" >&2
    exit 2
fi

# Not yet timed on a GPU (no GPU was lent while this was written; the dry run takes about a minute here).
# The limit keeps the whole script inside 8 minutes whatever the figures take (SIGINT first, so that Python
# prints where it was; what was printed before is complete).
status=0
timeout --signal=INT --kill-after=10 460 "$python" "$repo/benchmarks/gpu_figures.py" "$@" || status=$?
if ((status == 124)); then
    echo "gpu.sh: stopped after 460 s; the figures printed above are complete" >&2
fi
exit "$status"
