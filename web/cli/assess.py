"""``jalon assess``: simulate the adaptive engine and the badges, generate test banks, calibrate
items.

Figures go to stdout (one JSON object with ``--json``); progress bars go to stderr so they never
pollute what a script reads. A bad input file is reported in French with exit code 2.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, NoReturn

import click
import numpy as np
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from assessments.calibration import CalibrationReport, calibrate
from assessments.engine import (
    DEFAULT_MAX_EXPOSURE,
    BankError,
    ItemBank,
    SelectionRules,
    StoppingRule,
    generate_bank,
    is_correct,
)
from assessments.simulation import simulate

INPUT_ERROR = 2
MAX_INPUT_BYTES = 200 * 1024 * 1024


class InputFileError(Exception):
    """A file given on the command line cannot be used; the message is in French."""


@click.group("assess")
def assess() -> None:
    """Adaptive testing engine: simulation, test banks, calibration."""


@contextmanager
def _progress(label: str, total: int) -> Iterator[Progress]:
    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=True) as progress:
        progress.add_task(label, total=total)
        yield progress


def _fail(message: str) -> NoReturn:
    click.echo(f"Erreur : {message}", err=True)
    raise SystemExit(INPUT_ERROR)


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_INPUT_BYTES:
            raise InputFileError(f"le fichier {path} est trop gros (200 Mo au plus).")
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(f"le fichier {path} n'existe pas.") from None
    except IsADirectoryError:
        raise InputFileError(f"{path} est un dossier, pas un fichier.") from None
    except UnicodeDecodeError:
        raise InputFileError(f"le fichier {path} n'est pas du texte UTF-8.") from None
    except OSError as error:
        raise InputFileError(f"impossible de lire {path} ({error.strerror}).") from None


def _read_json(path: Path) -> Any:
    """A JSON file's data, or a French error naming the line and column where it breaks."""
    try:
        return json.loads(_read_text(path))
    except json.JSONDecodeError as error:
        raise InputFileError(
            f"le fichier {path} n'est pas du JSON valide (ligne {error.lineno}, "
            f"colonne {error.colno})."
        ) from None


def load_bank(path: Path) -> ItemBank:
    """Read a bank file: a JSON list of ``{"id", "a", "b", "competence"}``."""
    records = _read_json(path)
    try:
        return ItemBank.from_records(records)
    except BankError as error:
        raise InputFileError(f"banque {path} : {error}") from None


@assess.command("simulate")
@click.option("--bank", "bank_path", required=True, type=click.Path(path_type=Path))
@click.option("--learners", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--length", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--se", "se_threshold", type=click.FloatRange(min=0, min_open=True), default=None)
@click.option("--min-items", type=click.IntRange(min=0), default=0, show_default=True)
@click.option(
    "--max-exposure",
    type=click.FloatRange(min=0, max=1, min_open=True),
    default=DEFAULT_MAX_EXPOSURE,
    show_default=True,
    help="Target share of learners who see any one item (1: no restriction).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def simulate_command(
    bank_path: Path,
    learners: int,
    length: int,
    se_threshold: float | None,
    min_items: int,
    max_exposure: float,
    seed: int,
    as_json: bool,
) -> None:
    """Simulate learners with abilities drawn from N(0, 1) and print the engine's figures.

    The test stops after LENGTH items, or earlier once the standard error reaches --se. Items
    are chosen as in campaigns (progressive-restricted exposure control, --max-exposure).
    """
    try:
        bank = load_bank(bank_path)
    except InputFileError as error:
        _fail(str(error))
    if min_items > length:
        _fail("--min-items ne peut pas dépasser --length.")
    stopping = StoppingRule(max_items=length, min_items=min_items, se_threshold=se_threshold)
    with _progress("Simulation", learners) as progress:
        task = progress.tasks[0].id
        run = simulate(
            bank,
            learners,
            stopping,
            seed=seed,
            rules=SelectionRules(max_exposure=max_exposure),
            progress=lambda done: progress.update(task, completed=done),
        )
    report = run.report
    if as_json:
        figures = report.as_dict()
        figures.pop("learners")
        click.echo(json.dumps(figures))
        return
    click.echo(
        f"Simulation : {learners} apprenants, banque de {len(bank)} items, "
        f"{length} items au plus"
        + (f", arrêt si erreur ≤ {se_threshold}" if se_threshold else "")
        + f", exposition visée ≤ {max_exposure:.0%}"
    )
    click.echo(f"  RMSE (écart quadratique moyen) : {report.rmse:.3f}")
    click.echo(f"  Biais moyen                    : {report.bias:+.3f}")
    click.echo(f"  Longueur moyenne               : {report.mean_length:.1f} items")
    click.echo(f"  Exposition maximale d'un item  : {report.max_exposure:.1%}")
    click.echo(
        f"  Temps par étape (choix + estimation) : médiane {report.step_ms_median:.3f} ms, "
        f"p99 {report.step_ms_p99:.3f} ms"
    )


def _population(value: str) -> Any:
    """``default``, ``uneven`` or a population file (JSON list of profiles)."""
    from badges import badge_simulation as sim

    if value in sim.BUILT_IN:
        return sim.Population(value)
    path = Path(value)
    data = _read_json(path)
    try:
        return sim.parse_population(data, name=path.name)
    except sim.SimulationInputError as error:
        raise InputFileError(f"population {path} : {error}") from None


@assess.command("simulate-badges")
@click.option("--framework", "slug", required=True, help="A shipped framework (slug).")
@click.option("--competences", default=None, help="Only these competences: 4.1,4.2 (targeted).")
@click.option("--length", type=click.IntRange(min=1, max=200), default=24, show_default=True)
@click.option(
    "--population",
    default="default",
    show_default=True,
    help="default, uneven, or a JSON file of profiles [{weight, theta: {code|*: θ}}].",
)
@click.option(
    "--min-per-competence",
    type=click.IntRange(min=0, max=50),
    default=0,
    show_default=True,
    help="Per-competence stopping rule: answers per competence before the test may stop early.",
)
@click.option("--learners", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="One JSON object on stdout.")
def simulate_badges_command(
    slug: str,
    competences: str | None,
    length: int,
    population: str,
    min_per_competence: int,
    learners: int,
    seed: int,
    as_json: bool,
) -> None:
    """Simulated learners through the campaign logic and the shipped badges' award rules:
    per badge the share awarded, precision and recall; per competence the level accuracy."""
    from badges import badge_simulation as sim

    codes = [c.strip() for c in competences.split(",") if c.strip()] if competences else None
    try:
        people = _population(population)
        campaign = sim.campaign_for(sim.load_framework(slug), codes, length, min_per_competence)
    except (InputFileError, sim.SimulationInputError) as error:
        _fail(str(error))
    with _progress("Simulation des badges", learners) as progress:
        task = progress.tasks[0].id
        run = sim.simulate_badges(
            campaign,
            people,
            learners,
            seed,
            progress=lambda done: progress.update(task, completed=done),
        )
    if as_json:
        click.echo(json.dumps(run.as_dict(), ensure_ascii=False))
        return
    _print_badges(run)


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def _print_badges(run: Any) -> None:
    click.echo(
        f"{run.framework} ({', '.join(run.competences)}), {run.length} items au plus "
        f"(moyenne {run.mean_length:.1f}), population {run.population}, "
        f"{run.learners} apprenants, graine {run.seed}"
    )
    for badge in run.achievements:
        click.echo(
            f"  {badge.name}\n    attribué {_share(badge.awarded_share)} "
            f"(mérité {_share(badge.true_share)}), précision {_share(badge.precision)}, "
            f"rappel {_share(badge.recall)}"
        )
    click.echo("  Niveau par compétence (exact / à un niveau près) :")
    for code, figures in run.level_accuracy.items():
        click.echo(f"    {code:<6} {_share(figures['exact'])} / {_share(figures['within_one'])}")


@assess.command("make-bank")
@click.option("--items", "n_items", type=click.IntRange(min=1), default=5000, show_default=True)
@click.option("--competences", type=click.IntRange(min=1), default=16, show_default=True)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path))
def make_bank_command(n_items: int, competences: int, seed: int, out_path: Path) -> None:
    """Write a synthetic item bank (JSON list of {id, a, b, competence}) for simulations."""
    bank = generate_bank(n_items, competences, np.random.default_rng(seed))
    try:
        out_path.write_text(json.dumps(bank.to_records(), indent=1) + "\n", encoding="utf-8")
    except OSError as error:
        _fail(f"impossible d'écrire {out_path} ({error.strerror}).")
    click.echo(f"Banque écrite : {out_path} ({n_items} items, {competences} compétences).")


# ---------------------------------------------------------------------------------------------
# Calibration


def load_responses(path: Path) -> list[tuple[str, str, bool]]:
    """Read answers exported as JSON (list of objects) or CSV (``;`` or ``,``).

    Each answer has ``person``, ``item`` and either ``correct`` (true/false, 1/0) or ``status``
    (``ok``, ``ko``, ``skipped``, ``timed_out``).
    """
    if path.suffix.lower() == ".json":
        rows = _read_json(path)
        if not isinstance(rows, list):
            raise InputFileError(f"{path} : une liste JSON de réponses est attendue.")
    else:
        text = _read_text(path)
        dialect = (
            ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
        )
        rows = list(csv.DictReader(io.StringIO(text), delimiter=dialect))
    answers = []
    for position, row in enumerate(rows, start=1):
        if not isinstance(row, dict) or not row.get("person") or not row.get("item"):
            raise InputFileError(f"{path}, réponse n° {position} : « person » et « item » requis.")
        answers.append((str(row["person"]), str(row["item"]), _correctness(row, path, position)))
    return answers


def _correctness(row: dict[str, Any], path: Path, position: int) -> bool:
    where = f"{path}, réponse n° {position}"
    if "correct" in row and row["correct"] not in (None, ""):
        value = row["correct"]
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"1", "true", "vrai", "oui"}:
            return True
        if text in {"0", "false", "faux", "non"}:
            return False
        raise InputFileError(f"{where} : « correct » doit valoir 1 ou 0.")
    try:
        return is_correct(str(row.get("status", "")).strip().lower())
    except ValueError:
        raise InputFileError(
            f"{where} : « status » doit être ok, ko, skipped ou timed_out."
        ) from None


def load_anchors(path: Path) -> dict[str, tuple[float, float]]:
    """Read anchor items: a JSON list of ``{"id", "a", "b"}`` (a bank file also works)."""
    records = _read_json(path)
    if not isinstance(records, list) or not records:
        raise InputFileError(f"{path} : une liste JSON d'items {{id, a, b}} est attendue.")
    anchors: dict[str, tuple[float, float]] = {}
    for position, record in enumerate(records, start=1):
        where = f"{path}, item d'ancrage n° {position}"
        if not isinstance(record, dict) or not record.get("id"):
            raise InputFileError(f"{where} : « id » requis.")
        a_value, b_value = record.get("a"), record.get("b")
        numbers = all(
            isinstance(v, int | float) and not isinstance(v, bool) and np.isfinite(v)
            for v in (a_value, b_value)
        )
        if not numbers or not a_value > 0:  # type: ignore[operator]
            raise InputFileError(f"{where} : « a » (positif) et « b » doivent être des nombres.")
        anchors[str(record["id"])] = (float(a_value), float(b_value))  # type: ignore[arg-type]
    return anchors


def _responses_from_database(
    framework: str | None,
) -> tuple[list[tuple[str, str, bool]], dict[str, tuple[float, float]]]:
    """Answers to the items' current versions (one person per session), and the current a/b."""
    from assessments.item_parameters import current_parameters
    from assessments.sessions import response_matrix
    from web.database import db

    return response_matrix(db.session, framework), current_parameters(db.session)


def _apply(report: CalibrationReport) -> int:
    """Save the new parameters of well-fitting items; returns how many were updated."""
    from assessments.item_parameters import apply_calibration
    from web.database import db

    updated = apply_calibration(db.session, report)
    db.session.commit()
    return updated


@assess.command("calibrate")
@click.option(
    "--from",
    "source",
    type=click.Path(path_type=Path),
    default=None,
    help="Answers exported as JSON or CSV (person, item, correct|status); default: the database.",
)
@click.option("--framework", default=None, help="Only this framework's items (slug).")
@click.option("--min-answers", type=click.IntRange(min=10), default=200, show_default=True)
@click.option("--max-iterations", type=click.IntRange(min=1), default=500, show_default=True)
@click.option(
    "--anchor",
    "anchor_ids",
    multiple=True,
    help="Anchor item (repeatable): held at its current a and b, it sets the scale.",
)
@click.option(
    "--anchors",
    "anchors_path",
    type=click.Path(path_type=Path),
    default=None,
    help="Anchor items with their parameters: JSON list of {id, a, b}.",
)
@click.option("--apply", "apply_changes", is_flag=True, help="Save a and b of well-fitting items.")
@click.option("--json", "as_json", is_flag=True, help="The report as JSON on stdout.")
@click.pass_context
def calibrate_command(
    ctx: click.Context,
    source: Path | None,
    framework: str | None,
    min_answers: int,
    max_iterations: int,
    anchor_ids: tuple[str, ...],
    anchors_path: Path | None,
    apply_changes: bool,
    as_json: bool,
) -> None:
    """Re-estimate the items' a and b from the answers (2PL, marginal maximum likelihood).

    Reads the database by default (answers to each item's current version, one person per
    session); --apply saves a and b of the items that fit the model, the others are listed.
    Anchor items (--anchor, --anchors) keep their parameters and fix the scale: without them
    the group answering is taken as the reference (mean 0, SD 1), so a beginner group would
    shift every difficulty.
    """
    known: dict[str, tuple[float, float]] = {}
    try:
        given = load_anchors(anchors_path) if anchors_path is not None else {}
    except InputFileError as error:
        _fail(str(error))
    if source is not None:
        if apply_changes:
            _fail("--apply écrit dans la base : il ne se combine pas avec --from.")
        try:
            answers: list[tuple[Any, str, bool]] = list(load_responses(source))
        except InputFileError as error:
            _fail(str(error))
    else:
        from flask.cli import ScriptInfo

        app = ctx.ensure_object(ScriptInfo).load_app()
        ctx.with_resource(app.app_context())
        answers, known = _responses_from_database(framework)
    known.update(given)
    unknown = [item for item in anchor_ids if item not in known]
    if unknown:
        _fail(f"item d'ancrage inconnu : {unknown[0]} (donnez ses paramètres avec --anchors).")
    with _progress("Calibration (itérations EM)", max_iterations) as progress:
        task = progress.tasks[0].id
        report = calibrate(
            answers,
            min_answers=min_answers,
            anchors=known,
            max_iterations=max_iterations,
            progress=lambda done, _total: progress.update(task, completed=done),
            fixed={*anchor_ids, *given},
        )
    updated = _apply(report) if apply_changes else 0
    if as_json:
        click.echo(json.dumps(_report_dict(report, updated)))
        return
    _print_report(report, len(answers), apply_changes, updated)


def _report_dict(report: CalibrationReport, updated: int) -> dict[str, Any]:
    return {
        "persons": report.persons,
        "iterations": report.iterations,
        "converged": report.converged,
        "log_likelihood": report.log_likelihood,
        "scale": report.scale,
        "population_mean": report.population_mean,
        "population_sd": report.population_sd,
        "items": [item.__dict__ for item in report.items],
        "skipped": report.skipped,
        "updated": updated,
    }


def _print_report(report: CalibrationReport, answers: int, applied: bool, updated: int) -> None:
    click.echo(
        f"{answers} réponses, {report.persons} personnes, {len(report.calibrated)} items calibrés "
        f"en {report.iterations} itérations"
        + ("" if report.converged or not report.items else " (sans convergence)")
        + "."
    )
    if report.items:
        click.echo(f"{'item':<28} {'rép.':>6} {'a':>6} {'±':>5} {'b':>7} {'±':>5} {'p ajust.':>8}")
    for item in report.items:
        flag = ("  ancre" if item.anchor else "") + ("  à revoir" if item.misfit else "")
        click.echo(
            f"{item.item_id:<28} {item.answers:>6} {item.a:>6.2f} {item.se_a:>5.2f} "
            f"{item.b:>7.2f} {item.se_b:>5.2f} {item.fit_p:>8.3f}{flag}"
        )
    if report.scale == "anchors":
        click.echo(
            f"Échelle fixée par les items d'ancrage ; niveau moyen estimé du groupe : "
            f"{report.population_mean:+.2f} (écart-type {report.population_sd:.2f})."
        )
    elif report.items:
        click.echo(
            "Échelle fixée par ce groupe (pris de moyenne 0, écart-type 1) : s'il n'est pas "
            "représentatif (débutants…), donnez des items d'ancrage (--anchor, --anchors)."
        )
    if report.skipped:
        click.echo(
            f"{len(report.skipped)} items ont trop peu de réponses et gardent leurs paramètres."
        )
    misfits = len(report.misfitting)
    if misfits:
        click.echo(f"{misfits} items s'ajustent mal au modèle : relisez-les avant de les garder.")
    if applied:
        click.echo(f"{updated} items mis à jour dans la base.")
    elif report.items:
        click.echo("Aucun changement enregistré (ajoutez --apply pour enregistrer).")


# ---------------------------------------------------------------------------------------------
# Content: frameworks and item banks (assessments/content_io.py)


def _import_content(paths: list[Path], label: str) -> None:
    """Validate and import; all or nothing, errors listed with file, line and field."""
    from assessments import content_io
    from web.database import db

    files = content_io.content_files(paths)
    missing = [p for p in files if not p.exists()]
    if missing:
        _fail(f"le fichier {missing[0]} n'existe pas.")
    total = 0
    for path in files:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            items = data.get("items") if isinstance(data, dict) else None
            total += len(items) if isinstance(items, list) else 0
        except (OSError, ValueError):
            pass  # reported with its line by the import itself
    try:
        with _progress(label, max(total, 1)) as progress:
            task = progress.tasks[0].id
            report = content_io.import_paths(
                db.session, files, progress=lambda: progress.advance(task)
            )
        db.session.commit()
    except content_io.ContentInvalid as invalid:
        db.session.rollback()
        for error in invalid.errors:
            click.echo(str(error), err=True)
        _fail(f"{len(invalid.errors)} erreur(s) : rien n'a été importé.")
    created = ", ".join(report.frameworks_created) or "aucun"
    updated = ", ".join(report.frameworks_updated) or "aucun"
    click.echo(
        f"{report.files} fichiers lus. Référentiels créés : {created} ; mis à jour : {updated}."
    )
    click.echo(
        f"Items : {report.items_created} créés, {report.items_updated} mis à jour, "
        f"{report.items_unchanged} inchangés."
    )


@assess.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@with_appcontext
def import_command(paths: tuple[Path, ...]) -> None:
    """Import framework and item files (FILE or DIR, several allowed); all or nothing."""
    _import_content(list(paths), "Import")


@assess.command("load-content")
@with_appcontext
def load_content_command() -> None:
    """Import every framework and item bank shipped with Jalon (idempotent)."""
    from assessments.content_io import CONTENT_DIR

    _import_content([CONTENT_DIR / "frameworks", CONTENT_DIR / "items"], "Contenus livrés")


@assess.command("purge-imports")
@with_appcontext
def purge_imports_command() -> None:
    """Delete import files checked in the studio but never confirmed (older than
    JALON_PENDING_IMPORT_HOURS)."""
    from web.studio import pending_imports

    dropped = pending_imports.sweep_abandoned()
    click.echo(f"Fichiers d'import abandonnés supprimés : {dropped}.")


@assess.command("export")
@click.argument("slug")
@click.option("--version", "version", default=None, help="Edition (default: the latest).")
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path))
@with_appcontext
def export_command(slug: str, version: str | None, out_path: Path) -> None:
    """Write a framework and all its items as one re-importable JSON file."""
    from assessments import content_io
    from web.database import db

    try:
        data = content_io.export_framework(db.session, slug, version)
    except LookupError:
        _fail(f"référentiel inconnu : {slug}.")
    try:
        out_path.write_text(content_io.dump(data), encoding="utf-8")
    except OSError as error:
        _fail(f"impossible d'écrire {out_path} ({error.strerror}).")
    click.echo(f"Exporté : {out_path} ({len(data['items'])} items).")
