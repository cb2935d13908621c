"""Static files (CSS, JS, vendored libraries, images) with content-hashed URLs and a long cache.

Every ``url_for('static', filename=…)`` gets ``?v=<hash>``, the first 16 hex digits of the
file's SHA-256, so a browser or a proxy may keep it for a year (``immutable``): when the file
changes, its URL changes. The hashes are computed when the app starts and re-computed when a
file's size or modification time changes, so an edited file gets a new URL at once (no build
step, ``make run`` stays one command). A request whose hash is missing or stale (a page
rendered before a deploy) is answered with the current file and a short cache.

A static request is answered without the database: nothing here (nor the hooks that skip
static requests, see ``is_static_request``) loads the signed-in person, and the session cookie
is neither read into the response nor rewritten (no ``Vary: Cookie``, no ``Set-Cookie``), so
caches may share the answer.
"""

from __future__ import annotations

import hashlib
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import Flask, current_app, has_request_context, request, send_from_directory, url_for
from flask.sessions import SecureCookieSessionInterface
from werkzeug.security import safe_join

VERSION_ARG = "v"
DIGEST_LENGTH = 16
LONG_CACHE = "public, max-age=31536000, immutable"
# A page rendered by an older (or newer) copy of the app asked for another version: serve the
# file we have, but let caches keep it only briefly.
SHORT_CACHE_SECONDS = 60
# Joined paths remembered at most (a static request's name comes from the visitor).
_MAX_PATHS = 4096


@dataclass(frozen=True)
class _Fingerprint:
    mtime_ns: int
    size: int
    digest: str


def _digest(path: str) -> str:
    sha = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 16), b""):
            sha.update(block)
    return sha.hexdigest()[:DIGEST_LENGTH]


class StaticManifest:
    """File name (relative to the static folder, with ``/``) → content hash, kept current."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = str(folder)
        self._known: dict[str, _Fingerprint] = {}
        # ``filename`` → its path, or None when it leaves the folder (``safe_join`` once per
        # name: every page asks for the same few files).
        self._paths: dict[str, str | None] = {}
        self._lock = threading.Lock()
        for root, _dirs, files in os.walk(self.folder):
            for name in files:
                relative = os.path.relpath(os.path.join(root, name), self.folder)
                self.version(relative.replace(os.sep, "/"))

    def version(self, filename: str) -> str | None:
        """The hash of ``filename``'s current content, or None when there is no such file."""
        try:
            path = self._paths[filename]
        except KeyError:
            path = safe_join(self.folder, filename)
            if len(self._paths) < _MAX_PATHS:  # names come from templates, and from requests
                self._paths[filename] = path
        if path is None:
            return None
        try:
            stat = os.stat(path)
        except OSError:
            return None
        known = self._known.get(filename)
        if known is not None and (known.mtime_ns, known.size) == (stat.st_mtime_ns, stat.st_size):
            return known.digest
        if not os.path.isfile(path):
            return None
        fingerprint = _Fingerprint(stat.st_mtime_ns, stat.st_size, _digest(path))
        with self._lock:
            self._known[filename] = fingerprint
        return fingerprint.digest


def manifest() -> StaticManifest:
    return current_app.extensions["jalon_static"]


def is_static_request() -> bool:
    """Is this request for a static file? Hooks that read the signed-in person skip those."""
    endpoint = request.endpoint or ""
    return endpoint == "static" or endpoint.endswith(".static")


def add_version(endpoint: str, values: dict) -> None:
    """``url_defaults`` hook: ``url_for('static', filename=f)`` → ``/static/f?v=<hash>``."""
    if endpoint != "static" or VERSION_ARG in values or "filename" not in values:
        return
    version = manifest().version(values["filename"])
    if version is not None:
        values[VERSION_ARG] = version


def template_url_for(endpoint: str, **values) -> str:
    """Templates' ``url_for``: the URL of a static file (per file version) or of an endpoint
    named without values (the layout's links) is built once per mount point, then looked up;
    a page names a dozen and each build cost tens of µs. Anything else is built each time."""
    if not has_request_context():
        return url_for(endpoint, **values)
    if endpoint == "static" and values.keys() == {"filename"}:
        filename = values["filename"]
        key: tuple = (request.script_root, endpoint, filename, manifest().version(filename))
    elif not values and not endpoint.startswith("."):  # "." names depend on the blueprint
        key = (request.script_root, endpoint)
    else:
        return url_for(endpoint, **values)
    built = _built_urls.get(key)
    if built is None:
        built = _built_urls[key] = url_for(endpoint, **values)
    return built


# Bounded: endpoints are the app's, static names the templates', mount points the server's.
_built_urls: dict[tuple, str] = {}


def serve(filename: str):
    """The ``static`` endpoint: the file, cached for a year when asked by its current hash."""
    response = send_from_directory(current_app.static_folder, filename)  # type: ignore[arg-type]
    asked = request.args.get(VERSION_ARG)
    if asked is not None and asked == manifest().version(filename):
        response.headers["Cache-Control"] = LONG_CACHE
    else:
        response.headers["Cache-Control"] = f"public, max-age={SHORT_CACHE_SECONDS}"
    return response


class SessionInterface(SecureCookieSessionInterface):
    """The signed-cookie session, left alone by static requests: without this, Flask-Login's
    own hook reads the session on every response and Flask adds ``Vary: Cookie``, which would
    keep browsers and proxies from reusing a cached file once the cookie changed."""

    def save_session(self, app, session, response) -> None:  # type: ignore[override]
        if is_static_request():
            return
        super().save_session(app, session, response)

    def get_signing_serializer(self, app):  # type: ignore[override]
        """Flask's serializer, built once per secret key (Flask builds one to read the cookie
        and another to write it, on every request; it holds no state of its own)."""
        keys = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        held = app.extensions.get(_SERIALIZER)
        if held is None or held[0] != keys:
            held = (keys, super().get_signing_serializer(app))
            app.extensions[_SERIALIZER] = held
        return held[1]


_SERIALIZER = "jalon_session_serializer"


def register(app: Flask) -> None:
    """Hash the static folder, version the URLs, serve with the right cache, spare the session."""
    if app.static_folder is None:
        return
    app.extensions["jalon_static"] = StaticManifest(app.static_folder)
    app.url_defaults(add_version)
    app.jinja_env.globals["url_for"] = template_url_for
    app.view_functions["static"] = serve
    app.session_interface = SessionInterface()
