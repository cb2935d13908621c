"""What goes wrong with content files: one located problem, and the refusal that lists them all.

Every message is in French and says where: the file, the line and the JSON path of the field,
so an author can fix a file without reading code.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ContentError:
    """One problem in one file: where (line, JSON path) and what, in French."""

    file: str
    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.path or '(racine)'} : {self.message}"


class ContentInvalid(ValueError):
    """The files cannot be imported; ``errors`` says every problem found."""

    def __init__(self, errors: list[ContentError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors
