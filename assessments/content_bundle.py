"""Content files with their item pictures: a zip holding the JSON files and the pictures they
name (``images/<slug>/<file>``, FORMAT.md), read for an organisation's import and written by its
export.

A zip is read with every bound checked before a byte is inflated (number of entries, each
entry's and the whole's uncompressed size), so a small file cannot unpack into gigabytes. Each
picture goes through ``item_images.check_named`` (PNG re-encoded, SVG sanitised); a refused
picture is reported in French with its file, like a JSON error, and nothing is imported.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from assessments import item_images
from assessments.content_errors import ContentError, ContentInvalid
from assessments.content_parsing import ParsedFile, parse_text
from assessments.item_images import ImageRefused, Picture

ZIP_MAGIC = b"PK\x03\x04"
MAX_ENTRIES = 400
# Why a picture is refused, in the words a trainer reads (codes of ``item_images``).
REFUSALS = {
    "empty": "le fichier est vide",
    "too_large": f"image trop lourde : {item_images.MAX_BYTES // 1024} Ko au plus",
    "not_an_image": "ce n'est ni une image PNG ni une image SVG",
    "bad_name": "nom de fichier refusé (lettres, chiffres, « - », « _ » et « . » ; .svg ou .png)",
    "wrong_extension": "l'extension du fichier ne correspond pas à son contenu",
    "bad_dimensions": f"image trop grande : {item_images.MAX_SIDE} pixels de côté au plus",
    "unreadable_png": "image PNG illisible",
    "svg_script": "image SVG refusée : elle contient un script",
    "svg_event_handler": "image SVG refusée : elle contient un script (attribut « on… »)",
    "svg_external_reference": "image SVG refusée : elle appelle un fichier ou un site extérieur",
    "svg_foreign_object": "image SVG refusée : elle contient du HTML (foreignObject)",
    "svg_forbidden_element": "image SVG refusée : elle contient un élément interdit",
    "svg_doctype": "image SVG refusée : DOCTYPE ou entités interdits",
    "svg_too_complex": "image SVG refusée : trop d'éléments",
    "svg_unreadable": "image SVG illisible",
    "svg_not_svg": "ce n'est pas une image SVG",
}


def refusal(refused: ImageRefused) -> str:
    """A refused picture's reason, in French."""
    reason = REFUSALS.get(refused.code, "image refusée")
    if refused.code.startswith("svg_") and refused.detail and refused.code != "svg_unreadable":
        return f"{reason} ({refused.detail[:40]})"
    return reason


@dataclass
class Bundle:
    """What an upload holds: the JSON documents and the pictures, by file name."""

    documents: list[ParsedFile]
    images: dict[str, Picture] = field(default_factory=dict)


def is_zip(raw: bytes) -> bool:
    return raw.startswith(ZIP_MAGIC)


def read_zip(raw: bytes, name: str, limit: int) -> Bundle:
    """The JSON files and pictures of a zip; :class:`ContentInvalid` lists every problem."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(raw))
        entries = [e for e in archive.infolist() if not e.is_dir()]
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ContentInvalid([ContentError(name, "", None, "fichier zip illisible")]) from None
    if len(entries) > MAX_ENTRIES:
        raise ContentInvalid(
            [ContentError(name, "", None, f"trop de fichiers dans le zip : {MAX_ENTRIES} au plus")]
        )
    if sum(e.file_size for e in entries) > 4 * limit:
        raise ContentInvalid([ContentError(name, "", None, "zip trop gros une fois décompressé")])
    bundle, errors = Bundle([]), []
    for entry in entries:
        path = PurePosixPath(entry.filename)
        where = f"{name}/{entry.filename}"
        if path.name.startswith(".") or "__MACOSX" in path.parts:
            continue
        suffix = path.suffix.lower()
        if suffix == ".json":
            errors += _read_json(archive, entry, where, limit, bundle)
        elif suffix in (".svg", ".png"):
            errors += _read_picture(archive, entry, where, bundle)
        else:
            errors.append(ContentError(where, "", None, "fichier inattendu (JSON, SVG ou PNG)"))
    if errors:
        raise ContentInvalid(errors)
    if not bundle.documents:
        raise ContentInvalid(
            [ContentError(name, "", None, "le zip ne contient aucun fichier JSON")]
        )
    return bundle


def _read_json(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, where: str, limit: int, bundle: Bundle
) -> list[ContentError]:
    if entry.file_size > limit:
        return [ContentError(where, "", None, f"fichier trop gros : {limit // 1024} Ko au plus")]
    try:
        text = archive.read(entry)[: limit + 1].decode("utf-8-sig")
    except UnicodeDecodeError:
        return [ContentError(where, "", None, "le fichier n'est pas en UTF-8")]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return [ContentError(where, "", None, "fichier illisible dans le zip")]
    try:
        bundle.documents.append(parse_text(text, where))
    except ContentInvalid as invalid:
        return list(invalid.errors)
    return []


def _read_picture(
    archive: zipfile.ZipFile, entry: zipfile.ZipInfo, where: str, bundle: Bundle
) -> list[ContentError]:
    file_name = PurePosixPath(entry.filename).name
    if entry.file_size > item_images.MAX_BYTES:
        return [ContentError(where, "", None, refusal(ImageRefused("too_large")))]
    try:
        picture = item_images.check_named(file_name, archive.read(entry))
    except ImageRefused as refused:
        return [ContentError(where, "", None, refusal(refused))]
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        return [ContentError(where, "", None, "fichier illisible dans le zip")]
    known = bundle.images.get(file_name)
    if known is not None and known.sha256 != picture.sha256:
        return [ContentError(where, "", None, "deux images différentes portent ce nom")]
    bundle.images[file_name] = picture
    return []


def _image_refs(documents: Iterable[ParsedFile]) -> Iterable[tuple[ParsedFile, str, str]]:
    """(document, JSON path, file name) of every picture the documents' items name."""
    for doc in documents:
        items = doc.data.get("items") if isinstance(doc.data, Mapping) else None
        for n, item in enumerate(items if isinstance(items, list) else []):
            image = item.get("image") if isinstance(item, Mapping) else None
            if isinstance(image, Mapping) and isinstance(image.get("file"), str):
                yield doc, f"items[{n}].image.file", image["file"]


def missing_images(
    db: Session, organisation_id: int, documents: list[ParsedFile], images: Mapping[str, Any]
) -> list[ContentError]:
    """Pictures the items name that are neither in the upload nor already the
    organisation's: the import would show items without them."""
    stored = item_images.stored_names(db, organisation_id)
    return [
        doc.error(path, f"image « {file} » absente : joignez-la dans un zip avec le fichier JSON")
        for doc, path, file in _image_refs(documents)
        if file not in images and file not in stored
    ]


def store_all(db: Session, organisation_id: int, images: Mapping[str, Picture]) -> None:
    for file_name, picture in images.items():
        item_images.store(db, organisation_id, file_name, picture)


def parse_json_upload(raw: bytes, name: str, limit: int) -> Bundle:
    """An uploaded JSON file (no pictures)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ContentInvalid(
            [ContentError(name, "", None, "le fichier n'est pas en UTF-8")]
        ) from None
    return Bundle([parse_text(text, name)])


def write_zip(json_name: str, text: str, slug: str, images: Mapping[str, Picture]) -> bytes:
    """A bundle file and its pictures as one zip, laid out as ``content/`` is."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(json_name, text)
        for file_name, picture in sorted(images.items()):
            archive.writestr(f"images/{slug}/{file_name}", picture.data)
    return out.getvalue()
