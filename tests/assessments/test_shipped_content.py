"""Every framework and item file Jalon ships imports cleanly and is sound: each key passes its
own checker and a wrong answer fails, ids are unique, instructions are short, images have alt
text, and each framework has enough items to assess what it claims.

Failures list every problem found (file, item, what), not just the first.
"""

from __future__ import annotations

import json
import re
import shutil
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from assessments import content_io, frameworks
from assessments.checking import (
    ItemData,
    check,
    example_right_response,
    example_wrong_response,
)
from assessments.content_io import CONTENT_DIR, MAX_INSTRUCTION
from assessments.models import AnswerStatus, Framework, Item, ItemStatus
from learners.database import make_engine, make_session_factory

CRCN_COMPETENCES = 16
CRCN_MIN_PER_COMPETENCE = 8  # across levels 1–4
BEGINNER_MIN = 40
TRADE_MIN = 40
TRADES = (
    "dev-web",
    "fibre-optique",
    "data-analyste",
    "systemes-reseaux",
    "mediation-numerique",
    "assistant-digital",
    "datacenter-cloud",
)
# Trades written to issue 12's depth: at least 4 validated items in every competence × level 1–5.
DEEP_TRADES = (
    "data-analyste",
    "systemes-reseaux",
    "mediation-numerique",
    "assistant-digital",
    "datacenter-cloud",
    "fibre-optique",
    "dev-web",
)
DEEP_MIN_PER_CELL = 4
# Professional English (issue 13): levels 1–3 are CEFR A1, A2, B1; material in English.
ENGLISH = (
    "anglais-numerique",
    "anglais-dev-data",
    "anglais-telecoms",
    "anglais-mediation",
)
ENGLISH_LEVELS = (1, 2, 3)


def shipped_items() -> list[tuple[str, dict]]:
    found = []
    for path in sorted((CONTENT_DIR / "items").rglob("*.json")):
        data = json.loads(path.read_text(encoding="utf-8"))
        found.extend((str(path.relative_to(CONTENT_DIR)), item) for item in data["items"])
    return found


def shipped_frameworks() -> dict[str, dict]:
    return {
        path.stem: json.loads(path.read_text(encoding="utf-8"))
        for path in sorted((CONTENT_DIR / "frameworks").glob("*.json"))
    }


@pytest.fixture(scope="module")
def loaded(tmp_path_factory, sqlite_template):
    """All shipped content imported once into a fresh database."""
    path = tmp_path_factory.mktemp("content") / "content.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    db = make_session_factory(engine)()
    try:
        report = content_io.import_paths(db, [CONTENT_DIR / "frameworks", CONTENT_DIR / "items"])
        db.commit()
        yield db, report
    finally:
        db.close()
        engine.dispose()


def test_every_shipped_file_imports_without_error(tmp_path, sqlite_template):
    path = tmp_path / "c.sqlite3"
    shutil.copyfile(sqlite_template, path)
    engine = make_engine(f"sqlite:///{path}")
    db = make_session_factory(engine)()
    try:
        try:
            content_io.import_paths(db, [CONTENT_DIR / "frameworks", CONTENT_DIR / "items"])
        except content_io.ContentInvalid as invalid:
            pytest.fail("Shipped content does not import:\n" + "\n".join(map(str, invalid.errors)))
    finally:
        db.close()
        engine.dispose()


def test_the_expected_frameworks_are_shipped():
    assert {"crcn", "premiers-pas", *TRADES, *ENGLISH} <= set(shipped_frameworks()), (
        f"frameworks found: {sorted(shipped_frameworks())}"
    )


def test_every_key_passes_its_checker_and_a_wrong_answer_fails():
    problems = []
    for file, data in shipped_items():
        item = ItemData(data["type"], data["body"], data["key"], data.get("tolerance"))
        try:
            if check(item, example_right_response(item)) is not AnswerStatus.OK:
                problems.append(f"{file} {data['id']}: its own key is refused")
            if check(item, example_wrong_response(item)) is not AnswerStatus.KO:
                problems.append(f"{file} {data['id']}: a wrong answer is accepted")
        except Exception as exc:
            problems.append(f"{file} {data['id']}: {type(exc).__name__}: {exc}")
    assert not problems, f"{len(problems)} items:\n" + "\n".join(problems)


def test_ids_are_unique_instructions_short_and_images_described():
    problems = []
    ids = Counter(item["id"] for _, item in shipped_items())
    problems += [f"id used {n} times: {uid}" for uid, n in ids.items() if n > 1]
    for file, item in shipped_items():
        slug = Path(file).parts[1]
        if len(item["instruction"]) > MAX_INSTRUCTION:
            problems.append(f"{file} {item['id']}: instruction of {len(item['instruction'])} chars")
        image = item.get("image")
        if image is not None:
            if not str(image.get("alt", "")).strip():
                problems.append(f"{file} {item['id']}: image without alt text")
            if not (CONTENT_DIR / "images" / slug / image.get("file", "")).is_file():
                problems.append(f"{file} {item['id']}: image file {image.get('file')} missing")
        if not item["id"].startswith(f"{slug}-"):
            problems.append(f"{file} {item['id']}: id does not start with '{slug}-'")
        if item["status"] != "validated":
            problems.append(f"{file} {item['id']}: status {item['status']} (ship validated)")
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems)


def _counts(db, slug: str) -> dict[str, Counter]:
    framework = db.scalars(select(Framework).where(Framework.slug == slug)).first()
    assert framework is not None, f"framework {slug} is not shipped"
    counts: dict[str, Counter] = defaultdict(Counter)
    for competence in framework.competences:
        counts[competence.code]  # every competence, even without items
    items = db.scalars(select(Item).where(Item.status == ItemStatus.VALIDATED))
    for item in items:
        if item.competence.framework_id == framework.id:
            counts[item.competence.code][item.level] += 1
    return counts


def test_crcn_has_enough_items_in_each_of_its_16_competences(loaded):
    db, _ = loaded
    counts = _counts(db, "crcn")
    assert len(counts) == CRCN_COMPETENCES, f"competences: {sorted(counts)}"
    problems = []
    for code, levels in sorted(counts.items()):
        low = sum(n for level, n in levels.items() if level <= 4)
        missing = [level for level in (1, 2, 3, 4) if not levels[level]]
        if low < CRCN_MIN_PER_COMPETENCE or missing:
            problems.append(f"{code}: {low} items at levels 1–4, none at levels {missing}")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("slug", "minimum"), [("premiers-pas", BEGINNER_MIN)] + [(t, TRADE_MIN) for t in TRADES]
)
def test_beginner_diagnostic_and_trades_have_enough_items(loaded, slug, minimum):
    db, _ = loaded
    counts = _counts(db, slug)
    total = sum(sum(levels.values()) for levels in counts.values())
    empty = [code for code, levels in counts.items() if not levels]
    summary = ", ".join(
        f"{code}: {sum(levels.values())}" for code, levels in sorted(counts.items())
    )
    assert total >= minimum and not empty, f"{slug}: {total} items ({summary}); empty: {empty}"


@pytest.mark.parametrize("slug", DEEP_TRADES)
def test_deep_trades_have_enough_items_in_every_competence_and_level(loaded, slug):
    db, _ = loaded
    counts = _counts(db, slug)
    thin = [
        f"{code} level {level}: {levels[level]}"
        for code, levels in sorted(counts.items())
        for level in range(1, 6)
        if levels[level] < DEEP_MIN_PER_CELL
    ]
    assert not thin, f"{slug}: fewer than {DEEP_MIN_PER_CELL} items in " + ", ".join(thin)


@pytest.mark.parametrize("slug", ENGLISH)
def test_english_frameworks_have_enough_items_at_each_cefr_level(loaded, slug):
    db, _ = loaded
    counts = _counts(db, slug)
    thin = [
        f"{code} level {level}: {levels[level]}"
        for code, levels in sorted(counts.items())
        for level in ENGLISH_LEVELS
        if levels[level] < DEEP_MIN_PER_CELL
    ]
    above = [code for code, levels in counts.items() if set(levels) - set(ENGLISH_LEVELS)]
    assert not thin, f"{slug}: fewer than {DEEP_MIN_PER_CELL} items in " + ", ".join(thin)
    assert not above, f"{slug}: items above B1 (level 3) in {above}"
    framework = db.scalars(select(Framework).where(Framework.slug == slug)).one()
    assert len(framework.cut_points) == len(ENGLISH_LEVELS), "levels stop at B1"


@pytest.mark.parametrize("slug", ENGLISH)
def test_english_items_mark_their_material_english(slug):
    items = [item for file, item in shipped_items() if file.startswith(f"items/{slug}/")]
    assert items, f"{slug}: no items"
    unmarked = [item["id"] for item in items if item.get("text_lang") != "en"]
    assert not unmarked, f"material not marked English: {unmarked}"

    # Each item shows some English to read or choose, or asks for an English word to type.
    def english(item: dict) -> list[str]:
        body = item["body"]
        entries = [
            e
            for name in ("choices", "left", "right", "items", "fields")
            for e in body.get(name, [])
        ]
        texts = [e["text"] for e in entries if e.get("lang", "en") == "en" and "text" in e]
        return (
            texts
            + ([item["exhibit"]] if item.get("exhibit") else [])
            + (item["key"] if item["type"] == "qroc" else [])
        )

    silent = [item["id"] for item in items if not english(item)]
    assert not silent, f"no English material: {silent}"


@pytest.mark.parametrize("slug", ENGLISH)
def test_an_adaptive_english_session_stops_at_b1(loaded, slug):
    """Answered right throughout, an adaptive session on each professional-English framework
    rates every competence, and none above degree 3 (B1): the framework claims nothing beyond B1."""
    from assessments import campaigns, sessions
    from assessments.models import AssessmentMode
    from tests.learners.factories import make_learner, make_organisation

    db, _ = loaded
    framework = db.scalars(select(Framework).where(Framework.slug == slug)).one()
    assessment = campaigns.create_assessment(
        db, framework, "Essai", mode=AssessmentMode.ADAPTIVE, min_items=12, max_items=24
    )
    campaign = campaigns.create_campaign(db, assessment, make_organisation(db).id, "Essai")
    session = sessions.start(db, campaign.code, make_learner(db, name=slug))
    item = session.current_item
    try:
        while item is not None:
            data = ItemData(item.type, item.body, item.key, item.tolerance)
            item = sessions.answer(db, session, item.id, example_right_response(data)).next_item
        levels = {r.competence.code: r.level for r in session.results}
        assert set(levels) == {c.code for c in framework.competences}
        assert len(levels) == 4
        assert all(1 <= level <= 3 for level in levels.values()), levels
    finally:
        db.rollback()


def test_premiers_pas_is_a_referral_diagnostic_with_simulated_tasks(loaded):
    db, _ = loaded
    framework = db.scalars(select(Framework).where(Framework.slug == "premiers-pas")).one()
    assert framework.kind.value == "referral"
    assert set(framework.referral["thresholds"]) == {"autonome", "a_accompagner"}
    types = {item["type"] for file, item in shipped_items() if "/premiers-pas/" in f"/{file}"}
    assert {"task_webmail", "task_form", "task_phishing"} <= types


def test_trades_carry_their_occupation_and_certification(loaded):
    """RNCP numbers change on re-registration: a trade gives its certification's number and
    validity date, or says in a note why they are not known yet (never an invented number or
    date)."""
    db, _ = loaded
    files = shipped_frameworks()
    for slug in TRADES:
        framework = db.scalars(select(Framework).where(Framework.slug == slug)).first()
        assert framework is not None, f"{slug} is not shipped"
        assert framework.occupation_esco_uri, f"{slug}: no ESCO occupation"
        note = (files[slug].get("certification") or {}).get("note")
        assert framework.certification_title, f"{slug}: no certification"
        assert framework.certification_code or note, (
            f"{slug}: certification number (or a note saying why it is unknown) expected"
        )
        assert framework.certification_valid_until or note, (
            f"{slug}: certification validity date (or a note saying why it is unknown) expected"
        )
        exported = content_io.export_framework(db, slug)
        assert exported["certification"].get("note") == note


CONSULTED = re.compile(r"consulté(?:e|es|s)? le (\d{4}-\d{2}-\d{2})", re.IGNORECASE)


def test_every_certification_note_is_dated_and_says_when_a_registration_has_ended(loaded):
    """Issue 13: each certification is cited with its date of consultation; one whose
    registration had ended by the last consultation says so (« échu ») and is not a badge
    alignment."""
    db, _ = loaded
    for slug, data in shipped_frameworks().items():
        certification = data.get("certification")
        if certification is None:
            continue
        note = certification.get("note") or ""
        consulted = [date.fromisoformat(found) for found in CONSULTED.findall(note)]
        assert consulted, f"{slug}: the certification note gives no « consulté le AAAA-MM-JJ »"
        until = certification.get("valid_until")
        if until and date.fromisoformat(until) < max(consulted):
            assert "échu" in note.lower(), f"{slug}: {until} is past but the note does not say so"
            framework = db.scalars(select(Framework).where(Framework.slug == slug)).one()
            codes = {
                t.target_code for t in frameworks.framework_alignments(framework, max(consulted))
            }
            assert certification["code"] not in codes, slug


def test_loading_shipped_content_twice_changes_nothing(loaded):
    db, first = loaded
    again = content_io.import_paths(db, [CONTENT_DIR / "frameworks", CONTENT_DIR / "items"])
    db.rollback()
    assert again.items_created == again.items_updated == 0
    assert again.items_unchanged == first.items_total


@pytest.mark.parametrize(
    ("slug", "respond", "expected"),
    [
        ("crcn", "right", None),
        ("premiers-pas", "right", "autonome"),
        ("premiers-pas", "skip", "atelier_initiation"),
    ],
)
def test_an_adaptive_session_runs_on_shipped_content(loaded, slug, respond, expected):
    from assessments import campaigns, sessions
    from assessments.models import AssessmentMode
    from tests.learners.factories import make_learner, make_organisation

    db, _ = loaded
    framework = db.scalars(select(Framework).where(Framework.slug == slug)).first()
    assessment = campaigns.create_assessment(
        db, framework, "Essai", mode=AssessmentMode.ADAPTIVE, min_items=8, max_items=32
    )
    campaign = campaigns.create_campaign(db, assessment, make_organisation(db).id, "Essai")
    session = sessions.start(db, campaign.code, make_learner(db, name=f"{slug}-{respond}"))
    item, asked = session.current_item, 0
    while item is not None:
        asked += 1
        if respond == "skip":
            item = sessions.skip(db, session, item.id).next_item
        else:
            data = ItemData(item.type, item.body, item.key, item.tolerance)
            item = sessions.answer(db, session, item.id, example_right_response(data)).next_item
    try:
        assert 8 <= asked <= 32
        assert session.finished and session.results
        if expected is None:
            assert len(session.results) == CRCN_COMPETENCES
            assert all(r.level >= 1 for r in session.results)
        else:
            assert session.referral.value == expected
    finally:
        db.rollback()


def _depth_row(slug: str, counts: dict[str, Counter]) -> str:
    """The README's row for a framework: competences, items, the hardest level in the bank, and
    over every competence × level up to it, the thinnest cell and the cells with no item."""
    total = sum(sum(levels.values()) for levels in counts.values())
    top = max(level for levels in counts.values() for level in levels)
    cells = [levels[level] for levels in counts.values() for level in range(1, top + 1)]
    empty = sum(1 for n in cells if n == 0)
    return f"| `{slug}` | {len(counts)} | {total} | 1–{top} | {min(cells)} | {empty} |"


def test_the_readme_states_the_levels_each_framework_can_report(loaded):
    """Results never claim a level above the hardest item of a competence (``scoring`` caps
    them): the README says, per framework, which levels its bank can measure, from the bank."""
    db, _ = loaded
    readme = (CONTENT_DIR.parents[1] / "README.md").read_text(encoding="utf-8")
    rows = [_depth_row(slug, _counts(db, slug)) for slug in sorted(shipped_frameworks())]
    missing = [row for row in rows if row not in readme]
    assert not missing, "README rows to write or update:\n" + "\n".join(missing)
