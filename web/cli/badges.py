"""``jalon badges``: issue, verify, bake and revoke Open Badges, rotate issuer keys.

Messages are in French. Errors a person can fix (unknown badge, wrong file, wrong key-encryption
key) exit with code 1 and a sentence saying what to do; ``verify`` exits 0 only for a valid badge.
Progress bars go to stderr, so ``--json`` output stays clean for scripts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import select

from badges import demo as badges_demo
from badges import issuance, issuers, keys_store, revocation, verification
from badges.models import Achievement, Credential, Issuer, KeyAlgorithm, VerificationChannel
from badges.ob3 import baking
from learners.models import Learner
from web.config import did_web_enabled
from web.database import db

MAX_FILE_BYTES = 5 * 1024 * 1024
CHECK_MARKS = {"passed": "✓", "failed": "✗", "unknown": "?"}


def _base_url() -> str:
    return current_app.config["JALON_BASE_URL"]


def _kek() -> str:
    return current_app.config["JALON_KEY_ENCRYPTION_KEY"]


@click.group("badges")
def badges() -> None:
    """Open Badges 3.0: issue, verify, bake, revoke, rotate keys."""


# --------------------------------------------------------------------------- finding things


def _find_achievement(reference: str) -> Achievement:
    found = None
    if reference.isdigit():
        found = db.session.get(Achievement, int(reference))
    if found is None:
        found = db.session.scalar(select(Achievement).where(Achievement.public_id == reference))
    if found is None:
        raise click.ClickException(
            f"Badge « {reference} » introuvable. Donnez son identifiant (nombre ou UUID)."
        )
    return found


def _find_learner(reference: str) -> Learner:
    from learners.accounts import find_by_login

    reference = reference.strip()
    user = find_by_login(db.session, reference)
    learner = user.learner if user is not None else None
    if learner is None:
        learner = db.session.scalar(select(Learner).where(Learner.pseudonym == reference))
    if learner is None:
        raise click.ClickException(
            f"Bénéficiaire « {reference} » introuvable. Donnez son identifiant de connexion "
            "(nom d'utilisateur ou e-mail)."
        )
    return learner


def _find_credential(reference: str) -> Credential:
    try:
        return issuance.get(db.session, reference)
    except issuance.CredentialNotFound:
        raise click.ClickException(f"Badge délivré « {reference} » introuvable.") from None


def _find_issuer(reference: str) -> Issuer:
    if reference == "platform":
        found = issuers.platform_issuer(db.session)
        if found is None:
            raise click.ClickException("La plateforme n'a pas encore d'émetteur.")
        return found
    try:
        return issuers.get(db.session, reference)
    except issuers.IssuerNotFound:
        raise click.ClickException(f"Émetteur « {reference} » introuvable.") from None


# --------------------------------------------------------------------------- writing files


def _credential_payload(credential: Credential, suffix: str) -> bytes:
    """The credential as the file extension asks: JSON, compact JWS, or baked into the image."""
    if suffix in {".jwt", ".jws"}:
        if not credential.jws:
            raise click.ClickException("Ce badge n'a pas de version JWT.")
        return credential.jws.encode("ascii")
    if suffix in {".png", ".svg"}:
        image = credential.achievement.image_data
        media = credential.achievement.image_media_type
        if image is None or media != ("image/png" if suffix == ".png" else "image/svg+xml"):
            raise click.ClickException(
                f"Le badge n'a pas d'image {suffix[1:].upper()} : utilisez « jalon badges bake »."
            )
        return baking.bake(image, json.loads(credential.signed_json))
    return (credential.signed_json + "\n").encode("utf-8")


def _progress() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=Console(stderr=True),
    )


def _read_recipients(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    return [line.split(";")[0].split(",")[0].strip() for line in lines if line.strip()]


# --------------------------------------------------------------------------- commands


@badges.command("update-shipped")
@with_appcontext
def update_shipped_command() -> None:
    """Bring the shipped badges of every issuer to this release's definitions (rule, evidence,
    description, criteria), except those an organisation edited; credentials stay as issued."""
    print_shipped_updates(db.session)


def print_shipped_updates(session: Any) -> None:
    """Run ``badges.shipped.update_shipped``, commit, and say what changed (``jalon db upgrade``
    calls it too)."""
    from badges.shipped import update_shipped

    changes = update_shipped(session)
    session.commit()
    words = {
        "created": "installé",
        "updated": "mis à jour",
        "new_version": "mis à jour (nouvelle version ; les badges délivrés restent tels quels)",
        "kept": "laissé tel quel : modifié par l'organisme",
    }
    for change in changes:
        achievement = change.achievement
        click.echo(
            f"Badge livré « {achievement.name} » ({achievement.issuer.name}) : "
            f"{words[change.status]}."
        )
    updated = sum(c.status in ("updated", "new_version") for c in changes)
    click.echo(f"Badges livrés : {updated} mis à jour.")


@badges.command("issue")
@click.option("--achievement", "achievement_ref", help="Badge à délivrer (identifiant ou UUID).")
@click.option("--recipient", "recipients", multiple=True, help="Bénéficiaire (identifiant).")
@click.option(
    "--recipients",
    "recipients_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Fichier : un identifiant de bénéficiaire par ligne (CSV accepté, 1re colonne).",
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Fichier de sortie (.json, .jwt, .png, .svg), ou dossier pour plusieurs bénéficiaires.",
)
@click.option("--award-key", help="Identifiant de l'événement d'attribution (un seul badge).")
@click.option(
    "--demo", is_flag=True, help="Délivre le badge de démonstration à un bénéficiaire fictif."
)
@with_appcontext
def issue_command(
    achievement_ref: str | None,
    recipients: tuple[str, ...],
    recipients_file: Path | None,
    out: Path | None,
    award_key: str | None,
    demo: bool,
) -> None:
    """Deliver a badge to one or more beneficiaries (the same award twice gives one badge)."""
    try:
        if demo:
            issuer = issuers.ensure_platform_issuer(
                db.session, _base_url(), _kek(), uses_did_web=did_web_enabled(current_app.config)
            )
            achievement = badges_demo.demo_achievement(db.session, issuer)
            learners = [badges_demo.demo_learner(db.session)]
        else:
            if not achievement_ref:
                raise click.UsageError("Indiquez --achievement (ou --demo).")
            achievement = _find_achievement(achievement_ref)
            references = list(recipients)
            if recipients_file is not None:
                references.extend(_read_recipients(recipients_file))
            if not references:
                raise click.UsageError("Indiquez --recipient ou --recipients (ou --demo).")
            learners = [_find_learner(reference) for reference in references]
        if award_key and len(learners) > 1:
            raise click.UsageError("--award-key ne s'utilise qu'avec un seul bénéficiaire.")
        issued = _issue_all(achievement, learners, award_key)
    except keys_store.KeyStoreError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    _write_outputs(issued, out)


def _issue_all(
    achievement: Achievement, learners: list[Learner], award_key: str | None
) -> list[issuance.Issued]:
    issued = []
    with _progress() as progress:
        task = progress.add_task("Délivrance des badges", total=len(learners))
        for learner in learners:
            key = award_key or f"cli:{achievement.public_id}:{learner.pseudonym}"
            issued.append(
                issuance.issue(
                    db.session,
                    achievement=achievement,
                    learner=learner,
                    award_key=key,
                    base_url=_base_url(),
                    kek=_kek(),
                )
            )
            db.session.commit()  # one badge per transaction: a failure keeps the earlier ones
            progress.advance(task)
    return issued


def _write_outputs(issued: list[issuance.Issued], out: Path | None) -> None:
    many = len(issued) > 1
    if many and out is not None:
        out.mkdir(parents=True, exist_ok=True)
    for outcome in issued:
        credential = outcome.credential
        url = issuance.credential_iri(credential.public_id, _base_url())
        state = "délivré" if outcome.created else "déjà délivré"
        click.echo(f"Badge {state} à {credential.learner.display_name} : {url}")
        if out is None:
            continue
        target = out / f"badge-{credential.public_id}.json" if many else out
        target.write_bytes(_credential_payload(credential, target.suffix.lower()))
        click.echo(f"  → {target}")


@badges.command("verify")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Une ligne JSON : valid, verdict, checks.")
@with_appcontext
def verify_command(file: Path, as_json: bool) -> None:
    """Check a badge file (JSON, JWT, PNG or SVG) with local keys and status lists."""
    if file.stat().st_size > MAX_FILE_BYTES:
        raise click.ClickException("Fichier trop gros (5 Mo au plus).")
    result = verification.verify_bytes(
        db.session, file.read_bytes(), base_url=_base_url(), filename=file.name
    )
    credential = _local_credential(result.credential)
    if credential is not None:
        verification.record(db.session, credential, VerificationChannel.CLI, result)
        db.session.commit()
    if as_json:
        click.echo(json.dumps({"valid": result.valid, **result.to_dict()}, ensure_ascii=False))
    else:
        click.echo(result.label_fr)
        if result.issuer_name:
            known = " (émetteur de cette plateforme)" if result.issuer_known else ""
            click.echo(f"Émetteur : {result.issuer_name}{known}")
        for check in result.checks:
            click.echo(f"  {CHECK_MARKS.get(check.status.value, '?')} {check.message_fr}")
    raise SystemExit(0 if result.valid else 1)


def _local_credential(document: dict[str, Any] | None) -> Credential | None:
    """The stored credential a verified document claims to be, if it is one of ours."""
    if not isinstance(document, dict) or not isinstance(document.get("id"), str):
        return None
    prefix = f"{_base_url().rstrip('/')}/c/"
    if not document["id"].startswith(prefix):
        return None
    return db.session.scalar(
        select(Credential).where(Credential.public_id == document["id"][len(prefix) :])
    )


@badges.command("bake")
@click.option("--credential", "credential_ref", required=True, help="UUID du badge, ou fichier.")
@click.option(
    "--image",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Image PNG ou SVG (par défaut : l'image du badge).",
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jwt", "use_jwt", is_flag=True, help="Intégrer la version JWT plutôt que JSON.")
@with_appcontext
def bake_command(credential_ref: str, image: Path | None, out: Path, use_jwt: bool) -> None:
    """Put a badge inside its image (PNG or SVG), as Open Badges 3.0 specifies."""
    payload: dict[str, Any] | str
    image_bytes = image.read_bytes() if image is not None else None
    path = Path(credential_ref)
    if path.is_file():
        text = path.read_text(encoding="utf-8").strip()
        try:
            payload = json.loads(text)
        except json.JSONDecodeError:
            payload = text  # a compact JWS
        if image_bytes is None and isinstance(payload, dict):
            local = _local_credential(payload)
            image_bytes = local.achievement.image_data if local is not None else None
    else:
        credential = _find_credential(credential_ref)
        payload = (
            credential.jws if use_jwt and credential.jws else json.loads(credential.signed_json)
        )
        if image_bytes is None:
            image_bytes = credential.achievement.image_data
    if image_bytes is None:
        raise click.ClickException("Indiquez l'image à utiliser avec --image.")
    try:
        baked = baking.bake(image_bytes, payload)
    except baking.BakingError as error:
        raise click.ClickException(f"Image impossible à utiliser : {error}") from None
    kind = baking.sniff(baked)
    if kind is not None and out.suffix.lower() != f".{kind}":
        raise click.ClickException(
            f"L'image est au format {kind.upper()} : nommez la sortie .{kind}"
        )
    out.write_bytes(baked)
    click.echo(f"Badge intégré dans l'image : {out}")


@badges.command("revoke")
@click.argument("credential_id")
@click.option("--reason", required=True, help="Raison, affichée à qui vérifie le badge.")
@with_appcontext
def revoke_command(credential_id: str, reason: str) -> None:
    """Revoke an issued badge for good (its status list is re-signed at once)."""
    credential = _find_credential(credential_id)
    try:
        revocation.revoke(db.session, credential, reason, base_url=_base_url(), kek=_kek())
    except revocation.AlreadyRevoked:
        raise click.ClickException("Ce badge est déjà révoqué.") from None
    except (revocation.ReasonRequired, keys_store.KeyStoreError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Badge révoqué : {issuance.credential_iri(credential.public_id, _base_url())}")


@badges.command("rotate-key")
@click.argument("issuer_ref", metavar="ISSUER")
@click.option(
    "--compromised",
    is_flag=True,
    help="Clé compromise : la retirer des documents publiés (ses badges ne vérifieront plus).",
)
@with_appcontext
def rotate_key_command(issuer_ref: str, compromised: bool) -> None:
    """New signing keys for an issuer (UUID, or ``platform``); old ones stay published."""
    issuer = _find_issuer(issuer_ref)
    try:
        rotation = keys_store.rotate(db.session, issuer, _kek(), compromised=compromised)
    except keys_store.KeyStoreError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for key in rotation.created:
        method = issuers.verification_method_id(issuer, key, _base_url())
        label = (
            "Ed25519 (preuves intégrées)" if key.algorithm is KeyAlgorithm.ED25519 else "RSA (JWT)"
        )
        click.echo(f"Nouvelle clé {label} : {method}")
    what = "retirées" if compromised else "conservées pour vérifier les anciens badges"
    click.echo(f"{len(rotation.retired)} ancienne(s) clé(s) {what}.")


@badges.command("award-pending")
@with_appcontext
def award_pending_command() -> None:
    """Issue the badges of finished sessions whose awarding failed (each retried, committed)."""
    from badges import awarding

    pending = awarding.pending_session_ids(db.session)
    issued, left = 0, []
    with _progress() as progress:
        task = progress.add_task("Badges en attente", total=len(pending))
        runs = awarding.award_pending(db.session, pending, base_url=_base_url(), kek=_kek())
        for session_id, run in runs:
            issued += sum(1 for award in run.awards if award.created)
            if run.pending:
                left.append(session_id)
            progress.advance(task)
    click.echo(
        f"{len(pending) - len(left)} évaluation(s) traitée(s), {issued} badge(s) délivré(s)."
    )
    if left:
        ids = ", ".join(map(str, left))
        raise click.ClickException(f"{len(left)} encore en attente (évaluations {ids}).")


CSV_WORDS = {
    "ready": "prêt",
    "empty": "ligne vide",
    "unknown": "identifiant inconnu",
    "other_organisation": "pas un apprenant de la structure",
    "already_holds": "a déjà ce badge",
    "duplicate": "doublon",
    "awarded": "badge attribué",
    "failed": "échec (relancez plus tard)",
}


CSV_REFUSED = {
    "too_large": "Fichier trop lourd : 512 Ko au plus.",
    "not_utf8": "Le fichier n'est pas en UTF-8 : enregistrez-le en « CSV UTF-8 ».",
    "too_many_rows": "Trop de lignes : 2 000 au plus par fichier.",
    "no_rows": "Le fichier ne contient aucun identifiant.",
}


@badges.command("award-csv")
@click.option("--achievement", "achievement_ref", required=True, help="Badge (nombre ou UUID).")
@click.option(
    "--file",
    "csv_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="CSV : identifiant ou e-mail ; constat (facultatif). « ; » ou « , », UTF-8.",
)
@click.option("--by", "actor_login", help="Identifiant du formateur qui attribue (journal).")
@click.option("--dry-run", is_flag=True, help="Vérifier seulement : rien n'est attribué.")
@with_appcontext
def award_csv_command(
    achievement_ref: str, csv_file: Path, actor_login: str | None, dry_run: bool
) -> None:
    """Award a badge by hand to the learners of a CSV file (each line its own transaction)."""
    from badges import bulk_awards
    from learners.accounts import find_by_login

    achievement = _find_achievement(achievement_ref)
    org_id = achievement.issuer.organisation_id
    try:
        rows = bulk_awards.parse(csv_file.read_bytes()[: bulk_awards.MAX_BYTES + 1])
    except bulk_awards.CsvRefused as refused:
        raise click.ClickException(CSV_REFUSED[refused.refusal.value]) from None
    actor = find_by_login(db.session, actor_login) if actor_login else None
    if actor_login and actor is None:
        raise click.ClickException(f"Formateur « {actor_login} » introuvable.")
    if dry_run:
        for report in bulk_awards.dry_run(db.session, org_id, achievement, rows):
            click.echo(f"ligne {report.line} : {report.login or '—'} — {CSV_WORDS[report.status]}")
        return
    with _progress() as progress:
        task = progress.add_task("Attribution", total=len(rows))
        summary = bulk_awards.run(
            db.session,
            lambda done, total=None: progress.update(task, completed=done, total=total),
            organisation_id=org_id,
            achievement_id=achievement.id,
            actor_id=actor.id if actor else None,
            rows=bulk_awards.rows_to_json(rows),
            base_url=_base_url(),
            kek=_kek(),
        )
    for row in summary["rows"]:
        click.echo(f"ligne {row['line']} : {row['login'] or '—'} — {CSV_WORDS[row['status']]}")
    click.echo(f"{summary['awarded']} badge(s) attribué(s).")
