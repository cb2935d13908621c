"""Accounts: finding, authenticating and creating users; password changes and reset tokens.

Functions take the database session (``db: Session``) and never commit: the caller (a view, the
CLI) decides when the unit of work ends. Errors are precise exceptions the web layer maps to
French messages.
"""

from __future__ import annotations

import enum
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session, joinedload

from learners import passwords
from learners.database import utcnow
from learners.models import AuditEvent, Learner, Membership, Organisation, Role, User
from learners.pagination import Page, paginate

RESET_TOKEN_MAX_AGE = 2 * 3600
_RESET_SALT = "jalon.password-reset"


class WeakPasswordReason(enum.StrEnum):
    TOO_SHORT = "too_short"
    SAME_AS_LOGIN = "same_as_login"
    SAME_AS_CURRENT = "same_as_current"


class WeakPassword(ValueError):
    """The new password is refused; ``reason`` tells the view which message to show."""

    def __init__(self, reason: WeakPasswordReason) -> None:
        super().__init__(reason.value)
        self.reason = reason


class AccessCodeExpired(PermissionError):
    """A right one-time code, but given too long ago: the trainer gives a new one."""


class WrongPassword(ValueError):
    """The current password given to confirm a change is not the right one."""


class InvalidResetToken(ValueError):
    """The reset link is tampered with, already used, or for an account that no longer exists."""


class ExpiredResetToken(InvalidResetToken):
    """The reset link is older than ``RESET_TOKEN_MAX_AGE``."""


# Built once: building the statement and its cache key cost a good part of running it.
_SIGNED_IN = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(joinedload(User.memberships), joinedload(User.learner))
)


def signed_in_user(db: Session, user_id: int) -> User | None:
    """The user behind a session cookie with their memberships and learner profile, in one
    query: every page checks roles and most learner pages read the profile, so loading them
    lazily cost two more queries per request."""
    return db.execute(_SIGNED_IN, {"user_id": user_id}).unique().scalar_one_or_none()


def normalise_login(login: str) -> str:
    return (login or "").strip().lower()


def find_by_login(db: Session, login: str) -> User | None:
    """The user whose e-mail or username is ``login`` (case-insensitive), if any: logins are
    stored normalised (``create_user``, migration 0015), so the unique index answers."""
    key = normalise_login(login)
    if not key:
        return None
    column = User.email if "@" in key else User.username
    return db.scalar(select(User).where(column == key))


def authenticate(
    db: Session,
    login: str,
    password: str,
    *,
    access_code_days: int | None = None,
    now: datetime | None = None,
) -> User | None:
    """The active user these credentials open, else None.

    Every failed attempt costs two password verifications, whether the login is unknown, a
    password account or one holding a one-time code (which is also tried as typed from paper),
    so the time taken does not tell which. A right one-time code older than
    ``access_code_days`` raises :class:`AccessCodeExpired`."""
    user = find_by_login(db, login)
    if user is None:
        passwords.verify_dummy(password)
        passwords.verify_dummy(password)
        return None
    ok = passwords.verify_password(user.password_hash, password)
    if not ok:
        if user.must_change_password:
            # One-time codes are typed from paper: forgive case, spaces and a missing dash.
            normalised = passwords.normalise_access_code(password)
            ok = passwords.verify_password(user.password_hash, normalised)
        else:
            passwords.verify_dummy(password)
    if not ok or not user.is_active:
        return None
    _check_code_age(user, access_code_days, now or utcnow())
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = passwords.hash_password(password)
    return user


def _check_code_age(user: User, days: int | None, now: datetime) -> None:
    if days and user.must_change_password and user.password_changed_at < now - timedelta(days=days):
        raise AccessCodeExpired(user.login)


def check_new_password(user: User, new_password: str) -> None:
    """Raise ``WeakPassword`` when ``new_password`` is not acceptable for ``user``."""
    if len(new_password) < passwords.MIN_PASSWORD_LENGTH:
        raise WeakPassword(WeakPasswordReason.TOO_SHORT)
    lowered = new_password.strip().lower()
    if lowered in {normalise_login(user.username or ""), normalise_login(user.email or "")}:
        raise WeakPassword(WeakPasswordReason.SAME_AS_LOGIN)
    if passwords.verify_password(user.password_hash, new_password):
        raise WeakPassword(WeakPasswordReason.SAME_AS_CURRENT)


def set_password(user: User, new_password: str, *, must_change: bool = False) -> None:
    user.password_hash = passwords.hash_password(new_password)
    user.must_change_password = must_change
    user.password_changed_at = utcnow()


def change_password(user: User, current_password: str, new_password: str) -> None:
    """Change a password the user knows (or the one-time code they were given)."""
    if not (
        passwords.verify_password(user.password_hash, current_password)
        or passwords.verify_password(
            user.password_hash, passwords.normalise_access_code(current_password)
        )
    ):
        raise WrongPassword
    check_new_password(user, new_password)
    set_password(user, new_password)


def end_sessions(user: User) -> None:
    """Void every session of this person, on every device (logout, "end all sessions"): the
    session identity carries this version, so a copied cookie no longer loads the user."""
    user.session_version = (user.session_version or 0) + 1


def password_fingerprint(user: User) -> str:
    """Changes whenever the password does: binds reset links and login sessions to it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def _serializer(secret_key: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key, salt=_RESET_SALT)


def make_reset_token(secret_key: str, user: User) -> str:
    """A signed, expiring link token, void once the password changes (single use)."""
    return _serializer(secret_key).dumps({"u": user.id, "p": password_fingerprint(user)})


def user_for_reset_token(
    db: Session, secret_key: str, token: str, max_age: int = RESET_TOKEN_MAX_AGE
) -> User:
    try:
        payload = _serializer(secret_key).loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ExpiredResetToken from exc
    except BadSignature as exc:
        raise InvalidResetToken from exc
    if not isinstance(payload, dict):
        raise InvalidResetToken
    user = db.get(User, payload.get("u")) if isinstance(payload.get("u"), int) else None
    if user is None or not user.is_active or payload.get("p") != password_fingerprint(user):
        raise InvalidResetToken
    return user


def reset_password(db: Session, secret_key: str, token: str, new_password: str, **kwargs) -> User:
    user = user_for_reset_token(db, secret_key, token, **kwargs)
    check_new_password(user, new_password)
    set_password(user, new_password)
    return user


def username_base(display_name: str) -> str:
    """``"Sophie Dupont"`` → ``"sdupont"``: ASCII letters only, as the UX guide's example."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^A-Za-z]+", ascii_name.lower()) if w]
    if not words:
        return "apprenant"
    base = words[0] if len(words) == 1 else words[0][0] + words[-1]
    return base[:24]


def free_username(db: Session, display_name: str) -> str:
    base = username_base(display_name)
    taken = set(db.scalars(select(User.username).where(User.username.like(f"{base}%"))).all())
    if base not in taken:
        return base
    n = 2
    while f"{base}{n}" in taken:
        n += 1
    return f"{base}{n}"


def create_user(
    db: Session,
    *,
    display_name: str,
    password: str,
    email: str | None = None,
    username: str | None = None,
    memberships: tuple[tuple[Organisation, Role], ...] = (),
    must_change_password: bool = False,
) -> User:
    if not (email or username):
        raise ValueError("a user needs an e-mail or a username")
    user = User(
        display_name=display_name.strip(),
        email=normalise_login(email) if email else None,
        username=normalise_login(username) if username else None,
        password_hash=passwords.hash_password(password),
        must_change_password=must_change_password,
        is_active=True,
    )
    db.add(user)
    for organisation, role in memberships:
        db.add(Membership(user=user, organisation=organisation, role=role))
        if role is Role.LEARNER and user.learner is None:
            user.learner = Learner(display_name=user.display_name)
    db.flush()
    return user


@dataclass(frozen=True)
class NewLearnerAccount:
    """What the printable sheet shows once: the code is stored only as a hash."""

    user: User
    access_code: str


def create_learner_account(
    db: Session, organisation: Organisation, display_name: str
) -> NewLearnerAccount:
    """A learner without e-mail: generated username and a one-time code to change at login."""
    code = passwords.new_access_code()
    user = create_user(
        db,
        display_name=display_name,
        username=free_username(db, display_name),
        password=code,
        memberships=((organisation, Role.LEARNER),),
        must_change_password=True,
    )
    return NewLearnerAccount(user=user, access_code=code)


class LoginTaken(ValueError):
    """Another account already signs in with this e-mail address."""


def create_org_admin_account(
    db: Session, organisation: Organisation, display_name: str, email: str
) -> NewLearnerAccount:
    """An organisation's administrator (a partner employer's, for instance), opened by the
    platform admin: signs in with their e-mail and a one-time code to change at first login."""
    if find_by_login(db, email) is not None:
        raise LoginTaken(email)
    code = passwords.new_access_code()
    user = create_user(
        db,
        display_name=display_name,
        email=email,
        password=code,
        memberships=((organisation, Role.ORG_ADMIN),),
        must_change_password=True,
    )
    return NewLearnerAccount(user=user, access_code=code)


def renew_access_code(user: User) -> str:
    """A fresh one-time code for a learner who lost theirs (the old one stops working)."""
    code = passwords.new_access_code()
    set_password(user, code, must_change=True)
    return code


CODE_RENEWED = "learner.code_renewed"


def code_renewed_at(db: Session, user: User) -> datetime | None:
    """When staff gave ``user`` the one-time code they hold now (the journal says so), so the
    learner is told at their next login; None when their code is not one staff renewed."""
    if not user.must_change_password:
        return None
    return db.scalar(
        select(func.max(AuditEvent.at)).where(
            AuditEvent.action == CODE_RENEWED,
            AuditEvent.target_type == "user",
            AuditEvent.target_id == str(user.id),
            AuditEvent.at >= user.password_changed_at,
        )
    )


def _learners_query(organisation_id: int) -> Select[tuple[User]]:
    return (
        select(User)
        .join(Membership)
        .where(Membership.organisation_id == organisation_id, Membership.role == Role.LEARNER)
        .order_by(User.display_name, User.id)
    )


def learners_of(db: Session, organisation_id: int) -> list[User]:
    return list(db.scalars(_learners_query(organisation_id)))


def learners_page(db: Session, organisation_id: int, page: int | None = 1) -> Page[User]:
    """One page of the organisation's learners by name (the organisation page: thousands of
    learners made it seconds long and megabytes heavy)."""
    return paginate(db, _learners_query(organisation_id), page)


def member_of(db: Session, user_id: int, organisation_id: int, role: Role) -> User | None:
    """The user if they hold ``role`` in the organisation, else None (views turn that into 404)."""
    return db.scalar(
        select(User)
        .join(Membership)
        .where(
            User.id == user_id,
            Membership.organisation_id == organisation_id,
            Membership.role == role,
        )
    )
