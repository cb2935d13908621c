"""The direct JSON-LD → quads path against pyld: same canonical N-Quads byte for byte, same errors.

``jsonld.canonicalize`` takes the direct path (``fast_rdf``) and falls back to pyld for anything
it does not handle; ``jsonld.canonicalize_with_pyld`` is pyld alone, the reference. Every
document here goes through both, and what pyld canonicalises must not need the fallback.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from badges.ob3 import data_integrity, fast_rdf, jsonld
from badges.ob3.build import build_endorsement_credential
from badges.ob3.errors import JsonLdSafeModeError, Ob3Error
from tests.badges.ob3.credentials import ISSUER, SIGNING_KEY, VM_ID, signed_credential
from tests.badges.ob3.samples import ob_credential
from tests.conformance.reference import ob3_reference_folder

CONFORMANCE = Path(__file__).resolve().parents[2] / "conformance" / "data"


def outcome(canonicalize: Any, document: Any) -> tuple:
    """What a canonicalisation gives: the N-Quads, or the error's class and message (pyld
    raises a few ValueErrors of its own; the verifier reports those as invalid too)."""
    try:
        return ("ok", canonicalize(copy.deepcopy(document)))
    except Exception as error:
        return ("error", type(error), str(error))


def assert_same_as_pyld(document: Any, *, fast: bool | None = None) -> tuple:
    """Both paths agree; ``fast`` says whether the direct path must (not) answer by itself."""
    expected = outcome(jsonld.canonicalize_with_pyld, document)
    assert outcome(jsonld.canonicalize, document) == expected
    if fast is not None:
        assert (fast_rdf.quads(copy.deepcopy(document)) is not None) is fast
    return expected


def variants(document: dict) -> list[dict]:
    """The document, the document without its proofs and each proof's configuration."""
    found = [document]
    if "proof" in document:
        found.append({k: v for k, v in document.items() if k != "proof"})
        proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
        for proof in proofs:
            if isinstance(proof, dict):
                config = {k: v for k, v in proof.items() if k != "proofValue"}
                found.append(data_integrity.proof_configuration(config, document["@context"]))
    return found


def conformance_files() -> list[Path]:
    return sorted(CONFORMANCE.rglob("*.json"))


def test_the_reference_folder_is_the_one_the_other_tests_use():
    assert ob3_reference_folder() == CONFORMANCE and len(conformance_files()) >= 40


@pytest.mark.parametrize("path", conformance_files(), ids=lambda p: str(p.relative_to(CONFORMANCE)))
def test_conformance_documents_canonicalise_as_with_pyld(path: Path):
    document = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(document, dict) or "@context" not in document:
        return  # keys, values, manifests: not JSON-LD documents
    for variant in variants(document):
        # whatever pyld canonicalises here, the direct path does by itself
        expected = assert_same_as_pyld(variant)
        if expected[0] == "ok":
            assert fast_rdf.quads(copy.deepcopy(variant)) is not None


def test_jalon_credentials_take_the_direct_path_and_sign_as_before():
    endorsement = data_integrity.sign(
        build_endorsement_credential(
            credential_id="urn:uuid:5b0a7f38-8d4e-4d1e-9c57-1b9d1f2f6a11",
            issuer=ISSUER,
            subject_id="https://jalon.example/achievements/souris",
            comment="Référentiel relu par l'association.",
            valid_from=datetime(2026, 1, 1, tzinfo=UTC),
            name="Approbation",
        ),
        SIGNING_KEY,
        VM_ID,
        created="2026-01-02T00:00:00Z",
    )
    endorsed = ob_credential()
    endorsed["credentialSubject"]["achievement"]["endorsement"] = [endorsement]
    for document in [ob_credential(), signed_credential(), endorsement, endorsed]:
        for variant in variants(document):
            assert_same_as_pyld(variant, fast=True)


def _with(path: list[Any], value: Any) -> dict:
    document = ob_credential()
    target: Any = document
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return document


ACHIEVEMENT = ["credentialSubject", "achievement"]


@pytest.mark.parametrize(
    "document",
    [
        # an inline context, even one that only adds a term
        {
            **ob_credential(),
            "@context": [*ob_credential()["@context"], {"note": "https://example.org/note"}],
            "note": "x",
        },
        # a nested context given inline
        _with([*ACHIEVEMENT, "@context"], {"note": "https://example.org/note"}),
        # a value object, a language-tagged one, a @json value
        _with(["name"], {"@value": "Tableur", "@language": "fr"}),
        _with(["description"], {"@value": "x"}),
        {**ob_credential(), "_sd": ["a", "b"]},
        # a string in a @graph container (the proof)
        _with(["proof"], "https://jalon.example/proofs/1"),
        # an integer beyond 1e21, written as a double by JSON-LD
        _with([*ACHIEVEMENT, "creditsAvailable"], 10**22),
        # the @reverse keyword
        _with(["credentialSubject", "@reverse"], {"https://example.org/p": {"id": "urn:x:2"}}),
    ],
    ids=[
        "inline-context",
        "nested-inline-context",
        "value-object-language",
        "value-object",
        "json-literal",
        "graph-container-string",
        "huge-integer",
        "reverse",
    ],
)
def test_what_the_direct_path_does_not_handle_goes_to_pyld(document):
    assert fast_rdf.quads(copy.deepcopy(document)) is None
    assert outcome(jsonld.canonicalize, document) == outcome(
        jsonld.canonicalize_with_pyld, document
    )


@pytest.mark.parametrize(
    "document",
    [
        _with(["credentialSubject", "nickname"], "Cam"),  # a term no context defines
        _with(["id"], "credentials/12"),  # a relative IRI
        _with([*ACHIEVEMENT, "type"], ["Achievement", "Diplome"]),  # an undefined type
        _with(["credentialSubject", "@foo"], "bar"),  # something that looks like a keyword
        _with(["@context"], ["https://example.org/unknown-context"]),  # not vendored
        {**ob_credential(), "@id": "urn:x:1", "id": "urn:x:2"},  # colliding keywords
        # an IRI with a no-break space: pyld's RDF conversion would drop its statements unsigned
        _with(["id"], "urn:x:a\u00a0b"),
        _with([*ACHIEVEMENT, "image", "id"], "https://jalon.example/a\u00a0b.png"),
    ],
    ids=[
        "undefined-term",
        "relative-iri",
        "undefined-type",
        "keyword-like",
        "unknown",
        "ids",
        "nbsp-subject",
        "nbsp-object",
    ],
)
def test_refused_documents_give_the_same_error_as_before(document):
    expected = assert_same_as_pyld(document, fast=False)
    assert expected[0] == "error" and issubclass(expected[1], Ob3Error)


def test_a_term_no_context_defines_is_still_a_safe_mode_error():
    with pytest.raises(JsonLdSafeModeError, match="nickname"):
        jsonld.canonicalize(_with(["credentialSubject", "nickname"], "Cam"))


# --- generated credentials ---------------------------------------------------------------------

texts = st.text(max_size=30)
iris = st.builds(
    "https://jalon.example/{}/{}".format,
    st.sampled_from(["achievements", "results", "evidence", "frameworks"]),
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-._~%", min_size=1, max_size=12),
)
numbers = st.one_of(
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.integers(min_value=-1000, max_value=1000).map(float),  # 3.0 is the JSON number 3
)
dates = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1)).map(
    lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")
)


def optional(draw: Any, mapping: dict[str, Any]) -> dict[str, Any]:
    """``mapping`` without the entries ``draw`` decides to leave out (absent fields)."""
    return {key: value for key, value in mapping.items() if draw(st.booleans())}


@st.composite
def alignments(draw: Any) -> dict:
    return {
        "type": ["Alignment"],
        "targetName": draw(texts),
        "targetUrl": draw(iris),
        **optional(
            draw,
            {
                "targetCode": draw(texts),
                "targetFramework": draw(texts),
                "targetType": draw(st.sampled_from(["CFItem", "ext:Competence", "Skill"])),
            },
        ),
    }


@st.composite
def result_descriptions(draw: Any) -> dict:
    levels = draw(st.lists(texts, max_size=4))
    return {
        "id": draw(iris),
        "type": ["ResultDescription"],
        "name": draw(texts),
        "resultType": draw(st.sampled_from(["RubricCriterionLevel", "PerformanceLevel", "Status"])),
        **optional(
            draw,
            {
                "allowedValue": levels,
                "rubricCriterionLevel": [
                    {
                        "id": draw(iris),
                        "type": ["RubricCriterionLevel"],
                        "name": level,
                        **optional(draw, {"level": draw(texts), "points": draw(texts)}),
                    }
                    for level in levels
                ],
                "requiredLevel": draw(iris),
                "valueMin": draw(texts),
                "alignment": draw(st.lists(alignments(), max_size=2)),
            },
        ),
    }


@st.composite
def achievements(draw: Any) -> dict:
    return {
        "id": draw(iris),
        "type": ["Achievement"],
        "name": draw(texts),
        "criteria": optional(draw, {"narrative": draw(texts), "id": draw(iris)}),
        **optional(
            draw,
            {
                "description": draw(texts),
                "achievementType": draw(st.sampled_from(["Competency", "Badge", "ext:Atelier"])),
                "creditsAvailable": draw(numbers),
                "tag": draw(st.lists(st.one_of(texts, st.lists(texts, max_size=2)), max_size=3)),
                "alignment": draw(st.lists(alignments(), max_size=3)),
                "resultDescription": draw(st.lists(result_descriptions(), max_size=3)),
                "inLanguage": draw(st.sampled_from(["fr", "en", "fr-FR"])),
                "version": draw(texts),
                "image": {"id": draw(iris), "type": "Image", "caption": draw(texts)},
                "humanCode": draw(texts),
                "fieldOfStudy": draw(texts),
            },
        ),
    }


@st.composite
def credentials(draw: Any) -> dict:
    credential = ob_credential(
        name=draw(texts), narrative=draw(texts), issuer_name=draw(texts), description=draw(texts)
    )
    subject = credential["credentialSubject"]
    subject["achievement"] = draw(achievements())
    subject["result"] = [
        {
            "type": ["Result"],
            "resultDescription": draw(iris),
            **optional(
                draw,
                {
                    "value": draw(texts),
                    "achievedLevel": draw(iris),
                    "status": draw(st.sampled_from(["Completed", "Enrolled", "Failed"])),
                    "alignment": draw(st.lists(alignments(), max_size=1)),
                },
            ),
        }
        for _ in range(draw(st.integers(min_value=0, max_value=4)))
    ]
    extra = optional(
        draw,
        {
            "creditsEarned": draw(numbers),
            "activityStartDate": draw(dates),
            "licenseNumber": draw(texts),
            "role": draw(texts),
            "term": draw(texts),
        },
    )
    subject.update(extra)
    credential["evidence"] = [
        {
            "type": ["Evidence"],
            **optional(
                draw,
                {
                    "id": draw(iris),
                    "name": draw(texts),
                    "narrative": draw(texts),
                    "genre": draw(texts),
                    "audience": draw(texts),
                },
            ),
        }
        for _ in range(draw(st.integers(min_value=0, max_value=3)))
    ]
    for key, value in optional(
        draw,
        {"validFrom": draw(dates), "validUntil": draw(dates), "awardedDate": draw(dates)},
    ).items():
        credential[key] = value
    if draw(st.booleans()):
        credential["issuer"]["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": draw(texts), "identifierType": "sourcedId"}
        ]
    if draw(st.booleans()):  # a blank node named twice: the same node
        credential["evidence"].append({"id": "_:shared", "type": ["Evidence"]})
        credential["credentialSubject"]["source"] = {"id": "_:shared", "type": ["Profile"]}
    return credential


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials())
def test_generated_credentials_take_the_direct_path_with_pyld_s_result(credential):
    assert_same_as_pyld(credential, fast=True)


# What a tampered or hand-written credential may hold anywhere: real terms, unknown ones,
# keywords, IRIs of every shape and any JSON value.
keys = st.sampled_from(
    [
        "id",
        "type",
        "name",
        "description",
        "narrative",
        "achievement",
        "result",
        "alignment",
        "allowedValue",
        "tag",
        "creditsAvailable",
        "validFrom",
        "endorsement",
        "image",
        "@id",
        "@type",
        "@value",
        "@language",
        "@context",
        "@graph",
        "@list",
        "@set",
        "@nest",
        "@index",
        "@included",
        "nickname",
        "https://example.org/p",
        "ex:p",
        "_:p",
    ]
)
odd_strings = st.one_of(
    texts,
    iris,
    st.sampled_from(
        [
            "_:b0",
            "_:x y",
            "relative/path",
            "urn:uuid:1",
            "did:example:1",
            "https://a b",
            "https://a\u00a0b",
            "mailto:x@example.org",
            "Achievement",
            "Evidence",
            "Profile",
            "VerifiableCredential",
            "OpenBadgeCredential",
            "xsd:string",
            "https://www.w3.org/ns/credentials/v2",
            "",
        ]
    ),
)
json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), numbers, odd_strings),
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(keys, inner, max_size=3)),
    max_leaves=8,
)


def _containers(value: Any) -> list[Any]:
    found = []
    if isinstance(value, dict):
        found.append(value)
        for item in value.values():
            found.extend(_containers(item))
    elif isinstance(value, list):
        found.append(value)
        for item in value:
            found.extend(_containers(item))
    return found


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(credentials(), st.data())
def test_tampered_credentials_give_pyld_s_result_or_error(credential, data):
    for _ in range(data.draw(st.integers(min_value=1, max_value=3))):
        target = data.draw(st.sampled_from(_containers(credential)))
        value = data.draw(json_values)
        if isinstance(target, dict):
            target[data.draw(keys)] = value
        elif target:
            target[data.draw(st.integers(min_value=0, max_value=len(target) - 1))] = value
        else:
            target.append(value)
    assert_same_as_pyld(credential)
