"""An achievement's award rule in the studio: the builder, the rule in plain French,
« Qui l'obtiendrait ? » (a dry run on a campaign, nothing written) and saving it (journalled).

One page, one form: every button posts it back, so the page works without JavaScript. The
rule is read and written through ``badges.rule_drafts``; who may see or change it is
``badges.rule_editing.target`` (a shipped, platform achievement is read-only; another
association's is not found).
"""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from assessments import campaign_admin
from assessments import campaign_results as cr
from badges import award_rules, rule_drafts, rule_dry_run, rule_editing
from badges.achievements import AchievementNotFound
from learners import audit
from web.authz import requires
from web.database import db
from web.studio import bp
from web.studio.badge_rule_forms import RuleForm
from web.studio.views import STAFF


def _target(org_id: int, public_id: str) -> rule_editing.RuleTarget:
    try:
        return rule_editing.target(db.session, org_id, public_id)
    except AchievementNotFound:
        abort(404)


def _offered(form: RuleForm, org_id: int) -> list[rule_editing.FrameworkChoice]:
    """Fill the form's lists; the framework choices are returned for validation."""
    choices = rule_editing.framework_choices(db.session, org_id)
    campaigns = campaign_admin.list_campaigns(db.session, org_id, page=None).items
    form.offer(choices, campaigns)
    return choices


def _page(
    target: rule_editing.RuleTarget,
    form: RuleForm,
    *,
    status: int = 200,
    problems: list[str] | None = None,
    dry: rule_dry_run.DryRun | None = None,
):
    rule = rule_drafts.to_rule(form.draft())
    if problems:
        form.form_errors.extend(problems)
    if request.args.get("partie") == "clair":  # the page's script asks for the words only
        return render_template(
            "studio/badges/_rule_words.html", form=form, sentences=award_rules.describe(rule)
        ), status
    return render_template(
        "studio/badges/rule.html",
        organisation=g.organisation,
        achievement=target.achievement,
        read_only=target.read_only,
        form=form,
        sentences=award_rules.describe(rule),
        dry=dry,
    ), status


def _blocking(form: RuleForm, choices: list[rule_editing.FrameworkChoice]) -> list[str] | None:
    """None when the rule may be tried or saved; else the problems for the summary on top
    (empty when every message sits on its field)."""
    if not form.check_rows():
        return []
    return rule_editing.errors(rule_drafts.to_rule(form.draft()), choices) or None


def _dry_run(org_id: int, target, form: RuleForm, choices):
    if (problems := _blocking(form, choices)) is not None:
        return _page(target, form, status=422, problems=problems)
    campaign_id = form.campaign.data or ""
    try:
        campaign = cr.campaign_of(db.session, org_id, int(campaign_id or 0))
    except (cr.CampaignNotFound, ValueError):
        form.campaign.errors = [_("Choisissez une campagne de votre structure.")]
        return _page(target, form, status=422)
    dry = rule_dry_run.dry_run(db.session, rule_drafts.to_rule(form.draft()), campaign)
    return _page(target, form, dry=dry)


def _save(org_id: int, target, form: RuleForm, choices):
    if target.read_only:
        abort(403)
    if (problems := _blocking(form, choices)) is not None:
        return _page(target, form, status=422, problems=problems)
    rule = rule_drafts.to_rule(form.draft())
    achievement = rule_editing.save(db.session, target, rule, choices)
    audit.record(
        db.session,
        "achievement.rule_saved",
        actor=current_user,
        organisation_id=org_id,
        target_type="achievement",
        target_id=achievement.public_id,
        detail={"name": achievement.name, "rule": rule},
    )
    db.session.commit()
    flash(_("La règle d'obtention est enregistrée."), "success")
    return redirect(url_for(".award_rule", org_id=org_id, public_id=achievement.public_id), 303)


@bp.route("/<int:org_id>/badges/<public_id>/regle", methods=["GET", "POST"])
@requires(*STAFF, org_arg="org_id")
def award_rule(org_id: int, public_id: str):
    target = _target(org_id, public_id)
    if request.method == "GET":
        form = RuleForm.of(rule_drafts.from_rule(target.achievement.award_rules))
        _offered(form, org_id)
        return _page(target, form)
    form = RuleForm()
    choices = _offered(form, org_id)
    if not form.validate():
        return _page(target, form, status=422)
    if form.change_rows():
        return _page(target, form)
    if form.save.data:
        return _save(org_id, target, form, choices)
    if form.try_rule.data:
        return _dry_run(org_id, target, form, choices)
    return _page(target, form)
