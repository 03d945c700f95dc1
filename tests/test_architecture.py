"""The shape of the package: every folder is a layer of the import contract, ``import modeling`` stays
cheap, and the Auto classes and tasks are registered whatever the order of the imports."""

from __future__ import annotations

import pytest

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: pytest's own TOML reader
    import tomli as tomllib

from tests.conftest import REPO_ROOT, run_python


def _contract_layers() -> set[str]:
    config = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    (main,) = [c for c in config["contracts"] if c["type"] == "layers" and "containers" not in c]
    return {name.strip() for layer in main["layers"] for name in layer.split("|")}


def test_every_folder_and_module_of_the_package_is_a_layer_of_the_contract():
    children = {
        f"modeling.{path.stem if path.suffix == '.py' else path.name}"
        for path in (REPO_ROOT / "modeling").iterdir()
        if (path.suffix == ".py" and path.name != "__init__.py")
        or (path.is_dir() and (path / "__init__.py").is_file())
    }
    assert children - _contract_layers() == set(), "place each new folder in [tool.importlinter]"


def test_no_folder_holds_more_than_a_dozen_modules():
    crowded = {
        str(folder.relative_to(REPO_ROOT)): count
        for root in ("modeling", "dataset_scripts")
        for folder in [REPO_ROOT / root, *(REPO_ROOT / root).rglob("*")]
        if folder.is_dir() and (count := len(list(folder.glob("*.py")))) > 12
    }
    assert crowded == {}


def test_importing_modeling_and_building_the_command_line_loads_no_heavy_library():
    done = run_python(
        "import sys\n"
        "import modeling\n"
        "from modeling.cli import build_parser\n"
        "build_parser()\n"
        "modeling.EmotuneError, modeling.InvalidAudioError\n"
        "heavy = [m for m in ('torch', 'transformers', 'datasets', 'librosa', 'music21') if m in sys.modules]\n"
        "print(heavy)\n",
        cwd=REPO_ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


_REGISTERED = (
    "from transformers.models.auto.configuration_auto import CONFIG_MAPPING\n"
    "from transformers.pipelines import PIPELINE_REGISTRY\n"
    "types = sorted(k for k in ('btc', 'music2emo', 'music2emo_dynamic', 'amt', 'amt_regression') if k in CONFIG_MAPPING)\n"
    "tasks = sorted(t for t in PIPELINE_REGISTRY.get_supported_tasks() if t in ('music-emotion-recognition', 'video-to-music'))\n"
    "print(types, tasks)\n"
)


@pytest.mark.parametrize(
    "imports",
    [
        "import modeling\nfrom transformers import AutoModel\n",
        "from transformers import AutoConfig\nimport modeling\n",
        "import modeling\nfrom transformers import pipeline\n",
        "from transformers import PreTrainedModel\nimport modeling\nfrom transformers import AutoModel\n",
        "import modeling.music2emo\n",
        "from modeling import Music2EmoModel\n",
    ],
    ids=[
        "modeling-first",
        "transformers-first",
        "pipeline",
        "modeling-utils-first",
        "one-folder",
        "one-class",
    ],
)
def test_auto_classes_and_tasks_are_registered_whatever_the_import_order(imports):
    """Registration happens when the program loads transformers' Auto machinery (or at once if it has),
    never half-way through an import of transformers."""
    done = run_python(imports + _REGISTERED, cwd=REPO_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    expected = "['amt', 'amt_regression', 'btc', 'music2emo', 'music2emo_dynamic'] "
    expected += "['music-emotion-recognition', 'video-to-music']"
    assert done.stdout.strip() == expected
