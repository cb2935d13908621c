"""Interoperability: Jalon's proofs and the Digital Bazaar JavaScript stack verify each other.

Each test batches its cases into one ``node`` run (starting node costs more than a proof).
"""

from __future__ import annotations

import copy

import pytest

from badges.ob3 import data_integrity, keys
from badges.ob3.errors import JsonLdSafeModeError
from tests.badges.ob3.samples import ISSUER_ID, ob_credential

pytestmark = pytest.mark.interop

CREATED = "2026-03-01T09:30:05Z"

CONTROL = 'bell\a back\b tab\t lf\n vt\v ff\f cr\r nul\x00 us\x1f del\x7f ls\u2028 quote" bs\\'
EDGE_CASES = {
    "plain": ob_credential(),
    "accents": ob_credential(
        name="Maîtriser l'écrit professionnel — niveau avancé",
        issuer_name="Écoles de la 2ᵉ chance — Île-de-France (Saint-Étienne-du-Rouvray)",
    ),
    "non_latin": ob_credential(
        name="Русский язык · 中文 · العربية · עברית · ελληνικά · हिन्दी",
        issuer_name="東京都立 · Κέντρο · مركز التدريب",
    ),
    "emoji": ob_credential(
        name="Super médiatrice 🏅🎉👩🏽‍💻", narrative="Bravo ! 🚀🇫🇷 \U0001f9d1‍🤝‍🧑"
    ),
    "control_characters": ob_credential(narrative=CONTROL, description="a\tb\nc\rd\fe\bf"),
    "long_narrative": ob_credential(
        narrative="\n\n".join(
            f"## Étape {i}\n\n- Compétence démontrée : « tableur » n°{i}, score {i * 1.5}."
            for i in range(600)
        )
    ),
    "numbers_and_booleans": ob_credential(
        extra_subject={"creditsEarned": 3.0, "activityStartDate": "2026-01-05T08:00:00Z"}
    ),
}


@pytest.fixture(scope="module")
def issuer_key():
    return keys.ed25519_from_seed(bytes(range(32)))


def _method(private_key) -> dict:
    multikey = keys.ed25519_to_multikey(private_key)
    return {
        "verificationMethod": f"{ISSUER_ID}#{multikey}",
        "controller": ISSUER_ID,
        "publicKeyMultibase": multikey,
    }


def test_credentials_signed_by_jalon_verify_in_the_js_stack(js_stack, issuer_key) -> None:
    method = _method(issuer_key)
    signed = {
        name: data_integrity.sign(
            credential, issuer_key, method["verificationMethod"], created=CREATED
        )
        for name, credential in EDGE_CASES.items()
    }
    results = js_stack.run("verify.mjs", [{**method, "credential": c} for c in signed.values()])
    assert {name: r for name, r in zip(signed, results, strict=True) if not r["verified"]} == {}


def test_credentials_signed_by_the_js_stack_verify_in_jalon(js_stack, issuer_key) -> None:
    method = _method(issuer_key)
    secret = keys.ed25519_secret_multikey(issuer_key)
    jobs = [
        {**method, "secretKeyMultibase": secret, "created": CREATED, "credential": credential}
        for credential in EDGE_CASES.values()
    ]
    signed_by_js = js_stack.run("sign.mjs", jobs)
    for name, credential in zip(EDGE_CASES, signed_by_js, strict=True):
        assert "error" not in credential, (name, credential)
        result = data_integrity.verify(credential, issuer_key.public_key())
        assert result.ok, (name, result.reason_en)
        # Ed25519 is deterministic: both stacks produce the very same proof.
        ours = data_integrity.sign(
            EDGE_CASES[name], issuer_key, method["verificationMethod"], created=CREATED
        )
        assert ours["proof"] == credential["proof"], name


def test_tampered_credentials_fail_in_both_stacks(js_stack, issuer_key) -> None:
    method = _method(issuer_key)
    signed = data_integrity.sign(
        EDGE_CASES["accents"], issuer_key, method["verificationMethod"], created=CREATED
    )
    tampered = []
    for mutate in (
        lambda c: c["credentialSubject"]["achievement"].update(name="Utiliser un tableur !"),
        lambda c: c["issuer"].update(name="Association Tremplin Numerique"),
        lambda c: c.update(validFrom="2026-03-01T09:30:01Z"),
        lambda c: c["proof"].update(created="2026-03-01T09:30:06Z"),
    ):
        candidate = copy.deepcopy(signed)
        mutate(candidate)
        assert not data_integrity.verify(candidate, issuer_key.public_key()).ok
        tampered.append(candidate)
    results = js_stack.run("verify.mjs", [{**method, "credential": c} for c in tampered])
    assert [r["verified"] for r in results] == [False] * len(tampered)


@pytest.mark.parametrize(
    "mutation",
    ["relative_id", "relative_type", "undefined_term"],
)
def test_credentials_that_lose_data_are_refused_by_both_stacks(
    js_stack, issuer_key, mutation: str
) -> None:
    credential = ob_credential()
    if mutation == "relative_id":
        credential["evidence"][0]["id"] = "evidence/8812"
    elif mutation == "relative_type":
        credential["credentialSubject"]["type"].append("UndefinedSubjectType")
    else:
        credential["credentialSubject"]["favouriteColour"] = "vert"
    method = _method(issuer_key)
    with pytest.raises(JsonLdSafeModeError):
        data_integrity.sign(credential, issuer_key, method["verificationMethod"], created=CREATED)
    job = {
        **method,
        "secretKeyMultibase": keys.ed25519_secret_multikey(issuer_key),
        "created": CREATED,
        "credential": credential,
    }
    assert "error" in js_stack.run("sign.mjs", job)
