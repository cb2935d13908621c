"""The ``jalon`` command: Flask's CLI with Jalon's groups (db, demo, assess, badges, rgpd)
and the ``backup``, ``restore`` and ``worker`` commands.

Each module of this package holds one group; the commands parse options, call the domain
packages and print (in French). Rules about the data live in the domain packages.
"""

from __future__ import annotations

import click
from flask.cli import FlaskGroup

from web import create_app
from web.cli import assess, backup, badges, db, demo, rgpd, worker


# Commands render few pages, if any: templates compile as they are needed (web/setup.py).
@click.group(
    cls=FlaskGroup,
    create_app=lambda: create_app({"JALON_COMPILE_TEMPLATES": False}),
    add_version_option=False,
)
def main() -> None:
    """Jalon: assessments and Open Badges for insertion programmes."""


main.add_command(db.db)
main.add_command(demo.demo)
main.add_command(assess.assess)
main.add_command(badges.badges)
main.add_command(rgpd.rgpd)
main.add_command(backup.backup)
main.add_command(backup.restore)
main.add_command(worker.worker)
