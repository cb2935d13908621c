"""The rules one framework document or one item must follow on its own (FORMAT.md).

Checks collect every problem of a file instead of stopping at the first, so an author fixes
them all in one go. Rules that need other files or the database live in ``content_import``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime
from itertools import pairwise
from typing import Any

from assessments.checking import ItemData, key_problems
from assessments.content_errors import ContentError
from assessments.content_parsing import ParsedFile, child_path
from assessments.item_images import FILE_NAME as IMAGE_FILE
from assessments.models import Accessibility, FrameworkKind, ItemStatus, ItemType

MAX_INSTRUCTION = 400
# A document read with the item (a log, a message, a table): longer would not fit a phone screen.
MAX_EXHIBIT = 2000
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
ITEM_ID = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
# A BCP 47 language tag as pages and speech use it: "en", "en-GB", "es".
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
# The body lists whose entries are texts a learner reads: each may carry its own ``lang``.
TEXT_ENTRIES = ("choices", "left", "right", "items", "fields")
# Mock sites and mailboxes are pages of their own, in French; English material is not marked there.
NO_TEXT_LANG = {
    ItemType.TASK_WEBMAIL,
    ItemType.TASK_FORM,
    ItemType.TASK_PHISHING,
    ItemType.TASK_PROCEDURE,
}
MAX_INTEGER = 2**31 - 1  # the largest version an integer column holds


def is_text(value: Any) -> bool:
    """A string with something other than spaces in it."""
    return isinstance(value, str) and bool(value.strip())


def _number(value: Any) -> bool:
    """A finite int or float, but not a bool (JSON ``true`` is not 1 here, ``1e999`` is no
    number a database column holds)."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:  # an int beyond any float
        return False


def among(values: Iterable[str]) -> Callable[[Any], bool]:
    """Test for a text among ``values``: a list or an object given instead is refused, not
    hashed (``[] in {…}`` would raise)."""
    allowed = frozenset(values)
    return lambda value: isinstance(value, str) and value in allowed


def check_no_nul(c: Checker, value: Any, path: str) -> None:
    """Report every text holding a NUL character: no database text column stores one
    (PostgreSQL refuses it), so the file is refused before anything is written."""
    if isinstance(value, str):
        if "\x00" in value:
            c.add(path, "caractère nul (\\u0000) interdit dans un texte")
    elif isinstance(value, Mapping):
        for key, child in value.items():
            check_no_nul(c, key, path)
            check_no_nul(c, child, child_path(path, str(key)))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            check_no_nul(c, child, child_path(path, index))


class Checker:
    """Collects errors for one file."""

    def __init__(self, parsed: ParsedFile) -> None:
        self.parsed = parsed
        self.errors: list[ContentError] = []

    def add(self, path: str, message: str) -> None:
        self.errors.append(self.parsed.error(path, message))

    def require(self, obj: Mapping[str, Any], path: str, name: str, test, message: str) -> bool:
        """Report ``name`` missing or failing ``test``; true when it is there and passes."""
        where = child_path(path, name)
        if name not in obj:
            self.add(where, "champ obligatoire manquant")
            return False
        if not test(obj[name]):
            self.add(where, message)
            return False
        return True

    def optional(self, obj: Mapping[str, Any], path: str, name: str, test, message: str) -> None:
        """Report ``name`` failing ``test`` when it is given (``null`` counts as absent)."""
        if obj.get(name) is not None and not test(obj[name]):
            self.add(child_path(path, name), message)

    def limit(self, obj: Mapping[str, Any], path: str, name: str, most: int) -> None:
        """Report a text longer than the column that stores it (``most`` characters)."""
        value = obj.get(name)
        if isinstance(value, str) and len(value) > most:
            self.add(child_path(path, name), f"{len(value)} caractères : {most} au plus")

    def localised(
        self, obj: Mapping[str, Any], path: str, name: str, required: bool, most: int | None = None
    ) -> None:
        """Check a ``{"fr": …, "en": …}`` text: French is what learners read, English optional;
        ``most`` bounds both when a column of that size stores them."""
        value = obj.get(name)
        if value is None:
            if required:
                self.add(child_path(path, name), "champ obligatoire manquant")
            return
        if not isinstance(value, Mapping) or not is_text(value.get("fr")):
            self.add(child_path(path, name), 'objet {"fr": "…", "en": "…"} avec un texte français')
        elif value.get("en") is not None and not isinstance(value["en"], str):
            self.add(child_path(path, name) + ".en", "texte attendu")
        elif most is not None:
            for language in ("fr", "en"):
                self.limit(value, child_path(path, name), language, most)


def check_framework(c: Checker, data: Mapping[str, Any]) -> set[str]:
    """Validate a framework document; returns its competence codes."""
    c.require(data, "", "slug", lambda v: isinstance(v, str) and SLUG.match(v), "slug invalide")
    c.require(data, "", "version", is_text, "texte attendu (ex. « 2019-919 »)")
    c.limit(data, "", "version", 32)
    c.localised(data, "", "title", required=True, most=200)
    kind_ok = c.require(
        data, "", "kind", among(k.value for k in FrameworkKind), '"levels" ou "referral"'
    )
    for name in ("source_url", "licence", "attribution"):
        c.optional(data, "", name, is_text, "texte attendu")
    for name in ("source_url", "licence"):
        c.limit(data, "", name, 500)
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
    _check_occupation(c, data.get("occupation"))
    _check_certification(c, data.get("certification"))
    if kind_ok and data["kind"] == FrameworkKind.REFERRAL:
        _check_referral(c, data.get("referral"))
    return _check_domains(c, data.get("domains"))


def _check_occupation(c: Checker, occupation: Any) -> None:
    if occupation is None:
        return
    if not isinstance(occupation, Mapping):
        c.add("occupation", "objet attendu")
        return
    c.require(
        occupation,
        "occupation",
        "esco_uri",
        lambda v: isinstance(v, str) and v.startswith("http://data.europa.eu/esco/"),
        "URI ESCO attendue (http://data.europa.eu/esco/occupation/…)",
    )
    c.optional(occupation, "occupation", "name", is_text, "texte attendu")
    c.limit(occupation, "occupation", "esco_uri", 300)
    c.limit(occupation, "occupation", "name", 200)


def _check_certification(c: Checker, cert: Any) -> None:
    if cert is None:
        return
    if not isinstance(cert, Mapping):
        c.add("certification", "objet attendu")
        return
    c.require(cert, "certification", "register", lambda v: v in ("RNCP", "RS"), "RNCP/RS")
    if cert.get("code") is not None or not is_text(cert.get("note")):
        # A number that could not be checked is left out, never guessed: the note says why.
        c.require(
            cert,
            "certification",
            "code",
            is_text,
            "code attendu (ex. RNCP37674), ou une « note » qui dit pourquoi il n'est pas connu",
        )
    c.optional(cert, "certification", "title", is_text, "texte attendu")
    c.optional(cert, "certification", "url", is_text, "adresse attendue")
    c.optional(cert, "certification", "valid_until", _iso_date, "date AAAA-MM-JJ attendue")
    for name, most in (("code", 32), ("title", 300), ("url", 500)):
        c.limit(cert, "certification", name, most)


def _check_domains(c: Checker, domains: Any) -> set[str]:
    """Domains and their competences; returns the competence codes (each once per framework)."""
    codes: set[str] = set()
    if not isinstance(domains, list) or not domains:
        c.add("domains", "liste non vide de domaines attendue")
        return codes
    domain_codes: set[str] = set()
    for d, domain in enumerate(domains):
        dpath = f"domains[{d}]"
        if not isinstance(domain, Mapping):
            c.add(dpath, "objet attendu")
            continue
        if c.require(domain, dpath, "code", is_text, "code attendu"):
            if domain["code"] in domain_codes:
                c.add(f"{dpath}.code", f"domaine en double : {domain['code']}")
            domain_codes.add(domain["code"])
        c.limit(domain, dpath, "code", 32)
        c.localised(domain, dpath, "title", required=True, most=300)
        competences = domain.get("competences")
        if not isinstance(competences, list) or not competences:
            c.add(f"{dpath}.competences", "liste non vide de compétences attendue")
            continue
        for k, competence in enumerate(competences):
            _check_competence(c, competence, f"{dpath}.competences[{k}]", codes)
    return codes


def _check_competence(c: Checker, competence: Any, cpath: str, codes: set[str]) -> None:
    """One competence; its code joins ``codes`` (a code already there is a duplicate)."""
    if not isinstance(competence, Mapping):
        c.add(cpath, "objet attendu")
        return
    if c.require(competence, cpath, "code", is_text, "code attendu"):
        if competence["code"] in codes:
            c.add(f"{cpath}.code", f"compétence en double : {competence['code']}")
        codes.add(competence["code"])
    c.limit(competence, cpath, "code", 32)
    c.localised(competence, cpath, "title", required=True, most=300)
    c.localised(competence, cpath, "description", required=False)
    _check_levels(c, competence.get("levels"), cpath)
    _check_alignments(c, competence.get("alignments"), cpath)


def _check_levels(c: Checker, levels: Any, cpath: str) -> None:
    if levels is None:
        return
    if not isinstance(levels, Mapping):
        c.add(f"{cpath}.levels", 'objet {"1": "…", …, "8": "…"} attendu')
        return
    for level, text in levels.items():
        if level not in {str(n) for n in range(1, 9)}:
            c.add(f"{cpath}.levels.{level}", "niveau de 1 à 8 attendu")
        elif not (is_text(text) or (isinstance(text, Mapping) and is_text(text.get("fr")))):
            c.add(f"{cpath}.levels.{level}", "descripteur (texte) attendu")
        elif isinstance(text, Mapping) and not isinstance(text.get("en", ""), str | None):
            c.add(f"{cpath}.levels.{level}.en", "texte attendu")


def _check_alignments(c: Checker, alignments: Any, cpath: str) -> None:
    if alignments is None:
        return
    if not isinstance(alignments, list):
        c.add(f"{cpath}.alignments", "liste attendue")
        return
    for n, alignment in enumerate(alignments):
        apath = f"{cpath}.alignments[{n}]"
        if not isinstance(alignment, Mapping):
            c.add(apath, "objet attendu")
            continue
        c.require(alignment, apath, "framework", is_text, "nom du référentiel attendu")
        for name in ("code", "name", "url"):
            c.optional(alignment, apath, name, is_text, "texte attendu")
        for name, most in (("framework", 200), ("code", 100), ("name", 300), ("url", 500)):
            c.limit(alignment, apath, name, most)
        if not any(alignment.get(name) for name in ("code", "url")):
            c.add(apath, "il faut au moins un code ou une adresse (url)")


def _check_referral(c: Checker, referral: Any) -> None:
    """Thresholds of a beginner diagnostic: both proportions, autonome above a_accompagner."""
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
    if "autonome_requires" in referral:
        _check_autonome_requires(c, referral["autonome_requires"])


PRACTICE_KINDS = ("task_webmail", "task_form", "task_phishing")


def _check_autonome_requires(c: Checker, rule: Any) -> None:
    """What « autonome » asks of each competence (``scoring.AutonomeRule``)."""
    path = "referral.autonome_requires"
    if not isinstance(rule, Mapping):
        c.add(
            path,
            'objet {"level": 3, "confidence": 0.95, "min_answers": 4, "practice": […]} attendu',
        )
        return
    unknown = sorted(set(rule) - {"level", "confidence", "min_answers", "practice"})
    if unknown:
        c.add(f"{path}.{unknown[0]}", "champ inconnu")
    level = rule.get("level", 3)
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 8:
        c.add(f"{path}.level", "niveau entier de 1 à 8 attendu")
    confidence = rule.get("confidence", 0.95)
    if not _number(confidence) or not 0.5 <= confidence < 1:
        c.add(f"{path}.confidence", "probabilité entre 0,5 et 1 (exclu) attendue")
    answers = rule.get("min_answers", 4)
    if not isinstance(answers, int) or isinstance(answers, bool) or not 1 <= answers <= 20:
        c.add(f"{path}.min_answers", "nombre entier de 1 à 20 attendu")
    practice = rule.get("practice", [])
    if (
        not isinstance(practice, list)
        or any(p not in PRACTICE_KINDS for p in practice)
        or len(set(practice)) != len(practice)
    ):
        c.add(f"{path}.practice", f"liste sans doublon parmi : {', '.join(PRACTICE_KINDS)}")


def _iso_date(value: Any) -> bool:
    try:
        date.fromisoformat(value)
    except (TypeError, ValueError):
        return False
    return True


def check_item(c: Checker, item: Any, path: str) -> None:
    """Validate one item at ``path``; its key is checked against its body by ``checking``."""
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
    c.require(item, path, "competence", is_text, "code de compétence attendu")
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
        among(t.value for t in ItemType),
        f"type parmi {', '.join(t.value for t in ItemType)}",
    )
    c.require(item, path, "instruction", is_text, "texte attendu")
    if is_text(item.get("instruction")) and len(item["instruction"]) > MAX_INSTRUCTION:
        c.add(
            child_path(path, "instruction"),
            f"{len(item['instruction'])} caractères : {MAX_INSTRUCTION} au plus",
        )
    c.optional(item, path, "instruction_sr", is_text, "texte attendu")
    c.optional(item, path, "exhibit", is_text, "texte attendu")
    c.limit(item, path, "exhibit", MAX_EXHIBIT)
    _check_text_lang(c, item, path)
    image = item.get("image")
    if image is not None:
        if not isinstance(image, Mapping):
            c.add(child_path(path, "image"), 'objet {"file": …, "alt": …} attendu')
        else:
            c.require(
                image,
                child_path(path, "image"),
                "file",
                lambda v: is_text(v) and bool(IMAGE_FILE.match(v)),
                "nom de fichier .svg ou .png attendu (lettres, chiffres, « - », « _ », « . »)",
            )
            c.limit(image, child_path(path, "image"), "file", 200)
            c.require(
                image, child_path(path, "image"), "alt", is_text, "texte alternatif obligatoire"
            )
    access = item.get("accessibility")
    values = among(a.value for a in Accessibility)
    if not isinstance(access, Mapping):
        c.add(
            child_path(path, "accessibility"),
            'objet {"blind": "ok|ko|na", "colour_blind": …, "deaf": …} attendu'
            if access is not None
            else "champ obligatoire manquant",
        )
    else:
        for name in ("blind", "colour_blind", "deaf"):
            c.require(
                access,
                child_path(path, "accessibility"),
                name,
                values,
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
        among(s.value for s in ItemStatus),
        '"draft", "validated" ou "archived"',
    )
    if (
        c.require(
            item,
            path,
            "version",
            lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
            "entier ≥ 1 attendu",
        )
        and item["version"] > MAX_INTEGER
    ):
        c.add(child_path(path, "version"), f"{MAX_INTEGER} au plus")
    c.optional(item, path, "a", lambda v: _number(v) and 0 < v <= 5, "nombre entre 0 et 5 attendu")
    c.optional(
        item, path, "b", lambda v: _number(v) and -10 <= v <= 10, "nombre entre -10 et 10 attendu"
    )
    c.optional(
        item,
        path,
        "calibrated_at",
        _iso_datetime,
        "date et heure ISO avec fuseau attendues (ex. 2027-01-15T10:00:00+00:00)",
    )
    c.require(item, path, "explanation", is_text, "texte attendu")
    for name in ("body", "key"):
        if name not in item:
            c.add(child_path(path, name), "champ obligatoire manquant")
    if type_ok and "body" in item and "key" in item:
        data = ItemData(
            type=item["type"], body=item["body"], key=item["key"], tolerance=item.get("tolerance")
        )
        for where, message in key_problems(data):
            c.add(child_path(path, where), message)  # fmt: skip


def _check_text_lang(c: Checker, item: Mapping[str, Any], path: str) -> None:
    """``text_lang``: the language of the item's material (its document, choices, lists, field
    texts), French by default; the instruction stays French. An entry of a body list may say
    otherwise with its own ``lang`` (a French meaning to match an English word with)."""
    text_lang = item.get("text_lang")
    if text_lang is not None:
        if not (isinstance(text_lang, str) and LANGUAGE.match(text_lang)):
            c.add(child_path(path, "text_lang"), 'code de langue attendu (ex. "en")')
        elif text_lang.split("-")[0] == "fr":
            c.add(child_path(path, "text_lang"), "le français est la langue par défaut : à omettre")
        elif item.get("type") in NO_TEXT_LANG:
            c.add(child_path(path, "text_lang"), "pas pour les mises en situation (task_…)")
    body = item.get("body")
    if not isinstance(body, Mapping):
        return
    for name in TEXT_ENTRIES:
        entries = body.get(name)
        for n, entry in enumerate(entries if isinstance(entries, list) else ()):
            lang = entry.get("lang") if isinstance(entry, Mapping) else None
            if lang is not None and not (isinstance(lang, str) and LANGUAGE.match(lang)):
                where = child_path(child_path(child_path(path, "body"), name), n)
                c.add(child_path(where, "lang"), 'code de langue attendu (ex. "fr", "en")')


def _iso_datetime(value: Any) -> bool:
    """An ISO date and time with its offset: a calibration time is stored in UTC."""
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except (TypeError, ValueError):
        return False
