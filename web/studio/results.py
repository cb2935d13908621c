"""Results pages of the studio: a campaign's table (page, CSV, XLSX) and a learner's record.

The campaign page and its two downloads are written from one ``Table`` built here from
``assessments.campaign_results``, so the figures cannot differ; the learner's record and
printable report read ``assessments.learner_record`` and ``badges.learner_report``. Looking at
a learner's record or downloading their report is recorded in the journal (personal data).
"""

from __future__ import annotations

from datetime import datetime

from flask import Response, abort, current_app, g, render_template, request
from flask_babel import format_datetime, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from assessments import campaign_results as cr
from assessments import learner_record as records
from badges import manual_awards, session_badges
from badges.learner_report import report_pdf
from badges.wallet import WalletStatus
from learners import accounts, audit, enrolments
from learners.models import Learner, Role
from learners.pagination import Page, clamp
from web.authz import requires
from web.database import db
from web.exports import Column, Table, attachment, csv_bytes, xlsx_bytes
from web.studio import bp
from web.studio.report_words import report_words
from web.studio.views import STAFF

STATUS_LABELS = {
    cr.ParticipationStatus.IN_PROGRESS: _l("En cours"),
    cr.ParticipationStatus.FINISHED: _l("Terminée"),
    cr.ParticipationStatus.TIMED_OUT: _l("Terminée (temps écoulé)"),
    cr.ParticipationStatus.ABANDONED: _l("Abandonnée"),
}
BADGE_STATUS_LABELS = {
    WalletStatus.VALID: _l("Actif"),
    WalletStatus.SUSPENDED: _l("Suspendu"),
    WalletStatus.REVOKED: _l("Révoqué"),
    WalletStatus.EXPIRED: _l("Expiré"),
}
# Levels 0…8 from light to dark (white text passes AA on each from level 3; figures are also
# in the chart's data table).
LEVEL_COLOURS = (
    "#d9e3ef", "#b7cbe3", "#93b1d6", "#6f97c8", "#4b7db9",
    "#2f66a6", "#1f5fa8", "#17457a", "#0f2f55",
)  # fmt: skip
STATUS_VALUES = {status.value for status in cr.ParticipationStatus}
PER_PAGE = 50


def _locale() -> str:
    return str(get_locale() or "fr")


def filters_from(args: MultiDict) -> cr.Filters:
    """The filters of the query string; a value that means nothing is ignored."""
    status = args.get("statut", "")
    level = args.get("niveau", "")
    return cr.Filters(
        status=cr.ParticipationStatus(status) if status in STATUS_VALUES else None,
        competence=args.get("competence", "")[:32] or None,
        min_level=int(level) if level.isdigit() and 0 < int(level) <= 8 else None,
        badge=args.get("badge", "")[:200] or None,
    )


def sorting_from(args: MultiDict) -> cr.Sorting:
    key = args.get("tri", "participant")[:40]
    if key not in cr.SORT_KEYS and not key.startswith("level:"):
        key = "participant"
    return cr.Sorting(key=key, descending=args.get("ordre") == "desc")


def campaign_report(org_id: int, campaign_id: int, args: MultiDict) -> cr.CampaignResults:
    """The campaign's results as the query string asks; 404 for another organisation's."""
    try:
        campaign = cr.campaign_of(db.session, org_id, campaign_id)
    except cr.CampaignNotFound:
        abort(404)
    badges = session_badges.names_by_session(db.session, cr.session_ids(db.session, campaign))
    return cr.campaign_results(
        db.session,
        campaign,
        _locale(),
        badges=badges,
        filters=filters_from(args),
        sorting=sorting_from(args),
    )


def results_table(report: cr.CampaignResults) -> Table:
    """The one table the page shows and the CSV and XLSX downloads write."""
    columns = [
        Column("participant", str(_l("Participant"))),
        Column("status", str(_l("Statut"))),
        Column("started", str(_l("Début")), "datetime"),
        Column("finished", str(_l("Fin")), "datetime"),
        Column("answered", str(_l("Questions répondues")), "int"),
        Column("score", str(_l("Score")), "int"),
        *(
            Column(f"level:{c.code}", str(_l("Niveau %(code)s", code=c.code)), "int")
            for c in report.competences
        ),
    ]
    if report.has_referral:
        columns.append(Column("referral", str(_l("Orientation"))))
    columns += [
        Column("badges", str(_l("Badges obtenus"))),
        Column("time", str(_l("Temps passé (minutes)")), "int"),
        Column("attempts", str(_l("Passages")), "int"),
    ]
    return Table(
        title=str(_l("Résultats — %(name)s", name=report.campaign_name)),
        columns=columns,
        rows=[_cells(row, report.has_referral) for row in report.rows],
    )


def _cells(row: cr.ParticipantRow, referral: bool) -> list:
    cells = [
        row.participant,
        str(STATUS_LABELS[row.status]),
        row.started_at,
        row.finished_at,
        row.answered,
        row.score,
        *row.levels,
    ]
    if referral:
        cells.append(row.referral_label)
    return [*cells, ", ".join(row.badges), row.time_spent_minutes, row.attempts]


def cell_text(value) -> str:
    """A cell as the page shows it: the same text as in the CSV, « — » when empty."""
    if value is None or value == "":
        return "—"
    if isinstance(value, datetime):
        return format_datetime(value, "dd/MM/yyyy HH:mm")
    return str(value)


def sortable(key: str) -> bool:
    return key in cr.SORT_KEYS or key.startswith("level:")


def rows_page(table: Table, number: int | None) -> Page:
    """One page of the table's rows (the rows are computed, not queried: sliced here)."""
    number, per_page = clamp(number, PER_PAGE)
    last = max(1, -(-len(table.rows) // per_page))
    number = min(number, last)
    start = (number - 1) * per_page
    return Page(table.rows[start : start + per_page], number, per_page, len(table.rows))


def chart_series(scale: int) -> list[dict[str, str]]:
    return [
        {"label": str(_l("Niveau %(n)s", n=n)), "colour": LEVEL_COLOURS[min(n, 8)]}
        for n in range(scale + 1)
    ]


@bp.get("/<int:org_id>/campagnes/<int:campaign_id>/resultats")
@requires(*STAFF, org_arg="org_id")
def campaign_results(org_id: int, campaign_id: int):
    report = campaign_report(org_id, campaign_id, request.args)
    table = results_table(report)
    return render_template(
        "studio/results/campaign.html",
        organisation=g.organisation,
        report=report,
        table=table,
        page=rows_page(table, request.args.get("page", 1, type=int)),
        sorting=sorting_from(request.args),
        filters=filters_from(request.args),
        statuses=STATUS_LABELS,
        series=chart_series(report.scale),
        cell_text=cell_text,
        sortable=sortable,
    )


def _download(org_id: int, campaign_id: int, extension: str) -> Response:
    table = results_table(campaign_report(org_id, campaign_id, request.args))
    if extension == "csv":
        body, mimetype = csv_bytes(table), "text/csv; charset=utf-8"
    else:
        body = xlsx_bytes(table)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    audit.record(
        db.session,
        "campaign.results_exported",
        actor=current_user,
        organisation_id=org_id,
        target_type="campaign",
        target_id=campaign_id,
        detail={"format": extension, "rows": len(table.rows)},
    )
    db.session.commit()
    name = f"resultats-campagne-{campaign_id}.{extension}"
    return Response(body, mimetype=mimetype, headers=attachment(name))


@bp.get("/<int:org_id>/campagnes/<int:campaign_id>/resultats.csv")
@requires(*STAFF, org_arg="org_id")
def campaign_results_csv(org_id: int, campaign_id: int):
    return _download(org_id, campaign_id, "csv")


@bp.get("/<int:org_id>/campagnes/<int:campaign_id>/resultats.xlsx")
@requires(*STAFF, org_arg="org_id")
def campaign_results_xlsx(org_id: int, campaign_id: int):
    return _download(org_id, campaign_id, "xlsx")


def _base_url() -> str:
    return current_app.config["JALON_BASE_URL"]


def learner_of(org_id: int, user_id: int) -> Learner:
    """The organisation's learner behind ``user_id``; 404 for anyone else (staff included)."""
    user = accounts.member_of(db.session, user_id, org_id, Role.LEARNER)
    if user is None or user.learner is None:
        abort(404)
    return user.learner


def record_look(action: str, org_id: int, user_id: int) -> None:
    """A look at a beneficiary's personal data goes in the journal (committed by the view)."""
    audit.record(
        db.session,
        action,
        actor=current_user,
        organisation_id=org_id,
        target_type="user",
        target_id=user_id,
    )


@bp.get("/<int:org_id>/apprenants/<int:user_id>")
@requires(*STAFF, org_arg="org_id")
def learner_record(org_id: int, user_id: int):
    learner = learner_of(org_id, user_id)
    record = records.learner_record(db.session, learner, org_id, _locale())
    badges = session_badges.lines_of(db.session, record.session_ids, _base_url())
    by_hand = manual_awards.awarded_by_hand(db.session, org_id, learner)
    record_look("learner.record_viewed", org_id, user_id)
    db.session.commit()
    return render_template(
        "studio/results/learner.html",
        organisation=g.organisation,
        record=record,
        badges=badges,
        by_hand=by_hand,
        can_manage=bool(current_user.roles_in(org_id) & {Role.TRAINER, Role.ORG_ADMIN}),
        enrolments=enrolments.enrolments_of(db.session, learner, org_id),
        statuses=STATUS_LABELS,
        badge_statuses=BADGE_STATUS_LABELS,
    )


@bp.get("/<int:org_id>/apprenants/<int:user_id>/bilan.pdf")
@requires(*STAFF, org_arg="org_id")
def learner_report(org_id: int, user_id: int):
    learner = learner_of(org_id, user_id)
    pdf = report_pdf(db.session, learner, g.organisation, _base_url(), report_words())
    record_look("learner.report_downloaded", org_id, user_id)
    db.session.commit()
    name = f"bilan-individuel-{user_id}.pdf"
    return Response(pdf, mimetype="application/pdf", headers=attachment(name))
