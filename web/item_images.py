"""Item pictures at ``/images/items/<uid>/<sha256-16>.svg|png``, for the pages that show items.

Whoever may see the item may see its picture (``assessments.item_images.visible_to``): shipped
items' pictures any learner or staff member, an organisation's items' pictures its members;
anyone else gets the same 404 as for no picture. The URL carries a hash of the bytes, so the
picture is kept for a year (``immutable``); an older hash leads to the current picture. An SVG
is served with a CSP of its own (no script, nothing fetched, sandboxed), nothing is sniffed.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, redirect, url_for
from flask_login import current_user

from assessments import item_images
from assessments.models import Item
from learners.models import Role
from web.authz import requires
from web.database import db

bp = Blueprint("item_images", __name__)

CACHE_SECONDS = 365 * 24 * 3600
SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox"
READERS = (Role.LEARNER, Role.TRAINER, Role.ORG_ADMIN)


def picture_url(item: Item) -> str | None:
    """The URL of ``item``'s picture (``None`` when it has none or its file is missing)."""
    picture = item_images.picture_of(db.session, item)
    if picture is None:
        return None
    return url_for(
        "item_images.item_image",
        uid=item.uid,
        digest=picture.digest,
        extension=picture.extension,
    )


@bp.app_template_global("item_picture_url")
def _item_picture_url(item: Item) -> str | None:
    return picture_url(item)


@bp.get("/images/items/<uid>/<digest>.<extension>")
@requires(*READERS)
def item_image(uid: str, digest: str, extension: str):
    item = item_images.item_by_uid(db.session, uid)
    organisations = {m.organisation_id for m in current_user.memberships if m.role in READERS}
    if item is None or not item_images.visible_to(item, organisations):
        abort(404)
    picture = item_images.picture_of(db.session, item)
    if picture is None:
        abort(404)
    if (digest, extension) != (picture.digest, picture.extension):
        return redirect(picture_url(item) or "/", 302)
    response = Response(picture.data, mimetype=picture.media_type)
    response.headers["Cache-Control"] = f"private, max-age={CACHE_SECONDS}, immutable"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = SVG_CSP
    return response
