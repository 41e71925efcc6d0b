"""The encoder refuses weights it cannot vouch for, naming the install command; encoders that
share the model keep their own cut."""

from __future__ import annotations

from pathlib import Path

import numpy as np
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


@pytest.mark.slow
def test_story_and_sentence_encoders_share_the_model_but_not_its_cut() -> None:
    import threading

    from newsprism.stories.encoder import METHOD, STORY_METHOD, MiniLMEncoder

    story, sentence = MiniLMEncoder.for_stories(threads=1), MiniLMEncoder(threads=1)
    assert (story.method, story.words) == (STORY_METHOD, 48) and sentence.method == METHOD
    long_text = " ".join(
        f"harbour council vote number {i} on the ferry terminal" for i in range(40)
    )
    texts = [long_text, "A short headline about the ferry vote"]
    want_sentence = sentence.encode(texts)
    want_story = story.encode(texts)
    assert not np.allclose(want_sentence[0], want_story[0])  # cut at 72 pieces, not 128
    short = texts[1:]
    assert np.array_equal(sentence.encode(short), story.encode(short))  # nothing to cut
    got: dict[str, list[np.ndarray]] = {"story": [], "sentence": []}

    def run(name: str, encoder: MiniLMEncoder) -> None:
        for _ in range(5):
            got[name].append(encoder.encode(texts))

    threads = [
        threading.Thread(target=run, args=("story", story)),
        threading.Thread(target=run, args=("sentence", sentence)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(np.array_equal(v, want_story) for v in got["story"])
    assert all(np.array_equal(v, want_sentence) for v in got["sentence"])
