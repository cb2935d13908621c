"""Account services without Flask: authentication, passwords, reset tokens, learner accounts."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher
from sqlalchemy import func, select

from learners import accounts, passwords
from learners.models import Learner, Membership, Role, User
from tests.learners.factories import PASSWORD, make_organisation, make_user


def test_authenticate_by_email_or_username_case_insensitively(dbsession):
    by_mail = make_user(dbsession, Role.TRAINER, login="Jeanne@Test.example")
    by_name = make_user(dbsession, Role.LEARNER, login="sdupont", email=False)
    assert by_mail.email == "jeanne@test.example"  # stored as looked up: the index answers
    assert accounts.authenticate(dbsession, " JEANNE@test.example ", PASSWORD) is by_mail
    assert accounts.authenticate(dbsession, "SDupont", PASSWORD) is by_name
    assert accounts.authenticate(dbsession, "sdupont", "wrong") is None
    assert accounts.authenticate(dbsession, "nobody", PASSWORD) is None
    assert accounts.authenticate(dbsession, "", PASSWORD) is None


def test_password_hashes_are_argon2id_and_never_the_password(dbsession):
    user = make_user(dbsession)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_production_hasher_uses_rfc9106_parameters():
    hasher = PasswordHasher()
    assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (3, 65536, 4)
    assert passwords.verify_password("not a hash", "x") is False


def test_weak_passwords_are_refused_with_a_reason(dbsession):
    user = make_user(dbsession, login="kmartin", email=False)
    for new, reason in [
        ("court", accounts.WeakPasswordReason.TOO_SHORT),
        ("KMartin", accounts.WeakPasswordReason.TOO_SHORT),
        ("kmartin ", accounts.WeakPasswordReason.SAME_AS_LOGIN),
        (PASSWORD, accounts.WeakPasswordReason.SAME_AS_CURRENT),
    ]:
        with pytest.raises(accounts.WeakPassword) as caught:
            accounts.change_password(user, PASSWORD, new)
        assert caught.value.reason is reason
    with pytest.raises(accounts.WrongPassword):
        accounts.change_password(user, "wrong", "a fine new password")


def test_learner_account_has_generated_username_and_one_time_code(dbsession):
    org = make_organisation(dbsession)
    first = accounts.create_learner_account(dbsession, org, "Sophie Dupont")
    second = accounts.create_learner_account(dbsession, org, "Sébastien Dupont")
    assert (first.user.username, second.user.username) == ("sdupont", "sdupont2")
    assert first.user.email is None and first.user.must_change_password
    assert first.user.learner.display_name == "Sophie Dupont"
    assert len(first.user.learner.pseudonym) == 32
    assert first.user.roles_in(org.id) == {Role.LEARNER}
    user = accounts.authenticate(dbsession, "sdupont", first.access_code)
    assert user is first.user
    accounts.change_password(user, first.access_code, "ma propre phrase")
    assert not user.must_change_password
    assert accounts.authenticate(dbsession, "sdupont", first.access_code) is None


def test_access_codes_are_unambiguous_and_forgiving_to_type():
    codes = {passwords.new_access_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert not set(code.replace("-", "")) & set("01OIL")
        assert passwords.normalise_access_code(code.lower().replace("-", " ")) == code


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Sophie Dupont", "sdupont"),
        ("Zoë", "zoe"),
        ("Jean-Marc  Le Goff", "jgoff"),
        ("李", "apprenant"),
    ],
)
def test_username_base(name, expected):
    assert accounts.username_base(name) == expected


def test_reset_token_is_single_use_and_bound_to_the_secret(dbsession):
    user = make_user(dbsession)
    token = accounts.make_reset_token("secret", user)
    assert accounts.user_for_reset_token(dbsession, "secret", token) is user
    with pytest.raises(accounts.InvalidResetToken):
        accounts.user_for_reset_token(dbsession, "other secret", token)
    accounts.reset_password(dbsession, "secret", token, "a brand new one")
    with pytest.raises(accounts.InvalidResetToken):
        accounts.user_for_reset_token(dbsession, "secret", token)


def test_expired_reset_token_is_told_apart(dbsession):
    user = make_user(dbsession)
    token = accounts.make_reset_token("secret", user)
    with pytest.raises(accounts.ExpiredResetToken):
        accounts.user_for_reset_token(dbsession, "secret", token, max_age=-1)


def test_session_identity_changes_with_the_password(dbsession):
    user = make_user(dbsession)
    before = user.get_id()
    accounts.set_password(user, "another password")
    assert user.get_id() != before and user.get_id().startswith(f"{user.id}:")


def test_learners_of_lists_only_that_organisations_learners(dbsession):
    a, b = make_organisation(dbsession), make_organisation(dbsession)
    mine = make_user(dbsession, Role.LEARNER, a, name="Alice")
    make_user(dbsession, Role.TRAINER, a)
    make_user(dbsession, Role.LEARNER, b)
    assert accounts.learners_of(dbsession, a.id) == [mine]
    assert accounts.member_of(dbsession, mine.id, b.id, Role.LEARNER) is None


def test_demo_is_idempotent(dbsession):
    from learners import demo

    assert demo.is_empty(dbsession)
    demo.load_demo(dbsession)
    dbsession.commit()
    counts = [
        dbsession.scalar(select(func.count()).select_from(m)) for m in (User, Membership, Learner)
    ]
    demo.load_demo(dbsession)
    dbsession.commit()
    again = [
        dbsession.scalar(select(func.count()).select_from(m)) for m in (User, Membership, Learner)
    ]
    assert counts == again == [12, 12, 4]
    assert not demo.is_empty(dbsession)
    roles = {a.role for a in demo.ACCOUNTS}
    assert roles == set(Role)
    assert any(not a.email and a.role is Role.LEARNER for a in demo.ACCOUNTS)
    for account in demo.ACCOUNTS:
        assert accounts.authenticate(dbsession, account.login, demo.DEMO_PASSWORD) is not None
