"""The encoder refuses weights it cannot vouch for, naming the install command."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsprism.stories.encoder import INSTALL_HINT, EncoderMissing, _check_weights, model_dir


def test_the_installed_weights_match_the_pinned_hash() -> None:
    _check_weights(model_dir())


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    (tmp_path / "model.safetensors").write_bytes(b"not the real weights")
    with pytest.raises(EncoderMissing, match="not the pinned") as info:
        _check_weights(tmp_path)
    assert INSTALL_HINT in str(info.value)


def test_missing_weights_are_refused(tmp_path: Path) -> None:
    with pytest.raises(EncoderMissing, match="missing"):
        _check_weights(tmp_path)
