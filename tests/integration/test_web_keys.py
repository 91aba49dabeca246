"""The signing key: the setting, else one kept in the data folder, else one per process."""

from __future__ import annotations

import stat
from pathlib import Path

from pydantic import SecretStr

from bot.web.keys import KEY_FILE, signing_key
from tests.conftest import make_settings


def test_the_setting_wins(tmp_path: Path) -> None:
    settings = make_settings("sqlite:///x.db", tmp_path, web={"secret_key": SecretStr("k" * 40)})
    assert signing_key(settings) == b"k" * 40
    assert not (tmp_path / "data" / KEY_FILE).exists()


def test_unset_a_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    settings = make_settings("sqlite:///x.db", tmp_path)
    first = signing_key(settings)
    path = tmp_path / "data" / KEY_FILE
    assert len(first) >= 32 and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert signing_key(settings) == first  # a restart keeps it


def test_an_unwritable_data_folder_still_starts(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    settings = make_settings("sqlite:///x.db", tmp_path, data_dir=blocker / "data")
    assert len(signing_key(settings)) >= 32
