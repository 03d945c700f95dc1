"""A tiny random MERT-v1 in the form of the Hub repo, with minimal remote code for its auto_map."""

from __future__ import annotations

import pytest

from tests.music2emo.mert_forms import write_remote_code


@pytest.fixture(scope="session")
def hub_mert(tmp_path_factory):
    from modeling.stand_ins import save_random_mert

    return write_remote_code(
        save_random_mert(tmp_path_factory.mktemp("hub-mert") / "MERT-v1-tiny", "tiny", seed=3)
    )
