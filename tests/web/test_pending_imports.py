"""Import files a dry run kept but nobody confirmed are deleted after a delay: at the next dry
run of any organisation, and by ``jalon assess purge-imports``; a fresh one stays usable."""

from __future__ import annotations

import os
import time
from pathlib import Path

from tests.web.forms import csrf_token, text
from web.cli import main
from web.studio import pending_imports

DAY = 24 * 3600


def _age(folder: Path, organisation_id: int, token: str, seconds: float) -> None:
    then = time.time() - seconds
    for suffix in (".json", ".name"):
        os.utime(folder / f"{organisation_id}-{token}{suffix}", (then, then))


def test_sweep_drops_only_files_older_than_the_delay(tmp_path):
    tmp_path = tmp_path / "pending"
    tmp_path.mkdir()
    for name, age in (("1-old", 25 * 3600), ("1-fresh", 3600)):
        for suffix in (".json", ".name"):
            path = tmp_path / f"{name}{suffix}"
            path.write_text("{}", encoding="utf-8")
            os.utime(path, (time.time() - age, time.time() - age))
    (tmp_path / "2-orphan.name").write_text("lost.json", encoding="utf-8")
    assert pending_imports.sweep(tmp_path, 24) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["1-fresh.json", "1-fresh.name"]
    assert pending_imports.sweep(tmp_path / "absent", 24) == 0


def test_the_next_dry_run_deletes_abandoned_files_and_keeps_fresh_ones(app, world):
    folder = Path(app.instance_path) / "pending-imports"
    with app.test_request_context():
        old = pending_imports.keep(world.org_b, b"{}", "vieux.json")
        recent = pending_imports.keep(world.org_a, b"{}", "recent.json")
        _age(folder, world.org_b, old, DAY + 60)
        _age(folder, world.org_a, recent, DAY - 600)
        newest = pending_imports.keep(world.org_a, b"{}", "neuf.json")
        assert pending_imports.hand_over(world.org_b, old) is None
        path, name = pending_imports.hand_over(world.org_a, recent)
        assert (path.read_bytes(), name) == (b"{}", "recent.json")
        assert pending_imports.hand_over(world.org_a, recent) is None  # handed over once
        assert pending_imports.hand_over(world.org_a, newest)[1] == "neuf.json"


def test_the_purge_command_deletes_them_and_the_page_says_the_file_is_gone(app, world, client_as):
    folder = Path(app.instance_path) / "pending-imports"
    with app.test_request_context():
        token = pending_imports.keep(world.org_a, b"{}", "oublie.json")
    _age(folder, world.org_a, token, 2 * DAY)
    result = app.test_cli_runner().invoke(main, ["assess", "purge-imports"])
    assert result.exit_code == 0, result.output
    assert "supprimés : 1." in result.output
    assert list(folder.iterdir()) == []
    client = client_as("trainer")
    import_url = f"/organisations/{world.org_a}/referentiels/import"
    response = client.post(
        f"{import_url}/confirmer",
        data={"csrf_token": csrf_token(client, import_url), "token": token},
    )
    assert response.status_code == 422 and "plus disponible" in text(response)
