"""Evaluation loaders over several sources of different sizes: every row of the evaluated source counts
once, whatever the batch size (Accelerate trims the last gathered batch by the loader's dataset length)."""

from __future__ import annotations

from accelerate import Accelerator

from modeling.music2emo import Music2EmoConfig, Music2EmoModel
from modeling.training.recipes.music2emo.evaluation import evaluate_models
from tests.music2emo.features_dataset import write_features_dataset


def test_sources_of_different_sizes_are_each_evaluated_whole(tmp_path):
    # two test splits of 7 rows (14 in all): batches of 4 leave 3 rows in each source's last batch where
    # 14 % 4 = 2 (Accelerate trimmed it to 2 rows); batches of 5: 2 rows, 14 % 5 = 4
    features = write_features_dataset(tmp_path / "features", sizes={"train": 6, "test": 7})
    model = Music2EmoModel(Music2EmoConfig(audio_embedding_dim=12, hidden_size=16, head_hidden_size=8)).eval()
    for batch_size in (4, 5):
        results = evaluate_models({"mood": model, "va": model}, str(features), ["deam", "pmemo"], "test",
                                  Accelerator(cpu=True), batch_size=batch_size)  # fmt: skip
        assert {split: values["num_samples"] for split, values in results.items()} == {
            "deam/test": 7, "pmemo/test": 7,
        }  # fmt: skip
