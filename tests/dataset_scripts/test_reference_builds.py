"""`build-dataset all` over the real annotation files of every source (../shared/reference) with
synthesized audio for a handful of ids: schema, labels, skip report, loading, decoding, rebuilds."""

from __future__ import annotations

import csv
import json

import numpy as np
import pytest
from datasets import Audio, load_dataset

from dataset_scripts.build_types import BuildOptions
from dataset_scripts.builders import BUILDERS
from dataset_scripts.releases.skips import AUDIO_MISSING, AUDIO_UNDECODABLE, NO_ANNOTATION
from dataset_scripts.schema import SOURCES, SPLITS, unified_features
from modeling.vocabularies.emotion import MOOD_TAGS, quadrant, unit_to_nine
from tests.dataset_scripts.releases import CLIP_SECONDS


def _load(build, config, tmp_path):
    return load_dataset(str(build.output_dir), config, cache_dir=str(tmp_path / "cache"))


@pytest.mark.parametrize("config", [*SOURCES, "all"])
def test_every_config_loads_offline_with_the_unified_schema(reference_build, config, tmp_path):
    dataset = _load(reference_build, config, tmp_path)
    sources = SOURCES if config == "all" else (config,)
    assert set(dataset) == set(SPLITS)
    for split in SPLITS:
        assert dataset[split].features == unified_features()
        expected = sorted((s, i) for s in sources for i in reference_build.built[s][split])
        assert sorted(zip(dataset[split]["source"], dataset[split]["id"])) == expected
        assert set(dataset[split]["split"]) == {split}
        for row in dataset[split].remove_columns("audio"):
            assert len(row["moods"]) == 56
            assert row["duration"] == pytest.approx(CLIP_SECONDS, abs=0.01)
            assert 1 <= row["valence"] <= 9 and 1 <= row["arousal"] <= 9
            assert row["quadrant"] == quadrant(row["valence"], row["arousal"])
            if row["source"] == "mtg-jamendo":
                assert row["has_moods"] and sum(row["moods"]) >= 1 and row["va_source"] == "lexicon"
                assert row["valence_std"] is None and row["dynamic"]["time"] == []
            else:
                assert not row["has_moods"] and sum(row["moods"]) == 0 and row["va_source"] == "annotated"
                assert row["valence_std"] is not None


def test_the_all_config_points_at_the_source_files(reference_build):
    files = sorted(
        p.relative_to(reference_build.output_dir).as_posix() for p in reference_build.output_dir.rglob("*")
    )
    assert not any(name.startswith("all") for name in files)  # nothing copied
    card = (reference_build.output_dir / "README.md").read_text()
    assert "config_name: all" in card and "- deam/train-*.parquet" in card


def test_without_a_config_name_load_dataset_loads_all(reference_build, tmp_path):
    dataset = load_dataset(str(reference_build.output_dir), cache_dir=str(tmp_path / "cache"))
    assert len(dataset["train"]) == 8 and set(dataset["train"]["source"]) == set(SOURCES)


def test_lexicon_va_for_a_known_mtg_jamendo_track(reference_build, reference_dir, tmp_path):
    # track_0003346 (validation): mood/theme---calm, mood/theme---melodic
    with open(reference_dir / "music2emo/meta/moodtag_va_scores.csv") as handle:
        lexicon = {
            row["MoodTag"]: (float(row["Valence"]), float(row["Arousal"])) for row in csv.DictReader(handle)
        }
    row = _load(reference_build, "mtg-jamendo", tmp_path)["validation"].remove_columns("audio")[0]
    assert row["id"] == "track_0003346"
    assert [MOOD_TAGS[i] for i, v in enumerate(row["moods"]) if v == 1.0] == ["calm", "melodic"]
    assert row["valence"] == pytest.approx((lexicon["calm"][0] + lexicon["melodic"][0]) / 2, abs=1e-5)
    assert row["arousal"] == pytest.approx((lexicon["calm"][1] + lexicon["melodic"][1]) / 2, abs=1e-5)


def test_annotated_values_and_scales(reference_build, reference_dir, tmp_path):
    deam = _load(reference_build, "deam", tmp_path)["train"].remove_columns("audio")
    with open(reference_dir / "music2emo/deam/static_annotations.csv") as handle:
        release = {row["song_id"]: row for row in csv.DictReader(handle)}
    for row in deam:
        assert row["valence"] == pytest.approx(float(release[row["id"]]["valence_mean"]), abs=1e-6)
        assert row["arousal_std"] == pytest.approx(float(release[row["id"]]["arousal_std"]), abs=1e-6)
    # PMEmo: Music2Emo's preprocessed file has means on 1-9 and standard deviations on [0, 1] (x 8);
    # per-time-step values on [0, 1] -> 1 + 8x.
    pmemo = _load(reference_build, "pmemo", tmp_path)["train"].remove_columns("audio")
    row = next(r for r in pmemo if r["id"] == "439")
    with open(reference_dir / "music2emo/pmemo/static_annotations.csv") as handle:
        static = next(r for r in csv.DictReader(handle) if r["song_id"] == "439")
    assert row["valence"] == pytest.approx(float(static["valence_mean"]), abs=1e-6)
    assert row["valence_std"] == pytest.approx(8 * float(static["valence_std"]), abs=1e-5)
    with open(reference_dir / "music2emo/pmemo/dynamic_annotations.csv") as handle:
        steps = [r for r in csv.DictReader(handle) if r["musicId"] == "439"]
    assert len(row["dynamic"]["time"]) == len(steps) > 0
    assert row["dynamic"]["time"][0] == pytest.approx(float(steps[0]["frameTime"]))
    assert row["dynamic"]["arousal"][0] == pytest.approx(
        unit_to_nine(float(steps[0]["Arousal(mean)"])), abs=1e-5
    )


def test_skip_report_lists_every_missing_row_with_its_reason(reference_build, reference_dir):
    report = json.loads((reference_build.output_dir / "skip_report.json").read_text())
    deam_ids = (reference_dir / "music2emo/deam/static_annotations.csv").read_text().splitlines()[1:]
    assert report["sources"]["deam"] == {
        "input_rows": len(deam_ids),
        "built": 4,
        "skipped": len(deam_ids) - 4,
        "reasons": {AUDIO_MISSING: len(deam_ids) - 5, AUDIO_UNDECODABLE: 1},
    }
    # PMEmo's metadata lists 27 songs that were never annotated: reported, not dropped.
    assert report["sources"]["pmemo"]["reasons"][NO_ANNOTATION] == 27
    for source in SOURCES:
        skipped = {entry["id"]: entry for entry in report["skipped"] if entry["source"] == source}
        broken = skipped[reference_build.broken[source]]
        assert broken["reason"] == AUDIO_UNDECODABLE and "cannot be decoded" in broken["detail"]
        built = {i for ids in reference_build.built[source].values() for i in ids}
        assert not built & set(skipped)
        assert report["sources"][source]["input_rows"] == len(built) + len(skipped)
    tsv = (reference_build.output_dir / "skip_report.tsv").read_text().splitlines()
    assert tsv[0] == "source\tid\treason\tdetail" and len(tsv) == 1 + len(report["skipped"])
    missing = next(line for line in tsv if line.startswith("deam\t2\t"))
    assert missing.split("\t")[2] == AUDIO_MISSING and "2.mp3" in missing
    assert (
        "deam: 4 rows built, 1798 skipped (1797 audio missing, 1 audio undecodable)"
        in reference_build.summary
    )


def test_card_documents_schema_counts_and_skips(reference_build):
    card = (reference_build.output_dir / "README.md").read_text()
    assert card.startswith("---\n") and "dataset_info:" in card and "configs:" in card
    for column in unified_features():
        assert f"`{column}`" in card
    assert "| `deam` | 2 | 1 | 1 |" in card and "| `all` | 8 | 4 | 4 |" in card
    assert "| deam | 4 | 1797 | 1 | 0 | 0 | 0 |" in card
    assert "SYNTHETIC" not in card


def test_audio_decodes_at_the_requested_sampling_rate(reference_build, tmp_path):
    dataset = _load(reference_build, "all", tmp_path)["test"].cast_column("audio", Audio(sampling_rate=24000))
    for row in dataset:
        samples = row["audio"].get_all_samples()
        assert samples.sample_rate == 24000
        assert samples.data.shape[-1] == pytest.approx(24000 * CLIP_SECONDS, rel=0.03)
        assert float(np.abs(samples.data.numpy()).max()) > 0.05


def test_rebuilding_gives_byte_identical_files(reference_build, tmp_path):
    BUILDERS["all"](reference_build.raw_dir, tmp_path / "again", BuildOptions(progress=False))
    first = {
        p.relative_to(reference_build.output_dir): p
        for p in reference_build.output_dir.rglob("*")
        if p.is_file()
    }
    second = {p.relative_to(tmp_path / "again"): p for p in (tmp_path / "again").rglob("*") if p.is_file()}
    assert sorted(first) == sorted(second) and len(first) == 3 + 4 * 3  # card, 2 reports, 12 shards
    for name, path in first.items():
        assert path.read_bytes() == second[name].read_bytes(), name
