"""Import and export of frameworks and item banks (the JSON files of ``content/``, FORMAT.md).

Everything is validated before anything is written: a bad file gets a list of errors, each
with the file, the line and the JSON path of the field, and nothing at all is imported (one
transaction, rolled back on any error). Import is idempotent:

* a framework is keyed by ``slug`` + ``version``: re-importing the same edition updates its
  texts, domains, competences, level descriptors and alignments in place; a competence that
  already has items cannot disappear from it;
* an item is keyed by ``id`` and carries a ``version``. A *draft* item is simply updated. A
  *validated* (or archived) item keeps its meaning: changing its type, body, key or tolerance
  without raising ``version`` is refused (results already given were checked against the old
  key); raising the version updates it and resets its IRT calibration unless the file gives
  ``a``/``b``. A file with a lower version than the stored one is refused. Calibrated ``a``/``b``
  survive the re-import of the same version when the file does not give them.

A framework file may also carry an ``items`` list (any competence of that framework): that is
the single-file bundle ``jalon assess export`` writes, so export → import round-trips.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from assessments.checking import DEFAULT_TOLERANCE, ItemData, key_problems
from assessments.models import (
    Accessibility,
    Alignment,
    Competence,
    Domain,
    Framework,
    FrameworkKind,
    Item,
    ItemStatus,
    ItemType,
    LevelDescriptor,
)

CONTENT_DIR = Path(__file__).parent / "content"
MAX_INSTRUCTION = 400
DEFAULT_CUT_POINTS = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 3.5, 4.5]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
FRAMEWORK_KEYS = {
    "slug", "title", "version", "kind", "source_url", "licence", "attribution", "colour",
    "cut_points", "occupation", "certification", "referral", "domains", "items",
}  # fmt: skip
ITEM_KEYS = {
    "id", "competence", "level", "type", "instruction", "instruction_sr", "image",
    "accessibility", "timer_seconds", "status", "version", "a", "b", "explanation", "body",
    "key", "tolerance", "calibrated_at",
}  # fmt: skip
SEMANTIC_FIELDS = ("type", "body", "key", "tolerance")
# Optional fields inside these objects are kept too (stored in ``extra`` under name + suffix).
NESTED_KEYS = {
    "occupation": {"esco_uri", "name"},
    "certification": {"register", "code", "title", "valid_until", "url"},
}
NESTED_SUFFIX = ":extra"


# ---------------------------------------------------------------------------------------------
# Errors


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


@dataclass
class ImportReport:
    """What an import did (or, on a dry run, would do)."""

    files: int = 0
    frameworks_created: list[str] = field(default_factory=list)
    frameworks_updated: list[str] = field(default_factory=list)
    items_created: int = 0
    items_updated: int = 0
    items_unchanged: int = 0

    @property
    def items_total(self) -> int:
        return self.items_created + self.items_updated + self.items_unchanged


# ---------------------------------------------------------------------------------------------
# JSON with line numbers


def _ws(text: str, i: int) -> int:
    while i < len(text) and text[i] in " \t\r\n":
        i += 1
    return i


def _child(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


def locate(text: str) -> dict[str, int]:
    """Line (1-based) where each value of a *valid* JSON document starts, keyed by JSON path
    (``items[3].key.value``); the root is ``""``."""
    newlines = [m.start() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    lines: dict[str, int] = {}

    def line(pos: int) -> int:
        return bisect_right(newlines, pos - 1) + 1

    def value(i: int, path: str) -> int:
        i = _ws(text, i)
        lines[path] = line(i)
        if text[i] == "{":
            i = _ws(text, i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = _ws(text, i)
                key, i = json.decoder.scanstring(text, i + 1)
                i = _ws(text, i)  # at ':'
                i = value(i + 1, _child(path, key))
                i = _ws(text, i)
                if text[i] == "}":
                    return i + 1
                i += 1  # ','
        if text[i] == "[":
            i = _ws(text, i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = value(i, _child(path, index))
                i = _ws(text, i)
                index += 1
                if text[i] == "]":
                    return i + 1
                i += 1
        _, end = decoder.raw_decode(text, i)
        return end

    value(0, "")
    return lines


@dataclass
class ParsedFile:
    name: str
    data: Any
    lines: dict[str, int]

    def line_of(self, path: str) -> int | None:
        """Line of ``path`` or of its closest existing parent (a missing field's object)."""
        while True:
            if path in self.lines:
                return self.lines[path]
            if not path:
                return None
            cut = max(path.rfind("."), path.rfind("["))
            path = path[:cut] if cut > 0 else ""

    def error(self, path: str, message: str) -> ContentError:
        return ContentError(self.name, path, self.line_of(path), message)


def parse_text(text: str, name: str) -> ParsedFile:
    """Parse JSON, raising :class:`ContentInvalid` with the line of a syntax error."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ContentInvalid(
            [ContentError(name, "", exc.lineno, f"JSON invalide (colonne {exc.colno}) : {exc.msg}")]
        ) from None
    return ParsedFile(name, data, locate(text))


def read_file(path: Path) -> ParsedFile:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ContentInvalid(
            [ContentError(str(path), "", None, "le fichier n'est pas en UTF-8")]
        ) from None
    return parse_text(text, str(path))


def content_files(paths: Iterable[str | Path]) -> list[Path]:
    """The JSON files named, directories expanded recursively, frameworks first."""
    files: list[Path] = []
    for entry in map(Path, paths):
        if entry.is_dir():
            files.extend(sorted(p for p in entry.rglob("*.json") if p.is_file()))
        else:
            files.append(entry)
    return sorted(dict.fromkeys(files), key=lambda p: ("frameworks" not in p.parts, str(p)))


# ---------------------------------------------------------------------------------------------
# Validation


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Checker:
    """Collects errors for one file."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.errors: list[ContentError] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append(self.parsed.error(path, message))

    def require(self, obj: Mapping[str, Any], path: str, name: str, test, message: str) -> bool:
        where = _child(path, name)
        if name not in obj:
            self.add(where, "champ obligatoire manquant")
            return False
        if not test(obj[name]):
            self.add(where, message)
            return False
        return True

    def optional(self, obj: Mapping[str, Any], path: str, name: str, test, message: str) -> None:
        if obj.get(name) is not None and not test(obj[name]):
            self.add(_child(path, name), message)

    def localised(self, obj: Mapping[str, Any], path: str, name: str, required: bool) -> None:
        value = obj.get(name)
        if value is None:
            if required:
                self.add(_child(path, name), "champ obligatoire manquant")
            return
        if not isinstance(value, Mapping) or not _text(value.get("fr")):
            self.add(_child(path, name), 'objet {"fr": "…", "en": "…"} avec un texte français')
        elif value.get("en") is not None and not isinstance(value["en"], str):
            self.add(
                _child(
                    path,
                    name,
                )
                + ".en",
                "texte attendu",
            )


def _check_framework(c: _Checker, data: Mapping[str, Any]) -> set[str]:
    """Validate a framework document; returns its competence codes."""
    c.require(data, "", "slug", lambda v: isinstance(v, str) and SLUG.match(v), "slug invalide")
    c.require(data, "", "version", _text, "texte attendu (ex. « 2019-919 »)")
    c.localised(data, "", "title", required=True)
    kind_ok = c.require(
        data, "", "kind", lambda v: v in {k.value for k in FrameworkKind}, '"levels" ou "referral"'
    )
    for name in ("source_url", "licence", "attribution"):
        c.optional(data, "", name, _text, "texte attendu")
    c.optional(data, "", "colour", lambda v: isinstance(v, str) and COLOUR.match(v), "#rrggbb")
    cuts = data.get("cut_points")
    if cuts is None:
        if kind_ok and data["kind"] == FrameworkKind.LEVELS:
            c.add("cut_points", "champ obligatoire manquant")
    elif not (
        isinstance(cuts, list)
        and 1 <= len(cuts) <= 8
        and all(_number(x) for x in cuts)
        and all(y > x for x, y in pairwise(cuts))
    ):
        c.add("cut_points", "liste croissante de 1 à 8 nombres attendue")
    occupation = data.get("occupation")
    if occupation is not None:
        if not isinstance(occupation, Mapping):
            c.add("occupation", "objet attendu")
        else:
            c.require(
                occupation,
                "occupation",
                "esco_uri",
                lambda v: isinstance(v, str) and v.startswith("http://data.europa.eu/esco/"),
                "URI ESCO attendue (http://data.europa.eu/esco/occupation/…)",
            )
            c.optional(occupation, "occupation", "name", _text, "texte attendu")
    cert = data.get("certification")
    if cert is not None:
        if not isinstance(cert, Mapping):
            c.add("certification", "objet attendu")
        else:
            c.require(cert, "certification", "register", lambda v: v in ("RNCP", "RS"), "RNCP/RS")
            c.require(cert, "certification", "code", _text, "code attendu (ex. RNCP37674)")
            c.optional(cert, "certification", "title", _text, "texte attendu")
            c.optional(cert, "certification", "url", _text, "adresse attendue")
            c.optional(cert, "certification", "valid_until", _iso_date, "date AAAA-MM-JJ attendue")
    if kind_ok and data["kind"] == FrameworkKind.REFERRAL:
        _check_referral(c, data.get("referral"))
    codes: set[str] = set()
    domains = data.get("domains")
    if not isinstance(domains, list) or not domains:
        c.add("domains", "liste non vide de domaines attendue")
        return codes
    domain_codes: set[str] = set()
    for d, domain in enumerate(domains):
        dpath = f"domains[{d}]"
        if not isinstance(domain, Mapping):
            c.add(dpath, "objet attendu")
            continue
        if c.require(domain, dpath, "code", _text, "code attendu"):
            if domain["code"] in domain_codes:
                c.add(f"{dpath}.code", f"domaine en double : {domain['code']}")
            domain_codes.add(domain["code"])
        c.localised(domain, dpath, "title", required=True)
        competences = domain.get("competences")
        if not isinstance(competences, list) or not competences:
            c.add(f"{dpath}.competences", "liste non vide de compétences attendue")
            continue
        for k, competence in enumerate(competences):
            cpath = f"{dpath}.competences[{k}]"
            if not isinstance(competence, Mapping):
                c.add(cpath, "objet attendu")
                continue
            if c.require(competence, cpath, "code", _text, "code attendu"):
                if competence["code"] in codes:
                    c.add(f"{cpath}.code", f"compétence en double : {competence['code']}")
                codes.add(competence["code"])
            c.localised(competence, cpath, "title", required=True)
            c.localised(competence, cpath, "description", required=False)
            levels = competence.get("levels")
            if levels is not None:
                if not isinstance(levels, Mapping):
                    c.add(f"{cpath}.levels", 'objet {"1": "…", …, "8": "…"} attendu')
                else:
                    for level, text in levels.items():
                        if level not in {str(n) for n in range(1, 9)}:
                            c.add(f"{cpath}.levels.{level}", "niveau de 1 à 8 attendu")
                        elif not (
                            _text(text) or (isinstance(text, Mapping) and _text(text.get("fr")))
                        ):
                            c.add(f"{cpath}.levels.{level}", "descripteur (texte) attendu")
            alignments = competence.get("alignments")
            if alignments is not None:
                if not isinstance(alignments, list):
                    c.add(f"{cpath}.alignments", "liste attendue")
                    continue
                for n, alignment in enumerate(alignments):
                    apath = f"{cpath}.alignments[{n}]"
                    if not isinstance(alignment, Mapping):
                        c.add(apath, "objet attendu")
                        continue
                    c.require(alignment, apath, "framework", _text, "nom du référentiel attendu")
                    for name in ("code", "name", "url"):
                        c.optional(alignment, apath, name, _text, "texte attendu")
                    if not any(alignment.get(name) for name in ("code", "url")):
                        c.add(apath, "il faut au moins un code ou une adresse (url)")
    return codes


def _check_referral(c: _Checker, referral: Any) -> None:
    if not isinstance(referral, Mapping):
        c.add("referral", "objet attendu pour un référentiel de type referral")
        return
    thresholds = referral.get("thresholds")
    if not isinstance(thresholds, Mapping) or set(thresholds) != {"autonome", "a_accompagner"}:
        c.add("referral.thresholds", 'objet {"autonome": 0.8, "a_accompagner": 0.5} attendu')
        return
    if not all(_number(v) and 0 < v < 1 for v in thresholds.values()):
        c.add("referral.thresholds", "proportions strictement entre 0 et 1 attendues")
    elif thresholds["autonome"] <= thresholds["a_accompagner"]:
        c.add("referral.thresholds.autonome", "doit être plus grand que a_accompagner")


def _iso_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_item(c: _Checker, item: Any, path: str) -> None:
    if not isinstance(item, Mapping):
        c.add(path, "objet attendu")
        return
    c.require(
        item,
        path,
        "id",
        lambda v: isinstance(v, str) and ITEM_ID.match(v),
        "identifiant invalide (minuscules, chiffres, . - _)",
    )
    c.require(item, path, "competence", _text, "code de compétence attendu")
    c.require(
        item,
        path,
        "level",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 8,
        "entier de 1 à 8 attendu",
    )
    type_ok = c.require(
        item,
        path,
        "type",
        lambda v: v in {t.value for t in ItemType},
        f"type parmi {', '.join(t.value for t in ItemType)}",
    )
    c.require(item, path, "instruction", _text, "texte attendu")
    if _text(item.get("instruction")) and len(item["instruction"]) > MAX_INSTRUCTION:
        c.add(
            _child(path, "instruction"),
            f"{len(item['instruction'])} caractères : {MAX_INSTRUCTION} au plus",
        )
    c.optional(item, path, "instruction_sr", _text, "texte attendu")
    image = item.get("image")
    if image is not None:
        if not isinstance(image, Mapping):
            c.add(_child(path, "image"), 'objet {"file": …, "alt": …} attendu')
        else:
            c.require(image, _child(path, "image"), "file", _text, "nom de fichier attendu")
            c.require(image, _child(path, "image"), "alt", _text, "texte alternatif obligatoire")
    access = item.get("accessibility")
    values = {a.value for a in Accessibility}
    if not isinstance(access, Mapping):
        c.add(
            _child(path, "accessibility"),
            'objet {"blind": "ok|ko|na", "colour_blind": …, "deaf": …} attendu'
            if access is not None
            else "champ obligatoire manquant",
        )
    else:
        for name in ("blind", "colour_blind", "deaf"):
            c.require(
                access,
                _child(path, "accessibility"),
                name,
                lambda v: v in values,
                '"ok", "ko" ou "na"',
            )
    c.optional(
        item,
        path,
        "timer_seconds",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 5 <= v <= 3600,
        "nombre de secondes (5 à 3600) attendu",
    )
    c.require(
        item,
        path,
        "status",
        lambda v: v in {s.value for s in ItemStatus},
        '"draft", "validated" ou "archived"',
    )
    c.require(
        item,
        path,
        "version",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
        "entier ≥ 1 attendu",
    )
    c.optional(item, path, "a", lambda v: _number(v) and 0 < v <= 5, "nombre entre 0 et 5 attendu")
    c.optional(
        item, path, "b", lambda v: _number(v) and -10 <= v <= 10, "nombre entre -10 et 10 attendu"
    )
    c.optional(item, path, "calibrated_at", _iso_datetime, "date et heure ISO attendues")
    c.require(item, path, "explanation", _text, "texte attendu")
    for name in ("body", "key"):
        if name not in item:
            c.add(_child(path, name), "champ obligatoire manquant")
    if type_ok and "body" in item and "key" in item:
        data = ItemData(
            type=item["type"], body=item["body"], key=item["key"], tolerance=item.get("tolerance")
        )
        for where, message in key_problems(data):
            c.add(_child(path, where), message)  # fmt: skip


def _iso_datetime(value: Any) -> bool:
    try:
        datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


# ---------------------------------------------------------------------------------------------
# Import


@dataclass
class _ItemFile:
    parsed: ParsedFile
    framework_slug: str
    framework_version: str | None
    items: list[tuple[str, Mapping[str, Any]]]  # (JSON path, item)


def _framework_competences(db: Session, framework: Framework) -> set[str]:
    return set(db.scalars(select(Competence.code).where(Competence.framework_id == framework.id)))


def _latest_framework(db: Session, slug: str, version: str | None = None) -> Framework | None:
    query = select(Framework).where(Framework.slug == slug)
    if version is not None:
        query = query.where(Framework.version == version)
    return db.scalars(query.order_by(Framework.id.desc()).limit(1)).first()


def import_paths(db: Session, paths: Iterable[str | Path], progress=None) -> ImportReport:
    """Validate then import files and directories; all or nothing."""
    parsed: list[ParsedFile] = []
    errors: list[ContentError] = []
    for path in content_files(paths):
        try:
            parsed.append(read_file(path))
        except ContentInvalid as exc:
            errors.extend(exc.errors)
        except OSError as exc:
            errors.append(ContentError(str(path), "", None, f"lecture impossible : {exc.strerror}"))
    if errors:
        raise ContentInvalid(errors)
    return import_documents(db, parsed, progress=progress)


def import_documents(db: Session, documents: list[ParsedFile], progress=None) -> ImportReport:
    """Validate parsed documents against each other and the database, then write them in one
    savepoint. Raises :class:`ContentInvalid` (nothing written) on any problem. The caller
    commits."""
    errors: list[ContentError] = []
    broken: set[str] = set()  # slugs of framework files with errors (their items are not checked)
    frameworks: dict[tuple[str, str], tuple[ParsedFile, Mapping[str, Any], set[str]]] = {}
    item_files: list[_ItemFile] = []
    for doc in documents:
        c = _Checker(doc)
        data = doc.data
        if isinstance(data, Mapping) and "domains" in data:
            codes = _check_framework(c, data)
            if not c.errors:
                key = (data["slug"], data["version"])
                if key in frameworks:
                    c.add(
                        "slug", f"référentiel {key[0]}@{key[1]} déjà dans {frameworks[key][0].name}"
                    )
                frameworks[key] = (doc, data, codes)
            items = data.get("items")
            if items is not None and not isinstance(items, list):
                c.add("items", "liste d'items attendue")
            elif items is not None:
                valid_framework = not c.errors
                for i, item in enumerate(items):
                    _check_item(c, item, f"items[{i}]")
                if valid_framework:
                    item_files.append(
                        _ItemFile(
                            doc,
                            data["slug"],
                            data["version"],
                            [(f"items[{i}]", it) for i, it in enumerate(items)],
                        )
                    )
        elif isinstance(data, Mapping) and "items" in data:
            c.require(data, "", "framework", _text, "slug du référentiel attendu")
            c.optional(data, "", "framework_version", _text, "texte attendu")
            if not isinstance(data["items"], list):
                c.add("items", "liste d'items attendue")
            else:
                for i, item in enumerate(data["items"]):
                    _check_item(c, item, f"items[{i}]")
                if _text(data.get("framework")):
                    item_files.append(
                        _ItemFile(
                            doc,
                            data["framework"],
                            data.get("framework_version"),
                            [(f"items[{i}]", it) for i, it in enumerate(data["items"])],
                        )
                    )
        else:
            c.add("", 'ni un référentiel (champ "domains") ni un fichier d\'items (champ "items")')
        if c.errors and isinstance(data, Mapping) and "domains" in data:
            broken.add(str(data.get("slug")))
        errors.extend(c.errors)

    # Cross-file checks: duplicate ids, competences that exist, versions against the database.
    seen: dict[str, str] = {}
    competences: dict[tuple[str, str | None], set[str] | None] = {}
    batch_latest = {slug: version for slug, version in frameworks}
    for item_file in item_files:
        c = _Checker(item_file.parsed)
        slug, version = item_file.framework_slug, item_file.framework_version
        lookup = (slug, version)
        if lookup not in competences:
            chosen = version or batch_latest.get(slug)
            if chosen is not None and (slug, chosen) in frameworks:
                competences[lookup] = frameworks[(slug, chosen)][2]
            else:
                existing = _latest_framework(db, slug, version)
                competences[lookup] = _framework_competences(db, existing) if existing else None
        codes = competences[lookup]
        if codes is None and slug in broken:
            continue
        if codes is None:
            c.add(
                "framework",
                f"référentiel inconnu : {slug}"
                + (f"@{version}" if version else "")
                + " (importez d'abord son fichier)",
            )
        for path, item in item_file.items:
            if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
                continue
            uid = item["id"]
            if uid in seen:
                c.add(f"{path}.id", f"identifiant en double (déjà dans {seen[uid]})")
            seen[uid] = f"{item_file.parsed.name}:{item_file.parsed.line_of(path)}"
            if codes is not None and item.get("competence") not in codes:
                c.add(
                    f"{path}.competence", f"compétence inconnue dans {slug} : {item['competence']}"
                )
        errors.extend(c.errors)
    if errors:
        raise ContentInvalid(errors)
    stored = (
        {i.uid: i for i in db.scalars(select(Item).where(Item.uid.in_(list(seen))))} if seen else {}
    )
    for item_file in item_files:
        c = _Checker(item_file.parsed)
        for path, item in item_file.items:
            existing = stored.get(item["id"])
            if existing is None:
                continue
            if item["version"] < existing.version:
                c.add(
                    f"{path}.version",
                    f"version {item['version']} plus ancienne que celle en base "
                    f"({existing.version})",
                )
            elif (
                item["version"] == existing.version
                and existing.status != ItemStatus.DRAFT
                and _semantics(item) != _semantics(export_item(existing))
            ):
                c.add(
                    f"{path}.version",
                    "item validé : le type, le contenu ou la clé a changé ; "
                    f"passez la version à {existing.version + 1}",
                )
        errors.extend(c.errors)
    for (slug, version), (doc, _data, codes) in frameworks.items():
        existing = _latest_framework(db, slug, version)
        if existing is None:
            continue
        used = set(
            db.scalars(
                select(Competence.code)
                .join(Item, Item.competence_id == Competence.id)
                .where(Competence.framework_id == existing.id)
            )
        )
        incoming = {i["id"] for f in item_files if f.framework_slug == slug for _, i in f.items}
        moved = {
            code
            for code in used - codes
            if db.scalar(
                select(func.count())
                .select_from(Item)
                .join(Competence)
                .where(
                    Competence.code == code,
                    Competence.framework_id == existing.id,
                    Item.uid.not_in(incoming),
                )
            )
        }
        for code in sorted(moved):
            errors.append(
                doc.error(
                    "domains",
                    f"la compétence {code} a des items en base : on ne peut pas la retirer",
                )
            )
    if errors:
        raise ContentInvalid(errors)

    report = ImportReport(files=len(documents))
    with db.begin_nested():
        resolved: dict[tuple[str, str | None], Framework] = {}
        wanted: dict[int, tuple[set[str], set[str]]] = {}
        for (slug, version), (_doc, data, _codes) in frameworks.items():
            framework, created, wanted[id(framework)] = _upsert_framework(db, data)
            (report.frameworks_created if created else report.frameworks_updated).append(
                f"{slug}@{version}"
            )
            resolved[(slug, version)] = framework
        db.flush()
        for item_file in item_files:
            slug, version = item_file.framework_slug, item_file.framework_version
            chosen = version or batch_latest.get(slug)
            framework = resolved.get((slug, chosen)) if chosen else None
            framework = framework or _latest_framework(db, slug, version)
            assert framework is not None
            by_code = {
                comp.code: comp
                for comp in db.scalars(
                    select(Competence).where(Competence.framework_id == framework.id)
                )
            }
            for _path, data in item_file.items:
                outcome = _upsert_item(
                    db, data, by_code[data["competence"]], stored.get(data["id"])
                )
                setattr(report, f"items_{outcome}", getattr(report, f"items_{outcome}") + 1)
                if progress is not None:
                    progress()
        # Competences dropped from a re-imported framework (their items moved or none).
        for framework in resolved.values():
            _prune_competences(db, framework, wanted[id(framework)])
        db.flush()
    return report


def _semantics(item: Mapping[str, Any]) -> tuple:
    tolerance = item.get("tolerance")
    return (
        item.get("type"),
        json.dumps(item.get("body"), sort_keys=True),
        json.dumps(item.get("key"), sort_keys=True),
        tuple(tolerance) if tolerance is not None else tuple(DEFAULT_TOLERANCE),
    )


def _localised(value: Mapping[str, Any] | None) -> tuple[str | None, str | None]:
    if not value:
        return None, None
    return value.get("fr"), value.get("en")


def _upsert_framework(
    db: Session, data: Mapping[str, Any]
) -> tuple[Framework, bool, tuple[set[str], set[str]]]:
    framework = _latest_framework(db, data["slug"], data["version"])
    created = framework is None
    if framework is None:
        framework = Framework(slug=data["slug"], version=data["version"])
        db.add(framework)
    framework.title_fr, framework.title_en = _localised(data["title"])
    framework.kind = FrameworkKind(data["kind"])
    framework.source_url = data.get("source_url")
    framework.licence = data.get("licence")
    framework.attribution = data.get("attribution")
    framework.colour = data.get("colour")
    framework.cut_points = [float(x) for x in data.get("cut_points") or DEFAULT_CUT_POINTS]
    occupation = data.get("occupation") or {}
    framework.occupation_esco_uri = occupation.get("esco_uri")
    framework.occupation_name = occupation.get("name")
    cert = data.get("certification") or {}
    framework.certification_register = cert.get("register")
    framework.certification_code = cert.get("code")
    framework.certification_title = cert.get("title")
    framework.certification_url = cert.get("url")
    valid_until = cert.get("valid_until")
    framework.certification_valid_until = date.fromisoformat(valid_until) if valid_until else None
    framework.referral = data.get("referral")
    extra = {k: v for k, v in data.items() if k not in FRAMEWORK_KEYS}
    for name, known in NESTED_KEYS.items():  # e.g. a "note" on the certification
        kept = {k: v for k, v in (data.get(name) or {}).items() if k not in known}
        if kept:
            extra[f"{name}{NESTED_SUFFIX}"] = kept
    framework.extra = extra or None
    db.flush()
    domains = {d.code: d for d in framework.domains}
    competences = {
        comp.code: comp
        for comp in db.scalars(select(Competence).where(Competence.framework_id == framework.id))
    }
    position = 0
    kept_domains: set[str] = set()
    kept_competences: set[str] = set()
    for d_pos, d_data in enumerate(data["domains"]):
        domain = domains.get(d_data["code"])
        if domain is None:
            domain = Domain(code=d_data["code"], framework=framework)
            db.add(domain)
        domain.title_fr, domain.title_en = _localised(d_data["title"])
        domain.position = d_pos
        kept_domains.add(d_data["code"])
        db.flush()
        for c_data in d_data["competences"]:
            competence = competences.get(c_data["code"])
            if competence is None:
                competence = Competence(code=c_data["code"], framework_id=framework.id)
                db.add(competence)
            competence.domain_id = domain.id
            competence.title_fr, competence.title_en = _localised(c_data["title"])
            competence.description_fr, competence.description_en = _localised(
                c_data.get("description")
            )
            competence.position = position
            kept_competences.add(c_data["code"])
            position += 1
            db.flush()
            _replace_levels(db, competence, c_data.get("levels") or {})
            _replace_alignments(db, competence, c_data.get("alignments") or [])
    return framework, created, (kept_domains, kept_competences)


def _replace_levels(db: Session, competence: Competence, levels: Mapping[str, Any]) -> None:
    current = {d.level: d for d in competence.levels}
    for level, text in levels.items():
        fr, en = (text, None) if isinstance(text, str) else _localised(text)
        descriptor = current.pop(int(level), None)
        if descriptor is None:
            competence.levels.append(LevelDescriptor(level=int(level), text_fr=fr, text_en=en))
        else:
            descriptor.text_fr, descriptor.text_en = fr, en
    for descriptor in current.values():
        competence.levels.remove(descriptor)


def _replace_alignments(db: Session, competence: Competence, alignments: list) -> None:
    competence.alignments.clear()
    db.flush()
    for a in alignments:
        competence.alignments.append(
            Alignment(
                framework_name=a["framework"],
                code=a.get("code"),
                name=a.get("name"),
                url=a.get("url"),
            )
        )


def _prune_competences(db: Session, framework: Framework, wanted: tuple[set, set]) -> None:
    """Remove the competences and domains a re-imported framework file no longer lists
    (validation made sure no item still points at them)."""
    domain_codes, competence_codes = wanted
    db.flush()
    for competence in db.scalars(select(Competence).where(Competence.framework_id == framework.id)):
        if competence.code not in competence_codes:
            db.delete(competence)
    db.flush()
    for domain in list(framework.domains):
        if domain.code not in domain_codes:
            framework.domains.remove(domain)
    db.flush()


def _upsert_item(
    db: Session, data: Mapping[str, Any], competence: Competence, existing: Item | None
) -> str:
    """Insert or update one item; returns ``created``, ``updated`` or ``unchanged``."""
    if (
        existing is not None
        and existing.competence_id == competence.id
        and export_item(existing) == _canonical_item(data, existing)
    ):
        return "unchanged"
    item = existing or Item(uid=data["id"])
    bumped = existing is not None and data["version"] > existing.version
    item.version = data["version"]
    item.competence_id = competence.id
    item.level = data["level"]
    item.type = ItemType(data["type"])
    item.status = ItemStatus(data["status"])
    item.instruction = data["instruction"]
    item.instruction_sr = data.get("instruction_sr")
    image = data.get("image") or {}
    item.image_file, item.image_alt = image.get("file"), image.get("alt")
    access = data["accessibility"]
    item.access_blind = Accessibility(access["blind"])
    item.access_colour_blind = Accessibility(access["colour_blind"])
    item.access_deaf = Accessibility(access["deaf"])
    item.timer_seconds = data.get("timer_seconds")
    item.explanation = data["explanation"]
    item.body = data["body"]
    item.key = data["key"]
    item.tolerance = data.get("tolerance")
    extra = {k: v for k, v in data.items() if k not in ITEM_KEYS}
    item.extra = extra or None
    if "a" in data or "b" in data:
        item.a = float(data.get("a", 1.0))
        item.b = float(data.get("b", data["level"] - 3))
        calibrated = data.get("calibrated_at")
        item.calibrated_at = datetime.fromisoformat(calibrated) if calibrated else None
    elif existing is None or bumped or existing.calibrated_at is None:
        item.a, item.b, item.calibrated_at = 1.0, float(data["level"] - 3), None
    if existing is None:
        db.add(item)
        return "created"
    return "updated"


def _canonical_item(data: Mapping[str, Any], existing: Item) -> dict[str, Any]:
    """The export a stored item would have after importing ``data`` (to detect no-ops)."""
    canonical = {k: v for k, v in data.items() if v is not None}
    defaults = (1.0, float(data["level"] - 3))
    given = (float(data.get("a", 1.0)), float(data.get("b", data["level"] - 3)))
    if "calibrated_at" not in data and given == defaults:
        canonical.pop("a", None)
        canonical.pop("b", None)
    if (
        "a" not in data
        and "b" not in data
        and existing.calibrated_at is not None
        and data.get("version") == existing.version
    ):
        canonical["a"], canonical["b"] = existing.a, existing.b
        canonical["calibrated_at"] = existing.calibrated_at.isoformat()
    return _normalised(canonical)


def _normalised(item: Mapping[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(item, sort_keys=True))


# ---------------------------------------------------------------------------------------------
# Export


def export_item(item: Item) -> dict[str, Any]:
    """An item in its file shape (calibrated ``a``/``b`` only once calibrated)."""
    data: dict[str, Any] = {
        "id": item.uid,
        "competence": item.competence.code,
        "level": item.level,
        "type": item.type.value,
        "instruction": item.instruction,
        "instruction_sr": item.instruction_sr,
        "image": {"file": item.image_file, "alt": item.image_alt} if item.image_file else None,
        "accessibility": {
            "blind": item.access_blind.value,
            "colour_blind": item.access_colour_blind.value,
            "deaf": item.access_deaf.value,
        },
        "timer_seconds": item.timer_seconds,
        "status": item.status.value,
        "version": item.version,
        "explanation": item.explanation,
        "body": item.body,
        "key": item.key,
        "tolerance": item.tolerance,
    }
    if item.calibrated_at is not None or (item.a, item.b) != (1.0, float(item.level - 3)):
        data["a"], data["b"] = item.a, item.b
    if item.calibrated_at is not None:
        data["calibrated_at"] = item.calibrated_at.isoformat()
    data.update(item.extra or {})
    return _normalised({k: v for k, v in data.items() if v is not None})


def _pair(fr: str | None, en: str | None) -> dict[str, str] | None:
    if fr is None:
        return None
    return {"fr": fr, "en": en} if en is not None else {"fr": fr}


def export_framework(db: Session, slug: str, version: str | None = None) -> dict[str, Any]:
    """A framework and all its items as one bundle file (re-importable as is)."""
    framework = _latest_framework(db, slug, version)
    if framework is None:
        raise LookupError(f"référentiel inconnu : {slug}")
    data: dict[str, Any] = {
        "slug": framework.slug,
        "title": _pair(framework.title_fr, framework.title_en),
        "version": framework.version,
        "kind": framework.kind.value,
        "source_url": framework.source_url,
        "licence": framework.licence,
        "attribution": framework.attribution,
        "colour": framework.colour,
        "cut_points": framework.cut_points,
        "occupation": (
            {"esco_uri": framework.occupation_esco_uri, "name": framework.occupation_name}
            if framework.occupation_esco_uri
            else None
        ),
        "certification": (
            {
                "register": framework.certification_register,
                "code": framework.certification_code,
                "title": framework.certification_title,
                "valid_until": framework.certification_valid_until.isoformat()
                if framework.certification_valid_until
                else None,
                "url": framework.certification_url,
            }
            if framework.certification_code
            else None
        ),
        "referral": framework.referral,
        "domains": [
            {
                "code": domain.code,
                "title": _pair(domain.title_fr, domain.title_en),
                "competences": [
                    {
                        "code": comp.code,
                        "title": _pair(comp.title_fr, comp.title_en),
                        "description": _pair(comp.description_fr, comp.description_en),
                        "levels": {
                            str(d.level): d.text_fr
                            if d.text_en is None
                            else _pair(d.text_fr, d.text_en)
                            for d in comp.levels
                        }
                        or None,
                        "alignments": [
                            {
                                k: v
                                for k, v in {
                                    "framework": a.framework_name,
                                    "code": a.code,
                                    "name": a.name,
                                    "url": a.url,
                                }.items()
                                if v is not None
                            }
                            for a in comp.alignments
                        ]
                        or None,
                    }
                    for comp in domain.competences
                ],
            }
            for domain in framework.domains
        ],
    }
    for name, value in (framework.extra or {}).items():
        if name.endswith(NESTED_SUFFIX):
            nested = name.removesuffix(NESTED_SUFFIX)
            data[nested] = {**(data.get(nested) or {}), **value}
        else:
            data[name] = value
    items = db.scalars(
        select(Item)
        .join(Competence)
        .where(Competence.framework_id == framework.id)
        .order_by(Item.uid)
    ).all()
    data["items"] = [export_item(item) for item in items]
    return _strip_none(data)


def _strip_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_none(v) for v in value]
    return value


def dump(data: Any) -> str:
    """JSON the way content files are written: UTF-8, 2-space indent."""
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
