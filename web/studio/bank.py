"""The item bank: browse the items the organisation may use, preview one exactly as a learner
sees it, check an answer against it (with the reason), read its statistics, and calibrate.

The preview renders the learner's own item partials (``learner/_item_statement.html`` and
``learner/_item_answer.html``); its form posts here, is checked by the learner's checking code
(:mod:`assessments.answer_check`) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_percent
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from assessments import answer_check, bank, item_history, item_statistics
from assessments import bank_calibration as organisation_calibration
from assessments.item_types import definition
from assessments.item_types.base import Posted, field_name
from assessments.models import Item
from learners import audit
from learners.models import Job
from web import jobs
from web.authz import requires
from web.database import db
from web.learner.assessment import RESPONSE_MESSAGES
from web.learner.forms import SKIP
from web.studio import bp
from web.studio.bank_forms import (
    ACCESS_LABELS,
    STATUS_LABELS,
    TYPE_LABELS,
    BankFilterForm,
    CalibrateForm,
    CheckAnswerForm,
)
from web.studio.bank_reasons import sentence
from web.studio.views import STAFF

jobs.register(organisation_calibration.JOB_KIND)(organisation_calibration.calibration_job)

LABELS = {"types": TYPE_LABELS, "statuses": STATUS_LABELS, "access": ACCESS_LABELS}


@bp.app_template_filter("bank_percent")
def _percent(value: float | None) -> str:
    return "—" if value is None else format_percent(value, format="#,##0 %")


@bp.app_template_filter("bank_number")
def _number(value: float | None) -> str:
    return "—" if value is None else format_decimal(value, format="#,##0.##")


def _filter_form(org_id: int) -> BankFilterForm:
    form = BankFilterForm(request.args)
    choices = bank.filter_choices(db.session, org_id, form.framework.data)
    form.framework.choices = [("", "—")] + [(f.id, f.title_fr) for f in choices.frameworks]
    form.competence.choices = [("", "—")] + [
        (c.id, f"{c.code} {c.title_fr}") for c in choices.competences
    ]
    return form


def _list_page(org_id: int, calibrate_form: CalibrateForm, status: int = 200):
    form = _filter_form(org_id)
    page = bank.browse(
        db.session, org_id, form.filters(), page=request.args.get("page", 1, type=int)
    )
    return render_template(
        "studio/bank/list.html",
        organisation=g.organisation,
        form=form,
        page=page,
        calibrate_form=calibrate_form,
        **LABELS,
    ), status


@bp.get("/<int:org_id>/banque")
@requires(*STAFF, org_arg="org_id")
def bank_list(org_id: int):
    return _list_page(org_id, CalibrateForm(formdata=None))


def _item(org_id: int, uid: str) -> Item:
    try:
        return bank.get_item(db.session, org_id, uid)
    except bank.ItemNotInBank:
        abort(404)


def _verdict(item: Item) -> answer_check.Verdict | None:
    if request.method != "POST" or not CheckAnswerForm().validate_on_submit():
        return None
    return answer_check.try_answer(item, request.form, skip=request.form.get("intent") == SKIP)


def _errors(verdict: answer_check.Verdict | None) -> dict[str, str]:
    """The refusal on its field, in the words the learner's page uses."""
    if verdict is None or verdict.refused is None:
        return {}
    error = verdict.refused
    return {error.field or "answer": str(RESPONSE_MESSAGES.get(error.code, error.message))}


def preview_context(item: Item, endpoint: str, args: dict[str, Any]) -> dict[str, Any]:
    """What the learner's item partials need to show ``item`` as a learner's page shows it
    (ordering steps shuffled, never in the key's order); ``endpoint`` serves its links."""
    item_type = definition(item.type)
    return {
        "organisation": g.organisation,
        "item": item,
        "body": item_type.shown_body(item.body or {}, item.key, f"preview:{item.uid}"),
        "kind": item_type.kind.value,
        "item_type": item_type,
        "values": request.form if request.method == "POST" else MultiDict(),
        "state": item_type.page_state(item.body or {}, Posted(request.values)),
        "field_name": field_name,
        "answer_url": url_for(endpoint, **args),
        "item_endpoint": endpoint,
        "item_args": args,
        **LABELS,
    }


def _page_context(org_id: int, item: Item, verdict: answer_check.Verdict | None) -> dict[str, Any]:
    """The preview with the answer box's verdict and the item's statistics."""
    return {
        **preview_context(item, ".bank_item", {"org_id": org_id, "uid": item.uid}),
        "errors": _errors(verdict),
        "verdict": verdict,
        "reasons": [sentence(r) for r in verdict.reasons] if verdict else [],
        "stats": item_statistics.item_statistics(db.session, org_id, item),
        # Earlier versions are readable where the item is the organisation's own.
        "versions": (
            item_history.history(db.session, item) if item.organisation_id == org_id else []
        ),
    }


@bp.route("/<int:org_id>/banque/<path:uid>", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def bank_item(org_id: int, uid: str):
    item = _item(org_id, uid)
    verdict = _verdict(item)
    status = 422 if verdict is not None and verdict.refused is not None else 200
    return render_template("studio/bank/item.html", **_page_context(org_id, item, verdict)), status


@bp.post("/<int:org_id>/calibrations")
@requires(*STAFF, org_arg="org_id")
def bank_calibrate(org_id: int):
    form = CalibrateForm()
    if not form.validate_on_submit():
        return _list_page(org_id, form, 422)
    audit.record(
        db.session,
        "items.calibration_started",
        actor=current_user,
        organisation_id=org_id,
        target_type="organisation",
        target_id=org_id,
        detail={"min_answers": form.min_answers.data},
    )
    job = jobs.start(
        organisation_calibration.JOB_KIND,
        organisation_id=org_id,
        actor=current_user,
        org_id=org_id,
        actor_id=current_user.id,
        min_answers=form.min_answers.data,
    )
    return redirect(url_for(".bank_calibration", org_id=org_id, public_id=job.public_id), 303)


def _calibration_job(org_id: int, public_id: str) -> Job:
    """The calibration job ``public_id`` of this organisation, else 404."""
    job = jobs.get_visible(public_id)
    if job.organisation_id != org_id or job.kind != organisation_calibration.JOB_KIND:
        abort(404)
    return job


@bp.get("/<int:org_id>/calibrations/<public_id>")
@requires(*STAFF, org_arg="org_id")
def bank_calibration(org_id: int, public_id: str):
    return render_template(
        "studio/bank/calibration.html",
        organisation=g.organisation,
        job=_calibration_job(org_id, public_id),
    )
