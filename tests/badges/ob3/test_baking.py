"""Baking credentials into PNG and SVG, and reading them back from untrusted images."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from PIL import Image

from badges.ob3 import baking
from badges.ob3.verify import verify_bytes

from .credentials import NOW, local_resolver, signed_credential


def _png(width: int = 4, height: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (20, 90, 160)).save(buffer, format="PNG")
    return buffer.getvalue()


def _chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    out, offset = [], 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        out.append((data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]))
        offset += 12 + length
    return out


SVG = (
    b'<?xml version="1.0" encoding="utf-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"><circle r="4"/></svg>\n'
)


def test_png_round_trip_keeps_image_data_and_writes_one_uncompressed_itxt():
    image = _png()
    credential = signed_credential()
    baked = baking.bake(image, credential)
    chunks = _chunks(baked)
    credential_chunks = [c for c in chunks if c[0] == b"iTXt"]
    assert len(credential_chunks) == 1
    assert credential_chunks[0][1].startswith(b"openbadgecredential\x00\x00\x00")
    assert [c for c in chunks if c[0] == b"IDAT"] == [c for c in _chunks(image) if c[0] == b"IDAT"]
    assert Image.open(io.BytesIO(baked)).size == (4, 4)
    assert baking.unbake(baked) == baking.unbake_png(baked)
    result = verify_bytes(baked, resolver=local_resolver(), now=NOW)
    assert result.verdict.value == "valid" and result.source_format == "png"


def test_rebaking_a_png_replaces_the_credential():
    baked = baking.bake(baking.bake(_png(), {"first": 1}), "aa.bb.cc")
    assert [c[0] for c in _chunks(baked)].count(b"iTXt") == 1
    assert baking.unbake(baked) == "aa.bb.cc"


def test_png_with_bad_crc_or_truncation_is_refused():
    baked = bytearray(baking.bake(_png(), {"a": 1}))
    baked[40] ^= 0xFF
    with pytest.raises(baking.BakingError):
        baking.unbake(bytes(baked))
    with pytest.raises(baking.BakingError):
        baking.unbake(_png()[:30])


def test_compressed_credential_chunk_is_refused():
    image = _png()
    body = b"openbadgecredential\x00\x01\x00\x00\x00" + zlib.compress(b"{}")
    chunk = struct.pack(">I", len(body)) + b"iTXt" + body
    chunk += struct.pack(">I", zlib.crc32(b"iTXt" + body))
    tampered = image[:33] + chunk + image[33:]
    with pytest.raises(baking.BakingError, match="compressed"):
        baking.unbake(tampered)


def test_svg_round_trip_json_and_jws():
    credential = signed_credential()
    credential["name"] = "Nom avec ]]> et </openbadges:credential> dedans"
    baked = baking.bake(SVG, credential)
    assert b'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert b"<circle" in baked
    import json

    assert json.loads(baking.unbake(baked)) == credential
    rebaked = baking.bake(baked, "eyJh.eyJi.c2ln")
    assert rebaked.count(b"openbadges:credential") == 1
    assert b'verify="eyJh.eyJi.c2ln"' in rebaked
    assert baking.unbake(rebaked) == "eyJh.eyJi.c2ln"


def test_svg_carries_the_credential_compact_as_it_is_stored():
    credential = signed_credential()
    text = baking.unbake(baking.bake(SVG, credential))
    assert "\n" not in text and '": ' not in text and '", "' not in text
    assert verify_bytes(baking.bake(SVG, credential), resolver=local_resolver(), now=NOW).valid


def test_self_closing_svg_can_be_baked():
    baked = baking.bake(b'<svg xmlns="http://www.w3.org/2000/svg"/>', {"a": "b"})
    assert baking.unbake(baked).replace(" ", "").replace("\n", "") == '{"a":"b"}'


def test_svg_entity_bomb_is_reported_not_expanded():
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;</text></svg>'
    )
    with pytest.raises(baking.BakingError, match="entities"):
        baking.unbake(bomb)
    with pytest.raises(baking.BakingError):
        baking.bake(bomb, {"a": 1})
    result = verify_bytes(bomb, filename="badge.svg")
    assert result.verdict.value == "malformed"
    assert "entités XML" in result.check("format").message_fr


def test_external_entity_is_refused():
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>'
    )
    with pytest.raises(baking.BakingError):
        baking.unbake(xxe)


def test_oversized_and_foreign_images_are_refused():
    with pytest.raises(baking.BakingError, match="larger"):
        baking.unbake(b"\x89PNG\r\n\x1a\n" + b"\0" * (baking.MAX_IMAGE_BYTES + 1))
    with pytest.raises(baking.BakingError):
        baking.bake(b"GIF89a....", {"a": 1})
    with pytest.raises(baking.BakingError, match="not an SVG"):
        baking.unbake_svg(b"<html><body/></html>")


def test_check_badge_image_refuses_decompression_bombs():
    assert baking.check_badge_image(_png()) == "image/png"
    assert baking.check_badge_image(SVG) == "image/svg+xml"
    buffer = io.BytesIO()
    Image.new("1", (5000, 5000)).save(buffer, format="PNG")
    with pytest.raises(baking.BakingError, match="pixels"):
        baking.check_badge_image(buffer.getvalue())


@pytest.mark.parametrize(
    "name", ["simple-json.png", "simple-json.svg", "simple-jwt.png", "simple-jwt.svg"]
)
def test_1edtech_baked_samples_unbake(ob3_reference, name):
    text = baking.unbake((ob3_reference / "1edtech-validator/ob30" / name).read_bytes())
    if "json" in name:
        import json

        assert json.loads(text)["id"] == "http://example.com/credentials/3527"
    else:
        assert text.count(".") == 2 and text.startswith("eyJ")
