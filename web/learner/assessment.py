"""The learner's assessment journey: join a campaign, answer one item per page, see results.

Routes only parse, authorise, call ``assessments.sessions`` / ``badges.awarding`` and render.
Every page works without JavaScript (plain forms, CSRF); ``static/js/item.js`` only enhances.
A session belongs to one learner: another learner's session id answers 404.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie
from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from assessments import sessions
from assessments.campaigns import (
    CampaignClosed,
    CampaignError,
    CampaignNotOpenYet,
    UnknownCampaignCode,
    find_campaign,
    format_code,
    normalise_code,
)
from assessments.item_types import definition
from assessments.item_types.base import Posted, field_name
from assessments.models import (
    AssessmentMode,
    AssessmentSession,
    Campaign,
    FrameworkKind,
    Item,
)
from assessments.response_errors import InvalidResponse
from badges import awarding
from learners.models import Learner, Organisation, Role
from web.authz import requires
from web.database import db
from web.learner.forms import (
    SKIP,
    AdjustmentForm,
    AnswerForm,
    JoinForm,
    StartForm,
)
from web.learner.views import bp

ADJUSTMENT_KEY = "jalon_more_time"

# What the learner reads for each refused response (``InvalidResponse.code``, raised when the
# form is read or the response checked), translated for the English interface.
RESPONSE_MESSAGES = {
    "choice_expected": _l("Choisissez une réponse dans la liste."),
    "choices_expected": _l("Choisissez dans la liste."),
    "unknown_choice": _l("Ce choix n'existe pas. Choisissez dans la liste."),
    "duplicate_choice": _l("Vous avez choisi deux fois la même réponse."),
    "empty": _l("Écrivez une réponse, ou choisissez « Je ne sais pas »."),
    "text_expected": _l("Écrivez votre réponse dans la case."),
    "too_long": _l("Votre réponse est trop longue (2 000 caractères au plus)."),
    "number_expected": _l("Écrivez un nombre, par exemple : 12,5."),
    "fields_expected": _l("Remplissez les cases de la question."),
    "unknown_field": _l("Cette case n'existe pas. Rechargez la page."),
    "incomplete_order": _l("Donnez une place à chaque étape."),
    "pairs_expected": _l("Choisissez une réponse pour chaque ligne."),
    "incomplete_pairs": _l("Choisissez une réponse pour chaque ligne."),
    "date_expected": _l("Écrivez une date, par exemple 12/05/1984."),
    "addresses_expected": _l("Écrivez l'adresse du destinataire."),
    "unknown_message": _l("Ce message n'existe pas dans la messagerie."),
    "unknown_action": _l("Faites l'action demandée dans la messagerie."),
    "task_expected": _l("Faites l'action demandée dans la messagerie."),
    "nothing_ticked": _l("Cochez au moins une réponse."),
    "number_empty": _l("Écrivez un nombre, ou choisissez « Je ne sais pas »."),
    "fields_empty": _l("Remplissez au moins une case, ou choisissez « Je ne sais pas »."),
    "position_expected": _l("Choisissez une place dans la liste."),
    "duplicate_position": _l(
        "Deux étapes ont la même place. Donnez une place différente à chaque étape."
    ),
    "form_empty": _l("Remplissez le formulaire, ou choisissez « Je ne sais pas »."),
    "message_not_opened": _l("Ouvrez un message, puis appuyez sur « J'ai terminé »."),
    "address_missing": _l("Écrivez l'adresse du destinataire, par exemple : nom@mail.example."),
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _learner() -> Learner:
    learner = current_user.learner
    if learner is None:  # a learner membership always comes with a profile; be safe anyway
        abort(403)
    return learner


def _owned(session_id: int) -> AssessmentSession:
    try:
        return sessions.get_owned(db.session, session_id, _learner())
    except sessions.SessionNotFound:
        abort(404)


def _my_organisations() -> set[int]:
    return {m.organisation_id for m in current_user.memberships if m.role is Role.LEARNER}


def _campaign_for_me(code: str) -> Campaign:
    """The open campaign ``code`` names, if it is one of my organisations' (else "unknown":
    another association's code reveals nothing)."""
    found = db.session.scalar(select(Campaign).where(Campaign.code == normalise_code(code)))
    if found is None or found.organisation_id not in _my_organisations():
        raise UnknownCampaignCode(code)
    return find_campaign(db.session, code)


def _join_error(error: Exception) -> str:
    if isinstance(error, CampaignClosed):
        return _(
            "Cette évaluation est fermée : elle n'accepte plus de réponses. "
            "Demandez à votre formateur s'il y en a une autre."
        )
    if isinstance(error, CampaignNotOpenYet):
        campaign = db.session.scalar(select(Campaign).where(Campaign.code == str(error)))
        when = format_date(campaign.opens_at, "long") if campaign else ""
        return _(
            "Cette évaluation n'a pas encore commencé. Elle ouvre le %(date)s.",
            date=when,
        )
    if isinstance(error, sessions.NoItemAvailable):
        return _("Cette évaluation n'a pas de question pour le moment. Prévenez votre formateur.")
    return _(
        "Ce code ne correspond à aucune évaluation. Vérifiez les lettres et les chiffres, "
        "ou demandez le code à votre formateur."
    )


def _locale() -> str:
    return str(get_locale() or "fr")


def _pick(fr: str | None, en: str | None) -> str:
    """Framework texts exist in French, sometimes in English."""
    return (en or fr or "") if _locale() == "en" else (fr or en or "")


def _more_time() -> bool:
    return bool(cookie.get(ADJUSTMENT_KEY))


def _start(code: str) -> Any:
    """Join (or resume) and go to the current item; errors re-render the join form."""
    form = JoinForm(formdata=None, data={"code": code})
    try:
        _campaign_for_me(code)
        started = sessions.start(db.session, code, _learner())
    except (CampaignError, sessions.NoItemAvailable) as error:
        db.session.rollback()
        form.code.errors = [_join_error(error)]
        return render_template("learner/join.html", form=form), 422
    db.session.commit()
    return redirect(url_for(".session_item", session_id=started.id), code=303)


# ---------------------------------------------------------------------------------------------
# Home page: sessions in progress and finished


@dataclass(frozen=True)
class SessionLine:
    id: int
    title: str
    finished: bool
    answered: int
    total: int
    adaptive: bool
    when: str


@bp.app_template_global()
def learner_sessions(learner: Learner | None) -> list[SessionLine]:
    """The learner's sessions, in progress first ("Reprendre"), then finished ones."""
    if learner is None:
        return []
    rows = db.session.scalars(
        select(AssessmentSession)
        .where(AssessmentSession.learner_id == learner.id)
        .order_by(AssessmentSession.started_at.desc())
    )
    lines = []
    for row in rows:
        answered, total = sessions.progress(db.session, row)
        lines.append(
            SessionLine(
                id=row.id,
                title=row.campaign.assessment.title,
                finished=row.finished,
                answered=answered,
                total=total,
                adaptive=row.campaign.assessment.mode == AssessmentMode.ADAPTIVE,
                when=format_date(row.finished_at or row.started_at, "long"),
            )
        )
    return sorted(lines, key=lambda line: line.finished)


# ---------------------------------------------------------------------------------------------
# Joining


@bp.route("/rejoindre", methods=["GET", "POST"])
@requires(Role.LEARNER)
def join():
    form = JoinForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("learner/join.html", form=form), 422
        return _start(form.code.data)
    return render_template("learner/join.html", form=form)


@bp.get("/campagne/<code>")
@requires(Role.LEARNER)
def campaign(code: str):
    """A campaign link or QR code: say what it is, start only on "Commencer" (a POST)."""
    try:
        found = _campaign_for_me(code)
    except CampaignError as error:
        form = JoinForm(formdata=None, data={"code": format_code(code.upper())[:32]})
        form.code.errors = [_join_error(error)]
        status = 404 if isinstance(error, UnknownCampaignCode) else 400
        return render_template("learner/join.html", form=form), status
    mine = db.session.scalars(
        select(AssessmentSession)
        .where(
            AssessmentSession.campaign_id == found.id,
            AssessmentSession.learner_id == _learner().id,
        )
        .order_by(AssessmentSession.started_at.desc())
    ).all()
    in_progress = next((s for s in mine if not s.finished), None)
    finished = next((s for s in mine if s.finished), None)
    return render_template(
        "learner/campaign.html",
        campaign=found,
        code=format_code(found.code),
        organisation_name=db.session.get(Organisation, found.organisation_id).name,
        form=StartForm(),
        in_progress=in_progress,
        finished=finished,
    )


@bp.post("/campagne/<code>")
@requires(Role.LEARNER)
def start_campaign(code: str):
    StartForm().validate_on_submit()  # CSRF is checked globally; nothing else to read
    return _start(code)


# ---------------------------------------------------------------------------------------------
# One item per page


def _progress(session: AssessmentSession) -> dict[str, Any]:
    answered, total = sessions.progress(db.session, session)
    adaptive = session.campaign.assessment.mode == AssessmentMode.ADAPTIVE
    return {"number": answered + 1, "total": max(total, answered + 1), "adaptive": adaptive}


def _render_item(
    session: AssessmentSession,
    item: Item,
    *,
    errors: dict[str, str] | None = None,
    values: Any = None,
    notice: str | None = None,
    status: int = 200,
):
    """The item's page; ``values`` fill its fields in again (by default, what was posted)."""
    item_type = definition(item.type)
    return render_template(
        "learner/item.html",
        session=session,
        item=item,
        body=dict(item.body or {}),
        kind=item_type.kind.value,
        item_type=item_type,
        progress=_progress(session),
        errors=errors or {},
        values=values if values is not None else request.form,
        state=item_type.page_state(item.body or {}, Posted(request.values)),
        remaining=sessions.seconds_left(db.session, session, item),
        more_time=_more_time(),
        notice=notice,
        field_name=field_name,
    ), status


@bp.get("/evaluations/<int:session_id>")
@requires(Role.LEARNER)
def session_item(session_id: int):
    session = _owned(session_id)
    item = sessions.current_item(db.session, session)
    db.session.commit()  # a time limit that passed finishes the session: keep it finished
    if item is None:
        return redirect(url_for(".results", session_id=session.id))
    return _render_item(session, item)


def _refused(session: AssessmentSession, item_id: int, error: InvalidResponse):
    """The item again, the French message on the field to fix (nothing was recorded)."""
    message = str(RESPONSE_MESSAGES.get(error.code, error.message))
    item = db.session.get(Item, item_id)
    return _render_item(session, item, errors={error.field or "answer": message}, status=422)


def _finish(session: AssessmentSession):
    """The session just ended: issue its badges (idempotent), then show the results."""
    _award(session)
    return redirect(url_for(".results", session_id=session.id), code=303)


def _award(session: AssessmentSession) -> list[awarding.Award]:
    try:
        awards = awarding.award_session(
            db.session,
            session,
            base_url=current_app.config["JALON_BASE_URL"],
            kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"],
        )
        db.session.commit()
    except Exception:  # the results are saved; the results page retries the badges
        db.session.rollback()
        current_app.logger.exception("badge issuance failed for session %s", session.id)
        return []
    return awards


@bp.post("/evaluations/<int:session_id>/reponse")
@requires(Role.LEARNER)
def answer(session_id: int):
    session = _owned(session_id)
    item_id = _posted_item_id()
    try:
        outcome = _submit(session, item_id)
    except InvalidResponse as error:
        db.session.rollback()
        return _refused(session, item_id, error)
    except sessions.SessionFinished:
        db.session.rollback()
        return _after(db.session.get(AssessmentSession, session_id), repeated=True)
    except sessions.ItemNotAsked:
        db.session.rollback()
        return _not_asked(session)
    db.session.commit()
    if outcome.repeated or outcome.finished:  # a double submit counted nothing again
        return _after(session, repeated=outcome.repeated)
    flash(_("Réponse enregistrée."), "status")
    return redirect(url_for(".session_item", session_id=session.id), code=303)


def _posted_item_id() -> int:
    form = AnswerForm()
    form.validate_on_submit()  # CSRF is enforced globally (400 before we get here)
    try:
        return int(form.item_id.data or "")
    except ValueError:
        abort(400, description=_("La réponse ne dit pas à quelle question elle répond."))


def _submit(session: AssessmentSession, item_id: int) -> sessions.Outcome:
    """« Je ne sais pas », or the answer the item's form holds (read by the domain)."""
    if request.form.get("intent") == SKIP:
        return sessions.skip(db.session, session, item_id)
    return sessions.answer_form(
        db.session, session, item_id, request.form, timer_paused=_more_time()
    )


def _after(session: AssessmentSession, repeated: bool):
    if session.finished:
        if repeated:
            flash(_("Cette évaluation est terminée. Voici vos résultats."), "info")
        return _finish(session)
    if repeated:
        flash(_("Cette réponse était déjà enregistrée. Voici la question suivante."), "info")
    return redirect(url_for(".session_item", session_id=session.id), code=303)


def _not_asked(session: AssessmentSession):
    item = sessions.current_item(db.session, session)
    db.session.commit()
    notice = _(
        "Cette question ne fait pas partie de votre évaluation. "
        "Continuez avec la question ci-dessous."
    )
    if item is None:
        flash(notice, "info")
        return redirect(url_for(".results", session_id=session.id), code=303)
    return _render_item(session, item, notice=notice, values=MultiDict(), status=400)


@bp.post("/evaluations/<int:session_id>/amenagement")
@requires(Role.LEARNER)
def adjustment(session_id: int):
    """Toggle "plus de temps / pause" for this browser session (an accessibility adjustment)."""
    session = _owned(session_id)
    AdjustmentForm().validate_on_submit()
    cookie[ADJUSTMENT_KEY] = not _more_time()
    flash(
        _("Plus de temps : activé. Vous pouvez mettre le chronomètre en pause.")
        if cookie[ADJUSTMENT_KEY]
        else _("Plus de temps : désactivé."),
        "status",
    )
    return redirect(url_for(".session_item", session_id=session.id), code=303)


# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class CompetenceLine:
    code: str
    title: str
    level: int
    can_do: str | None
    next_step: str | None


def _descriptor(competence, level: int) -> str | None:
    for descriptor in competence.levels:
        if descriptor.level == level:
            return _pick(descriptor.text_fr, descriptor.text_en)
    return None


def _wallet_url() -> str:
    """« Mes badges » (built beside this module); its URL path until its endpoint exists."""
    for rule in current_app.url_map.iter_rules():
        if rule.rule.rstrip("/") == "/apprenant/badges" and "GET" in (rule.methods or ()):
            return url_for(rule.endpoint)
    return "/apprenant/badges"


def _badge_view(credential) -> dict[str, Any]:
    achievement = credential.achievement
    image = None
    if achievement.image_data is not None:
        encoded = base64.b64encode(achievement.image_data).decode("ascii")
        image = f"data:{achievement.image_media_type};base64,{encoded}"
    return {
        "name": achievement.name,
        "description": achievement.description,
        "image": image,
        "alt": achievement.image_alt or "",
        "public_id": credential.public_id,
    }


@bp.get("/evaluations/<int:session_id>/resultats")
@requires(Role.LEARNER)
def results(session_id: int):
    session = _owned(session_id)
    sessions.current_item(db.session, session)  # finishes a session whose time ran out
    db.session.commit()
    if not session.finished:
        return redirect(url_for(".session_item", session_id=session.id))
    _award(session)
    framework = session.campaign.assessment.framework
    scale = max((d.level for c in framework.competences for d in c.levels), default=8)
    lines = [
        CompetenceLine(
            code=r.competence.code,
            title=_pick(r.competence.title_fr, r.competence.title_en),
            level=r.level,
            can_do=_descriptor(r.competence, r.level) if r.level else None,
            next_step=_descriptor(r.competence, r.level + 1),
        )
        for r in session.results
    ]
    lines.sort(key=lambda line: (-line.level, line.code))  # what the person can do comes first
    referral = None
    if framework.kind == FrameworkKind.REFERRAL and session.referral is not None:
        data = framework.referral or {}
        code = session.referral.value
        label = (data.get("labels") or {}).get(code, {})
        steps = (data.get("next_steps") or {}).get(code, {})
        referral = {
            "code": code,
            "label": _pick(label.get("fr"), label.get("en")) or code,
            "next_steps": _pick(steps.get("fr"), steps.get("en")),
        }
    answered = [r for r in session.responses if r.status is not None]
    return render_template(
        "learner/results.html",
        session=session,
        framework=framework,
        framework_title=_pick(framework.title_fr, framework.title_en),
        lines=lines,
        scale=max(scale, 1),
        referral=referral,
        badges=[_badge_view(c) for c in awarding.awarded(db.session, session)],
        wallet_url=_wallet_url(),
        answered=len(answered),
        colour=framework.colour or "#1f5fa8",
    )
