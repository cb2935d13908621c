import pytest

from learners.siret import InvalidSiret, is_valid_siret, normalise_siret


def test_valid_siret_with_spaces_is_normalised():
    assert normalise_siret("732 829 320 00074") == "73282932000074"


@pytest.mark.parametrize("value", ["73282932000075", "1234", "7328293200007a", ""])
def test_invalid_siret_is_refused(value):
    with pytest.raises(InvalidSiret):
        normalise_siret(value)


def test_la_poste_establishments_use_the_digit_sum_rule():
    assert is_valid_siret("35600000000048")
    assert is_valid_siret("35600000049837")  # digit sum 50: La Poste's rule, not Luhn
