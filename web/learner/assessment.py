"""The learner's assessment journey: join a campaign, answer one item per page, see results.

Routes only parse, authorise, call ``assessments.sessions`` / ``badges.awarding`` and render.
Every page works without JavaScript (plain forms, CSRF); ``static/js/item.js`` only enhances.
A session belongs to one learner: another learner's session id answers 404.
Badges are issued once, by the POST that ends the session; no GET issues one.
"""

from __future__ import annotations

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
from werkzeug.datastructures import MultiDict

from assessments import results as assessment_results
from assessments import sessions
from assessments.campaigns import (
    CampaignClosed,
    CampaignError,
    CampaignNotOpenYet,
    UnknownCampaignCode,
    find_campaign_for,
    format_code,
)
from assessments.item_types import definition
from assessments.item_types.base import Posted, field_name
from assessments.models import (
    AssessmentMode,
    AssessmentSession,
    Campaign,
    Item,
)
from assessments.response_errors import InvalidResponse
from badges import awarding, evidence_advice, wallet
from learners.models import Learner, Organisation, Role
from web.authz import requires
from web.database import db
from web.learner.award_forms import AwardBadgesForm
from web.learner.forms import (
    SKIP,
    AdjustmentForm,
    JoinForm,
    StartForm,
)
from web.learner.views import bp

ADJUSTMENT_KEY = "jalon_more_time"
# The query argument the question page gets after an answer was recorded.
SAVED = "enregistree"

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
    "procedure_expected": _l("Faites la démarche, écran par écran."),
    "procedure_unfinished": _l(
        "Allez jusqu'au bout de la démarche, ou choisissez « Je ne sais pas »."
    ),
    "step_choice_expected": _l("Choisissez une réponse sur chaque écran de la démarche."),
    "step_empty": _l("Remplissez au moins une case sur chaque écran de la démarche."),
    "unknown_step": _l("Cet écran ne fait pas partie de la démarche. Recommencez la démarche."),
}


# ---------------------------------------------------------------------------------------------
# Helpers


def _learner() -> Learner:
    learner = current_user.learner
    if learner is None:  # a learner membership always comes with a profile; be safe anyway
        abort(403)
    return learner


def _owned(session_id: int, *, lock: bool = False) -> AssessmentSession:
    try:
        return sessions.get_owned(db.session, session_id, _learner(), lock=lock)
    except sessions.SessionNotFound:
        abort(404)


def _my_organisations() -> set[int]:
    return {m.organisation_id for m in current_user.memberships if m.role is Role.LEARNER}


def _campaign_for_me(code: str) -> Campaign:
    """The open campaign ``code`` names, if it is one of my organisations' (else "unknown":
    another association's code reveals nothing)."""
    return find_campaign_for(db.session, code, _my_organisations())


def _join_error(error: Exception) -> str:
    if isinstance(error, CampaignClosed):
        return _(
            "Cette évaluation est fermée : elle n'accepte plus de réponses. "
            "Demandez à votre formateur s'il y en a une autre."
        )
    if isinstance(error, CampaignNotOpenYet):
        when = format_date(error.opens_at, "long") if error.opens_at else ""
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


def _more_time() -> bool:
    return bool(cookie.get(ADJUSTMENT_KEY))


def _start(code: str) -> Any:
    """Join (or resume) and go to the current item; errors re-render the join form."""
    form = JoinForm(formdata=None, data={"code": code})
    try:
        started = sessions.start_in(db.session, _campaign_for_me(code), _learner())
    except (CampaignError, sessions.NoItemAvailable) as error:
        db.session.rollback()
        form.code.errors = [_join_error(error)]
        return render_template("learner/join.html", form=form), 422
    db.session.commit()
    return redirect(url_for(".session_item", session_id=started.id), code=303)


# ---------------------------------------------------------------------------------------------
# Home page: sessions in progress and finished


@bp.app_template_global()
def learner_sessions(learner: Learner | None) -> list[sessions.SessionSummary]:
    """The learner's sessions, in progress first ("Reprendre"), then finished ones."""
    return [] if learner is None else sessions.of_learner(db.session, learner)


# ---------------------------------------------------------------------------------------------
# Joining


@bp.route("/rejoindre", methods=["GET", "POST"])
@requires(Role.LEARNER)
def join():
    if request.method == "POST":
        form = JoinForm()
        if not form.validate_on_submit():
            return render_template("learner/join.html", form=form), 422
        return _start(form.code.data)
    # A link may carry the code (``?code=ABCD-EFGH``): the form comes filled in.
    typed = request.args.get("code", "")[:32]
    return render_template("learner/join.html", form=JoinForm(data={"code": typed}))


@bp.get("/campagne/<code>")
@requires(Role.LEARNER)
def campaign(code: str):
    """A campaign link or QR code: say what it is, start only on "Commencer" (a POST)."""
    try:
        found = _campaign_for_me(code)
    except CampaignError as error:
        return _bad_campaign_link(code, error)
    mine = sessions.in_campaign(db.session, found, _learner())
    return render_template(
        "learner/campaign.html",
        campaign=found,
        code=format_code(found.code),
        organisation_name=db.session.get(Organisation, found.organisation_id).name,
        form=StartForm(),
        in_progress=mine.in_progress,
        finished=mine.finished,
    )


def _bad_campaign_link(code: str, error: CampaignError):
    """The join form, filled with the link's code and the reason it cannot be used."""
    form = JoinForm(formdata=None, data={"code": format_code(code.upper())[:32]})
    form.code.errors = [_join_error(error)]
    status = 404 if isinstance(error, UnknownCampaignCode) else 400
    return render_template("learner/join.html", form=form), status


@bp.post("/campagne/<code>")
@requires(Role.LEARNER)
def start_campaign(code: str):
    StartForm().validate_on_submit()  # CSRF is checked globally; nothing else to read
    return _start(code)


# ---------------------------------------------------------------------------------------------
# One item per page


def _progress(session: AssessmentSession, standing: sessions.Standing) -> dict[str, Any]:
    answered, total = standing.answered, standing.total
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
    standing: sessions.Standing | None = None,
    status_message: str | None = None,
):
    """The item's page; ``values`` fill its fields in again (by default, what was posted);
    ``status_message`` is shown where flashed messages are."""
    item_type = definition(item.type)
    if standing is None:
        standing = sessions.standing(db.session, session, item)
    return render_template(
        "learner/item.html",
        session=session,
        item=item,
        body=sessions.shown_body(session, item),
        kind=item_type.kind.value,
        item_type=item_type,
        progress=_progress(session, standing),
        errors=errors or {},
        values=values if values is not None else request.form,
        state=item_type.page_state(item.body or {}, Posted(request.values)),
        remaining=standing.seconds_left,
        more_time=_more_time(),
        notice=notice,
        status_message=status_message,
        field_name=field_name,
    ), status


@bp.get("/evaluations/<int:session_id>")
@requires(Role.LEARNER)
def session_item(session_id: int):
    try:
        session, item, standing = sessions.item_page(db.session, session_id, _learner())
    except sessions.SessionNotFound:
        abort(404)
    if item is None:
        db.session.commit()  # a time limit that passed finishes the session: keep it finished
        return redirect(url_for(".results", session_id=session.id))
    # Nothing was written (only finishing writes): no COMMIT.
    saved = _("Réponse enregistrée.") if request.args.get(SAVED) == "1" else None
    return _render_item(session, item, standing=standing, status_message=saved)


def _refused(session: AssessmentSession, item_id: int, error: InvalidResponse):
    """The item again, the French message on the field to fix (nothing was recorded)."""
    message = str(RESPONSE_MESSAGES.get(error.code, error.message))
    item = db.session.get(Item, item_id)
    return _render_item(session, item, errors={error.field or "answer": message}, status=422)


def _finish(session: AssessmentSession):
    """The session has ended (in this POST): issue its badges if still pending, then show the
    results. A failure leaves them pending, offered again on the results page."""
    _award(session)
    return redirect(url_for(".results", session_id=session.id), code=303)


def _award(session: AssessmentSession) -> awarding.Awarding:
    """Issue the session's pending badges (commits; a transient failure is retried)."""
    return awarding.award_with_retry(
        db.session,
        session,
        base_url=current_app.config["JALON_BASE_URL"],
        kek=current_app.config["JALON_KEY_ENCRYPTION_KEY"],
    )


@bp.post("/evaluations/<int:session_id>/reponse")
@requires(Role.LEARNER)
def answer(session_id: int):
    session = _owned(session_id, lock=True)  # the lock the answer takes anyway
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
    # « Réponse enregistrée » rides on the next page's address, not in a flash: a flash is
    # written into the session cookie by this POST and out of it by the GET, so every answer
    # signed and sent the cookie twice.
    return redirect(url_for(".session_item", session_id=session.id, **{SAVED: "1"}), code=303)


def _posted_item_id() -> int:
    """The item the answer is for. CSRF is enforced globally (400 before we get here), and a
    form object would only read this one field: building it cost more than the answer's check
    (WTForms loads its message catalogue once per request to label its fields)."""
    try:
        return int(request.form.get("item_id") or "")
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
    if item is None:  # the time limit ended the session: its badges are issued now
        flash(notice, "info")
        return _finish(session)
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


@bp.get("/evaluations/<int:session_id>/resultats")
@requires(Role.LEARNER)
def results(session_id: int):
    """The results and the badges already issued; never issues one (a GET): badges still due
    are offered with « Réessayer », a POST; badges missed for lack of evidence name the
    campaign that would give it."""
    session = _owned(session_id)
    sessions.current_item(db.session, session)  # finishes a session whose time ran out
    db.session.commit()
    if not session.finished:
        return redirect(url_for(".session_item", session_id=session.id))
    return render_template(
        "learner/results.html",
        results=assessment_results.results(db.session, session, _locale()),
        badges=[wallet.badge_card(c) for c in awarding.awarded(db.session, session)],
        badges_due=awarding.badges_due(db.session, session),
        near=evidence_advice.advice(db.session, session),
        award_form=AwardBadgesForm(),
        session=session,
    )


@bp.post("/evaluations/<int:session_id>/badges")
@requires(Role.LEARNER)
def award_badges(session_id: int):
    """« Réessayer »: issue the badges a finished session earned and has not received."""
    session = _owned(session_id)
    AwardBadgesForm().validate_on_submit()  # CSRF is checked globally; nothing else to read
    if _award(session).pending:
        flash(_("Vos badges ne sont pas encore prêts. Réessayez dans quelques minutes."), "info")
    return redirect(url_for(".results", session_id=session.id), code=303)
