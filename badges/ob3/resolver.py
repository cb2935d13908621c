"""Find the public key behind a verification method, and who controls it.

``did:key`` resolves offline. Our own issuers' documents come from an injectable ``local``
callback (the database), test documents from a static mapping, and ``https:`` / ``did:web``
documents from the web only when a :class:`SafeHttpFetcher` is given: the default is offline,
and the web layer opts in. The fetcher enforces https, a timeout, a size cap and refuses
private, loopback and link-local addresses (checked on the resolved IP it then connects to).

One verification may not become a crawl: :class:`FetchBudget` gives it a few outbound fetches
and one overall deadline (name resolution included), and :class:`DocumentCache` keeps issuer
documents and status lists a few minutes, bounded in bytes. Failures read the same whatever
happened on the network: no message says how a host resolved.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import functools
import http.client
import ipaddress
import json
import socket
import ssl
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

from cachetools import TTLCache
from cryptography.hazmat.primitives.asymmetric import ed25519

from badges.ob3 import keys
from badges.ob3.errors import InvalidKey, Ob3Error
from badges.ob3.jwt import PublicKey as JwtPublicKey
from badges.ob3.jwt import public_key_from_jwk

AnyPublicKey = ed25519.Ed25519PublicKey | JwtPublicKey
DocumentSource = Callable[[str], dict[str, Any] | None]


class KeyResolutionError(Ob3Error):
    """The verification method cannot be resolved to a usable key (reason in FR and EN)."""

    def __init__(self, reason_en: str, reason_fr: str, *, unreachable: bool = False) -> None:
        super().__init__(reason_en)
        self.reason_en = reason_en
        self.reason_fr = reason_fr
        self.unreachable = unreachable  # the key may be fine: we just could not read it


class FetchError(Ob3Error):
    """A remote document could not be fetched safely."""


@dataclass(frozen=True)
class ResolvedKey:
    """A public key with the identity of its controller (to compare with ``issuer.id``)."""

    verification_method: str
    controller: str | None
    public_key: AnyPublicKey
    source: str  # "did:key", "local", "static", "web"


# --------------------------------------------------------------------------- safe fetching


# IPv6 ranges that carry an IPv4 address in their last 32 bits (RFC 6052 NAT64, well-known and
# local-use prefixes; RFC 4291 IPv4-compatible; RFC 2765 SIIT IPv4-translated): judged by the IPv4
# address they lead to, so that ``64:ff9b::7f00:1`` is loopback, not "global".
_EMBEDDING_IPV4 = tuple(
    ipaddress.ip_network(prefix)
    for prefix in ("64:ff9b::/96", "64:ff9b:1::/48", "::/96", "::ffff:0:0:0/96")
)
_SITE_LOCAL = ipaddress.ip_network("fec0::/10")  # deprecated, still routed inside some networks


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if any(ip in network for network in _EMBEDDING_IPV4) and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _forbidden_address(address: str) -> bool:
    """Whether the verifier must not connect there: anything not public, however it is spelt."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _SITE_LOCAL or ip.teredo is not None:
            return True
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            ip = embedded
    return not ip.is_global or ip.is_multicast


# What one verification may ask of other servers: a badge has one key document and one or two
# status lists; with the proof and status limits of ``input_limits`` a real badge needs at most
# a handful of fetches (repeated URLs are fetched once).
MAX_FETCHES = 8
# One deadline for all of a verification's fetches, DNS included, so that no server (slow,
# dripping one byte at a time, or a slow name server) holds a worker for long.
FETCH_DEADLINE_SECONDS = 8.0
# Other issuers' documents and status lists are kept this long: the status lists we publish say
# ``max-age=300`` too, so a revocation shows within minutes.
WEB_CACHE_SECONDS = 300
# Bytes of documents kept at most (each is 256 KB at most): bounded whatever the traffic.
WEB_CACHE_BYTES = 4 * 1024 * 1024
_UNREACHABLE = "cannot be reached"


class DocumentCache:
    """A short-lived, process-wide cache of fetched documents (URL → body), bounded in bytes."""

    def __init__(
        self,
        max_bytes: int = WEB_CACHE_BYTES,
        seconds: float = WEB_CACHE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.max_bytes = max_bytes
        self._entries: TTLCache = TTLCache(
            maxsize=max_bytes, ttl=seconds, timer=clock, getsizeof=lambda entry: entry[0]
        )
        self._lock = threading.Lock()

    def get(self, url: str) -> dict[str, Any] | None:
        with self._lock:
            entry = self._entries.get(url)
        return json.loads(entry[1]) if entry is not None else None  # a fresh copy each time

    def put(self, url: str, body: bytes) -> None:
        size = len(url.encode("utf-8", "surrogatepass")) + len(body)
        if size > self.max_bytes:
            return
        with self._lock:
            self._entries[url] = (size, body)

    @property
    def size_in_bytes(self) -> int:
        with self._lock:
            self._entries.expire()
            return int(self._entries.currsize)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


WEB_DOCUMENTS = DocumentCache()


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The process's TLS client context (system CA certificates, host names checked), built at
    the first fetch. Building one reads every CA certificate of the system: about 20 ms of CPU,
    which the public verifier once spent on each request, fetch or not. A context is safe to
    share between threads; nothing here changes it after it is built."""
    return ssl.create_default_context()


class _Watchdog:
    """Shuts the connection down at the deadline, whatever call is blocked on it."""

    def __init__(self, seconds: float) -> None:
        self.expired = False
        self.sock: socket.socket | None = None
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def _fire(self) -> None:
        self.expired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)

    def cancel(self) -> None:
        self._timer.cancel()


def _resolve_name(host: str, port: int, seconds: float) -> list[Any]:
    """``getaddrinfo`` bounded in time: it runs in a thread the caller stops waiting for."""
    found: dict[str, Any] = {}

    def lookup() -> None:
        try:
            found["infos"] = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (OSError, UnicodeError) as exc:
            found["error"] = exc

    worker = threading.Thread(target=lookup, name="jalon-dns", daemon=True)
    worker.start()
    worker.join(max(seconds, 0.0))
    if "infos" not in found:
        raise FetchError(f"{host} {_UNREACHABLE}")
    return list(found["infos"])


def asked_once_per_url(source: DocumentSource) -> DocumentSource:
    """``source`` asked at most once per URL (its answers kept, not its failures): for one
    verification, whose badge key and status list key usually sit in the same issuer
    document. Read-only answers only: the same object is returned each time."""
    answers: dict[str, dict[str, Any] | None] = {}

    def asked_once(url: str) -> dict[str, Any] | None:
        if url not in answers:
            answers[url] = source(url)
        return answers[url]

    return asked_once


@dataclass
class SafeHttpFetcher:
    """GET JSON over https from public addresses only, with a timeout and a size limit.

    ``timeout`` bounds each network operation, ``fetch_within`` the whole fetch (name resolution,
    connection, redirects, a server that drips its answer); fetched documents go to ``cache``.
    """

    timeout: float = 5.0
    max_bytes: int = 256 * 1024
    max_redirects: int = 3
    user_agent: str = "Jalon-verifier/1.0"
    cache: DocumentCache | None = field(default_factory=lambda: WEB_DOCUMENTS, repr=False)
    # None: the process's shared context (``_tls_context``), built at the first fetch.
    context: ssl.SSLContext | None = field(default=None, repr=False)

    def _vetted_address(self, host: str, port: int, deadline: float) -> str:
        infos = _resolve_name(host, port, deadline - time.monotonic())
        addresses = {info[4][0] for info in infos}
        if not addresses or any(_forbidden_address(str(a)) for a in addresses):
            raise FetchError(f"{host} {_UNREACHABLE}")  # the same words, however it resolved
        return str(sorted(addresses)[0])

    def _get(self, url: str, deadline: float) -> tuple[int, dict[str, str], bytes]:
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise FetchError("only https URLs are fetched")
        if parts.username or parts.password:
            raise FetchError("URLs with credentials are refused")
        host = parts.hostname
        port = parts.port or 443
        address = self._vetted_address(host, port, deadline)
        watchdog = _Watchdog(deadline - time.monotonic())
        try:
            answer = self._exchange(parts, host, address, port, deadline, watchdog)
        except (OSError, ssl.SSLError, http.client.HTTPException) as exc:
            raise FetchError(f"{host} {_UNREACHABLE}") from exc
        finally:
            watchdog.cancel()
        if watchdog.expired:  # whatever came before the deadline cut the connection
            raise FetchError(f"{host} {_UNREACHABLE}")
        return answer

    def _exchange(
        self, parts: Any, host: str, address: str, port: int, deadline: float, watchdog: _Watchdog
    ) -> tuple[int, dict[str, str], bytes]:
        timeout = max(min(self.timeout, deadline - time.monotonic()), 0.001)
        raw = socket.create_connection((address, port), timeout=timeout)
        watchdog.sock = raw
        try:
            tls = (self.context or _tls_context()).wrap_socket(raw, server_hostname=host)
        except (OSError, ssl.SSLError):
            raw.close()
            raise
        watchdog.sock = tls
        connection = http.client.HTTPSConnection(host, port, timeout=timeout)
        connection.sock = tls
        try:
            path = parts.path or "/"
            if parts.query:
                path += "?" + parts.query
            connection.request(
                "GET",
                path,
                headers={
                    "Accept": "application/did+json, application/ld+json, application/json",
                    "User-Agent": self.user_agent,
                },
            )
            response = connection.getresponse()
            length = response.getheader("Content-Length")
            if length and length.isdigit() and int(length) > self.max_bytes:
                raise FetchError("document too large")
            body = response.read(self.max_bytes + 1)
            if len(body) > self.max_bytes:
                raise FetchError("document too large")
            headers = {k.lower(): v for k, v in response.getheaders()}
            return response.status, headers, body
        finally:
            connection.close()

    def cached(self, url: str) -> dict[str, Any] | None:
        """The document when fetched a few minutes ago (no request made), or None."""
        return self.cache.get(url) if self.cache is not None else None

    def fetch_within(self, url: str, seconds: float) -> dict[str, Any]:
        """The JSON object at ``url``, fetched within ``seconds`` all included."""
        deadline = time.monotonic() + seconds
        current = url
        for _ in range(self.max_redirects + 1):
            if time.monotonic() >= deadline:
                raise FetchError(f"{urlsplit(url).hostname} {_UNREACHABLE}")
            status, headers, body = self._get(current, deadline)
            if status in (301, 302, 303, 307, 308) and "location" in headers:
                current = urljoin(current, headers["location"])
                continue
            if status != 200:
                raise FetchError(f"HTTP {status}")
            try:
                document = json.loads(body)
            except (ValueError, UnicodeDecodeError) as exc:
                raise FetchError("response is not JSON") from exc
            if not isinstance(document, dict):
                raise FetchError("response is not a JSON object")
            if self.cache is not None:
                self.cache.put(url, body)
            return document
        raise FetchError("too many redirects")

    def __call__(self, url: str) -> dict[str, Any]:
        return self.fetch_within(url, FETCH_DEADLINE_SECONDS)


class FetchBudget:
    """What one verification may fetch: ``max_fetches`` requests within one deadline.

    Wraps a fetcher (``SafeHttpFetcher`` or a test's fake). A URL asked twice is fetched once
    (its failure too); a document the fetcher has cached costs nothing. Past the budget or the
    deadline every fetch fails at once, which the checks report as « clé introuvable » or
    « statut inconnu », never as a malformed badge.
    """

    def __init__(
        self,
        fetch: DocumentSource,
        *,
        max_fetches: int = MAX_FETCHES,
        seconds: float = FETCH_DEADLINE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.fetch = fetch
        self.max_fetches = max_fetches
        self.fetches = 0
        self._clock = clock
        self._deadline = clock() + seconds
        self._seen: dict[str, dict[str, Any] | FetchError] = {}

    def _outbound(self, url: str) -> dict[str, Any] | None:
        cached = getattr(self.fetch, "cached", None)
        found = cached(url) if cached is not None else None
        if found is not None:
            return found
        remaining = self._deadline - self._clock()
        if self.fetches >= self.max_fetches or remaining <= 0:
            raise FetchError("the verification's fetch budget is spent")
        self.fetches += 1
        within = getattr(self.fetch, "fetch_within", None)
        return within(url, remaining) if within is not None else self.fetch(url)

    def __call__(self, url: str) -> dict[str, Any] | None:
        if url not in self._seen:
            try:
                self._seen[url] = self._outbound(url)  # type: ignore[assignment]
            except Ob3Error as exc:
                self._seen[url] = FetchError(str(exc))
        found = self._seen[url]
        if isinstance(found, FetchError):
            raise found
        return found


# ------------------------------------------------------------------------------- resolution


def did_web_url(did: str) -> str:
    """The https URL of a did:web document (did:web:host%3Aport:path → https://host:port/path/did.json)."""
    segments = did[len("did:web:") :].split(":")
    if not segments or not segments[0]:
        raise KeyResolutionError("malformed did:web", "identifiant did:web mal formé")
    host = unquote(segments[0])
    if "/" in host or "@" in host:
        raise KeyResolutionError("malformed did:web", "identifiant did:web mal formé")
    path = "/".join(unquote(s) for s in segments[1:])
    return f"https://{host}/{path}/did.json" if path else f"https://{host}/.well-known/did.json"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _public_key_of(method: dict[str, Any]) -> AnyPublicKey:
    if isinstance(method.get("publicKeyMultibase"), str):
        return keys.ed25519_from_multikey(method["publicKeyMultibase"])
    jwk = method.get("publicKeyJwk")
    if isinstance(jwk, dict):
        if jwk.get("kty") == "OKP" and jwk.get("crv") == "Ed25519":
            x = str(jwk.get("x", ""))
            try:
                raw = base64.urlsafe_b64decode(x + "=" * (-len(x) % 4))
                return ed25519.Ed25519PublicKey.from_public_bytes(raw)
            except (ValueError, binascii.Error) as exc:
                raise InvalidKey("invalid Ed25519 JWK") from exc
        return public_key_from_jwk(jwk)
    if jwk is None and isinstance(method.get("kty"), str):
        return public_key_from_jwk(method)  # a bare JWK document (kid pointing to a JWK)
    raise InvalidKey("verification method has no supported public key")


def _find_method(document: dict[str, Any], vm_id: str) -> tuple[dict[str, Any], str | None]:
    """The verification method ``vm_id`` in a controller document, and its controller."""
    doc_id = document.get("id")
    if doc_id == vm_id and ("publicKeyMultibase" in document or "publicKeyJwk" in document):
        return document, document.get("controller")
    if doc_id == vm_id and "kty" in document:
        return document, None
    candidates = [m for m in _as_list(document.get("verificationMethod")) if isinstance(m, dict)]
    candidates += [m for m in _as_list(document.get("assertionMethod")) if isinstance(m, dict)]
    for method in candidates:
        method_id = method.get("id")
        if isinstance(method_id, str) and isinstance(doc_id, str) and method_id.startswith("#"):
            method_id = doc_id + method_id
        if method_id != vm_id:
            continue
        assertion = []
        for ref in _as_list(document.get("assertionMethod")):
            ref_id = ref.get("id") if isinstance(ref, dict) else ref
            if isinstance(ref_id, str) and ref_id.startswith("#") and isinstance(doc_id, str):
                ref_id = doc_id + ref_id
            assertion.append(ref_id)
        if vm_id not in assertion:
            raise KeyResolutionError(
                "the key is not authorised for assertions (assertionMethod)",
                "la clé n'est pas autorisée à signer des attestations (assertionMethod)",
            )
        controller = method.get("controller")
        if controller is not None and controller != doc_id:
            raise KeyResolutionError(
                "the key's controller differs from the document that lists it",
                "le contrôleur de la clé diffère du document qui la publie",
            )
        return method, doc_id if isinstance(doc_id, str) else None
    raise KeyResolutionError(
        "the issuer's document does not list this key",
        "le document de l'émetteur ne publie pas cette clé",
    )


@dataclass
class Resolver:
    """Resolve verification methods; offline unless ``fetch`` is given.

    ``local`` answers for Jalon's own issuers (document URL → controller document or None),
    ``documents`` holds fixed documents (tests, pinned partners), ``fetch`` reaches the web.
    """

    local: DocumentSource | None = None
    documents: Mapping[str, dict[str, Any]] = field(default_factory=dict)
    fetch: DocumentSource | None = None

    def document(self, url: str) -> tuple[dict[str, Any], str]:
        """The document at ``url`` (no fragment) and where it came from."""
        if self.local is not None:
            found = self.local(url)
            if found is not None:
                return found, "local"
        if url in self.documents:
            return self.documents[url], "static"
        if self.fetch is None:
            raise KeyResolutionError(
                "the issuer's key document cannot be read offline",
                "le document de clés de l'émetteur n'est pas consultable hors ligne",
                unreachable=True,
            )
        try:
            found = self.fetch(url)
        except Ob3Error as exc:  # the same words whatever went wrong on the network
            raise KeyResolutionError(
                "the issuer's key document could not be fetched",
                "le document de clés de l'émetteur n'a pas pu être téléchargé",
                unreachable=True,
            ) from exc
        if not isinstance(found, dict):
            raise KeyResolutionError(
                "the issuer's key document is not a JSON object",
                "le document de clés de l'émetteur est illisible",
            )
        return found, "web"

    def resolve(self, verification_method: Any) -> ResolvedKey:
        """The key and controller behind a verification method URL."""
        if not isinstance(verification_method, str) or not verification_method:
            raise KeyResolutionError(
                "the proof names no verification method",
                "la preuve n'indique pas la clé utilisée",
            )
        vm = verification_method
        scheme = urlsplit(vm).scheme if ":" in vm else ""
        try:
            if vm.startswith("did:key:"):
                document = keys.did_key_document(vm)
                did = document["id"]
                method_id = vm if "#" in vm else document["verificationMethod"][0]["id"]
                method, controller = _find_method(document, method_id)
                return ResolvedKey(vm, controller or did, _public_key_of(method), "did:key")
            if vm.startswith("did:web:"):
                did = vm.split("#", 1)[0]
                document, source = self.document(did_web_url(did))
                if document.get("id") != did:
                    raise KeyResolutionError(
                        "the did:web document has another id",
                        "le document did:web porte un autre identifiant",
                    )
            elif vm.startswith("did:"):
                raise KeyResolutionError(
                    f"unsupported DID method {vm.split(':')[1]!r}",
                    f"méthode DID non prise en charge ({vm.split(':')[1]})",
                )
            elif scheme == "https" or (scheme == "http" and self._has_static(vm)):
                document, source = self.document(vm.split("#", 1)[0])
            elif scheme:
                raise KeyResolutionError(
                    f"unsupported key URL scheme {scheme!r}",
                    f"type d'adresse de clé non pris en charge ({scheme})",
                )
            else:
                raise KeyResolutionError(
                    "the verification method is not a URL",
                    "l'identifiant de la clé n'est pas une adresse",
                )
            method, controller = _find_method(document, vm)
            return ResolvedKey(vm, controller, _public_key_of(method), source)
        except InvalidKey as exc:
            raise KeyResolutionError(
                f"the published key is unusable ({exc})", "la clé publiée est inutilisable"
            ) from exc

    def _has_static(self, vm: str) -> bool:
        url = vm.split("#", 1)[0]
        return url in self.documents or (self.local is not None and self.local(url) is not None)

    def keys_of(self, controller_id: str) -> list[ResolvedKey]:
        """Every assertion key an issuer publishes (binds a JWT's embedded ``jwk`` to it).

        Raises KeyResolutionError when the issuer's document cannot be read.
        """
        if controller_id.startswith("did:key:"):
            return [self.resolve(controller_id)]
        if controller_id.startswith("did:web:"):
            url = did_web_url(controller_id)
        elif urlsplit(controller_id).scheme == "https" or self._has_static(controller_id):
            url = controller_id.split("#", 1)[0]
        else:
            raise KeyResolutionError(
                "the issuer has no resolvable key document",
                "l'émetteur ne publie pas de document de clés consultable",
            )
        document, source = self.document(url)
        found = []
        for ref in _as_list(document.get("assertionMethod")):
            ref_id = ref.get("id") if isinstance(ref, dict) else ref
            if not isinstance(ref_id, str):
                continue
            if ref_id.startswith("#") and isinstance(document.get("id"), str):
                ref_id = document["id"] + ref_id
            try:
                method, controller = _find_method(document, ref_id)
                found.append(ResolvedKey(ref_id, controller, _public_key_of(method), source))
            except (KeyResolutionError, InvalidKey):
                continue
        return found


OFFLINE = Resolver()
