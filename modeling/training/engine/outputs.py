"""What a recipe does with its best models, the same for every model family: each best epoch is saved
(``save_pretrained``) with a card quoting its validation figures; at the end each best folder is
evaluated on the test split and its card is rendered again with those figures."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ...base.cards import metrics_by_split, save_model_card

__all__ = ["BestModelOutputs"]


class BestModelOutputs:
    """The ``save_model`` and ``finish`` of :class:`~modeling.training.engine.loop.Recipe`, for a recipe
    that provides:

    * ``model_class``: the ``PreTrainedModel`` class its best folders hold;
    * ``validation_split``: the split validation ran on (it names the card's validation figures);
    * :meth:`model_card` ``(config, name, metrics)``: the card of best model ``name`` with ``metrics``
      (split -> metric -> value);
    * :meth:`test_best` ``(model, accelerator)``: the test results of a best model (returned by
      :meth:`finish`) and the figures its card quotes.
    """

    model_class: type
    validation_split: str

    def model_card(self, config, name: str, metrics: Mapping[str, Mapping[str, float]]):
        raise NotImplementedError

    def test_best(self, model, accelerator) -> tuple[Any, Mapping[str, Mapping[str, float]]]:
        raise NotImplementedError

    def save_model(self, model, folder: Path, validation: Mapping[str, float], name: str) -> None:
        model.save_pretrained(folder)
        metrics = metrics_by_split(validation, self.validation_split)
        save_model_card(self.model_card(model.config, name, metrics), folder)

    def finish(self, accelerator, folders: Mapping[str, Path]) -> dict[str, Any]:
        results = {}
        for name, folder in folders.items():
            model = self.model_class.from_pretrained(folder).to(accelerator.device).eval()
            results[name], metrics = self.test_best(model, accelerator)
            if accelerator.is_main_process:
                save_model_card(self.model_card(model.config, name, metrics), folder)
        return results
