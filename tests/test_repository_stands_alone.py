"""A plain clone is complete: no tracked file reads or points to a folder kept beside the clone.

The conformance data and the design notes used to live in a sibling folder that a user's clone does
not have; they are now in the repository (tests/conformance/data, docs/). This test keeps it so.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The sibling folder's name, spelt so that this file does not name a path into it itself.
SIBLING = "shar" + "ed"
# A path into that folder (its name followed by a slash, with or without "../" before it); the
# slash keeps ordinary words ("shared caches", "shared by the templates") out.
OUTSIDE_PATH = re.compile(rf"(?:\.\./)?\b{SIBLING}/(?:ob3|docs)?", re.IGNORECASE)
# Folders never committed (see .gitignore): skipped when the tree is walked without git.
UNTRACKED = {
    ".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".ruff_cache",
    ".hypothesis", "instance", "test-artifacts", "build", "dist",
}  # fmt: skip


def repository_files(root: Path) -> list[Path]:
    """The tracked files (``git ls-files``), or every file outside untracked folders without git."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z"],
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        listed = b""
    if listed:
        return [root / name for name in listed.decode().split("\0") if name]
    return [
        path
        for path in root.rglob("*")
        if path.is_file()
        and not any(
            part in UNTRACKED or part.endswith(".egg-info") for part in path.relative_to(root).parts
        )
    ]


def offenders(files: list[Path], root: Path) -> list[str]:
    """``file:line: text`` for every line of a text file that names a path into the sibling."""
    found = []
    for path in files:
        if not path.is_file():
            continue  # deleted in the work tree, not yet committed
        data = path.read_bytes()
        if b"\0" in data[:8192]:
            continue  # binary (baked badge images, fonts)
        for number, line in enumerate(data.decode("utf-8", "replace").splitlines(), 1):
            if OUTSIDE_PATH.search(line):
                found.append(f"{path.relative_to(root).as_posix()}:{number}: {line.strip()[:120]}")
    return found


def test_no_tracked_file_points_outside_the_repository() -> None:
    files = repository_files(REPO)
    assert len(files) > 100, "the repository's files could not be listed"
    found = offenders(files, REPO)
    assert not found, "paths into a folder outside the repository:\n" + "\n".join(found)


def test_the_pattern_finds_paths_and_leaves_words_alone() -> None:
    for path in (f"../{SIBLING}/ob3", f"see {SIBLING}/docs/UX.md", f"REPO.parent / ../{SIBLING}/"):
        assert OUTSIDE_PATH.search(path), path
    for words in ("never cached by shared caches", "shared by the templates", "Shared pieces"):
        assert not OUTSIDE_PATH.search(words), words


def test_without_git_the_tree_is_walked_and_offenders_are_listed(tmp_path: Path) -> None:
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "NOTES.md").write_text(f"Read ../{SIBLING}/docs/ first.\nShared caches.\n")
    (tmp_path / "badge.png").write_bytes(f"\x89PNG\0../{SIBLING}/ob3".encode())
    for ignored in (".venv", "node_modules", "jalon.egg-info"):
        (tmp_path / ignored).mkdir()
        (tmp_path / ignored / "PKG-INFO").write_text(f"../{SIBLING}/ob3\n")
    files = repository_files(tmp_path)  # not a git repository: ls-files fails
    assert sorted(p.relative_to(tmp_path).as_posix() for p in files) == [
        "badge.png",
        "docs/NOTES.md",
    ]
    assert offenders(files, tmp_path) == [f"docs/NOTES.md:1: Read ../{SIBLING}/docs/ first."]
