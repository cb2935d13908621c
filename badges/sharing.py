"""Ways a holder shares a badge: LinkedIn's add-to-profile link."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_add_url(
    *,
    name: str,
    organisation: str,
    issued: datetime,
    credential_url: str,
    credential_id: str,
    expires: datetime | None = None,
    organisation_id: str | None = None,
) -> str:
    """The "Add licence or certification" link LinkedIn documents, pre-filled for this badge."""
    params: dict[str, str | int] = {
        "startTask": "CERTIFICATION_NAME",
        "name": name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": credential_url,
        "certId": credential_id,
    }
    if organisation_id:
        params["organizationId"] = organisation_id
    else:
        params["organizationName"] = organisation
    if expires is not None:
        params["expirationYear"] = expires.year
        params["expirationMonth"] = expires.month
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(params)}"
