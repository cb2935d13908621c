"""``task_procedure`` (« par le faire »): go through an online procedure screen by screen — log
in with FranceConnect, type the code an SMS gave, choose the readable payslip to send, book the
right slot, validate a payment on the genuine page, answer a scam.

Each screen shows a site (its address bar), what it says, perhaps a message received on the
phone, and either **choices** (buttons, links, files: each leads to its ``next`` screen) or
**fields** (a code, the month's figures: the screen's ``next``). A screen with nothing next ends
the procedure. The response is what was answered on each screen of the path taken, from the
first screen to an end; a path that stops half-way, skips a screen or answers one it never
reached is malformed (:class:`InvalidResponse`), never judged. The key says the right answer of
the screens that matter; the others (« Continuer ») accept any.

The page walks the path from its query string (``step-<screen>``: nothing is written) and posts
the whole path once an end is reached.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assessments.item_types.base import (
    ItemTypeDefinition,
    Posted,
    Problem,
    Reason,
    entry_ids,
    entry_problems,
    field_name,
)
from assessments.item_types.task_form import (
    FORM_KINDS,
    OPTION_KINDS,
    TaskForm,
    field_reason,
    field_right,
    key_problems,
)
from assessments.models import ItemType
from assessments.response_errors import InvalidResponse

STEP = "step"  # form names: step-<screen> (the choice, or "ok"), step-<screen>-<field>
FILLED = "ok"  # the value of step-<screen> once a fields screen is filled in
MESSAGE_KINDS = ("sms", "whatsapp", "notification", "email", "courrier")
MAX_SCREENS = 20


def step_name(screen: str, field: str = "") -> str:
    """The form field of a screen's answer (a choice) or of one of its fields."""
    return field_name(STEP, f"{screen}-{field}" if field else screen)


def _screens(body: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    screens = body.get("screens")
    if not isinstance(screens, list):
        return {}
    return {s["id"]: s for s in screens if isinstance(s, Mapping) and isinstance(s.get("id"), str)}


def _next(screen: Mapping[str, Any], answer: Any) -> str | None:
    """The screen after ``screen`` once answered ``answer`` (``None``: the procedure ends)."""
    for choice in screen.get("choices") or []:
        if choice["id"] == answer:
            return choice.get("next")
    return screen.get("next")


def _read_answer(screen: Mapping[str, Any], values: Posted) -> Any:
    """A screen's answer as the page posts it, ``None`` when it has none yet."""
    marker = values.one(step_name(screen["id"]))
    if not marker:
        return None
    if screen.get("choices"):
        return marker
    answer: dict[str, Any] = {}
    for field in screen.get("fields") or []:
        name = step_name(screen["id"], field["id"])
        answer[field["id"]] = (
            values.many(name) if field.get("kind") == "checkbox" else values.one(name)
        )
    return answer


def _check_answer(screen: Mapping[str, Any], answer: Any) -> None:
    """:class:`InvalidResponse` when ``answer`` has not the shape ``screen`` expects."""
    title = screen.get("title") or screen["id"]
    if screen.get("choices"):
        if not isinstance(answer, str):
            raise InvalidResponse(
                "step_choice_expected", f"Choisissez une réponse sur l'écran « {title} »."
            )
        if answer not in {c["id"] for c in screen["choices"]}:
            raise InvalidResponse("unknown_choice", f"Ce choix n'existe pas : {answer}.")
        return
    if not isinstance(answer, Mapping):
        raise InvalidResponse("fields_expected", f"Remplissez l'écran « {title} ».")
    fields = {f["id"]: f for f in screen.get("fields") or []}
    unknown = [name for name in answer if name not in fields]
    if unknown:
        raise InvalidResponse("unknown_field", f"Cette case n'existe pas : {unknown[0]}.")
    if not any(v not in (None, "", []) for v in answer.values()):
        raise InvalidResponse("step_empty", f"Remplissez l'écran « {title} ».")
    for field in fields.values():
        field_right(field, {}, answer.get(field["id"]))  # the shape only: raises when malformed


def walk(body: Mapping[str, Any], answers: Mapping[str, Any]) -> tuple[list[str], str | None]:
    """The screens of the path ``answers`` take, from the first, each answered well-formed;
    and the screen where the path waits for an answer (``None``: it reached an end).
    :class:`InvalidResponse` for a malformed answer on the path."""
    screens = _screens(body)
    current: str | None = body["screens"][0]["id"]
    path: list[str] = []
    while current is not None and current not in path and len(path) < MAX_SCREENS:
        screen = screens[current]
        if current not in answers:
            return path, current
        _check_answer(screen, answers[current])
        path.append(current)
        current = _next(screen, answers[current])
    return path, None


class TaskProcedure(ItemTypeDefinition):
    kind = ItemType.TASK_PROCEDURE
    template = "learner/items/task_procedure.html"
    own_form = True

    def read_form(self, body: Mapping[str, Any], form: Posted) -> Any:
        answers: dict[str, Any] = {}
        screens = _screens(body)
        current: str | None = body["screens"][0]["id"]
        while current is not None and current not in answers:
            answer = _read_answer(screens[current], form)
            if answer is None:
                raise InvalidResponse(
                    "procedure_unfinished",
                    "Allez jusqu'au bout de la démarche, ou choisissez « Je ne sais pas ».",
                    field="procedure",
                )
            answers[current] = answer
            current = _next(screens[current], answer)
        return answers

    def check(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> bool:
        path = _response_path(body, response)
        right = True
        for screen_id in path:
            expected = key.get(screen_id)
            if expected is not None and not _answer_right(
                _screens(body)[screen_id], expected, response[screen_id]
            ):
                right = False
        return right and set(key) <= set(path)

    def explain(
        self, body: Mapping[str, Any], key: Any, response: Any, tolerance: Sequence[str] | None
    ) -> list[Reason]:
        path = _response_path(body, response)
        screens = _screens(body)
        reasons: list[Reason] = []
        for screen_id, expected in key.items():
            screen = screens[screen_id]
            part = screen.get("title") or screen_id
            if screen_id not in path:
                reasons.append(Reason("step_not_reached", {}, part))
            elif screen.get("choices"):
                texts = {c["id"]: c.get("text") or c["id"] for c in screen["choices"]}
                given = response[screen_id]
                code = "choice_right" if given == expected else "choice_wrong"
                params = {"choice": texts[given], "expected": texts[expected]}
                reasons.append(Reason(code, params, part))
            else:
                reasons += [
                    field_reason(field, expected[field["id"]], response[screen_id].get(field["id"]))
                    for field in screen.get("fields") or []
                    if field["id"] in expected
                ]
        return reasons

    def problems(self, body: Mapping[str, Any], key: Any) -> list[Problem]:
        screens = body.get("screens") if isinstance(body, Mapping) else None
        if not isinstance(screens, list) or not screens:
            return [("body.screens", "liste d'écrans attendue")]
        if len(screens) > MAX_SCREENS:
            return [("body.screens", f"{MAX_SCREENS} écrans au plus")]
        problems = entry_problems(screens, "body.screens", "d'écrans")
        if problems:
            return problems
        ids = [s["id"] for s in screens]
        for i, screen in enumerate(screens):
            problems += _screen_problems(screen, f"body.screens[{i}]", set(ids))
        if len(set(ids)) != len(ids):
            problems.append(("body.screens", "identifiants d'écrans en double"))
        if problems:
            return problems
        problems += _graph_problems(body)
        if not isinstance(key, Mapping) or not key:
            return [*problems, ("key", "task_procedure : la clé est un objet écran → réponse")]
        by_id = _screens(body)
        for screen_id, expected in key.items():
            screen = by_id.get(screen_id)
            if screen is None:
                problems.append((f"key.{screen_id}", "écran inconnu"))
            elif screen.get("choices"):
                if not isinstance(expected, str) or expected not in entry_ids(screen["choices"]):
                    problems.append((f"key.{screen_id}", "identifiant d'un choix de l'écran"))
            elif not isinstance(expected, Mapping) or not expected:
                problems.append((f"key.{screen_id}", "objet champ → valeurs acceptées attendu"))
            else:
                problems += _fields_key_problems(screen, expected, f"key.{screen_id}")
        if problems:
            return problems
        path, waiting = _right_path(body, key)
        if waiting is not None:
            problems.append(
                (f"key.{waiting}", "la clé doit dire quel choix faire sur cet écran (chemin juste)")
            )
        elif not set(key) <= set(path):
            missed = sorted(set(key) - set(path))
            problems.append(("key", f"écrans hors du chemin juste : {', '.join(missed)}"))
        return problems

    def right_response(self, body: Mapping[str, Any], key: Any) -> Any:
        path, _ = _right_path(body, key)
        screens = _screens(body)
        return {s: _right_answer(screens[s], key.get(s)) for s in path}

    def wrong_response(self, body: Mapping[str, Any], key: Any) -> Any:
        """The right path up to the first screen the key checks, answered otherwise there, then
        the first choice (or the right fields) until an end."""
        screens = _screens(body)
        right = self.right_response(body, key)
        answers: dict[str, Any] = {}
        current: str | None = body["screens"][0]["id"]
        wrong_done = False
        while current is not None and current not in answers:
            screen = screens[current]
            if not wrong_done and current in key:
                answers[current] = _wrong_answer(screen, key[current])
                wrong_done = True
            elif current in right:
                answers[current] = right[current]
            elif screen.get("choices"):
                answers[current] = screen["choices"][0]["id"]
            else:
                answers[current] = _right_answer(screen, key.get(current))
            current = _next(screen, answers[current])
        return answers

    def error_field(self, body: Mapping[str, Any], code: str) -> str:
        return "procedure"

    def page_state(self, body: Mapping[str, Any], values: Posted) -> dict[str, Any]:
        """The path walked so far (from the query string, or from a refused post), the screen
        shown, what was typed on it, and why its answer was not taken (``problem``: a code)."""
        screens = _screens(body)
        if not screens:
            return {}
        answers: dict[str, Any] = {}
        current: str | None = body["screens"][0]["id"]
        problem, draft = "", None
        while current is not None and current not in answers and current in screens:
            draft = _read_answer(screens[current], values)
            if draft is None:
                problem = "nav_choice" if values.one("ecran") == current else ""
                break
            try:
                _check_answer(screens[current], draft)
            except InvalidResponse as error:
                problem = error.code
                break
            answers[current] = draft
            current = _next(screens[current], draft)
        path = list(answers)
        return {
            "path": [screens[s] for s in path],
            "answers": answers,
            "screen": screens.get(current) if current else None,
            "draft": draft if isinstance(draft, Mapping) else {},
            "problem": problem,
            "hidden": _hidden(answers),
            "back": _hidden({s: answers[s] for s in path[:-1]}),
            "step_number": len(path) + (0 if current is None else 1),
        }


def _hidden(answers: Mapping[str, Any]) -> dict[str, list[str]]:
    """Form name → values that carry ``answers`` from one screen to the next (hidden inputs,
    or a link's query string)."""
    carried: dict[str, list[str]] = {}
    for screen_id, answer in answers.items():
        if isinstance(answer, str):
            carried[step_name(screen_id)] = [answer]
            continue
        carried[step_name(screen_id)] = [FILLED]
        for field_id, value in answer.items():
            carried[step_name(screen_id, field_id)] = value if isinstance(value, list) else [value]
    return carried


def _answer_right(screen: Mapping[str, Any], expected: Any, answer: Any) -> bool:
    if screen.get("choices"):
        return answer == expected
    fields = screen.get("fields") or []
    return all(field_right(f, expected, answer.get(f["id"])) for f in fields)


def _right_path(body: Mapping[str, Any], key: Mapping[str, Any]) -> tuple[list[str], str | None]:
    """The screens the key's answers go through, and a screen with several ways on where the
    key says nothing (``None`` when the path reaches an end)."""
    screens = _screens(body)
    current: str | None = body["screens"][0]["id"]
    path: list[str] = []
    while current is not None and current not in path:
        screen = screens[current]
        choices = screen.get("choices") or []
        if choices and current not in key and len({c.get("next") for c in choices}) > 1:
            return path, current
        path.append(current)
        answer = key.get(current, choices[0]["id"] if choices else None)
        current = _next(screen, answer)
    return path, None


def _right_answer(screen: Mapping[str, Any], expected: Any) -> Any:
    choices = screen.get("choices") or []
    if choices:
        return expected if expected is not None else choices[0]["id"]
    form = {"fields": screen.get("fields") or []}
    answer = TaskForm().right_response(form, expected) if expected else {}
    for field in form["fields"]:
        answer.setdefault(field["id"], [] if field.get("kind") == "checkbox" else "")
    if not any(v not in ("", []) for v in answer.values()):
        first = form["fields"][0]
        answer[first["id"]] = _filler(first)
    return answer


def _filler(field: Mapping[str, Any]) -> Any:
    """Something well-formed for a field the key does not check."""
    kind = field.get("kind", "text")
    if kind in ("select", "radio"):
        return field["options"][0]["id"]
    if kind == "checkbox":
        return [field["options"][0]["id"]]
    return {"date": "2026-01-01", "number": "1"}.get(kind, "x")


def _wrong_answer(screen: Mapping[str, Any], expected: Any) -> Any:
    choices = screen.get("choices") or []
    if choices:
        return next(c["id"] for c in choices if c["id"] != expected)
    answer = _right_answer(screen, expected)
    answer.update(TaskForm().wrong_response({"fields": screen["fields"]}, expected))
    return answer


def _screen_problems(screen: Mapping[str, Any], path: str, ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    for name in ("site", "title", "text", "question"):
        if name in screen and not isinstance(screen[name], str):
            problems.append((f"{path}.{name}", "texte attendu"))
    if not isinstance(screen.get("title"), str) or not screen["title"].strip():
        problems.append((f"{path}.title", "titre de l'écran attendu"))
    message = screen.get("message")
    if message is not None and (
        not isinstance(message, Mapping)
        or message.get("kind", "sms") not in MESSAGE_KINDS
        or not isinstance(message.get("text"), str)
    ):
        problems.append(
            (f"{path}.message", f"objet {{kind parmi {', '.join(MESSAGE_KINDS)}, from, text}}")
        )
    choices, fields = screen.get("choices"), screen.get("fields")
    if bool(choices) == bool(fields):
        return [*problems, (path, "des choix ou des champs (l'un des deux)")]
    if choices:
        problems += entry_problems(choices, f"{path}.choices", "de choix")
        if problems:
            return problems
        seen: set[str] = set()
        for i, choice in enumerate(choices):
            if not isinstance(choice.get("text"), str) or not choice["text"].strip():
                problems.append((f"{path}.choices[{i}].text", "texte manquant"))
            if choice["id"] in seen:
                problems.append(
                    (f"{path}.choices[{i}].id", f"identifiant en double : {choice['id']}")
                )
            seen.add(choice["id"])
            if not _known_next(choice.get("next"), ids):
                problems.append((f"{path}.choices[{i}].next", f"écran inconnu : {choice['next']}"))
        return problems
    problems += entry_problems(fields, f"{path}.fields", "de champs")
    if problems:
        return problems
    for i, field in enumerate(fields):
        where = f"{path}.fields[{i}]"
        if field.get("kind", "text") not in FORM_KINDS:
            problems.append((f"{where}.kind", f"type parmi {', '.join(FORM_KINDS)}"))
        if field.get("compare", "exact") != "exact":
            problems.append((f"{where}.compare", "seule valeur possible : « exact »"))
        if not isinstance(field.get("label"), str) or not field["label"].strip():
            problems.append((f"{where}.label", "libellé manquant"))
        if field.get("kind") in OPTION_KINDS and not field.get("options"):
            problems.append((f"{where}.options", "options attendues"))
        problems += entry_problems(field.get("options"), f"{where}.options", "d'options")
    if not _known_next(screen.get("next"), ids):
        problems.append((f"{path}.next", f"écran inconnu : {screen['next']}"))
    return problems


def _known_next(after: Any, ids: set[str]) -> bool:
    """No next screen (the end), or the id of one."""
    return after is None or (isinstance(after, str) and after in ids)


def _graph_problems(body: Mapping[str, Any]) -> list[Problem]:
    """Every screen reachable from the first, and no way round in a circle (the page would
    never reach an end)."""
    screens = _screens(body)
    first = body["screens"][0]["id"]
    reached: set[str] = set()  # every screen seen; those still on the trail are open
    open_trail: set[str] = set()

    def ways(screen: Mapping[str, Any]) -> list[str]:
        if screen.get("choices"):
            return [c["next"] for c in screen["choices"] if c.get("next")]
        return [screen["next"]] if screen.get("next") else []

    def visit(screen_id: str) -> str | None:
        """Depth first, each screen once: a way back to an open screen is a loop."""
        if screen_id in open_trail:
            return screen_id
        if screen_id in reached:
            return None
        reached.add(screen_id)
        open_trail.add(screen_id)
        for after in ways(screens[screen_id]):
            loop = visit(after)
            if loop:
                return loop
        open_trail.discard(screen_id)
        return None

    loop = visit(first)
    if loop:
        return [("body.screens", f"le parcours revient sur l'écran {loop} : il ne finirait pas")]
    lost = [s for s in screens if s not in reached]
    if lost:
        return [("body.screens", f"écrans jamais atteints : {', '.join(lost)}")]
    return []


def _fields_key_problems(
    screen: Mapping[str, Any], expected: Mapping[str, Any], path: str
) -> list[Problem]:
    fields = {f["id"]: f for f in screen["fields"]}
    problems: list[Problem] = []
    for name, value in expected.items():
        if name not in fields:
            problems.append((f"{path}.{name}", "champ inconnu"))
        else:
            problems += [
                (p.replace("key.", f"{path}.", 1), m)
                for p, m in key_problems(name, fields[name], value)
            ]
    return problems


def _path_error() -> InvalidResponse:
    return InvalidResponse(
        "procedure_unfinished",
        "Allez jusqu'au bout de la démarche, ou choisissez « Je ne sais pas ».",
    )


def _response_path(body: Mapping[str, Any], response: Any) -> list[str]:
    if not isinstance(response, Mapping) or not response:
        raise InvalidResponse("procedure_expected", "Faites la démarche, écran par écran.")
    if not all(isinstance(k, str) for k in response):
        raise InvalidResponse("procedure_expected", "Faites la démarche, écran par écran.")
    unknown = [s for s in response if s not in _screens(body)]
    if unknown:
        raise InvalidResponse("unknown_step", f"Cet écran n'existe pas : {unknown[0]}.")
    path, waiting = walk(body, response)
    if waiting is not None:
        raise _path_error()
    if set(response) - set(path):
        raise InvalidResponse(
            "unknown_step", "La réponse parle d'un écran que la démarche n'a pas montré."
        )
    return path


DEFINITIONS = (TaskProcedure(),)
