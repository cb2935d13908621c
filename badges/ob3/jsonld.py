"""Offline JSON-LD for Open Badges: vendored contexts only, safe-mode expansion, RDFC-1.0.

Signing JSON-LD is only meaningful if every claim becomes an RDF statement: a term missing from
the contexts would be silently dropped by plain JSON-LD and left unsigned. So expansion here runs
in *safe mode*: undefined terms, relative IRIs and dropped values are errors. Contexts come only
from ``ob_schemas/contexts`` (nothing is fetched while processing input).
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
from functools import cache
from typing import Any

from c14n.Canonicalize import canonicalize as json_canonicalize
from cachetools import LRUCache
from pyld import jsonld as pyld
from pyld.context_resolver import ContextResolver

from badges.ob3 import rdfc
from badges.ob3.errors import InvalidJsonLd, JsonLdSafeModeError, Ob3Error, UnknownContext
from ob_schemas import CONTEXTS

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

# Absolute IRI that can be written between <> in N-Quads without escaping (IRIREF of N-Quads):
# a scheme, then no space, control character or one of <>"{}|^`\. No Unicode space either
# (no-break space…): pyld's RDF conversion would silently drop every statement about it.
_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\x00-\x20<>\"{}|^`\\\x7f\s]*\Z")
_BLANK_NODE = re.compile(r"_:[^\s<>\"]+\Z")

# No process-wide cache here is keyed by what a visitor sends without a bound in bytes: an
# inline context of a few hundred KB, processed once per nested node, once kept a worker at a GB.
# Processed active contexts kept across calls, estimated at this many bytes per term they define
# (a dict slot and its share of the term definition, measured with tracemalloc).
BYTES_PER_TERM = 400
# Jalon's own badges and the vendored contexts need about 16,000 terms' worth (~6 MB).
PROCESSED_CONTEXTS_BYTES = 16 * 1024 * 1024


def _estimated_bytes(entry: tuple[Any, ...]) -> int:
    """Estimated size of a cached (…, processed active context, key length) entry: the parent
    context it keeps alive is another entry's result, counted there."""
    processed = entry[-2]
    terms = len(processed.get("mappings", ())) if isinstance(processed, dict) else 0
    return BYTES_PER_TERM * max(terms, 1) + entry[-1]


# What pyld's resolved contexts learn (the context processed against each active context),
# kept for all of them in one cache bounded in bytes rather than ten entries of any size each.
_processed_by_resolved: LRUCache = LRUCache(
    maxsize=PROCESSED_CONTEXTS_BYTES, getsizeof=_estimated_bytes
)


class _ProcessedOf:
    """Stands for a ``ResolvedContext.cache``: its entries live in ``_processed_by_resolved``."""

    _serial = 0

    def __init__(self) -> None:
        _ProcessedOf._serial += 1
        self._prefix = _ProcessedOf._serial

    def get(self, uuid: Any, default: Any = None) -> Any:
        entry = _processed_by_resolved.get((self._prefix, uuid))
        return default if entry is None else entry[0]

    def __setitem__(self, uuid: Any, processed: Any) -> None:
        with contextlib.suppress(ValueError):  # larger than the whole cache: not kept
            _processed_by_resolved[(self._prefix, uuid)] = (processed, 0)


class _VendoredContexts(LRUCache):
    """pyld's shared cache of resolved contexts, holding only the vendored contexts.

    pyld keys a context given inline by its whole JSON text; an inline context from a document
    is resolved for that call only (pyld's per-operation cache), never kept across calls. What
    each vendored context caches goes to one cache bounded in bytes (``_ProcessedOf``).
    """

    def __setitem__(self, key: Any, value: Any) -> None:
        if key in _vendored_context_keys():
            super().__setitem__(key, value)

    def __getitem__(self, key: Any) -> Any:
        tag_map = super().__getitem__(key)
        for value in tag_map.values():
            for resolved in value if isinstance(value, list) else [value]:
                if not isinstance(getattr(resolved, "cache", None), _ProcessedOf):
                    resolved.cache = _ProcessedOf()
        return tag_map


# Private to Jalon so no other pyld user (with another loader) shares them.
_resolved_contexts: LRUCache = _VendoredContexts(maxsize=256)


@cache
def _context_index() -> dict[str, str]:
    return json.loads((CONTEXTS / "index.json").read_text(encoding="utf-8"))


@cache
def _context_text(url: str) -> str:
    return (CONTEXTS / _context_index()[url]).read_text(encoding="utf-8")


def _embedded_contexts(value: Any) -> list[dict]:
    found: list[dict] = []
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" and isinstance(item, dict):
                found.append(item)
            found.extend(_embedded_contexts(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_embedded_contexts(item))
    return found


@cache
def _vendored_context_keys() -> frozenset[str]:
    """pyld's cache keys of the vendored contexts: their URLs and the contexts they embed."""
    keys = set(_context_index())
    for url in _context_index():
        for embedded in _embedded_contexts(json.loads(_context_text(url))):
            keys.add(json_canonicalize(dict(embedded)).decode("utf-8"))
    return frozenset(keys)


def known_context_urls() -> frozenset[str]:
    """URLs the offline loader serves."""
    return frozenset(_context_index())


def document_loader(url: str, options: dict | None = None) -> dict:
    """pyld document loader serving only the vendored contexts; any other URL is refused."""
    if url not in _context_index():
        raise UnknownContext(url)
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": json.loads(_context_text(url)),
        "tag": "static",  # lets pyld keep the resolved context between calls
    }


# Processed active contexts, memoised across calls: (id of the parent context, local context,
# flags) -> new active context. pyld caches per context *object*, and builds a fresh one for
# every nested node, so without this it re-processes the OB type-scoped contexts on every node
# of every credential (most of the signing time).
_processed_contexts: LRUCache = LRUCache(
    maxsize=PROCESSED_CONTEXTS_BYTES, getsizeof=_estimated_bytes
)


def cache_sizes() -> dict[str, int]:
    """What the process-wide JSON-LD caches hold (estimated bytes, entries)."""
    return {
        "processed_bytes": int(_processed_contexts.currsize + _processed_by_resolved.currsize),
        "resolved_entries": len(_resolved_contexts),
    }


def _local_context_key(local_ctx: Any) -> str:
    if isinstance(local_ctx, str):
        return local_ctx
    return json.dumps(local_ctx, sort_keys=True, ensure_ascii=False, default=str)


class _Processor(pyld.JsonLdProcessor):
    """pyld processor whose context processing is memoised (active contexts are never mutated)."""

    def _process_context(
        self,
        active_ctx,
        local_ctx,
        options,
        override_protected=False,
        propagate=True,
        validate_scoped=True,
        cycles=None,
    ):
        key = (
            id(active_ctx),
            _local_context_key(local_ctx),
            override_protected,
            propagate,
            validate_scoped,
        )
        hit = _processed_contexts.get(key)
        if hit is not None and hit[0] is active_ctx:
            return hit[1]
        result = super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )
        # Keeping active_ctx alive in the entry guarantees its id() is not reused.
        with contextlib.suppress(ValueError):  # larger than the whole cache: not kept
            _processed_contexts[key] = (active_ctx, result, len(key[1]))
        return result


def _options() -> dict:
    return {
        "documentLoader": document_loader,
        "contextResolver": ContextResolver(_resolved_contexts, document_loader),
        "base": None,  # relative IRIs stay relative so that safe mode can refuse them
        "processingMode": "json-ld-1.1",
    }


def _unwrap(error: BaseException) -> Ob3Error:
    """The most precise error hidden inside pyld's chain of JsonLdError causes."""
    seen = error
    while seen is not None:
        if isinstance(seen, Ob3Error):
            return seen
        details = getattr(seen, "details", None)
        if isinstance(details, dict):
            for value in details.values():
                if isinstance(value, Ob3Error):
                    return value
        seen = seen.__cause__ or seen.__context__
    code = getattr(error, "code", None)
    message = getattr(error, "message", None) or str(error)
    return InvalidJsonLd(f"invalid JSON-LD ({code or 'error'}): {message}")


def is_absolute_iri(value: Any) -> bool:
    """True for an absolute IRI that canonical N-Quads can carry verbatim."""
    return isinstance(value, str) and _ABSOLUTE_IRI.match(value) is not None


def _check_node_id(value: Any, what: str) -> None:
    if not isinstance(value, str) or not (_ABSOLUTE_IRI.match(value) or _BLANK_NODE.match(value)):
        raise JsonLdSafeModeError(f"{what} is not an absolute IRI: {value!r}")


def _check_expanded(element: Any) -> None:
    """Refuse what RDF conversion would drop: relative IRIs in ids, types and datatypes."""
    if isinstance(element, list):
        for item in element:
            _check_expanded(item)
        return
    if not isinstance(element, dict):
        return
    if "@value" in element:
        datatype = element.get("@type")
        if datatype is not None and datatype != "@json" and not is_absolute_iri(datatype):
            raise JsonLdSafeModeError(f"datatype is not an absolute IRI: {datatype!r}")
        if element["@value"] is None:
            raise JsonLdSafeModeError("value object with a null @value")
        return
    for key, value in element.items():
        if key == "@id":
            _check_node_id(value, "@id")
        elif key == "@type":
            for item in value if isinstance(value, list) else [value]:
                _check_node_id(item, "type")
        elif key in ("@list", "@set", "@graph", "@included", "@reverse"):
            _check_expanded(value if key != "@reverse" else list(value.values()))
        elif key.startswith("@"):
            continue
        else:
            if not key.startswith("_:") and not is_absolute_iri(key):
                raise JsonLdSafeModeError(f"property is not an absolute IRI: {key!r}")
            _check_expanded(value)


def _js_numbers(value: Any) -> Any:
    """Copy of ``value`` where integral floats below 1e21 become ints.

    JSON has one number type: ``3.0`` and ``3`` are the same number, and JavaScript JSON-LD
    processors serialise it as ``"3"^^xsd:integer``. Python keeps ``3.0`` a float, which pyld
    would write as ``"3.0E0"^^xsd:double``; normalising first keeps signatures interoperable.
    """
    if isinstance(value, dict):
        return {key: _js_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_js_numbers(item) for item in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return int(value)
    return value


def expand_safe(document: dict) -> list:
    """JSON-LD expansion in safe mode: any term, IRI or value that would be lost is an error."""
    if not isinstance(document, dict):
        raise InvalidJsonLd("a JSON-LD document must be a JSON object")
    dropped: list[Any] = []
    try:
        processor = _Processor(on_property_dropped=dropped.append)
        expanded = processor.expand(_js_numbers(document), _options())
    except pyld.JsonLdError as error:
        raise _unwrap(error) from error
    except RecursionError:
        raise InvalidJsonLd("document nested too deeply") from None
    if dropped:
        names = ", ".join(sorted({repr(name) for name in dropped}))
        raise JsonLdSafeModeError(f"term(s) not defined by the @context: {names}")
    _check_expanded(expanded)
    return expanded


def _term(node: dict) -> str:
    kind = node["type"]
    value = node["value"]
    if kind == "IRI":
        if not is_absolute_iri(value):
            raise JsonLdSafeModeError(f"IRI cannot be written in N-Quads: {value!r}")
        return f"<{value}>"
    if kind == "blank node":
        return value
    return rdfc.literal(value, node.get("datatype") or rdfc.XSD_STRING, node.get("language"))


def to_quads(expanded: list, *, consume: bool = False) -> list[rdfc.Quad]:
    """RDF dataset of an expanded document, as quads of serialised N-Quads terms.

    With ``consume`` the expanded document may be altered (saves a deep copy).
    """
    processor = pyld.JsonLdProcessor()
    issuer = pyld.IdentifierIssuer("_:b")
    node_map: dict = {"@default": {}}
    if not consume:
        expanded = copy.deepcopy(expanded)  # pyld consumes @list arrays
    processor._create_node_map(expanded, node_map, "@default", issuer)
    options = {
        "produceGeneralizedRdf": False,
        "rdfDirection": None,
        "processingMode": "json-ld-1.1",
    }
    quads: list[rdfc.Quad] = []
    for graph_name, graph in sorted(node_map.items()):
        if graph_name == "@default":
            graph_term = ""
        elif graph_name.startswith("_:"):
            graph_term = graph_name
        else:
            graph_term = _term({"type": "IRI", "value": graph_name})
        for triple in processor._graph_to_rdf(graph, issuer, options):
            quads.append(
                (
                    _term(triple["subject"]),
                    _term(triple["predicate"]),
                    _term(triple["object"]),
                    graph_term,
                )
            )
    return quads


class Dataset:
    """The RDF dataset of a document that expanded in safe mode (what :func:`check_safe`
    returns): the direct path's quads, or pyld's expansion, turned into quads at the first
    :meth:`quads` — which raises what :func:`to_quads` raises (an IRI N-Quads cannot carry)."""

    def __init__(self, quads: list[rdfc.Quad] | None, expanded: list | None = None) -> None:
        self._quads = quads
        self._expanded = expanded
        self._error: Ob3Error | None = None

    def quads(self) -> list[rdfc.Quad]:
        if self._quads is None and self._error is None:
            expanded, self._expanded = self._expanded, None
            try:
                self._quads = to_quads(expanded or [], consume=True)
            except Ob3Error as error:
                self._error = error
        if self._error is not None:
            raise self._error
        assert self._quads is not None
        return self._quads


def check_safe(document: dict) -> Dataset:
    """Raise what :func:`expand_safe` raises if ``document`` does not expand in safe mode; else
    its :class:`Dataset`, so that canonicalising the same document next (a proof check) does
    not expand it again.

    A document the direct path turns into quads expands in safe mode (the direct path answers
    only then), so pyld is asked only about the others."""
    from badges.ob3 import fast_rdf  # it builds on this module

    found = fast_rdf.quads(document)
    if found is not None:
        return Dataset(found)
    return Dataset(None, expand_safe(document))


def dataset(document: dict) -> list[rdfc.Quad]:
    """The RDF dataset of a JSON-LD document in safe mode: the direct path when it handles the
    document (``fast_rdf``), else pyld's expansion, with its errors."""
    return check_safe(document).quads()


def canonicalize(document: dict, *, known: Dataset | None = None) -> str:
    """RDFC-1.0 canonical N-Quads of a JSON-LD document, expanded in safe mode; ``known``: the
    document's dataset when :func:`check_safe` has already made it."""
    return rdfc.canonicalize_quads((known or check_safe(document)).quads())


def canonicalize_with_pyld(document: dict) -> str:
    """:func:`canonicalize` through pyld only: the reference the direct path is tested against."""
    return rdfc.canonicalize_quads(to_quads(expand_safe(document), consume=True))
