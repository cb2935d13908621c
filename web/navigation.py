"""Where to send people: their role's home page, and safe ``next`` redirects (no open redirect)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

from learners.models import OrganisationKind, Role, User

# First matching role wins when a person holds several.
HOME_ORDER = (Role.PLATFORM_ADMIN, Role.DEPARTMENT, Role.ORG_ADMIN, Role.TRAINER, Role.LEARNER)


def home_url(user: User) -> str:
    for role in HOME_ORDER:
        membership = next((m for m in user.memberships if m.role is role), None)
        if membership is None:
            continue
        if role is Role.PLATFORM_ADMIN:
            return url_for("admin.organisations")
        if role is Role.DEPARTMENT:
            return url_for("department.home")
        if role is Role.ORG_ADMIN and membership.organisation.kind is OrganisationKind.EMPLOYEUR:
            # A partner employer's space is its endorsements page.
            return url_for("endorsements.partner", org_id=membership.organisation_id)
        if role in (Role.ORG_ADMIN, Role.TRAINER):
            return url_for("studio.organisation", org_id=membership.organisation_id)
        return url_for("learner.home")
    return url_for("auth.no_role")


def safe_next(target: str | None, default: str = "/") -> str:
    """Only paths on this site: ``//evil.example`` or ``https://…`` fall back to ``default``."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target:
        return default
    return target
