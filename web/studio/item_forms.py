"""Item forms, one per type: plain fields (choices in rows, accepted answers one per line) that
become the item's file shape (FORMAT.md) for ``assessments.item_authoring``, which checks it
with the import's rules; each form says which of its fields a refusal's JSON path (``key``,
``body.choices[1].text``) belongs to, with a plainer sentence for the usual mistakes.

Rows keep the ids of the choices they were loaded with (a hidden field), so editing a text does
not change the item's meaning; new rows get the next free id.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    FieldList,
    Form,
    FormField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from assessments.models import ItemType
from assessments.tolerances import DEFAULT_TOLERANCE

IMAGE_ALT_MISSING = _l(
    "Décrivez l'image en quelques mots : les personnes qui ne la voient pas lisent ce texte."
)
ACCESS = [("ok", _l("Oui")), ("ko", _l("Non")), ("na", _l("Sans objet"))]
TOLERANCES = [
    ("t1", _l("Ignorer majuscules, accents et espaces (t1)")),
    ("t2", _l("Ignorer la ponctuation (t2)")),
    ("t3", _l("Accepter une petite faute de frappe (t3)")),
]
TYPE_NAMES = {
    ItemType.QCU: _l("Choix unique"),
    ItemType.QCM: _l("Choix multiple"),
    ItemType.QROC: _l("Réponse courte"),
    ItemType.NUMBER: _l("Nombre"),
    ItemType.QROCM_IND: _l("Plusieurs cases"),
    ItemType.QROCM_DEP: _l("Citer N réponses"),
    ItemType.ORDERING: _l("Remettre dans l'ordre"),
    ItemType.MATCHING: _l("Relier deux listes"),
    ItemType.TASK_WEBMAIL: _l("Mise en situation : messagerie"),
    ItemType.TASK_FORM: _l("Mise en situation : formulaire"),
    ItemType.TASK_PHISHING: _l("Mise en situation : repérer l'arnaque"),
    ItemType.TASK_PROCEDURE: _l("Mise en situation : démarche écran par écran"),
}


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def lines(text: str | None) -> list[str]:
    """One accepted answer per line, blank lines dropped."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _next_ids(taken: list[str], prefix: str) -> Callable[[], str]:
    """Ids for new rows (``a``, ``b``… for choices; ``f1``, ``f2``… otherwise)."""
    used = set(taken)

    def make() -> str:
        n = 0
        while True:
            n += 1
            candidate = chr(ord("a") + n - 1) if prefix == "" and n <= 26 else f"{prefix}{n}"
            if candidate not in used:
                used.add(candidate)
                return candidate

    return make


class ItemForm(FlaskForm):
    """What every item has; subclasses add the body and key of their type."""

    kind: ClassVar[ItemType]
    level = SelectField(_l("Niveau"), choices=[(str(n), str(n)) for n in range(1, 9)], default="1")
    instruction = TextAreaField(
        _l("Consigne"),
        validators=[
            InputRequired(_l("Écrivez la consigne.")),
            Length(max=400, message=_l("La consigne fait 400 caractères au plus.")),
        ],
        description=_l("Des phrases courtes et des mots de tous les jours."),
    )
    instruction_sr = TextAreaField(
        _l("Consigne pour lecteur d'écran (facultatif)"),
        description=_l("Quand la consigne s'appuie sur une image ou sur la mise en page."),
    )
    image = FileField(
        _l("Image (facultatif)"),
        description=_l(
            "SVG ou PNG, 512 Ko au plus : une souris, un écran, un message… "
            "Elle s'affiche sous la consigne."
        ),
    )
    image_alt = TextAreaField(
        _l("Texte alternatif de l'image"),
        validators=[
            Length(max=400, message=_l("Le texte alternatif fait 400 caractères au plus."))
        ],
        description=_l(
            "Obligatoire avec une image : ce qu'elle montre, pour qui ne la voit pas, "
            "sans donner la réponse."
        ),
    )
    image_name = HiddenField()  # a picture already checked and kept (a refused form loses nothing)
    remove_image = BooleanField(_l("Retirer l'image"))
    explanation = TextAreaField(
        _l("Explication montrée après l'évaluation"),
        validators=[InputRequired(_l("Écrivez pourquoi la bonne réponse est la bonne."))],
    )
    access_blind = SelectField(
        _l("Faisable par une personne aveugle ?"), choices=ACCESS, default="ok"
    )
    access_colour_blind = SelectField(
        _l("Faisable par une personne daltonienne ?"), choices=ACCESS, default="ok"
    )
    access_deaf = SelectField(
        _l("Faisable par une personne sourde ?"), choices=ACCESS, default="na"
    )
    timer_seconds = IntegerField(
        _l("Temps limité en secondes (facultatif)"),
        validators=[
            Optional(),
            NumberRange(5, 3600, message=_l("Entre 5 et 3 600 secondes, ou laissez vide.")),
        ],
        description=_l("Seulement quand le temps fait partie de ce qui est évalué."),
    )
    submit = SubmitField(_l("Enregistrer la question"))

    COMMON: ClassVar[dict[str, str]] = {
        "level": "level",
        "instruction": "instruction",
        "instruction_sr": "instruction_sr",
        "explanation": "explanation",
        "timer_seconds": "timer_seconds",
        "accessibility.blind": "access_blind",
        "accessibility.colour_blind": "access_colour_blind",
        "accessibility.deaf": "access_deaf",
        "image": "image",
        "image.file": "image",
        "image.alt": "image_alt",
    }

    # --- to and from the file shape

    def content(self) -> dict[str, Any]:
        body, key = self.body_and_key()
        return {
            "type": self.kind.value,
            "level": int(self.level.data),
            "instruction": self.instruction.data.strip(),
            "instruction_sr": (self.instruction_sr.data or "").strip() or None,
            "explanation": self.explanation.data.strip(),
            "accessibility": {
                "blind": self.access_blind.data,
                "colour_blind": self.access_colour_blind.data,
                "deaf": self.access_deaf.data,
            },
            "timer_seconds": self.timer_seconds.data,
            "body": body,
            "key": key,
            "tolerance": self.tolerance_value(),
            **self.kept,
            "image": self.image_value(),
        }

    def image_value(self) -> dict[str, str] | None:
        """The picture the item shows: the one just attached, else the one it had (unless
        removed), with the alt text typed (an empty alt is refused by the content rules)."""
        kept = (self.kept.get("image") or {}).get("file")
        name = self.image_name.data or kept
        if not name or self.remove_image.data:
            return None
        return {"file": name, "alt": (self.image_alt.data or "").strip()}

    def load(self, item: Mapping[str, Any]) -> None:
        self.level.data = str(item.get("level", 1))
        self.instruction.data = item.get("instruction")
        self.instruction_sr.data = item.get("instruction_sr")
        self.explanation.data = item.get("explanation")
        access = item.get("accessibility") or {}
        self.access_blind.data = access.get("blind", "ok")
        self.access_colour_blind.data = access.get("colour_blind", "ok")
        self.access_deaf.data = access.get("deaf", "na")
        self.timer_seconds.data = item.get("timer_seconds")
        self.image_alt.data = (item.get("image") or {}).get("alt")
        self.load_body_and_key(item.get("body") or {}, item.get("key"))
        if hasattr(self, "tolerance"):
            self.tolerance.data = list(item.get("tolerance") or DEFAULT_TOLERANCE)

    @property
    def kept(self) -> dict[str, Any]:
        """Fields the form does not show but the item keeps (its image)."""
        return getattr(self, "_kept", {})

    def keep(self, item: Mapping[str, Any]) -> None:
        self._kept = {"image": item["image"]} if item.get("image") else {}

    def tolerance_value(self) -> list[str] | None:
        return None

    def body_and_key(self) -> tuple[Any, Any]:
        raise NotImplementedError

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        raise NotImplementedError

    # --- refusals on their fields

    KEY_FIELD: ClassVar[str] = ""
    KEY_MESSAGE: ClassVar[Any] = None

    def field_for(self, path: str) -> tuple[Any, Any] | Any:
        if path in self.COMMON:
            return getattr(self, self.COMMON[path])
        if path == "accessibility":
            return self.access_blind
        return self.body_field(path)

    def body_field(self, path: str) -> Any:
        return getattr(self, self.KEY_FIELD) if self.KEY_FIELD else None

    def plain_message(self, path: str, message: str) -> str:
        """The sentence shown for a refusal: the form's plainer one for its key, else the
        import's own."""
        if path == "image.alt":
            return str(IMAGE_ALT_MISSING)
        if path.startswith("key") and self.KEY_MESSAGE is not None:
            return f"{self.KEY_MESSAGE} ({message})"
        return message


def _tolerance_field() -> MultiCheckboxField:
    return MultiCheckboxField(
        _l("Réponses acceptées aussi quand…"),
        choices=TOLERANCES,
        default=list(DEFAULT_TOLERANCE),
        validators=[Optional()],
    )


# --------------------------------------------------------------------------------------------
# Choices (qcu, qcm)


class ChoiceRow(Form):
    id = HiddenField()
    text = StringField(_l("Texte du choix"), validators=[Optional(), Length(max=300)])
    right = BooleanField(_l("Bonne réponse"))


class _ChoicesForm(ItemForm):
    choices = FieldList(FormField(ChoiceRow), min_entries=5, max_entries=5)
    KEY_FIELD = "choices"

    def _rows(self) -> list[tuple[str, str, bool]]:
        rows = [e.form for e in self.choices]
        new_id = _next_ids([r.id.data for r in rows if r.id.data], "")
        filled = [r for r in rows if (r.text.data or "").strip()]
        out = []
        for row in filled:
            if not row.id.data:
                row.id.data = new_id()
            out.append((row.id.data, row.text.data.strip(), bool(row.right.data)))
        return out

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        right = {key} if isinstance(key, str) else set(key or [])
        for entry, choice in zip(self.choices, body.get("choices") or [], strict=False):
            entry.form.id.data = choice.get("id")
            entry.form.text.data = choice.get("text")
            entry.form.right.data = choice.get("id") in right

    def body_field(self, path: str) -> Any:
        match = re.match(r"body\.choices\[(\d+)\]", path)
        if match and int(match.group(1)) < len(self._filled_entries()):
            return self._filled_entries()[int(match.group(1))].form.text
        return self.choices

    def _filled_entries(self) -> list:
        return [e for e in self.choices if (e.form.text.data or "").strip()]


class QcuForm(_ChoicesForm):
    kind = ItemType.QCU
    KEY_MESSAGE = _l("Cochez une seule bonne réponse, sur un choix rempli.")

    def body_and_key(self) -> tuple[Any, Any]:
        rows = self._rows()
        right = [i for i, _, r in rows if r]
        key = right[0] if len(right) == 1 else right
        return {"choices": [{"id": i, "text": t} for i, t, _ in rows]}, key

    def plain_message(self, path: str, message: str) -> str:
        if path == "body.choices":
            return str(_l("Écrivez au moins deux choix (cinq au plus)."))
        return super().plain_message(path, message)


class QcmForm(_ChoicesForm):
    kind = ItemType.QCM
    KEY_MESSAGE = _l("Cochez au moins une bonne réponse, sur des choix remplis.")

    def body_and_key(self) -> tuple[Any, Any]:
        rows = self._rows()
        return {"choices": [{"id": i, "text": t} for i, t, _ in rows]}, [i for i, _, r in rows if r]

    def plain_message(self, path: str, message: str) -> str:
        if path == "body.choices":
            return str(_l("Écrivez au moins deux choix (cinq au plus)."))
        if path == "key" and "liste" in message:
            return str(self.KEY_MESSAGE)
        return super().plain_message(path, message)


# --------------------------------------------------------------------------------------------
# Short text (qroc) and number


class QrocForm(ItemForm):
    kind = ItemType.QROC
    label = StringField(
        _l("Étiquette de la case"),
        default="Votre réponse",
        validators=[Optional(), Length(max=200)],
    )
    placeholder = StringField(
        _l("Exemple grisé dans la case (facultatif)"), validators=[Optional(), Length(max=200)]
    )
    suffix = StringField(
        _l("Texte après la case (facultatif)"), validators=[Optional(), Length(max=50)]
    )
    answers = TextAreaField(
        _l("Réponses acceptées"),
        description=_l("Une réponse par ligne : la réponse attendue, puis ses variantes."),
    )
    tolerance = _tolerance_field()
    KEY_FIELD = "answers"
    KEY_MESSAGE = _l("Écrivez au moins une réponse acceptée.")

    def body_and_key(self) -> tuple[Any, Any]:
        body = {
            name: getattr(self, name).data.strip()
            for name in ("label", "placeholder", "suffix")
            if (getattr(self, name).data or "").strip()
        }
        return body, lines(self.answers.data)

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        for name in ("label", "placeholder", "suffix"):
            getattr(self, name).data = body.get(name)
        self.answers.data = "\n".join(key or [])

    def tolerance_value(self) -> list[str] | None:
        return list(self.tolerance.data or [])


def parse_decimal(text: str | None) -> float | str | None:
    """``12,5`` or ``1 234.5`` as a number; anything else stays text for the rules to refuse."""
    raw = (text or "").strip()
    if not raw:
        return None
    cleaned = raw.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return raw
    return int(value) if value.is_integer() and "." not in cleaned else value


class NumberForm(ItemForm):
    kind = ItemType.NUMBER
    label = StringField(
        _l("Étiquette de la case"),
        default="Votre réponse",
        validators=[Optional(), Length(max=200)],
    )
    unit = StringField(
        _l("Unité (facultatif)"),
        description=_l("Par exemple : €, cm, %."),
        validators=[Optional(), Length(max=20)],
    )
    value = StringField(_l("Bonne réponse (nombre)"), description=_l("Par exemple : 12,5"))
    margin = StringField(
        _l("Écart accepté"),
        default="0",
        description=_l("Par exemple 0,01 : une réponse entre 12,49 et 12,51 est juste."),
    )

    def body_and_key(self) -> tuple[Any, Any]:
        body = {"label": (self.label.data or "").strip() or "Votre réponse"}
        if (self.unit.data or "").strip():
            body["unit"] = self.unit.data.strip()
        key: dict[str, Any] = {"value": parse_decimal(self.value.data)}
        margin = parse_decimal(self.margin.data)
        key["tolerance"] = 0 if margin is None else margin
        return body, {k: v for k, v in key.items() if v is not None}

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        self.label.data = body.get("label")
        self.unit.data = body.get("unit")
        key = key or {}
        self.value.data = str(key.get("value", "")).replace(".", ",")
        self.margin.data = str(key.get("tolerance", 0)).replace(".", ",")

    def body_field(self, path: str) -> Any:
        return self.margin if path == "key.tolerance" else self.value

    def plain_message(self, path: str, message: str) -> str:
        if path == "key.tolerance":
            return str(_l("Écrivez un écart positif, par exemple 0 ou 0,01."))
        if path.startswith("key"):
            return str(_l("Écrivez la bonne réponse en chiffres, par exemple 12,5."))
        return message


# --------------------------------------------------------------------------------------------
# Several boxes (qrocm_ind, qrocm_dep)


class BoxRow(Form):
    id = HiddenField()
    label = StringField(_l("Étiquette de la case"), validators=[Optional(), Length(max=200)])
    answers = StringField(
        _l("Réponses acceptées"),
        description=_l("Séparées par un point-virgule, par exemple : Paris ; paris 1er"),
    )


def semicolons(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(";") if part.strip()]


class _BoxesForm(ItemForm):
    fields = FieldList(FormField(BoxRow), min_entries=5, max_entries=5)
    tolerance = _tolerance_field()
    KEY_FIELD = "fields"

    def _rows(self) -> list:
        rows = [e.form for e in self.fields]
        new_id = _next_ids([r.id.data for r in rows if r.id.data], "f")
        filled = [r for r in rows if (r.label.data or "").strip()]
        for row in filled:
            row.id.data = row.id.data or new_id()
        return filled

    def tolerance_value(self) -> list[str] | None:
        return list(self.tolerance.data or [])

    def body_field(self, path: str) -> Any:
        match = re.match(r"(?:body\.fields|key)\[?(\d+)?", path)
        rows = [e for e in self.fields if (e.form.label.data or "").strip()]
        if match and match.group(1) and int(match.group(1)) < len(rows):
            return rows[int(match.group(1))].form.label
        return self.fields


class QrocmIndForm(_BoxesForm):
    kind = ItemType.QROCM_IND
    KEY_MESSAGE = _l("Donnez au moins une réponse acceptée pour chaque case remplie.")

    def body_and_key(self) -> tuple[Any, Any]:
        rows = self._rows()
        body = {"fields": [{"id": r.id.data, "label": r.label.data.strip()} for r in rows]}
        return body, {r.id.data: semicolons(r.answers.data) for r in rows}

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        key = key or {}
        for entry, box in zip(self.fields, body.get("fields") or [], strict=False):
            entry.form.id.data = box.get("id")
            entry.form.label.data = box.get("label")
            entry.form.answers.data = " ; ".join(key.get(box.get("id"), []))

    def plain_message(self, path: str, message: str) -> str:
        if path == "body.fields":
            return str(_l("Écrivez l'étiquette d'au moins une case."))
        return super().plain_message(path, message)


class QrocmDepForm(_BoxesForm):
    kind = ItemType.QROCM_DEP
    required = IntegerField(
        _l("Nombre de réponses différentes attendues"),
        validators=[InputRequired(_l("Écrivez un nombre, par exemple 2."))],
        default=2,
    )
    groups = TextAreaField(
        _l("Réponses acceptées"),
        description=_l(
            "Une réponse par ligne ; ses variantes sur la même ligne, séparées par un "
            "point-virgule, par exemple : chrome ; google chrome"
        ),
    )
    KEY_FIELD = "groups"

    def body_and_key(self) -> tuple[Any, Any]:
        rows = self._rows()
        body = {"fields": [{"id": r.id.data, "label": r.label.data.strip()} for r in rows]}
        groups = [semicolons(line) for line in lines(self.groups.data)]
        return body, {"required": self.required.data, "answers": groups}

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        key = key or {}
        for entry, box in zip(self.fields, body.get("fields") or [], strict=False):
            entry.form.id.data = box.get("id")
            entry.form.label.data = box.get("label")
        self.required.data = key.get("required")
        self.groups.data = "\n".join(" ; ".join(g) for g in key.get("answers", []))

    def body_field(self, path: str) -> Any:
        if path == "key.required":
            return self.required
        if path.startswith("key"):
            return self.groups
        return super().body_field(path)

    def plain_message(self, path: str, message: str) -> str:
        if path == "key.required":
            return str(
                _l("Le nombre attendu ne peut pas dépasser le nombre de cases ni de réponses.")
            )
        if path == "body.fields":
            return str(_l("Écrivez l'étiquette d'au moins une case."))
        return message


# --------------------------------------------------------------------------------------------
# Ordering and matching


class StepRow(Form):
    id = HiddenField()
    text = StringField(_l("Étape"), validators=[Optional(), Length(max=300)])


class OrderingForm(ItemForm):
    kind = ItemType.ORDERING
    steps = FieldList(FormField(StepRow), min_entries=6, max_entries=6)
    KEY_FIELD = "steps"
    KEY_MESSAGE = _l("Écrivez les étapes dans le bon ordre, au moins deux.")

    def body_and_key(self) -> tuple[Any, Any]:
        rows = [e.form for e in self.steps if (e.form.text.data or "").strip()]
        new_id = _next_ids([r.id.data for r in rows if r.id.data], "s")
        for row in rows:
            row.id.data = row.id.data or new_id()
        body = {"items": [{"id": r.id.data, "text": r.text.data.strip()} for r in rows]}
        return body, [r.id.data for r in rows]

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        texts = {entry.get("id"): entry.get("text") for entry in body.get("items") or []}
        for entry, step_id in zip(self.steps, key or [], strict=False):
            entry.form.id.data = step_id
            entry.form.text.data = texts.get(step_id)

    def plain_message(self, path: str, message: str) -> str:
        if path.startswith("body.items"):
            return str(self.KEY_MESSAGE)
        return super().plain_message(path, message)


class PairRow(Form):
    left_id = HiddenField()
    left = StringField(_l("Élément de gauche"), validators=[Optional(), Length(max=300)])
    right_id = HiddenField()
    right = StringField(_l("Son correspondant à droite"), validators=[Optional(), Length(max=300)])


class MatchingForm(ItemForm):
    kind = ItemType.MATCHING
    pairs = FieldList(FormField(PairRow), min_entries=6, max_entries=6)
    right_order = HiddenField()  # the right list's order as loaded (the learner sees it so)
    KEY_FIELD = "pairs"
    KEY_MESSAGE = _l(
        "Remplissez chaque paire : un élément à gauche et son correspondant à droite "
        "(une ligne avec seulement la droite ajoute un leurre)."
    )

    def body_and_key(self) -> tuple[Any, Any]:
        rows = [e.form for e in self.pairs]
        new_left = _next_ids([r.left_id.data for r in rows if r.left_id.data], "l")
        new_right = _next_ids([r.right_id.data for r in rows if r.right_id.data], "r")
        left, right, key = [], [], {}
        for row in rows:
            if (row.right.data or "").strip():
                row.right_id.data = row.right_id.data or new_right()
                right.append({"id": row.right_id.data, "text": row.right.data.strip()})
            if (row.left.data or "").strip():
                row.left_id.data = row.left_id.data or new_left()
                left.append({"id": row.left_id.data, "text": row.left.data.strip()})
                key[row.left_id.data] = row.right_id.data if (row.right.data or "").strip() else ""
        order = list(_ids_of(self.right_order.data).values())
        right.sort(key=lambda r: order.index(r["id"]) if r["id"] in order else len(order))
        return {"left": left, "right": right}, key

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        key = key or {}
        self.right_order.data = json.dumps(
            {str(n): r.get("id") for n, r in enumerate(body.get("right") or [])}
        )
        rights = {r.get("id"): r.get("text") for r in body.get("right") or []}
        used = set()
        rows = iter(self.pairs)
        for left in body.get("left") or []:
            row = next(rows).form
            row.left_id.data, row.left.data = left.get("id"), left.get("text")
            right_id = key.get(left.get("id"))
            row.right_id.data, row.right.data = right_id, rights.get(right_id)
            used.add(right_id)
        for right_id, text in rights.items():
            if right_id not in used:
                row = next(rows, None)
                if row is not None:
                    row.form.right_id.data, row.form.right.data = right_id, text

    def plain_message(self, path: str, message: str) -> str:
        if path.startswith(("body.left", "body.right", "key")):
            return str(self.KEY_MESSAGE)
        return message


# --------------------------------------------------------------------------------------------
# Practice tasks: guided forms whose settings the item type checks (task_phishing, task_form,
# task_webmail). Options, attachments and files are written as texts; their ids are kept in a
# hidden field so editing a text does not change the task's meaning.


def slug_id(text: str, taken: set[str], prefix: str) -> str:
    """A readable id for a new option or file (``celibataire``, ``cv-dupont-pdf``), unique."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    base = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:30] or prefix
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        candidate = f"{base}-{n}"
    taken.add(candidate)
    return candidate


def _ids_of(hidden: str | None) -> dict[str, str]:
    """Text → id of the entries a row was loaded with (``{}`` when new or tampered)."""
    try:
        data = json.loads(hidden or "{}")
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def _entries(text: str | None, known: dict[str, str], taken: set[str], prefix: str) -> list[dict]:
    """``[{"id", "text"}]`` for the lines of ``text``, reusing known ids."""
    entries = []
    for line in lines(text):
        identifier = known.get(line) or slug_id(line, taken, prefix)
        taken.add(identifier)
        entries.append({"id": identifier, "text": line})
    return entries


def _ids_json(entries: list[Mapping[str, Any]], name: str = "text") -> str:
    return json.dumps({e.get(name): e.get("id") for e in entries}, ensure_ascii=False)


class SampleRow(Form):
    id = HiddenField()
    sender = StringField(_l("Expéditeur (message)"), validators=[Optional(), Length(max=200)])
    subject = StringField(_l("Objet ou titre"), validators=[Optional(), Length(max=300)])
    text = TextAreaField(_l("Texte"), validators=[Optional(), Length(max=2000)])
    url = StringField(
        _l("Adresse du lien ou du site (fictive)"), validators=[Optional(), Length(max=300)]
    )
    shows = StringField(
        _l("Ce que montre la page (site)"), validators=[Optional(), Length(max=300)]
    )
    scam = BooleanField(_l("C'est une arnaque"))


class TaskPhishingForm(ItemForm):
    kind = ItemType.TASK_PHISHING
    presentation = SelectField(
        _l("Ce que la personne examine"),
        choices=[("message", _l("Des messages")), ("site", _l("Des sites"))],
        default="message",
    )
    samples = FieldList(FormField(SampleRow), min_entries=4, max_entries=4)
    KEY_FIELD = "samples"
    KEY_MESSAGE = _l("Écrivez au moins un exemple ; cochez ceux qui sont des arnaques.")

    def body_and_key(self) -> tuple[Any, Any]:
        rows = [e.form for e in self.samples]
        filled = [
            r
            for r in rows
            if any((r[f].data or "").strip() for f in ("sender", "subject", "text", "url", "shows"))
        ]
        new_id = _next_ids([r.id.data for r in rows if r.id.data], "s")
        samples, key = [], []
        for row in filled:
            row.id.data = row.id.data or new_id()
            sample = {"id": row.id.data}
            for name, field in (
                ("from", "sender"),
                ("subject", "subject"),
                ("body", "text"),
                ("url", "url"),
                ("shows", "shows"),
            ):
                if (row[field].data or "").strip():
                    sample[name] = row[field].data.strip()
            samples.append(sample)
            if row.scam.data:
                key.append(row.id.data)
        return {"kind": self.presentation.data, "samples": samples}, key

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        self.presentation.data = body.get("kind", "message")
        for entry, sample in zip(self.samples, body.get("samples") or [], strict=False):
            row = entry.form
            row.id.data = sample.get("id")
            for name, field in (
                ("from", "sender"),
                ("subject", "subject"),
                ("body", "text"),
                ("url", "url"),
                ("shows", "shows"),
            ):
                row[field].data = sample.get(name)
            row.scam.data = sample.get("id") in (key or [])

    def plain_message(self, path: str, message: str) -> str:
        if path.startswith(("body.samples", "key")):
            return str(self.KEY_MESSAGE)
        return message


FORM_KINDS = [
    ("text", _l("Texte court")),
    ("textarea", _l("Texte long")),
    ("date", _l("Date")),
    ("number", _l("Nombre")),
    ("email", _l("Adresse e-mail")),
    ("tel", _l("Téléphone")),
    ("select", _l("Liste déroulante")),
    ("radio", _l("Un choix parmi plusieurs")),
    ("checkbox", _l("Cases à cocher")),
]
OPTION_KINDS = ("select", "radio", "checkbox")


class FormFieldRow(Form):
    id = HiddenField()
    option_ids = HiddenField()
    label = StringField(_l("Nom du champ"), validators=[Optional(), Length(max=200)])
    kind = SelectField(_l("Sorte de champ"), choices=FORM_KINDS, default="text")
    options = TextAreaField(
        _l("Options (une par ligne)"),
        description=_l("Pour une liste, un choix ou des cases à cocher."),
    )
    expected = StringField(
        _l("Réponse attendue (facultatif)"),
        description=_l(
            "Plusieurs valeurs acceptées ou cases cochées : séparez-les par un point-virgule. "
            "Une date : 12/05/1984. Une option : son texte."
        ),
    )


class TaskFormForm(ItemForm):
    kind = ItemType.TASK_FORM
    site = StringField(_l("Nom du site fictif"), validators=[Optional(), Length(max=200)])
    situation = TextAreaField(_l("La situation : les informations que la personne doit utiliser"))
    form_fields = FieldList(FormField(FormFieldRow), min_entries=6, max_entries=6)
    KEY_FIELD = "form_fields"
    KEY_MESSAGE = _l(
        "Vérifiez les champs : chaque réponse attendue doit correspondre à sa sorte de champ."
    )

    def body_and_key(self) -> tuple[Any, Any]:
        rows = [e.form for e in self.form_fields if (e.form.label.data or "").strip()]
        taken = {r.id.data for r in rows if r.id.data}
        fields, key = [], {}
        for row in rows:
            row.id.data = row.id.data or slug_id(row.label.data, taken, "champ")
            field: dict[str, Any] = {
                "id": row.id.data,
                "label": row.label.data.strip(),
                "kind": row.kind.data,
            }
            if row.kind.data in OPTION_KINDS:
                option_taken: set[str] = set()
                field["options"] = _entries(
                    row.options.data, _ids_of(row.option_ids.data), option_taken, "option"
                )
            fields.append(field)
            expected = _expected(field, row.expected.data)
            if expected is not None:
                key[row.id.data] = expected
        body = {
            "site": (self.site.data or "").strip(),
            "situation": (self.situation.data or "").strip(),
            "fields": fields,
        }
        return {k: v for k, v in body.items() if v}, key

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        key = key or {}
        self.site.data, self.situation.data = body.get("site"), body.get("situation")
        for entry, field in zip(self.form_fields, body.get("fields") or [], strict=False):
            row = entry.form
            row.id.data, row.label.data = field.get("id"), field.get("label")
            row.kind.data = field.get("kind", "text")
            options = field.get("options") or []
            row.options.data = "\n".join(o.get("text", "") for o in options)
            row.option_ids.data = _ids_json(options)
            row.expected.data = _expected_text(field, key.get(field.get("id")))

    def plain_message(self, path: str, message: str) -> str:
        if path.startswith("key"):
            return f"{self.KEY_MESSAGE} ({message})"
        if path.startswith("body.fields"):
            return str(
                _l("Écrivez au moins un champ ; une liste ou des cases ont besoin d'options.")
            )
        return message


def _expected(field: Mapping[str, Any], text: str | None) -> Any:
    """The key's value for one form field from what the trainer typed (``None``: not checked)."""
    from assessments.item_types.task_form import iso_date

    values = semicolons(text)
    if not values:
        return None
    kind = field["kind"]
    by_text = {o["text"].lower(): o["id"] for o in field.get("options", [])}
    ids = [by_text.get(v.lower(), v) for v in values]
    if kind in ("select", "radio"):
        return ids[0] if len(ids) == 1 else ids
    if kind == "checkbox":
        return ids
    if kind == "date":
        return [iso_date(v) or v for v in values]
    return values


def _expected_text(field: Mapping[str, Any], expected: Any) -> str | None:
    if expected is None:
        return None
    by_id = {o.get("id"): o.get("text") for o in field.get("options") or []}
    values = [expected] if isinstance(expected, str) else list(expected)
    if field.get("kind") == "date":
        return " ; ".join(_french_date(v) for v in values)
    return " ; ".join(by_id.get(v, v) for v in values)


def _french_date(value: str) -> str:
    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", value)
    return f"{match[3]}/{match[2]}/{match[1]}" if match else value


class MessageRow(Form):
    id = HiddenField()
    attachment_ids = HiddenField()
    sender = StringField(_l("De"), validators=[Optional(), Length(max=200)])
    recipient = StringField(_l("À"), validators=[Optional(), Length(max=200)])
    subject = StringField(_l("Objet"), validators=[Optional(), Length(max=300)])
    date = StringField(
        _l("Date et heure"),
        description=_l("Par exemple : 2026-03-02T09:14"),
        validators=[Optional(), Length(max=20)],
    )
    text = TextAreaField(_l("Texte du message"), validators=[Optional(), Length(max=4000)])
    attachments = TextAreaField(_l("Pièces jointes (un nom de fichier par ligne)"))


WEBMAIL_ACTIONS = [
    ("open", _l("Ouvrir le bon message")),
    ("reply", _l("Répondre")),
    ("forward", _l("Transférer")),
    ("delete", _l("Supprimer")),
    ("send", _l("Écrire un nouveau message")),
]


class TaskWebmailForm(ItemForm):
    kind = ItemType.TASK_WEBMAIL
    owner = StringField(
        _l("Adresse de la personne (fictive)"), validators=[Optional(), Length(max=200)]
    )
    messages = FieldList(FormField(MessageRow), min_entries=3, max_entries=3)
    files = TextAreaField(
        _l("Fichiers de la personne (un nom par ligne)"),
        description=_l("Ce qu'elle peut joindre, par exemple : CV_Dupont.pdf"),
    )
    file_ids = HiddenField()
    action = SelectField(
        _l("Ce que la personne doit faire"), choices=WEBMAIL_ACTIONS, default="open"
    )
    target = SelectField(
        _l("Sur quel message"),
        choices=[
            ("", _l("Aucun en particulier")),
            ("1", _l("Message 1")),
            ("2", _l("Message 2")),
            ("3", _l("Message 3")),
        ],
        default="",
    )
    to = StringField(
        _l("Destinataire attendu (facultatif)"),
        description=_l("Plusieurs adresses : séparez-les par un point-virgule."),
    )
    attach = StringField(
        _l("Pièces jointes attendues (facultatif)"),
        description=_l("Les noms de fichiers, séparés par un point-virgule."),
    )
    body_contains = StringField(
        _l("Mots attendus dans le message (facultatif)"),
        description=_l("Séparés par un point-virgule."),
    )
    KEY_FIELD = "action"
    KEY_MESSAGE = _l(
        "Vérifiez ce que la personne doit faire : le message, le destinataire et les pièces "
        "jointes doivent exister."
    )

    def body_and_key(self) -> tuple[Any, Any]:
        taken: set[str] = set()
        files = _named(self.files.data, _ids_of(self.file_ids.data), taken, "fichier")
        rows = [e.form for e in self.messages]
        new_id = _next_ids([r.id.data for r in rows if r.id.data], "m")
        messages, by_row = [], {}
        for number, row in enumerate(rows, start=1):
            if not any((row[f].data or "").strip() for f in ("sender", "subject", "text")):
                continue
            row.id.data = row.id.data or new_id()
            by_row[str(number)] = row.id.data
            message = {
                "id": row.id.data,
                "from": (row.sender.data or "").strip(),
                "to": (row.recipient.data or "").strip() or (self.owner.data or "").strip(),
                "subject": (row.subject.data or "").strip(),
                "date": (row.date.data or "").strip(),
                "body": (row.text.data or "").strip(),
                "attachments": _named(
                    row.attachments.data, _ids_of(row.attachment_ids.data), taken, "piece"
                ),
            }
            messages.append({k: v for k, v in message.items() if v or k == "attachments"})
        body = {
            "mailbox": {
                "owner": (self.owner.data or "").strip(),
                "messages": messages,
                "files": files,
            }
        }
        names = {f["name"].lower(): f["id"] for m in messages for f in m["attachments"]} | {
            f["name"].lower(): f["id"] for f in files
        }
        key: dict[str, Any] = {"action": self.action.data}
        if self.target.data:
            key["message"] = by_row.get(self.target.data, f"message-{self.target.data}")
        if semicolons(self.to.data):
            key["to"] = semicolons(self.to.data)
        if semicolons(self.attach.data):
            key["attachments"] = [names.get(n.lower(), n) for n in semicolons(self.attach.data)]
        if semicolons(self.body_contains.data):
            key["body_contains"] = semicolons(self.body_contains.data)
        return body, key

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        key = key or {}
        mailbox = body.get("mailbox") or {}
        self.owner.data = mailbox.get("owner")
        files = mailbox.get("files") or []
        self.files.data, self.file_ids.data = (
            "\n".join(f.get("name", "") for f in files),
            _ids_json(files, "name"),
        )
        names = {f.get("id"): f.get("name") for f in files}
        for number, (entry, message) in enumerate(
            zip(self.messages, mailbox.get("messages") or [], strict=False), start=1
        ):
            row = entry.form
            row.id.data = message.get("id")
            row.sender.data, row.recipient.data = message.get("from"), message.get("to")
            row.subject.data, row.date.data, row.text.data = (
                message.get("subject"),
                message.get("date"),
                message.get("body"),
            )
            attachments = message.get("attachments") or []
            row.attachments.data = "\n".join(a.get("name", "") for a in attachments)
            row.attachment_ids.data = _ids_json(attachments, "name")
            names.update({a.get("id"): a.get("name") for a in attachments})
            if key.get("message") == message.get("id"):
                self.target.data = str(number)
        self.action.data = key.get("action", "open")
        self.to.data = " ; ".join(key.get("to", []))
        self.attach.data = " ; ".join(names.get(a, a) for a in key.get("attachments", []))
        self.body_contains.data = " ; ".join(key.get("body_contains", []))

    def body_field(self, path: str) -> Any:
        fields = {
            "key.message": self.target,
            "key.to": self.to,
            "key.attachments": self.attach,
            "key.body_contains": self.body_contains,
        }
        if path.startswith("body"):
            return self.messages
        return fields.get(path, self.action)


def _named(text: str | None, known: dict[str, str], taken: set[str], prefix: str) -> list[dict]:
    """``[{"id", "name"}]`` for file names, one per line, reusing known ids."""
    return [{"id": e["id"], "name": e["text"]} for e in _entries(text, known, taken, prefix)]


def _json_text(field: Any, expected: type, what: str) -> Any:
    """The JSON a trainer wrote in ``field``, as ``expected``; ``ValidationError`` in French
    (with the line) when it is not."""
    try:
        value = json.loads(field.data or "")
    except json.JSONDecodeError as error:
        raise ValidationError(
            _l(
                "Ce n'est pas du JSON valide (ligne %(line)s) : %(error)s",
                line=error.lineno,
                error=error.msg,
            )
        ) from None
    if not isinstance(value, expected):
        raise ValidationError(what)
    return value


class TaskProcedureForm(ItemForm):
    """A procedure is a small graph of screens: written as JSON (FORMAT.md, « task_procedure »),
    checked by the import's rules, tried out in the preview screen by screen."""

    kind = ItemType.TASK_PROCEDURE
    situation = TextAreaField(
        _l("La situation : ce que la personne sait et doit faire (facultatif)"),
        validators=[Optional(), Length(max=2000)],
    )
    screens = TextAreaField(
        _l("Les écrans, en JSON"),
        validators=[InputRequired(_l("Écrivez au moins un écran."))],
        render_kw={"rows": 16, "spellcheck": "false"},
        description=_l(
            'Une liste : [{"id": "s1", "site": "franceconnect.gouv.fr", "title": "…", '
            '"choices": [{"id": "a", "text": "…", "next": "s2"}]}, …]. Un écran a des choix '
            "(chacun mène à son écran suivant) ou des champs (et un écran suivant) ; sans "
            "écran suivant, la démarche s'arrête. Voir FORMAT.md."
        ),
    )
    procedure_key = TextAreaField(
        _l("Les bonnes réponses, en JSON"),
        validators=[InputRequired(_l("Écrivez les bonnes réponses."))],
        render_kw={"rows": 6, "spellcheck": "false"},
        description=_l(
            'Un objet écran → réponse : {"s1": "a", "s3": {"code": ["482913"]}}. Un choix : '
            "son identifiant ; des champs : les valeurs acceptées de chacun."
        ),
    )
    KEY_FIELD = "procedure_key"

    def validate_screens(self, field: Any) -> None:
        _json_text(field, list, str(_l("Les écrans sont une liste : [ {…}, {…} ].")))

    def validate_procedure_key(self, field: Any) -> None:
        _json_text(field, dict, str(_l('Les bonnes réponses sont un objet : {"s1": "a"}.')))

    def body_and_key(self) -> tuple[Any, Any]:
        body: dict[str, Any] = {"screens": json.loads(self.screens.data)}
        if (self.situation.data or "").strip():
            body = {"situation": self.situation.data.strip(), **body}
        return body, json.loads(self.procedure_key.data)

    def load_body_and_key(self, body: Mapping[str, Any], key: Any) -> None:
        self.situation.data = body.get("situation")
        self.screens.data = json.dumps(body.get("screens") or [], ensure_ascii=False, indent=2)
        self.procedure_key.data = json.dumps(key or {}, ensure_ascii=False, indent=2)

    def body_field(self, path: str) -> Any:
        return self.screens if path.startswith("body") else self.procedure_key


FORMS: dict[ItemType, type[ItemForm]] = {
    ItemType.QCU: QcuForm,
    ItemType.QCM: QcmForm,
    ItemType.QROC: QrocForm,
    ItemType.NUMBER: NumberForm,
    ItemType.QROCM_IND: QrocmIndForm,
    ItemType.QROCM_DEP: QrocmDepForm,
    ItemType.ORDERING: OrderingForm,
    ItemType.MATCHING: MatchingForm,
    ItemType.TASK_PHISHING: TaskPhishingForm,
    ItemType.TASK_FORM: TaskFormForm,
    ItemType.TASK_WEBMAIL: TaskWebmailForm,
    ItemType.TASK_PROCEDURE: TaskProcedureForm,
}


def form_class(kind: str | ItemType) -> type[ItemForm] | None:
    """The form of an item type, ``None`` for a type without one (or an unknown word)."""
    try:
        return FORMS.get(ItemType(kind))
    except ValueError:
        return None


def show_item_problems(form: ItemForm, problems: list[tuple[str, str]]) -> None:
    """Each refusal on its field, in the form's words; the rest above the form."""
    for path, message in problems:
        target = form.field_for(path)
        text = form.plain_message(path, message)
        if target is None:
            form.form_errors.append(text)
        else:
            target.errors = [*target.errors, text]
