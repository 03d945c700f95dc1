"""Training recipes as YAML files, with command-line overrides, read into typed sections.

A recipe file is a mapping of sections (``training``, ``data``, ``model``, ...). It may name a
``base`` recipe (a path relative to itself) whose values it overrides, so a smoke recipe is a few
lines on top of the paper's. The recipes of ``configs/`` ship inside the package
(:data:`RECIPES_DIR`, ``modeling/training/configs``, a link to ``configs/`` in a checkout), so a recipe is
also found by its name there (``music2emo/student.yaml``) wherever emotune is installed. Overrides from the command line are ``section.key=value`` with the
value written in YAML (``training.max_epochs=3``, ``data.sources=[deam,pmemo]``).

Each section is read into a dataclass by :func:`read_section`: unknown keys are an error naming
the accepted ones, values are converted to the field's type (YAML reads ``1e-4`` as a string).
"""

from __future__ import annotations

import copy
import dataclasses
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import yaml

from ...base.errors import InvalidInputError

__all__ = ["RECIPES_DIR", "LoopConfig", "apply_overrides", "load_recipe", "read_section", "shipped_recipes"]

T = TypeVar("T")

RECIPES_DIR = Path(__file__).resolve().parents[1] / "configs"
"""The training recipes shipped with emotune (``configs/`` of the checkout)."""


def shipped_recipes() -> list[str]:
    """Names of the shipped recipes (``music2emo/student.yaml``, ...)."""
    return sorted(path.relative_to(RECIPES_DIR).as_posix() for path in RECIPES_DIR.glob("*/*.yaml"))


def _merge(base: dict, update: Mapping) -> dict:
    merged = copy.deepcopy(base)
    for key, value in update.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def _read_yaml(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    path = path.resolve()
    if path in seen:
        raise InvalidInputError(f"Recipe {path} names itself as a base (through {[str(p) for p in seen]})")
    if not path.is_file():
        raise InvalidInputError(
            f"Recipe file {path} does not exist. Accepted: a YAML file such as configs/music2emo/student.yaml, "
            f"or the name of a recipe shipped with emotune ({', '.join(shipped_recipes())})"
        )
    try:
        recipe = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = " ".join(filter(None, (getattr(error, "context", None), getattr(error, "problem", None))))
        raise InvalidInputError(
            f"Recipe file {path} is not valid YAML{where}: {problem or error}. Accepted: a YAML mapping of "
            "sections, e.g. `training: {max_epochs: 3}`"
        ) from None
    if not isinstance(recipe, dict):
        raise InvalidInputError(
            f"Recipe file {path} must hold a mapping of sections, got {type(recipe).__name__}"
        )
    base = recipe.pop("base", None)
    if base is None:
        return recipe
    return _merge(_read_yaml(path.parent / base, (*seen, path)), recipe)


def apply_overrides(recipe: Mapping, overrides: Sequence[str]) -> dict:
    """``recipe`` with each ``dotted.key=yaml_value`` applied (creating sections as needed)."""
    result = copy.deepcopy(dict(recipe))
    for override in overrides:
        key, sep, text = override.partition("=")
        if not sep or not key or any(not part for part in key.split(".")):
            raise InvalidInputError(
                f"Cannot read override {override!r}. Accepted: section.key=value, e.g. training.max_epochs=3"
            )
        try:
            value = yaml.safe_load(text) if text else None
        except yaml.YAMLError:
            value = text
        *parents, leaf = key.split(".")
        node = result
        for part in parents:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise InvalidInputError(f"Override {override!r}: {part!r} is a value, not a section")
            node = child
        node[leaf] = value
    return result


def load_recipe(path: str | Path, overrides: Sequence[str] = ()) -> dict:
    """The recipe at ``path`` (with its ``base`` chain merged) and the overrides applied. A relative
    ``path`` that is not a file names a shipped recipe (under :data:`RECIPES_DIR`)."""
    path = Path(path)
    if not path.is_file() and not path.is_absolute() and (RECIPES_DIR / path).is_file():
        path = RECIPES_DIR / path
    return apply_overrides(_read_yaml(path), overrides)


def _convert(value: Any, annotation: Any, where: str) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return None
        errors = []
        for option in (o for o in options if o is not type(None)):
            try:
                return _convert(value, option, where)
            except InvalidInputError as error:
                errors.append(str(error))
        raise InvalidInputError(errors[0])
    if origin is typing.Literal:
        choices = typing.get_args(annotation)
        if value not in choices:
            raise InvalidInputError(f"{where} must be one of {list(choices)}, got {value!r}")
        return value
    if origin in (list, tuple, Sequence):
        if not isinstance(value, (list, tuple)):
            raise InvalidInputError(f"{where} must be a list, got {value!r}")
        (item,) = typing.get_args(annotation)[:1] or (Any,)
        return [_convert(v, item, f"{where}[{i}]") for i, v in enumerate(value)]
    if origin in (dict, Mapping):
        if not isinstance(value, Mapping):
            raise InvalidInputError(f"{where} must be a mapping, got {value!r}")
        return dict(value)
    if annotation is Any:
        return value
    if annotation is bool:
        if isinstance(value, bool):
            return value
        raise InvalidInputError(f"{where} must be true or false, got {value!r}")
    if annotation in (int, float):
        try:
            if isinstance(value, bool):
                raise ValueError
            number = annotation(float(value)) if annotation is float else int(value)
            if annotation is int and float(value) != number:
                raise ValueError
            return number
        except (TypeError, ValueError):
            raise InvalidInputError(
                f"{where} must be a{'n integer' if annotation is int else ' number'}, got {value!r}"
            ) from None
    if annotation is str:
        if value is None or isinstance(value, (dict, list)):  # None: `key=` or `key: null`, not "None"
            raise InvalidInputError(
                f"{where} must be a string, got {'nothing' if value is None else repr(value)}"
            )
        return str(value)
    return value


def read_section(cls: type[T], recipe: Mapping, section: str) -> T:
    """The dataclass ``cls`` filled from ``recipe[section]`` (missing keys keep their defaults)."""
    values = recipe.get(section) or {}
    if not isinstance(values, Mapping):
        raise InvalidInputError(f"Recipe section {section!r} must be a mapping, got {values!r}")
    hints = typing.get_type_hints(cls)
    fields = {field.name for field in dataclasses.fields(cls)}
    unknown = sorted(set(values) - fields)
    if unknown:
        raise InvalidInputError(
            f"Unknown key(s) {unknown} in recipe section {section!r}. Accepted: {sorted(fields)}"
        )
    converted = {key: _convert(value, hints[key], f"{section}.{key}") for key, value in values.items()}
    instance = cls(**converted)
    check = getattr(instance, "check", None)
    if check is not None:
        check()
    return instance


@dataclasses.dataclass
class LoopConfig:
    """The ``training`` section: what the training loop does, for every model of the project.

    Defaults are Music2Emo's (Adam, learning rate 1e-4, up to 500 epochs, early stopping on the
    validation loss with patience 10 and minimum improvement 1e-4, as Lightning's EarlyStopping in
    the original).
    """

    seed: int = 42
    max_epochs: int = 500
    learning_rate: float = 1e-4
    optimizer: typing.Literal["adam", "adamw"] = "adam"
    weight_decay: float = 0.0
    adam_betas: list[float] = dataclasses.field(default_factory=lambda: [0.9, 0.999])
    adam_epsilon: float = 1e-8
    lr_scheduler: typing.Literal["constant", "constant_with_warmup", "linear", "cosine", "inverse_sqrt"] = (
        "constant"
    )
    """``inverse_sqrt`` is the Transformer's (Vaswani et al. 2017; Video2Music's): the rate rises linearly
    from 0 to ``learning_rate`` over ``warmup_steps`` steps, then falls as ``sqrt(warmup_steps / step)``."""
    warmup_steps: int = 0
    max_grad_norm: float | None = None
    monitor: str = "val_loss"
    """Validation value that early stopping watches (lower is better)."""
    early_stopping_patience: int | None = 10
    """Epochs without improvement before stopping; ``None`` trains for ``max_epochs``."""
    early_stopping_min_delta: float = 1e-4
    checkpoint_every_steps: int = 0
    """Also write a resumable checkpoint every N steps inside an epoch (0: only at epoch ends)."""
    keep_checkpoints: int = 1
    mixed_precision: typing.Literal["no", "fp16", "bf16"] | None = None
    """``None`` takes what ``accelerate launch --mixed_precision`` says."""
    log_every_steps: int = 0
    """Also log the running training loss every N steps (0: once per epoch)."""
    progress: bool = True

    def check(self) -> None:
        for name in ("max_epochs", "keep_checkpoints"):
            if getattr(self, name) < 1:
                raise InvalidInputError(f"training.{name} must be at least 1, got {getattr(self, name)}")
        for name in ("checkpoint_every_steps", "warmup_steps", "log_every_steps"):
            if getattr(self, name) < 0:
                raise InvalidInputError(f"training.{name} must be 0 or more, got {getattr(self, name)}")
        if len(self.adam_betas) != 2 or not all(0 <= b < 1 for b in self.adam_betas):
            raise InvalidInputError(
                f"training.adam_betas must be two numbers in [0, 1), got {self.adam_betas}"
            )
        if self.lr_scheduler == "inverse_sqrt" and self.warmup_steps < 1:
            raise InvalidInputError(
                "training.lr_scheduler inverse_sqrt needs training.warmup_steps of at least 1"
            )
        if self.learning_rate <= 0:
            raise InvalidInputError(f"training.learning_rate must be positive, got {self.learning_rate}")
        if self.early_stopping_patience is not None and self.early_stopping_patience < 1:
            raise InvalidInputError(
                "training.early_stopping_patience must be at least 1, or null to never stop early"
            )
