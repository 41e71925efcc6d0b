from __future__ import annotations

from pathlib import Path

import pytest

from newsprism.config import load_settings
from newsprism.errors import ConfigError


def test_environment_and_toml_and_overrides(tmp_path: Path) -> None:
    toml = tmp_path / "n.toml"
    toml.write_text("[newsprism]\nmax_file_mb = 5\nrespect_robots = false\n", encoding="utf-8")
    s = load_settings(env={"NEWSPRISM_DB": "/tmp/x.db", "NEWSPRISM_MAX_FILE_MB": "7"},
                      config_file=toml)  # fmt: skip
    assert s.db == Path("/tmp/x.db")
    assert s.max_file_mb == 7.0  # environment beats the file
    assert s.respect_robots is False
    assert load_settings(env={}, config_file=toml, db=Path("y.db")).db == Path("y.db")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"NEWSPRISM_MAX_FILE_MB": "lots"}, "not a valid float"),
        ({"NEWSPRISM_RESPECT_ROBOTS": "maybe"}, "true/false"),
        ({"NEWSPRISM_MAX_FILE_MB": "0"}, "must be greater than 0"),
    ],
)
def test_bad_values_name_the_setting(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=env)


def test_unknown_key_in_file(tmp_path: Path) -> None:
    toml = tmp_path / "n.toml"
    toml.write_text("colour = 'blue'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown setting 'colour'"):
        load_settings(env={}, config_file=toml)


def test_every_setting_is_documented() -> None:
    from dataclasses import fields

    from newsprism.config import Settings
    from tests.conftest import REPO

    doc = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    missing = [f.name for f in fields(Settings) if f"`{f.name}`" not in doc]
    assert not missing
