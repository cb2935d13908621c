"""The content errors issue 12 found in review stay fixed: each shipped item is checked with the
answers the review showed were wrongly accepted or wrongly refused."""

from __future__ import annotations

import json

import pytest

from assessments.checking import ItemData, check
from assessments.content_io import CONTENT_DIR
from assessments.models import AnswerStatus
from assessments.response_errors import InvalidResponse

OK, KO = AnswerStatus.OK, AnswerStatus.KO


def shipped(uid: str) -> dict:
    slug = uid.rsplit("-", 2)[0]
    for path in sorted((CONTENT_DIR / "items" / slug).glob("*.json")):
        for data in json.loads(path.read_text(encoding="utf-8"))["items"]:
            if data["id"] == uid:
                return data
    raise LookupError(uid)


def item(uid: str) -> ItemData:
    data = shipped(uid)
    return ItemData(data["type"], data["body"], data["key"], data.get("tolerance"), uid)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("125", OK), ("125,00", OK), ("125 €", OK), ("135 euros", KO), ("1,25", KO), ("12,5", KO)],
)
def test_crcn_1_3_010_compares_the_difference_as_a_number(typed, expected):
    assert check(item("crcn-1.3-010"), {"f1": "mars", "f2": typed}) is expected


def test_crcn_2_4_007_reads_the_salary_and_hours_as_numbers():
    actualisation = item("crcn-2.4-007")
    right = {"recherche": "oui", "travail": "oui", "heures": "20", "salaire": "240",
             "formation": "non"}  # fmt: skip
    assert check(actualisation, right) is OK
    assert check(actualisation, {**right, "salaire": "240,00"}) is OK
    assert check(actualisation, {**right, "salaire": "240,00 €", "heures": "20 h"}) is OK
    for wrong in ("24000", "24 000", "2,40", "24 000 €"):
        assert check(actualisation, {**right, "salaire": wrong}) is KO, wrong
    with pytest.raises(InvalidResponse):
        check(actualisation, {**right, "heures": "vingt heures et demie"})
    assert "actualisation" in shipped("crcn-2.4-007")["instruction"]


def _host(url: str) -> str:
    return url.split("://", 1)[1].split("/", 1)[0]


@pytest.mark.parametrize(
    ("uid", "official"),
    [("crcn-4.1-009", "caf.fr"), ("premiers-pas-3.1-006", "ameli.fr")],
)
def test_the_genuine_site_is_on_its_real_official_domain_and_no_sample_on_example(uid, official):
    """A genuine sample on a made-up domain made the scam « ameli.fr.… » look more real."""
    data = shipped(uid)
    for sample in data["body"]["samples"]:
        host = _host(sample["url"])
        assert not host.endswith(".example")
        genuine = sample["id"] not in data["key"]
        assert (host == official or host.endswith("." + official)) is genuine, host


def test_premiers_pas_3_1_005_genuine_sender_writes_from_the_real_domain():
    data = shipped("premiers-pas-3.1-005")
    genuine = [s for s in data["body"]["samples"] if s["id"] not in data["key"]]
    assert [s["from"].rstrip(">").rsplit("@", 1)[1] for s in genuine] == ["francetravail.fr"]
    assert ".example" not in json.dumps(data)


def test_premiers_pas_1_2_009_copy_exactly_refuses_spaces_and_a_missing_dot():
    copy = item("premiers-pas-1.2-009")
    assert check(copy, "marie.dupont@mail.example") is OK
    assert check(copy, " Marie.dupont@mail.example ") is OK  # a phone's automatic capital
    for wrong in ("marie. dupont@mail.example", "marie dupont@mail.example",
                  "mariedupont@mail.example", "MARIE.DUPONT@MAIL.EXAMPLE"):  # fmt: skip
        assert check(copy, wrong) is KO, wrong


@pytest.mark.parametrize(
    ("first", "second"),
    [("la sécu", "Mon compte formation"), ("sécurité sociale", "Urssaf"), ("CPF", "la CAF")],
)
def test_premiers_pas_2_2_010_accepts_the_everyday_names_of_public_services(first, second):
    assert check(item("premiers-pas-2.2-010"), {"f1": first, "f2": second}) is OK


def test_premiers_pas_2_2_010_still_needs_two_different_services():
    assert check(item("premiers-pas-2.2-010"), {"f1": "la sécu", "f2": "ameli"}) is KO


@pytest.mark.parametrize(
    "typed",
    ['df = pd.read_csv("ventes.csv", sep=";")', "df=pd.read_csv('ventes.csv',sep=';')",
     'df = pd.read_csv("ventes.csv")', "df = pd.read_csv('ventes.csv', delimiter=';')"],
)  # fmt: skip
def test_data_analyste_2_2_002_accepts_the_separator_its_explanation_recommends(typed):
    assert check(item("data-analyste-2.2-002"), typed) is OK


def test_data_analyste_2_2_002_still_refuses_another_file():
    assert check(item("data-analyste-2.2-002"), 'df = pd.read_csv("achats.csv", sep=";")') is KO


@pytest.mark.parametrize(
    ("f1", "f2", "expected"),
    [("taux de rebond", "taux de rebond", KO),  # once counted as rebond + retour (t3)
     ("taux de rebond", "taux de rebon", KO),  # a typo of the same KPI
     ("Panier moyen", "panier moyen", KO),
     ("taux de rebond", "taux de retour", OK),
     ("taux de convertion", "panier moyen", OK)],
)  # fmt: skip
def test_data_analyste_2_3_006_counts_the_same_kpi_once(f1, f2, expected):
    assert check(item("data-analyste-2.3-006"), {"f1": f1, "f2": f2}) is expected


# Second reading after the fixes (review-followups, 2026-12-03).


@pytest.mark.parametrize(
    ("first", "second"),
    [("info-retraite.fr", "l'assurance retraite"), ("les allocations familiales", "France Titres"),
     ("service-public.gouv.fr", "le site des impôts")],
)  # fmt: skip
def test_premiers_pas_2_2_010_two_retirement_sites_and_more_everyday_names(first, second):
    assert check(item("premiers-pas-2.2-010"), {"f1": first, "f2": second}) is OK


def test_premiers_pas_2_2_010_the_caf_named_twice_is_still_one_service():
    assert (
        check(item("premiers-pas-2.2-010"), {"f1": "la CAF", "f2": "allocations familiales"}) is KO
    )


@pytest.mark.parametrize(
    ("f1", "f2", "expected"),
    [("taux de transformation", "nombre de ventes", OK),
     ("satisfaction client", "coût d'acquisition", OK),
     ("taux de transformation", "taux de conversion", KO)],
)  # fmt: skip
def test_data_analyste_2_3_006_accepts_more_everyday_kpis(f1, f2, expected):
    assert check(item("data-analyste-2.3-006"), {"f1": f1, "f2": f2}) is expected


def test_crcn_1_3_010_accepts_the_month_written_in_full():
    assert check(item("crcn-1.3-010"), {"f1": "au mois de mars", "f2": "125"}) is OK


def test_systemes_reseaux_3_2_009_takes_madame_and_still_the_exact_code():
    ticket = item("systemes-reseaux-3.2-009")
    right = {"demandeur": "Madame Benali", "poste": "PC-COMPTA-03", "type": "incident",
             "categorie": "reseau", "code": "0x80070035",
             "essaye": ["redemarrage", "internet"]}  # fmt: skip
    assert check(ticket, right) is OK
    assert check(ticket, {**right, "code": "0x8007-0035"}) is KO


# Second reading of the fibre-optique items added on 2026-12-04 (branch rev-fibre).
@pytest.mark.parametrize(
    ("typed", "expected"),
    [("lumineuse", OK), ("sous forme de lumière", OK), ("des impulsions lumineuses", OK),
     ("électricité", KO), ("courant électrique", KO), ("ondes radio", KO)],
)  # fmt: skip
def test_fibre_1_2_011_accepts_the_everyday_ways_to_say_light(typed, expected):
    assert check(item("fibre-optique-1.2-011"), typed) is expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("PM", OK), ("SRO", OK), ("PMZ", OK), ("sous-répartiteur optique", OK),
     ("NRO", KO), ("PBO", KO), ("PTO", KO)],
)  # fmt: skip
def test_fibre_2_1_022_accepts_the_other_names_of_the_street_cabinet(typed, expected):
    assert check(item("fibre-optique-2.1-022"), typed) is expected


@pytest.mark.parametrize(
    ("uid", "f1", "f2", "expected"),
    [("fibre-optique-2.3-013", "vert", "blanche", OK),
     ("fibre-optique-2.3-013", "Verte", "blanc", OK),
     ("fibre-optique-2.3-013", "blanc", "vert", KO),
     ("fibre-optique-2.3-023", "violet", "bleue", OK),
     ("fibre-optique-2.3-023", "bleu", "violet", KO)],
)  # fmt: skip
def test_fibre_tube_and_fibre_colours_accept_the_feminine(uid, f1, f2, expected):
    assert check(item(uid), {"f1": f1, "f2": f2}) is expected


@pytest.mark.parametrize(("typed", "expected"), [("32", OK), ("32 clients", OK), ("12", KO)])
def test_fibre_2_1_023_reads_a_count_of_clients(typed, expected):
    assert check(item("fibre-optique-2.1-023"), typed) is expected
