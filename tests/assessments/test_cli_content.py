"""``jalon assess import / export / load-content``."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from assessments import content_io
from assessments.models import Framework, Item
from tests.assessments.factories import ITEMS, framework_document, items_document
from web.cli.assess import assess


def write(path, data):
    path.write_text(content_io.dump(data), encoding="utf-8")
    return path


def test_import_then_export_from_the_command_line(app, tmp_path):
    runner = app.test_cli_runner()
    (tmp_path / "frameworks").mkdir()
    write(tmp_path / "frameworks" / "essai.json", framework_document())
    write(tmp_path / "items.json", items_document())
    result = runner.invoke(assess, ["import", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert f"{len(ITEMS)} créés" in result.output
    out = tmp_path / "export.json"
    result = runner.invoke(assess, ["export", "essai", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert len(json.loads(out.read_text(encoding="utf-8"))["items"]) == len(ITEMS)


def test_a_bad_file_prints_its_errors_and_imports_nothing(app, tmp_path):
    items = items_document()
    del items["items"][0]["key"]
    bad = write(tmp_path / "items.json", items)
    good = write(tmp_path / "essai.json", framework_document())
    result = app.test_cli_runner().invoke(assess, ["import", str(good), str(bad)])
    assert result.exit_code == 2
    assert "items[0].key : champ obligatoire manquant" in result.output
    assert "rien n'a été importé" in result.output
    from web.database import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Framework)) == 0


def test_load_content_imports_what_is_shipped(app):
    result = app.test_cli_runner().invoke(assess, ["load-content"])
    assert result.exit_code == 0, result.output
    from web.database import db

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Item)) > 0


def test_export_of_an_unknown_framework_fails_cleanly(app, tmp_path):
    result = app.test_cli_runner().invoke(assess, ["export", "nope", "--out", str(tmp_path / "x")])
    assert result.exit_code == 2 and "référentiel inconnu" in result.output
