"""The vendored reference data is exactly what its MANIFEST lists: same files, same bytes."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path

from tests.conformance.reference import MANIFEST, ob3_reference_folder

# A file row: | `path/under/data` | upstream source | licence | `sha256` |
ROW = re.compile(
    r"^\| `(?P<path>[^`]+)` \| (?P<source>.+?) \| (?P<licence>[^|]+?) \| `(?P<sha>[^`]*)` \|$"
)
LICENCES = {
    "W3C Software and Document License",
    "1EdTech Specification Document License",
    "Apache-2.0",
}


def manifest_rows(manifest: Path) -> dict[str, re.Match[str]]:
    """The file rows of a MANIFEST, by path relative to its folder."""
    rows = [ROW.match(line) for line in manifest.read_text(encoding="utf-8").splitlines()]
    return {row["path"]: row for row in rows if row}


def differences(folder: Path) -> list[str]:
    """What does not match the folder's MANIFEST.md: missing, altered and unlisted files."""
    rows = manifest_rows(folder / "MANIFEST.md")
    found = {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and path.name != "MANIFEST.md"
    }
    wrong = [f"unlisted: {name}" for name in sorted(found - set(rows))]
    for name, row in sorted(rows.items()):
        if name not in found:
            wrong.append(f"missing: {name}")
        elif hashlib.sha256((folder / name).read_bytes()).hexdigest() != row["sha"]:
            wrong.append(f"sha256 differs: {name}")
    return wrong


def test_the_folder_holds_exactly_the_listed_files_with_their_sha256() -> None:
    folder = ob3_reference_folder()
    assert len(manifest_rows(MANIFEST)) == 79, "the MANIFEST's file rows could not all be read"
    assert differences(folder) == []


def test_every_row_names_an_upstream_commit_and_a_known_licence() -> None:
    for name, row in manifest_rows(MANIFEST).items():
        assert re.match(r"[\w.-]+/[\w.-]+ @ `[0-9a-f]{12}` : `", row["source"]), name
        assert row["licence"] in LICENCES, name
        assert re.fullmatch(r"[0-9a-f]{64}", row["sha"]), name


def test_a_missing_altered_or_unlisted_file_is_reported(tmp_path: Path) -> None:
    copy = tmp_path / "data"
    shutil.copytree(ob3_reference_folder(), copy)
    (copy / "w3c-vc-di-eddsa" / "keyPair.json").unlink()
    with (copy / "w3c-vc-di-eddsa" / "unsigned.json").open("ab") as altered:
        altered.write(b" ")
    (copy / "1edtech-validator" / "extra.json").write_text("{}")
    assert differences(copy) == [
        "unlisted: 1edtech-validator/extra.json",
        "missing: w3c-vc-di-eddsa/keyPair.json",
        "sha256 differs: w3c-vc-di-eddsa/unsigned.json",
    ]
