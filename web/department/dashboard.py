"""The indicators' dashboard as the département and an association see it, and its downloads.

The page, the CSV and the XLSX are written from one ``Table`` built here from
``indicators.catalogue`` on the filters of the query string, so their figures cannot differ; a
cell computed from fewer people than ``JALON_INDICATORS_MASK_THRESHOLD`` reads « masqué » in all
three. Only structures, actions and categories are ever rows: never a person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import Response, current_app
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from indicators import catalogue, names
from indicators.figures import Figure
from indicators.filters import AGE_BANDS, DIMENSIONS, Filters
from indicators.scope import ActionFacts, actions_in_scope
from learners.communes import all_communes
from learners.models import PublicStatus, Sex, Typology
from learners.target_jobs import target_jobs
from web.database import db
from web.department import labels
from web.exports import Column, Table, attachment, csv_bytes, csv_text, xlsx_bytes

INDICATORS = catalogue.INDICATORS
TREND_KEYS = ("beneficiaires_entree", "beneficiaires_sortie")
CHOICES = {
    "typologie": {t.value for t in Typology},
    "sexe": {s.value for s in Sex},
    "tranche_age": set(AGE_BANDS),
    "statut": {s.value for s in PublicStatus},
}


def threshold() -> int:
    return int(current_app.config["JALON_INDICATORS_MASK_THRESHOLD"])


def _number(args: MultiDict, name: str) -> tuple[int, ...]:
    value = args.get(name, "")
    return (int(value),) if value.isdigit() and len(value) < 10 else ()


def _choice(args: MultiDict, name: str, allowed) -> tuple[str, ...]:
    value = args.get(name, "")
    return (value,) if value in allowed else ()


def _day(args: MultiDict, name: str) -> date | None:
    try:
        return date.fromisoformat(args.get(name, "")[:10])
    except ValueError:
        return None


def filters_from(args: MultiDict, organisation_id: int | None = None) -> Filters:
    """The filters of the query string (a value that means nothing is ignored); an association
    is held to its own actions whatever the query string says."""
    return Filters(
        action_ids=_number(args, "action"),
        organisation_ids=(organisation_id,) if organisation_id else _number(args, "porteur"),
        typologies=_choice(args, "typologie", CHOICES["typologie"]),
        target_jobs=_choice(args, "metier", target_jobs()),
        period_start=_day(args, "du"),
        period_end=_day(args, "au"),
        sexes=_choice(args, "sexe", CHOICES["sexe"]),
        age_bands=_choice(args, "tranche_age", CHOICES["tranche_age"]),
        public_statuses=_choice(args, "statut", CHOICES["statut"]),
        communes=_choice(args, "commune", {c.code for c in all_communes()}),
    )


def dimension_from(args: MultiDict, filters: Filters, association: bool) -> str:
    """The breakdown asked for; by default one step down: porteurs, then their actions."""
    asked = args.get("ventilation", "")
    if asked in DIMENSIONS:
        return asked
    if filters.action_ids:
        return "sexe"
    return "action" if association or filters.organisation_ids else "porteur"


def value_label(dimension: str, key: str, named: dict[str, str]) -> str:
    if not key:
        return str(labels.NOT_STATED)
    if key in named:
        return named[key]
    return str(labels.VALUES.get(dimension, {}).get(key, key))


def cell(figure: Figure, unit: str) -> str | int | float | None:
    """A figure as a table cell: « masqué », nothing when there is no base, else its value."""
    if figure.masked:
        return str(labels.MASKED)
    if figure.value is None:
        return None
    return int(figure.value) if unit == catalogue.COUNT else float(figure.value)


def _planned_cell(figure: Figure, unit: str) -> int | float | None:
    if figure.planned is None:
        return None
    return int(figure.planned) if unit == catalogue.COUNT else float(figure.planned)


def _columns(dimension: str) -> list[Column]:
    columns = [Column("libelle", str(labels.DIMENSIONS[dimension]))]
    for key, indicator in catalogue.INDICATORS.items():
        kind = "int" if indicator.unit == catalogue.COUNT else "percent"
        columns.append(Column(key, str(labels.INDICATORS[key]), kind))
        if indicator.planned is not None:
            title = str(_l("%(indicator)s (prévu)", indicator=labels.INDICATORS[key]))
            columns.append(Column(f"{key}_prevu", title, kind))
    return columns


def _row(label: str, figures: dict[str, Figure]) -> list:
    row: list = [label]
    for key, indicator in catalogue.INDICATORS.items():
        row.append(cell(figures[key], indicator.unit))
        if indicator.planned is not None:
            row.append(_planned_cell(figures[key], indicator.unit))
    return row


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    dimension: str
    headlines: dict[str, Figure]  # indicator key → figure over the whole scope
    table: Table  # first row: the whole scope; then one row per value of the dimension
    row_keys: list[str]  # the dimension's key of each row after the first (for links)
    trend: Table  # entries, exits and completed paths per month
    competences: Table  # « compétences acquises » per competence
    actions: list[ActionFacts]  # the actions in scope (their bilans)


def _trend(filters: Filters, limit: int) -> Table:
    series = {k: dict(catalogue.monthly_trend(db.session, k, filters, limit)) for k in TREND_KEYS}
    counts = catalogue.monthly_counts(db.session, filters, limit)
    series |= {k: dict(cells) for k, cells in counts.items()}
    months = sorted(set().union(*series.values()))
    empty = Figure(key="", value=0)
    return Table(
        title=str(_l("Tendance mensuelle")),
        columns=[
            Column("mois", str(_l("Mois"))),
            *(Column(k, str(labels.INDICATORS[k]), "int") for k in TREND_KEYS),
            *(Column(k, str(labels.MONTHLY_COUNTS[k]), "int") for k in counts),
        ],
        rows=[
            [m, *(cell(series[k].get(m, empty), catalogue.COUNT) for k in series)] for m in months
        ],
    )


def _competences(filters: Filters, limit: int) -> Table:
    figures = catalogue.competence_progress(db.session, filters, limit)
    titles = names.competence_titles(db.session, [c for c, _ in figures])
    return Table(
        title=str(_l("Compétences acquises, par compétence")),
        columns=[
            Column("competence", str(_l("Compétence"))),
            Column("taux", str(labels.INDICATORS["competences_acquises"]), "percent"),
        ],
        rows=[[titles.get(c, str(c)), cell(f, catalogue.RATE)] for c, f in figures],
    )


def build(filters: Filters, dimension: str) -> Dashboard:
    """Every figure the page shows, each masked on its own."""
    limit = threshold()
    headlines = {k: catalogue.compute(db.session, k, filters, limit) for k in catalogue.INDICATORS}
    cells = {
        k: dict(catalogue.breakdown(db.session, k, filters, dimension, limit))
        for k in catalogue.INDICATORS
    }
    keys = sorted(set().union(*cells.values()), key=catalogue.key_order)
    named = names.names(db.session, dimension, keys)
    rows = [_row(str(_l("Ensemble")), headlines)]
    for key in keys:
        figures = {k: cells[k].get(key) or catalogue.empty(INDICATORS[k]) for k in cells}
        rows.append(_row(value_label(dimension, key, named), figures))
    table = Table(
        title=str(_l("Indicateurs par %(dimension)s", dimension=labels.DIMENSIONS[dimension])),
        columns=_columns(dimension),
        rows=rows,
    )
    return Dashboard(
        filters=filters,
        dimension=dimension,
        headlines=headlines,
        table=table,
        row_keys=keys,
        trend=_trend(filters, limit),
        competences=_competences(filters, limit),
        actions=actions_in_scope(db.session, filters),
    )


# The page's tables by the name a CSV download asks for (``?tableau=``): a CSV holds one
# rectangular table, what a spreadsheet, a pivot table or a script reads without cutting it up;
# the XLSX holds them all, one sheet each.
CSV_TABLES = ("indicateurs", "tendance", "competences")


def tables(dashboard: Dashboard) -> dict[str, Table]:
    """Every table the page shows, in its order, by the name of its CSV."""
    shown = (dashboard.table, dashboard.trend, dashboard.competences)
    return dict(zip(CSV_TABLES, shown, strict=True))


def download(
    args: MultiDict, extension: str, name: str, organisation_id: int | None = None
) -> Response:
    """The page's figures on the filters of ``args``: every table in one XLSX, or the table
    ``?tableau=`` names (the breakdown by default) in a CSV."""
    built = tables(for_args(args, organisation_id))
    if extension == "xlsx":
        body = xlsx_bytes(*built.values())
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        return Response(body, mimetype=mimetype, headers=attachment(f"{name}.xlsx"))
    which = args.get("tableau", "")
    which = which if which in built else CSV_TABLES[0]
    if which != CSV_TABLES[0]:
        name = f"{name}-{which}"
    body, mimetype = csv_bytes(built[which]), "text/csv; charset=utf-8"
    return Response(body, mimetype=mimetype, headers=attachment(f"{name}.csv"))


def choices(filters: Filters, organisation_id: int | None = None) -> dict[str, list]:
    """The options of each filter of the form, as (value, words); the actions offered are the
    chosen porteur's (or the association's), all of them when no porteur is chosen."""
    own = Filters(organisation_ids=filters.organisation_ids)
    found = {
        "action": [(str(a.id), a.title) for a in actions_in_scope(db.session, own)],
        "metier": list(target_jobs().items()),
        "commune": [(c.code, c.name) for c in all_communes()],
        **{name: [(k, str(v)) for k, v in labels.VALUES[name].items()] for name in CHOICES},
    }
    if not organisation_id:
        found["porteur"] = [(str(i), name) for i, name in names.porteurs(db.session)]
    return found


def chart_rows(dashboard: Dashboard) -> list[dict]:
    """The headline rates, achieved (and planned when the actions planned one), for the chart."""
    rows = []
    for key, figure in dashboard.headlines.items():
        indicator = INDICATORS[key]
        if indicator.unit != catalogue.RATE:
            continue
        column = Column(key, "", "percent")
        text = str(labels.MASKED) if figure.masked else csv_text(figure.value, column) or "—"
        if figure.planned is not None:
            text += " " + str(_l("(prévu : %(rate)s)", rate=csv_text(figure.planned, column)))
        rows.append(
            {"label": str(labels.INDICATORS[key]), "value": figure.value or 0, "text": text}
        )
    return rows


def breakdown_chart_rows(table: Table) -> list[dict]:
    """Beneficiaries entered per row of the breakdown (the « Ensemble » row left out)."""
    column = table.columns[1]
    return [
        {
            "label": row[0],
            "value": row[1] if isinstance(row[1], int) else 0,
            "text": csv_text(row[1], column) or "—",
        }
        for row in table.rows[1:]
    ]


def trend_chart_rows(trend: Table) -> list[dict]:
    """Entries per month for the chart (a masked month draws no bar and says « masqué »)."""
    column = trend.columns[1]
    return [
        {
            "label": row[0],
            "value": row[1] if isinstance(row[1], int) else 0,
            "text": csv_text(row[1], column) or "—",
        }
        for row in trend.rows
    ]


def drill_args(args: MultiDict, dimension: str, key: str) -> dict[str, str] | None:
    """The query string one step down from a row: a porteur's actions, an action's figures;
    None for the other rows (categories of people: nothing below them is shown)."""
    if dimension not in ("porteur", "action") or not key.isdigit():
        return None
    down = {k: v for k, v in args.items() if k != "ventilation"}
    down[dimension] = key
    return down


def headline_text(key: str, figure: Figure, planned: bool = False) -> str:
    """A headline figure as the table and the CSV write it (« — » when there is none)."""
    kind = "int" if INDICATORS[key].unit == catalogue.COUNT else "percent"
    if figure.masked and not planned:
        return str(labels.MASKED)
    value = figure.planned if planned else figure.value
    return csv_text(value, Column(key, "", kind)) or "—"


def for_args(args: MultiDict, organisation_id: int | None = None) -> Dashboard:
    """The dashboard the query string asks for (held to one association's actions when given)."""
    filters = filters_from(args, organisation_id)
    return build(filters, dimension_from(args, filters, organisation_id is not None))


def context(args: MultiDict, organisation_id: int | None = None) -> dict:
    """What the dashboard template needs, for the département or one association."""
    built = for_args(args, organisation_id)
    return {
        "dashboard": built,
        "choices": choices(built.filters, organisation_id),
        "chart": chart_rows(built),
        "trend_chart": trend_chart_rows(built.trend),
        "breakdown_chart": breakdown_chart_rows(built.table),
        "cell_text": csv_text,
        "headline_text": headline_text,
        "drill_args": drill_args,
        "indicators": INDICATORS,
        "monthly_counts": catalogue.MONTHLY_COUNTS,
        "labels": labels,
        "threshold": threshold(),
    }
