"""emotune's one training entry point, for every model of the project (``train.py`` in a checkout,
``python -m modeling.training`` wherever emotune is installed).

    accelerate launch train.py RECIPE --config configs/....yaml [section.key=value ...]
                                      [--output-dir DIR] [--resume] [--push-to-hub REPO]
    accelerate launch -m modeling.training RECIPE ...   (the same, from an installed emotune)
    python train.py RECIPE ...                          (one process, no launcher)
    python train.py evaluate --model DIR --data DIR [--split test]

Recipes are functions of :mod:`modeling.training.recipes`, named here; ``evaluate`` dispatches on the saved
model's ``model_type``. The same command runs on a CPU, a GPU or several processes
(``accelerate launch --num_processes N``, ``--mixed_precision bf16``). The recipe files of
``configs/`` ship with the package (:data:`modeling.training.engine.config.RECIPES_DIR`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ..base.command_line import run_command
from ..base.errors import InvalidInputError
from .engine.checkpoints import best_model_folder
from .engine.config import load_recipe
from .engine.reports import EvaluationRequest

RECIPES = ("teacher", "student", "amt", "amt_regression", "dynamic")
"""The recipes ``train.py`` runs, by name (each a function of :mod:`.recipes`)."""

EVALUATED_MODEL_TYPES = ("music2emo", "music2emo_dynamic", "amt", "amt_regression")
"""The ``model_type``s ``train.py evaluate`` evaluates."""


def _recipe(name: str):
    """``function(recipe, output_dir, *, resume, push_to_hub) -> metrics`` of a recipe name."""
    from .recipes.music2emo.training import train_student, train_teacher
    from .recipes.music2emo_dynamic.training import train_dynamic
    from .recipes.video2music.training import train_amt, train_amt_regression

    return {
        "teacher": train_teacher,
        "student": train_student,
        "amt": train_amt,
        "amt_regression": train_amt_regression,
        "dynamic": train_dynamic,
    }[name]


def _evaluator(model_type: str):
    """``function(EvaluationRequest) -> report`` of a model type."""
    from .recipes.music2emo.evaluation import evaluate_command
    from .recipes.music2emo_dynamic.evaluation import evaluate_dynamic_command
    from .recipes.video2music.evaluation import evaluate_command as evaluate_video2music

    return {
        "music2emo": evaluate_command,
        "music2emo_dynamic": evaluate_dynamic_command,
        "amt": evaluate_video2music,
        "amt_regression": evaluate_video2music,
    }[model_type]


def _model_type(path: str) -> str:
    """The ``model_type`` of a saved model (its ``config.json``; no model class needs to be known)."""
    from transformers import PretrainedConfig

    try:
        return PretrainedConfig.get_config_dict(best_model_folder(path))[0].get("model_type")
    except (OSError, ValueError) as error:
        raise InvalidInputError(
            f"Cannot read a model configuration at {path!r} ({error}). Accepted: a saved model folder, a "
            "training output folder (with best/), or a Hub id"
        ) from None


def build_parser(prog: str = "train.py") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Train or evaluate emotune models.")
    parser.add_argument(
        "--verbose",
        action="store_true",
        help="also show the progress bars of transformers, huggingface_hub and datasets (loading weights, ...)",
    )
    commands = parser.add_subparsers(dest="recipe", metavar="RECIPE", required=True)
    for name in RECIPES:
        sub = commands.add_parser(name, help=f"train with the `{name}` recipe")
        sub.add_argument(
            "--config", required=True, help="recipe YAML file, e.g. configs/music2emo/student.yaml"
        )
        sub.add_argument(
            "overrides", nargs="*", metavar="section.key=value", help="recipe values to override"
        )
        sub.add_argument(
            "--output-dir", help="where checkpoints, best models and logs go (outputs/<config name>)"
        )
        sub.add_argument(
            "--resume", action="store_true", help="continue from the output folder's last checkpoint"
        )
        sub.add_argument(
            "--push-to-hub", metavar="REPO", help="upload the best model(s) to this Hub repository"
        )
    sub = commands.add_parser(
        "evaluate", help="evaluate a saved model (or a training output) on a features dataset"
    )
    sub.add_argument("--model", required=True, help="model folder, training output folder or Hub id")
    sub.add_argument("--data", required=True, help="features dataset folder or Hub id")
    sub.add_argument("--split", default="test", help="split to evaluate (test)")
    sub.add_argument("--sources", nargs="+", help="configs of the dataset to evaluate (all sources)")
    sub.add_argument("--batch-size", type=int, help="evaluation batch size (default: the model family's)")
    sub.add_argument("--output", help="JSON report path (MODEL/evaluation.json for a folder)")
    return parser


def main(argv: list[str] | None = None, prog: str = "train.py") -> int:
    args = build_parser(prog).parse_args(argv)
    return run_command(f"{prog} {args.recipe}", lambda: _run(args), verbose=args.verbose)


def _run(args) -> int:
    if args.recipe == "evaluate":
        from ..hub import resolve_model

        args.model = resolve_model(args.model)  # a folder, an installed default id, or a Hub id
        model_type = _model_type(args.model)
        if model_type not in EVALUATED_MODEL_TYPES:
            raise InvalidInputError(
                f"No evaluation for model type {model_type!r}. Accepted: {sorted(EVALUATED_MODEL_TYPES)}"
            )
        evaluate = _evaluator(model_type)
        evaluate(
            EvaluationRequest(args.model, args.data, args.split, args.sources, args.batch_size, args.output)
        )
        return 0
    recipe = load_recipe(args.config, args.overrides)
    output_dir = args.output_dir or str(Path("outputs") / Path(args.config).stem)
    _recipe(args.recipe)(recipe, output_dir, resume=args.resume, push_to_hub=args.push_to_hub)
    return 0
