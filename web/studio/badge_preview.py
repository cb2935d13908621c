"""What the studio shows of an achievement before it is published: its image, the employer's
page (``/c/<id>``, the same template blocks) for a fictitious holder, and the credential JSON
built by the real builder (``badges.achievement_preview``, unsigned and marked « aperçu »)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _

from badges import achievement_design, achievement_preview
from badges.models import Achievement, Issuer, new_public_id
from badges.ob3 import schema
from learners.models import Organisation
from web.verify import display
from web.verify.display import CredentialView


@dataclass(frozen=True)
class Preview:
    image_uri: str | None
    image_alt: str | None
    view: CredentialView
    holder_name: str
    credential_json: str
    # Violations of the OB 3.0 JSON Schema (``path: message``); empty when the badge conforms.
    schema_errors: list[str]


def image_uri(achievement: Achievement) -> str | None:
    if not achievement.image_data:
        return None
    encoded = base64.b64encode(achievement.image_data).decode("ascii")
    return f"data:{achievement.image_media_type};base64,{encoded}"


def _issuer(db, organisation: Organisation) -> Issuer:
    """The organisation's issuer; before its first badge, the one it will get (not saved)."""
    found = achievement_design.issuer_of(db, organisation.id)
    return found or Issuer(public_id=new_public_id(), name=organisation.name)


def preview(db, organisation: Organisation, achievement: Achievement) -> Preview:
    base_url = current_app.config["JALON_BASE_URL"]
    document = achievement_preview.sample_credential(
        achievement, _issuer(db, organisation), base_url
    )
    return Preview(
        image_uri=image_uri(achievement),
        image_alt=achievement.image_alt,
        view=display.read(document, base_url),
        holder_name=_("Camille Exemple (aperçu)"),
        credential_json=json.dumps(document, ensure_ascii=False, indent=2),
        schema_errors=[f"{e.path} : {e.message}" for e in schema.validate(document)],
    )


def unsaved(db, organisation: Organisation, fields) -> Preview:
    """The preview of what the form holds, nothing written."""
    achievement = achievement_design.unsaved(fields, public_id=new_public_id())
    return preview(db, organisation, achievement)
