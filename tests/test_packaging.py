"""An installed (non-editable) emotune carries what its commands need from the checkout: the training
entry point (``python -m modeling.training``) and the recipes of ``configs/`` (``modeling/training/configs``)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import zipfile

from modeling.training.engine.config import RECIPES_DIR, load_recipe, shipped_recipes
from tests.conftest import REPO_ROOT, run_python


def test_the_shipped_recipes_are_the_checkouts_configs():
    configs = sorted(
        p.relative_to(REPO_ROOT / "configs").as_posix() for p in REPO_ROOT.glob("configs/*/*.yaml")
    )
    assert configs and shipped_recipes() == configs
    assert (RECIPES_DIR / "music2emo" / "student.yaml").resolve() == (
        REPO_ROOT / "configs" / "music2emo" / "student.yaml"
    )
    # a relative path that is not a file names a shipped recipe; its base chain resolves beside it
    assert load_recipe("video2music/smoke-amt.yaml") == load_recipe(
        REPO_ROOT / "configs/video2music/smoke-amt.yaml"
    )


def test_a_built_wheel_holds_the_recipes_and_the_training_entry_point(tmp_path):
    source = tmp_path / "source"
    tracked = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, tracked.split("\0")):
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (REPO_ROOT / name).is_symlink():
            target.symlink_to((REPO_ROOT / name).readlink())
        elif (REPO_ROOT / name).is_file():
            shutil.copy2(REPO_ROOT / name, target)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=source, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    (wheel,) = tmp_path.glob("emotune-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"modeling/training/configs/{name}" for name in shipped_recipes()} <= names
    assert {"modeling/training/cli.py", "modeling/training/__main__.py"} <= names

    installed = tmp_path / "installed"
    zipfile.ZipFile(wheel).extractall(installed)  # what pip puts in site-packages
    done = run_python(
        "import modeling.training.engine.config as c; print(c.RECIPES_DIR); print(len(c.shipped_recipes()))",
        cwd=tmp_path,
        env={"PYTHONPATH": str(installed)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    recipes_dir, count = done.stdout.split()
    assert recipes_dir == str(installed / "modeling" / "training" / "configs") and int(count) == len(
        shipped_recipes()
    )
