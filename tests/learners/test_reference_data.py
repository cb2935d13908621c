"""The shipped communes and target jobs: well-formed, unique, and found by code."""

import re

from learners import communes
from learners.target_jobs import target_jobs


def test_communes_are_the_departements_insee_codes_once_each():
    codes = [c.code for c in communes.all_communes()]
    assert len(codes) == len(set(codes)) == 39
    assert all(re.fullmatch(r"93\d{3}", code) for code in codes)
    assert communes.name_of("93066") == "Saint-Denis"


def test_a_merged_or_unknown_commune_has_no_name():
    assert (
        communes.name_of("93059") is None
    )  # Pierrefitte-sur-Seine, part of Saint-Denis since 2025
    assert communes.name_of("") is None and communes.name_of(None) is None


def test_target_jobs_have_unique_codes_and_french_names():
    jobs = target_jobs()
    assert "developpeur_web" in jobs and all(name.strip() for name in jobs.values())
    assert all(re.fullmatch(r"[a-z_]+", code) for code in jobs)
