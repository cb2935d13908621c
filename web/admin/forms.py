"""Forms of the platform administration."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, SelectField, StringField, SubmitField, ValidationError
from wtforms.validators import Email, InputRequired, Length, Optional

from learners.models import OrganisationKind
from learners.siret import InvalidSiret, normalise_siret


def kind_labels() -> list[tuple[str, str]]:
    labels = {
        OrganisationKind.ASSOCIATION: _l("Association"),
        OrganisationKind.ESS: _l("Structure de l'économie sociale et solidaire"),
        OrganisationKind.GIP: _l("Groupement d'intérêt public (GIP)"),
        OrganisationKind.CHAMBRE_CONSULAIRE: _l("Chambre consulaire"),
        OrganisationKind.EPLE: _l("Établissement public local d'enseignement (EPLE)"),
        OrganisationKind.DEPARTEMENT: _l("Département"),
        OrganisationKind.EMPLOYEUR: _l("Employeur partenaire (reconnaît des badges)"),
        OrganisationKind.PLATFORM: _l("Opérateur de la plateforme"),
    }
    return [(kind.value, labels[kind]) for kind in OrganisationKind]


class OrganisationForm(FlaskForm):
    name = StringField(
        _l("Nom de la structure"),
        validators=[
            InputRequired(_l("Écrivez le nom de la structure.")),
            Length(max=200, message=_l("C'est trop long : 200 caractères au plus.")),
        ],
    )
    kind = SelectField(_l("Type de structure"), choices=kind_labels, validators=[InputRequired()])
    siret = StringField(
        _l("Numéro SIRET (facultatif)"),
        validators=[Optional()],
        description=_l("14 chiffres, par exemple : 732 829 320 00074."),
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )
    submit = SubmitField(_l("Créer la structure"))

    def validate_siret(self, field: StringField) -> None:
        try:
            field.data = normalise_siret(field.data)
        except InvalidSiret as exc:
            cleaned = "".join(ch for ch in field.data if ch not in " .-")
            if not (cleaned.isdigit() and len(cleaned) == 14):
                raise ValidationError(_l("Un numéro SIRET compte 14 chiffres.")) from exc
            raise ValidationError(
                _l("Ce numéro SIRET n'est pas valide : vérifiez les chiffres.")
            ) from exc


class OrganisationAdminForm(FlaskForm):
    display_name = StringField(
        _l("Prénom et nom de l'administrateur"),
        validators=[
            InputRequired(_l("Écrivez le prénom et le nom, par exemple : Paul Durand.")),
            Length(max=120, message=_l("C'est trop long : 120 caractères au plus.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    email = EmailField(
        _l("Adresse e-mail (identifiant de connexion)"),
        validators=[
            InputRequired(_l("Écrivez l'adresse e-mail de la personne.")),
            Email(_l("Cette adresse e-mail n'est pas valide.")),
            Length(max=254, message=_l("C'est trop long : 254 caractères au plus.")),
        ],
        render_kw={"autocomplete": "off"},
    )
    submit = SubmitField(_l("Créer le compte"))
