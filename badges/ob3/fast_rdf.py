"""JSON-LD straight to RDF quads for documents whose contexts are all vendored (the fast path).

Why: expanding a credential with pyld and then building pyld's node map took most of the time of
a signature. Here the vendored contexts are processed by pyld once (the term tables are pyld's own
active contexts, so every term, scoped context and ``@protected`` rule means exactly what it means
to pyld) and the document is walked once, writing quads as it goes.

The walk follows JSON-LD 1.1 expansion and RDF conversion for the subset credentials use: node
objects, ``@id``/``@type`` (aliased), type-scoped and property-scoped contexts, coerced ``@id``,
``@vocab`` and datatype values, default and term languages, ``@set``, ``@list`` and ``@graph``
containers, strings, booleans and numbers. Anything else — an inline or nested context, a value
object, a keyword it does not handle, a term no context defines, an IRI that safe mode or RDF
conversion would refuse or drop — makes :func:`quads` answer ``None`` and the caller runs pyld in
safe mode, which gives the result or the error it always gave. Never a different dataset:
``tests/badges/ob3/test_fast_rdf.py`` compares both paths' canonical N-Quads byte for byte.
"""

from __future__ import annotations

import math
import re
from typing import Any

from pyld.jsonld import KEYWORDS, JsonLdProcessor, _canonicalize_double

from badges.ob3 import jsonld, rdfc

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE_TERM = f"<{RDF}type>"
RDF_FIRST, RDF_REST, RDF_NIL = f"<{RDF}first>", f"<{RDF}rest>", f"<{RDF}nil>"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_BOOLEAN, XSD_INTEGER, XSD_DOUBLE = XSD + "boolean", XSD + "integer", XSD + "double"

_KEYWORDS = frozenset(KEYWORDS)
# What pyld's RDF conversion accepts as absolute; an IRI must pass it *and* safe mode's check
# (``jsonld.is_absolute_iri``), or pyld would drop the statement or safe mode refuse it.
_PYLD_ABSOLUTE = re.compile(r"([A-Za-z][A-Za-z0-9+-.]*|_):[^\s]*\Z")
_BLANK_NODE = re.compile(r"_:[^\s<>\"]+\Z")
# Containers the walk handles; a term with any other (@language, @index, @id, @type) goes to pyld.
_CONTAINERS = frozenset({"@set", "@list", "@graph"})

# What the process keeps is bounded and never keyed by a visitor's text: the contexts derived
# from the vendored ones (by the scoped contexts a document's types and properties select; a
# few dozen in practice, each holding a term table of some 30 KB) and, per context, the
# expansions of the terms it defines (a key no context defines is worked out at each use).
MAX_CONTEXTS = 256


class _Unsupported(Exception):
    """The document needs pyld (a feature the walk does not handle, or an error to report)."""


def _iri(value: Any) -> str:
    """An IRI as an N-Quads term, if both pyld and safe mode keep it as such."""
    if (
        isinstance(value, str)
        and jsonld.is_absolute_iri(value)
        and _PYLD_ABSOLUTE.match(value)
        and not value.startswith("_:")
    ):
        return f"<{value}>"
    raise _Unsupported


class _Context:
    """One pyld active context, with the expansions and scoped contexts already worked out."""

    __slots__ = ("active", "keys", "mappings", "plans", "previous_context", "scoped", "vocab")

    def __init__(self, active: dict) -> None:
        self.active = active
        self.mappings: dict = active["mappings"]
        self.keys: dict[str, Any] = {}
        self.vocab: dict[str, Any] = {}
        self.plans: dict[str, _Plan | None] = {}
        self.scoped: dict[tuple, tuple[Any, _Context]] = {}
        self.previous_context: _Context | None = None

    def expand_key(self, key: str) -> Any:
        """``key`` IRI-expanded against the vocabulary (a term, compact IRI, keyword…)."""
        found = self.keys.get(key, self)
        if found is self:
            found = _PROCESSOR._expand_iri(self.active, key, vocab=True)
            if key in self.mappings:
                self.keys[key] = found
        return found

    def expand_vocab(self, value: str) -> Any:
        """A type (or ``@vocab``-coerced value) IRI-expanded against the vocabulary."""
        found = self.vocab.get(value, self)
        if found is self:
            found = _PROCESSOR._expand_iri(self.active, value, vocab=True)
            if value in self.mappings:
                self.vocab[value] = found
        return found

    def expand_id(self, value: str) -> Any:
        """An ``@id`` (or ``@id``-coerced value) IRI-expanded, with no base: pyld's
        ``_expand_iri(…, vocab=False, base=None)``, whose only change is a prefix's IRI."""
        if value[:1] == "@":
            return _PROCESSOR._expand_iri(self.active, value)
        colon = value.find(":")
        if colon > 0:
            prefix = value[:colon]
            if prefix != "_" and not value.startswith("//", colon + 1):
                mapping = self.mappings.get(prefix)
                if mapping and mapping["_prefix"]:
                    return mapping["@id"] + value[colon + 1 :]
        return value

    def plan(self, key: str) -> _Plan:
        """How to write the values of property ``key`` (worked out once per context)."""
        found = self.plans.get(key, self)
        if found is self:
            try:
                found = _Plan(self, key)
            except _Unsupported:
                found = None
            if key in self.mappings:
                self.plans[key] = found
        if found is None:
            raise _Unsupported
        return found

    def term(self, key: str | None) -> dict | None:
        return self.mappings.get(key) if key is not None else None

    def previous(self) -> _Context | None:
        """The context a non-propagated (type-scoped) context reverts to in nested nodes."""
        previous = self.active.get("previousContext")
        if previous is None:
            return None
        if self.previous_context is None or self.previous_context.active is not previous:
            self.previous_context = _wrap(previous)
        return self.previous_context

    def with_scoped(self, local: Any, *, propagate: bool, override: bool) -> _Context:
        """This context with a term's scoped context applied (pyld's processing, kept)."""
        key = (id(local), propagate)
        hit = self.scoped.get(key)
        if hit is not None and hit[0] is local:
            return hit[1]
        processed = _PROCESSOR._process_context(
            self.active,
            local,
            _options(),
            override_protected=override,
            propagate=propagate,
        )
        derived = _wrap(processed)
        self.scoped[key] = (local, derived)  # keeps ``local`` alive: its id is not reused
        return derived

    def with_urls(self, context: Any) -> _Context:
        """This context with an embedded ``@context`` of vendored URLs applied."""
        urls = _vendored_urls(context)
        hit = self.scoped.get(urls)
        if hit is not None:
            return hit[1]
        derived = _wrap(_PROCESSOR._process_context(self.active, context, _options()))
        self.scoped[urls] = (None, derived)
        return derived


class _Plan:
    """A property of a node in one context: its predicate, the context its values expand in,
    its container and how a scalar value becomes a term."""

    __slots__ = ("coerce", "container", "language", "predicate", "scoped_context", "value_ctx")

    def __init__(self, ctx: _Context, key: str) -> None:
        self.predicate = _iri(ctx.expand_key(key))  # else undefined, or not an IRI: pyld's error
        term = ctx.term(key)
        value_ctx = ctx
        if term is not None:
            if term.get("reverse") or term.get("@type") == "@json":
                raise _Unsupported
            local = term.get("@context")
            if local is not None:
                value_ctx = ctx.with_scoped(local, propagate=True, override=True)
                if value_ctx.term(key) != term:
                    raise _Unsupported  # the scoped context redefines the term itself
        container = (term or {}).get("@container") or []
        container = container if isinstance(container, list) else [container]
        if not _CONTAINERS.issuperset(container) or {"@list", "@graph"}.issubset(container):
            raise _Unsupported
        self.container = (
            "@list" if "@list" in container else "@graph" if "@graph" in container else None
        )
        self.value_ctx = value_ctx
        self.scoped_context = term.get("@context") if term is not None else None
        self.coerce = term.get("@type") if term is not None else None
        get = JsonLdProcessor.get_context_value
        self.language = get(value_ctx.active, key, "@language")
        if get(value_ctx.active, key, "@direction") is not None:
            raise _Unsupported


def _vendored_urls(context: Any) -> tuple[str, ...]:
    """A ``@context`` value as a tuple of URLs, if all are vendored; anything else is for pyld."""
    urls = tuple(context) if isinstance(context, list) else (context,)
    known = jsonld.known_context_urls()
    if not urls or not all(isinstance(url, str) and url in known for url in urls):
        raise _Unsupported
    return urls


_PROCESSOR = jsonld._Processor()
_roots: dict[tuple[str, ...], _Context] = {}
_contexts: dict[int, _Context] = {}


def _options() -> dict:
    return {**jsonld._options(), "isFrame": False, "keepFreeFloatingNodes": False}


def _wrap(active: dict) -> _Context:
    """The one ``_Context`` of a pyld active context (so its worked-out parts are shared)."""
    found = _contexts.get(id(active))
    if found is not None and found.active is active:
        return found
    if len(_contexts) >= MAX_CONTEXTS:  # forget them all; they are rebuilt on demand
        _contexts.clear()
        _roots.clear()
    found = _contexts[id(active)] = _Context(active)  # keeps ``active`` alive: id not reused
    return found


def _root(context: Any) -> _Context:
    """The active context of a top-level ``@context`` made of vendored URLs only."""
    urls = _vendored_urls(context)
    found = _roots.get(urls)
    if found is None:
        initial = _PROCESSOR._get_initial_context(_options())
        found = _wrap(_PROCESSOR._process_context(initial, context, _options()))
        _roots[urls] = found
    return found


def _literal(value: Any, datatype: str | None, language: str | None) -> str:
    """A JSON scalar as an RDF literal, as JSON-LD's RDF conversion writes it."""
    if datatype is not None:
        _iri(datatype)
    if isinstance(value, bool):
        return rdfc.literal("true" if value else "false", datatype or XSD_BOOLEAN)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _Unsupported
        if value.is_integer() and abs(value) < 1e21:  # a JSON number, as JavaScript has it
            value = int(value)
        else:
            return rdfc.literal(_canonicalize_double(value), datatype or XSD_DOUBLE)
    if datatype == XSD_DOUBLE:
        raise _Unsupported  # pyld rewrites such a lexical form; leave it to pyld
    if isinstance(value, int):
        if abs(value) >= 1e21:
            raise _Unsupported
        return rdfc.literal(str(value), datatype or XSD_INTEGER)
    if isinstance(value, str):
        if language is not None:
            return rdfc.literal(value, datatype or rdfc.RDF_LANGSTRING, language)
        return rdfc.literal(value, datatype or rdfc.XSD_STRING)
    raise _Unsupported


class _Walk:
    """One document's walk: the quads written so far and the blank nodes handed out."""

    def __init__(self) -> None:
        self.quads: list[rdfc.Quad] = []
        self.counter = 0
        self.labels: dict[str, str] = {}

    def fresh(self) -> str:
        self.counter += 1
        return f"_:b{self.counter}"

    def blank(self, label: str) -> str:
        """The blank node a document's own ``_:label`` stands for (same label, same node)."""
        if not _BLANK_NODE.match(label):
            raise _Unsupported
        found = self.labels.get(label)
        if found is None:
            found = self.labels[label] = self.fresh()
        return found

    def reference(self, iri: Any) -> str:
        if isinstance(iri, str) and iri.startswith("_:"):
            return self.blank(iri)
        return _iri(iri)

    # --- node objects -------------------------------------------------------------------

    def node(self, ctx: _Context | None, plan: _Plan | None, element: dict, graph: str) -> str:
        """Write a node object's quads into ``graph``; its subject term. ``plan`` is the
        property whose value the node is (None for the document itself)."""
        if ctx is None or plan is None:  # the document itself: vendored URLs only
            if "@context" not in element:
                raise _Unsupported
            ctx = _root(element["@context"])
        else:
            property_scoped = plan.scoped_context
            # Type-scoped contexts do not reach nested nodes (except a bare reference).
            previous = ctx.previous()
            if previous is not None:
                revert = True
                if len(element) <= 2:
                    for key in sorted(element):
                        expanded = ctx.expand_key(key)
                        if expanded == "@value":
                            raise _Unsupported  # a value object
                        if expanded == "@id" and len(element) == 1:
                            revert = False
                            break
                if revert:
                    ctx = previous
            if property_scoped is not None:
                ctx = ctx.with_scoped(property_scoped, propagate=True, override=True)
            if "@context" in element:  # an embedded credential's own (vendored) contexts
                ctx = ctx.with_urls(element["@context"])

        type_scoped = ctx
        for key in sorted(element):
            if ctx.expand_key(key) != "@type":
                continue
            value = element[key]
            names = [
                t for t in (value if isinstance(value, list) else [value]) if isinstance(t, str)
            ]
            for name in sorted(names):
                scoped_term = type_scoped.term(name)
                local = scoped_term.get("@context") if scoped_term is not None else None
                if local is not None and local is not False:
                    ctx = ctx.with_scoped(local, propagate=False, override=False)

        subject: str | None = None
        types: list[str] = []
        properties: list[tuple[_Plan, Any]] = []
        seen: set[str] = set()
        for key, value in element.items():
            if key == "@context":
                continue
            expanded = ctx.expand_key(key)
            if expanded in _KEYWORDS:
                if expanded in seen and expanded != "@type":
                    raise _Unsupported  # colliding keywords: pyld's error
                seen.add(expanded)
                if expanded == "@id":
                    if not isinstance(value, str):
                        raise _Unsupported
                    subject = self.reference(ctx.expand_id(value))
                elif expanded == "@type":
                    for name in value if isinstance(value, list) else [value]:
                        if not isinstance(name, str):
                            raise _Unsupported
                        types.append(self.reference(type_scoped.expand_vocab(name)))
                else:
                    raise _Unsupported
            else:
                properties.append((ctx.plan(key), value))

        if subject is None:
            subject = self.fresh()
        quads = self.quads
        for type_term in types:
            quads.append((subject, RDF_TYPE_TERM, type_term, graph))
        for plan, value in properties:
            self.property(plan, subject, value, graph)
        return subject

    def property(self, plan: _Plan, subject: str, value: Any, graph: str) -> None:
        predicate, ctx = plan.predicate, plan.value_ctx
        if plan.container == "@graph":
            for item in value if isinstance(value, list) else [value]:
                if item is None:
                    continue
                if not isinstance(item, dict):
                    raise _Unsupported
                named = self.fresh()
                self.node(ctx, plan, item, named)
                self.quads.append((subject, predicate, named, graph))
            return
        if value is None:
            return
        if plan.container == "@list":
            objects = [self.collection(self.values(ctx, plan, value, graph, True), graph)]
        else:
            objects = self.values(ctx, plan, value, graph, False)
        for obj in objects:
            self.quads.append((subject, predicate, obj, graph))

    def values(
        self, ctx: _Context, plan: _Plan, value: Any, graph: str, in_list: bool
    ) -> list[str]:
        """Object terms of a property's value (arrays flattened, nulls dropped)."""
        if isinstance(value, list):
            found: list[str] = []
            for item in value:
                if item is None:
                    continue
                if isinstance(item, list) and in_list:
                    raise _Unsupported  # a list of lists
                found.extend(self.values(ctx, plan, item, graph, in_list))
            return found
        if isinstance(value, dict):
            return [self.node(ctx, plan, value, graph)]
        coerce = plan.coerce
        if coerce is not None and isinstance(value, str):
            if coerce == "@id":
                return [self.reference(ctx.expand_id(value))]
            if coerce == "@vocab":
                return [self.reference(ctx.expand_vocab(value))]
        if coerce is not None and coerce not in ("@id", "@vocab", "@none"):
            return [_literal(value, coerce, None)]
        return [_literal(value, None, plan.language if isinstance(value, str) else None)]

    def collection(self, items: list[str], graph: str) -> str:
        """An RDF list of ``items``; its head."""
        if not items:
            return RDF_NIL
        head = node = self.fresh()
        for index, item in enumerate(items):
            self.quads.append((node, RDF_FIRST, item, graph))
            following = self.fresh() if index + 1 < len(items) else RDF_NIL
            self.quads.append((node, RDF_REST, following, graph))
            node = following
        return head


def quads(document: Any) -> list[rdfc.Quad] | None:
    """The RDF dataset of ``document`` as serialised quads, or None when pyld must do it.

    ``None`` covers every feature the walk leaves to pyld and every document safe mode would
    refuse: the caller then expands with pyld, which raises the error it always raised.
    """
    if not isinstance(document, dict):
        return None
    walk = _Walk()
    try:
        walk.node(None, None, document, "")
    except MemoryError:
        raise
    except Exception:  # _Unsupported, or pyld's own error (context processing, recursion…)
        return None
    return walk.quads
