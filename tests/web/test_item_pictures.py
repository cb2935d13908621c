"""Item pictures on the pages: served at a URL holding a hash of their bytes (cached for ever,
typed, never sniffed, an SVG under a CSP of its own), to whoever may see the item and nobody
else; attached in the studio's item form (alt text required, active SVG refused in French,
nothing lost) and shown by the studio's preview as the learner sees it."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from assessments import content_io, item_images
from assessments.models import Item, ItemImage
from tests.web.conftest import PICTURE
from tests.web.forms import csrf_token, text
from tests.web.test_studio_authoring import QCU, _competence_url, _write_framework

SCRIPTED = PICTURE.replace(b"</svg>", b"<script>alert(1)</script></svg>")
SHIPPED_UID = "premiers-pas-1.1-101"


def _load_shipped_pictures(app) -> str:
    """The beginner framework and its mouse items; the mouse picture's URL."""
    from web.database import db

    root = content_io.CONTENT_DIR
    with app.app_context():
        content_io.import_paths(
            db.session,
            [
                root / "frameworks" / "premiers-pas.json",
                root / "items/premiers-pas/images-1.1.json",
            ],
        )
        db.session.commit()
    digest = item_images.shipped_picture("premiers-pas", "souris.svg").digest
    return f"/images/items/{SHIPPED_UID}/{digest}.svg"


def test_a_picture_is_served_by_its_hash_cached_for_ever_and_nothing_else(app, world, client_as):
    url = _load_shipped_pictures(app)
    learner = client_as("learner")
    response = learner.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data == item_images.shipped_picture("premiers-pas", "souris.svg").data
    cache = response.headers["Cache-Control"]
    assert "immutable" in cache and "max-age=31536000" in cache and "no-store" not in cache
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "sandbox" in policy and "script" not in policy
    # Another hash (a picture changed since the page was drawn) leads to the current one.
    stale = learner.get(f"/images/items/{SHIPPED_UID}/{'0' * 16}.svg")
    assert stale.status_code == 302 and stale.headers["Location"].endswith(url)
    assert "no-store" in stale.headers["Cache-Control"]
    for missing in (
        f"/images/items/premiers-pas-9.9-999/{'0' * 16}.svg",  # no such item
        f"/images/items/premiers-pas-1.1-001/{'0' * 16}.svg",  # an item without a picture
        "/images/items/..%2F..%2Fcontent%2FFORMAT/x.md",
        "/images/items/premiers-pas-1.1-101/..%2F..%2F..%2Fpyproject.toml",
    ):
        assert learner.get(missing).status_code == 404, missing
    assert client_as("department").get(url).status_code == 403
    assert client_as("anonymous").get(url).status_code == 302


def _new_item_url(app, client, world) -> str:
    framework_url = _write_framework(client, world)
    return f"{_competence_url(app, framework_url)}/questions/nouvelle/qcu"


def _post(client, url, data, picture: bytes | None = None, name="touche.svg"):
    fields = {**data, "csrf_token": csrf_token(client, url)}
    if picture is not None:
        fields["image"] = (io.BytesIO(picture), name)
    return client.post(url, data=fields, content_type="multipart/form-data")


def _count(app, model) -> int:
    from web.database import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_a_trainer_attaches_a_picture_and_the_preview_shows_it(app, world, client_as):
    client = client_as("trainer")
    url = _new_item_url(app, client, world)
    items = _count(app, Item)
    # An active SVG is refused on its field, in French; nothing is kept.
    response = _post(client, url, {**QCU, "image_alt": "Une touche."}, SCRIPTED)
    assert response.status_code == 422
    assert "Image SVG refusée : elle contient un script" in text(response)
    assert (_count(app, Item), _count(app, ItemImage)) == (items, 0)
    # Without alt text: refused, but the checked picture is kept for the next try.
    response = _post(client, url, QCU, PICTURE)
    assert response.status_code == 422
    assert "Décrivez l'image en quelques mots" in text(response)
    kept = re.search(r'name="image_name"[^>]*value="([^"]+)"', text(response))
    assert kept and _count(app, Item) == items
    alt = "Une touche du clavier marquée « Entrée »."
    response = _post(client, url, {**QCU, "image_name": kept[1], "image_alt": alt})
    assert response.status_code == 303, text(response)
    from web.database import db

    with app.app_context():
        item = db.session.scalar(select(Item).where(Item.uid.startswith("mon-metier-")))
        assert (item.image_file, item.image_alt) == (kept[1], alt)
        picture = item_images.picture_of(db.session, item)
        uid = item.uid
    # The studio's preview shows it as the learner's page does, and it is served.
    preview = text(client.get(f"/organisations/{world.org_a}/banque/{uid}"))
    src = f"/images/items/{uid}/{picture.digest}.svg"
    assert f'<img src="{src}" alt="{alt}"' in preview
    assert client.get(src).data == picture.data
    # A visitor who is not signed in is sent to the login page.
    assert client_as("anonymous").get(src).status_code == 302


def test_a_picture_name_carried_back_from_elsewhere_is_dropped(app, world, client_as):
    client = client_as("trainer")
    url = _new_item_url(app, client, world)
    fields = {**QCU, "image_name": "../../etc/passwd.svg", "image_alt": "Une image."}
    response = _post(client, url, fields)
    assert response.status_code == 303
    from web.database import db

    with app.app_context():
        item = db.session.scalar(select(Item).where(Item.uid.startswith("mon-metier-")))
        assert item.image_file is None
