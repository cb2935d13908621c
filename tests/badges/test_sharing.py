from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

from badges.sharing import linkedin_add_url


def test_linkedin_link_is_prefilled_with_the_badge():
    url = linkedin_add_url(
        name="Sécurité numérique — niveau 2",
        organisation="Association Clés & Avenir",
        issued=datetime(2026, 11, 3, tzinfo=UTC),
        credential_url="https://jalon.test/c/abc",
        credential_id="urn:uuid:abc",
        expires=datetime(2029, 1, 1, tzinfo=UTC),
    )
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "www.linkedin.com", "/profile/add")
    query = {key: values[0] for key, values in parse_qs(parts.query).items()}
    assert query == {
        "startTask": "CERTIFICATION_NAME",
        "name": "Sécurité numérique — niveau 2",
        "organizationName": "Association Clés & Avenir",
        "issueYear": "2026",
        "issueMonth": "11",
        "certUrl": "https://jalon.test/c/abc",
        "certId": "urn:uuid:abc",
        "expirationYear": "2029",
        "expirationMonth": "1",
    }


def test_linkedin_organisation_id_replaces_the_name():
    url = linkedin_add_url(
        name="x",
        organisation="Asso",
        organisation_id="12345",
        issued=datetime(2026, 1, 1, tzinfo=UTC),
        credential_url="https://jalon.test/c/1",
        credential_id="1",
    )
    query = parse_qs(urlsplit(url).query)
    assert query["organizationId"] == ["12345"]
    assert "organizationName" not in query
    assert "expirationYear" not in query
