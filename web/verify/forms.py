"""The public verifier's form: a badge file, or its text pasted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import TextAreaField
from wtforms.validators import Length

MAX_PASTED_CHARS = 400_000  # Werkzeug refuses larger form fields anyway (500 kB)


class VerifierForm(FlaskForm):
    badge_file = FileField(
        _l("Fichier du badge"),
        description=_l("Image PNG ou SVG du badge, ou fichier JSON ou JWT. 5 Mo au plus."),
        render_kw={
            "accept": ".png,.svg,.json,.jsonld,.jwt,.jws,.txt,image/png,image/svg+xml,"
            "application/json,application/ld+json"
        },
    )
    badge_text = TextAreaField(
        _l("Ou collez le texte du badge"),
        description=_l("Le badge au format JSON, ou le jeton signé (JWT) qui commence par « ey »."),
        validators=[
            Length(max=MAX_PASTED_CHARS, message=_l("Ce texte est trop long pour un badge."))
        ],
        render_kw={"rows": 5, "spellcheck": "false", "autocapitalize": "off"},
    )

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if not self.payload()[0]:
            self.form_errors.append(
                _l("Choisissez le fichier du badge, ou collez son texte dans la zone prévue.")
            )
            return False
        return True

    def payload(self) -> tuple[bytes, str | None]:
        """The bytes to verify and the file's name (the file wins over the pasted text)."""
        upload = self.badge_file.data
        if upload is not None and getattr(upload, "filename", None):
            data = upload.read()
            upload.seek(0)
            if data:
                return data, upload.filename
        text = (self.badge_text.data or "").strip()
        return text.encode("utf-8"), None
