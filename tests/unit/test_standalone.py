"""The repository stands alone: the data the tests read is inside it, as delivered, and no
file names a folder beside or outside the clone."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess

import pytest

from tests.paths import DATA, FIXTURES, REPO, SEED, SPECS

# spelled in pieces so that this file does not find itself
OUTSIDE = re.compile("|".join([r"\.\./" + "shared", "/" + "work/", "NEWSBOT_" + "SHARED"]))


def tracked_files() -> list[str]:
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=False
    ).stdout.decode()
    if not listed:
        pytest.skip("not a git checkout: nothing to list")
    return [name for name in listed.split("\0") if name]


def test_no_file_names_a_path_outside_the_repository() -> None:
    found = []
    for name in tracked_files():
        path = REPO / name
        if name.startswith("tests/data/") or not path.is_file():
            continue  # the delivered data keeps its own READMEs as they came
        text = path.read_bytes().decode("utf-8", "replace")
        found += [f"{name}: {m.group(0)}" for m in OUTSIDE.finditer(text)]
    assert found == []


def test_the_data_is_inside_the_repository() -> None:
    for path in (SPECS, FIXTURES, SEED):
        assert path.resolve().is_relative_to(REPO), path
        assert path.exists(), path


def test_the_data_is_committed() -> None:
    # an ignore rule once kept tests/data out of every commit while the tests passed here
    tracked = {name for name in tracked_files() if name.startswith("tests/data/")}
    present = {p.relative_to(REPO).as_posix() for p in DATA.rglob("*") if p.is_file()}
    assert present - tracked == set()


def test_fixtures_are_the_delivered_bytes() -> None:
    manifest = json.loads((FIXTURES / "MANIFEST.json").read_text(encoding="utf-8"))
    for entry in manifest["files"]:
        data = (FIXTURES / entry["file"]).read_bytes()
        assert len(data) == entry["bytes"], entry["file"]
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry["file"]


def test_every_data_file_is_in_the_manifest() -> None:
    listed = (DATA / "MANIFEST.md").read_text(encoding="utf-8")
    lexicons = "specs/bluesky/lexicons/"  # 400 schema files: one row for the folder
    missing = []
    for path in sorted(p for p in DATA.rglob("*") if p.is_file() and p.name != "MANIFEST.md"):
        name = path.relative_to(DATA).as_posix()
        row = lexicons if name.startswith(lexicons) else name
        if f"`{row}`" not in listed:
            missing.append(name)
    assert missing == []
