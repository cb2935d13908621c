"""Item pictures: the shipped drawings are sound (each exists, is named by an item, passes the
sanitiser unchanged in meaning, has alt text), uploads are checked by content (PNG re-encoded,
active SVG refused), and an organisation's zip import carries its pictures in and its export
carries them out, refusing in French what it cannot show and then writing nothing."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select

from assessments import content_io, item_images, org_content
from assessments.content_errors import ContentInvalid
from assessments.content_io import CONTENT_DIR, dump
from assessments.models import Framework, Item, ItemImage
from assessments.svg_sanitiser import sanitise
from tests.assessments.factories import make_own_framework
from tests.assessments.test_shipped_content import shipped_items
from tests.learners.factories import make_organisation

SVG = (
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 60">'
    b'<rect width="100" height="60" fill="#fff"/><text x="10" y="40">Maj</text></svg>'
)
SCRIPTED = SVG.replace(b"</svg>", b"<script>alert(1)</script></svg>")
LIMIT = 2 * 1024 * 1024


def _png(size=(40, 30)) -> bytes:
    out = io.BytesIO()
    image = Image.new("RGB", size, "#3366aa")
    image.save(out, format="PNG", pnginfo=_metadata())
    return out.getvalue()


def _metadata():
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_text("Comment", "secret of the author")
    return info


# --- the shipped drawings


def test_every_shipped_picture_is_named_by_an_item_clean_and_described():
    named: dict[str, list[str]] = {}
    problems = []
    for file, item in shipped_items():
        image = item.get("image")
        if image:
            slug = file.split("/")[1]
            named.setdefault(f"{slug}/{image['file']}", []).append(item["id"])
            if len(image["alt"].strip()) < 20:
                problems.append(f"{item['id']}: alt text too short to say what is drawn")
    files = sorted(p for p in (CONTENT_DIR / "images").rglob("*") if p.is_file())
    assert files, "no shipped picture"
    for path in files:
        key = f"{path.parent.name}/{path.name}"
        if key not in named:
            problems.append(f"{key}: named by no item")
        data = path.read_bytes()
        picture = item_images.check_named(path.name, data)  # raises if refused
        if path.suffix == ".svg":
            assert sanitise(picture.data) == picture.data  # already clean: stable
            for active in (b"<script", b"foreignObject", b"http://www.w3.org/1999/xlink", b" on"):
                if active.lower() in data.lower():
                    problems.append(f"{key}: carries {active!r}")
        if len(data) > item_images.MAX_BYTES:
            problems.append(f"{key}: {len(data)} bytes")
    assert not problems, "\n".join(problems)
    # The beginner diagnostic has at least eight picture items of its own (issue 13).
    picture_items = [i for f, i in shipped_items() if "images-" in f and i.get("image")]
    assert len(picture_items) >= 8


def test_a_shipped_picture_is_found_by_its_framework_and_name_only():
    picture = item_images.shipped_picture("premiers-pas", "souris.svg")
    assert picture is not None and picture.media_type == item_images.SVG
    assert len(picture.digest) == item_images.DIGEST_LENGTH
    assert item_images.shipped_picture("premiers-pas", "absente.svg") is None
    assert item_images.shipped_picture("premiers-pas", "../premiers-pas/souris.svg") is None
    assert item_images.shipped_picture("..", "FORMAT.md") is None


# --- checking what comes in


def test_a_png_is_re_encoded_and_an_svg_rewritten_from_the_whitelist():
    png = item_images.check(_png())
    assert png.media_type == item_images.PNG
    assert b"secret of the author" not in png.data
    with Image.open(io.BytesIO(png.data)) as decoded:
        assert decoded.size == (40, 30)
    editor = b' xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"'
    svg = item_images.check(
        SVG.replace(b"<svg ", b"<svg" + editor + b" ").replace(
            b"<rect", b'<rect inkscape:label="fond"'
        )
    )
    assert b"inkscape" not in svg.data
    assert svg.media_type == item_images.SVG and b"<text" in svg.data


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"", "empty"),
        (b"x" * (item_images.MAX_BYTES + 1), "too_large"),
        (b"GIF89a....", "not_an_image"),
        (SCRIPTED, "svg_script"),
        (SVG.replace(b"<rect", b'<rect onload="x()"'), "svg_event_handler"),
        (
            SVG.replace(b"</svg>", b"<foreignObject><p>hi</p></foreignObject></svg>"),
            "svg_foreign_object",
        ),
        (
            SVG.replace(b'fill="#fff"', b'fill="url(https://evil.example/x)"'),
            "svg_external_reference",
        ),
        (_png((8000, 10)), "bad_dimensions"),
    ],
)
def test_what_cannot_be_shown_is_refused_with_its_reason(data, code):
    with pytest.raises(item_images.ImageRefused) as refused:
        item_images.check(data)
    assert refused.value.code == code


def test_a_file_name_must_say_what_its_content_is():
    with pytest.raises(item_images.ImageRefused, match="wrong_extension"):
        item_images.check_named("photo.png", SVG)
    with pytest.raises(item_images.ImageRefused, match="bad_name"):
        item_images.check_named("../x.svg", SVG)


# --- an organisation's import and export


def _bundle_with_picture(db, org, slug="avec-image", file="touche.svg"):
    """An exported bundle of a new framework whose item names ``file``."""
    framework, _, _ = make_own_framework(db, org, f"{slug}-src")
    data = json.loads(org_content.export_own(framework, db))
    data["slug"] = slug
    for entry in data["items"]:
        entry["id"] = entry["id"].replace(f"{slug}-src", slug)
        entry["image"] = {"file": file, "alt": "Une touche du clavier marquée « Maj »."}
    return dump(data)


def _zip(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


def _import(db, org, raw: bytes):
    return org_content.import_upload(db, org.id, raw, "lot.zip", limit=LIMIT, dry_run=False)


def test_a_zip_brings_its_pictures_and_the_export_gives_them_back(dbsession):
    db = dbsession
    org = make_organisation(db, "A")
    raw = _zip(
        {"avec-image.json": _bundle_with_picture(db, org).encode(), "images/x/touche.svg": SVG}
    )
    report = _import(db, org, raw)
    assert report.items_created == 1
    item = db.scalar(select(Item).where(Item.uid == "avec-image-1.1-001"))
    picture = item_images.picture_of(db, item)
    assert picture is not None and picture.data == item_images.check(SVG).data
    framework = db.scalar(select(Framework).where(Framework.slug == "avec-image"))
    with zipfile.ZipFile(io.BytesIO(org_content.export_bundle(framework, db))) as archive:
        assert archive.read("images/avec-image/touche.svg") == picture.data
        exported = json.loads(archive.read("avec-image.json"))
    assert exported["items"][0]["image"]["file"] == "touche.svg"


@pytest.mark.parametrize(
    ("picture", "message"),
    [
        (SCRIPTED, "contient un script"),
        (b"<svg" + b" " * (item_images.MAX_BYTES + 10) + b"/>", "trop lourde"),
        (None, "absente"),
    ],
)
def test_a_refused_or_missing_picture_stops_the_import_in_french(dbsession, picture, message):
    db = dbsession
    org = make_organisation(db, "A")
    files = {"avec-image.json": _bundle_with_picture(db, org).encode()}
    if picture is not None:
        files["images/avec-image/touche.svg"] = picture
    before = db.scalar(select(func.count()).select_from(Item))
    with pytest.raises(ContentInvalid) as refused:
        _import(db, org, _zip(files))
    assert any(message in error.message for error in refused.value.errors), refused.value.errors
    assert db.scalar(select(Framework).where(Framework.slug == "avec-image")) is None
    assert db.scalar(select(func.count()).select_from(Item)) == before
    assert db.scalar(select(func.count()).select_from(ItemImage)) == 0


def test_a_zip_that_would_unpack_too_big_is_refused_before_reading(dbsession):
    raw = _zip({"a.json": b"{}", "b.json": b" " * (4 * 1000 + 1)})
    with pytest.raises(ContentInvalid, match="décompressé"):
        org_content.parse_upload(raw, "lot.zip", limit=1000)
    with pytest.raises(ContentInvalid, match="zip illisible"):
        org_content.parse_upload(b"PK\x03\x04 broken", "lot.zip", limit=1000)


# --- a content folder imported from the command line


def _content_tree(tmp_path, picture: bytes | None) -> Path:
    from tests.assessments.factories import ITEMS, framework_document, items_document

    (tmp_path / "frameworks").mkdir()
    (tmp_path / "items" / "essai").mkdir(parents=True)
    (tmp_path / "frameworks" / "essai.json").write_text(dump(framework_document()))
    items = [dict(ITEMS[0], image={"file": "touche.svg", "alt": "Une touche marquée « Maj »."})]
    (tmp_path / "items" / "essai" / "1.1.json").write_text(dump(items_document(items)))
    if picture is not None:
        (tmp_path / "images" / "essai").mkdir(parents=True)
        (tmp_path / "images" / "essai" / "touche.svg").write_bytes(picture)
    return tmp_path


@pytest.mark.parametrize(
    ("picture", "message"), [(None, "image absente de images/essai/"), (SCRIPTED, "un script")]
)
def test_a_content_folder_needs_its_pictures_beside_it_clean(dbsession, tmp_path, picture, message):
    root = _content_tree(tmp_path, picture)
    with pytest.raises(ContentInvalid) as refused:
        content_io.import_paths(dbsession, [root / "frameworks", root / "items"])
    errors = refused.value.errors
    assert [(e.path, message in e.message) for e in errors] == [("items[0].image.file", True)]
    assert dbsession.scalar(select(func.count()).select_from(Framework)) == 0


def test_a_content_folder_with_its_pictures_imports(dbsession, tmp_path):
    root = _content_tree(tmp_path, SVG)
    report = content_io.import_paths(dbsession, [root / "frameworks", root / "items"])
    assert report.items_created == 1
