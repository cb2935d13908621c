"""RDF Dataset Canonicalization (RDFC-1.0, W3C Recommendation 2024) with canonical N-Quads.

Why our own: pyld's canonicaliser serialises literals with its own escaping (``\\t`` kept, other
control characters raw), which is not the canonical N-Quads form RDFC-1.0 requires, and it
re-serialises every quad many times. Here terms arrive already serialised once; only blank node
labels change. Reference: https://www.w3.org/TR/rdf-canon/ (§4.4–4.8), canonical N-Quads from
RDF 1.2 N-Triples §"Canonical form".

A quad is a tuple ``(subject, predicate, object, graph)`` of N-Quads terms: ``<iri>``,
``_:label`` or a serialised literal; ``graph`` is ``""`` for the default graph.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from itertools import permutations

from badges.ob3.errors import Ob3Error

Quad = tuple[str, str, str, str]

XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

# Canonical N-Quads: ECHAR for BS, HT, LF, FF, CR, '"' and '\'; UCHAR (uppercase hex) for the
# other C0 controls and DEL; every other character as itself.
_ECHAR = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", '"': '\\"', "\\": "\\\\"}
_NEEDS_ESCAPE = re.compile(r'[\x00-\x1f"\\\x7f]')

# Bound on Hash N-Degree Quads calls: stops "poison" graphs built to exhaust the CPU.
MAX_N_DEGREE_CALLS = 10_000


class CanonicalizationError(Ob3Error):
    """The dataset is too complex to canonicalise within the work limit."""


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return _ECHAR.get(char) or f"\\u{ord(char):04X}"


def escape_literal(value: str) -> str:
    """Escape a literal's lexical form for canonical N-Quads."""
    return _NEEDS_ESCAPE.sub(_escape_char, value)


def literal(value: str, datatype: str = XSD_STRING, language: str | None = None) -> str:
    """Serialise a literal term."""
    text = '"' + escape_literal(value) + '"' if _NEEDS_ESCAPE.search(value) else f'"{value}"'
    if language:
        return f"{text}@{language}"
    if datatype in (XSD_STRING, RDF_LANGSTRING):
        return text
    return f"{text}^^<{datatype}>"


def serialize_quad(s: str, p: str, o: str, g: str) -> str:
    """One canonical N-Quads line, newline included."""
    if g:
        return f"{s} {p} {o} {g} .\n"
    return f"{s} {p} {o} .\n"


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Issuer:
    """Identifier issuer: hands out ``prefix0``, ``prefix1``… in order of first request."""

    __slots__ = ("counter", "issued", "prefix")

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.counter = 0
        self.issued: dict[str, str] = {}

    def issue(self, existing: str) -> str:
        found = self.issued.get(existing)
        if found is None:
            found = self.issued[existing] = f"{self.prefix}{self.counter}"
            self.counter += 1
        return found

    def copy(self) -> _Issuer:
        clone = _Issuer(self.prefix)
        clone.counter = self.counter
        clone.issued = dict(self.issued)
        return clone


class _Canonicalizer:
    def __init__(self, quads: Sequence[Quad]) -> None:
        self.quads = quads
        self.bnode_quads: dict[str, list[Quad]] = {}
        for quad in quads:
            for term in (quad[0], quad[2], quad[3]):
                if term.startswith("_:"):
                    bucket = self.bnode_quads.setdefault(term, [])
                    if not bucket or bucket[-1] is not quad:
                        bucket.append(quad)
        self.canonical = _Issuer("_:c14n")
        self.first_degree: dict[str, str] = {}
        self.n_degree_calls = 0

    def hash_first_degree(self, node: str) -> str:
        """§4.6: hash of the node's quads, itself as ``_:a`` and other blank nodes as ``_:z``."""
        cached = self.first_degree.get(node)
        if cached is not None:
            return cached
        lines = []
        for s, p, o, g in self.bnode_quads[node]:
            if s.startswith("_:"):
                s = "_:a" if s == node else "_:z"
            if o.startswith("_:"):
                o = "_:a" if o == node else "_:z"
            if g.startswith("_:"):
                g = "_:a" if g == node else "_:z"
            lines.append(serialize_quad(s, p, o, g))
        lines.sort()
        digest = self.first_degree[node] = _sha256("".join(lines))
        return digest

    def hash_related(self, related: str, quad: Quad, issuer: _Issuer, position: str) -> str:
        """§4.7 Hash Related Blank Node."""
        identifier = self.canonical.issued.get(related) or issuer.issued.get(related)
        if identifier is None:
            identifier = self.hash_first_degree(related)
        data = position + (quad[1] if position != "g" else "") + identifier
        return _sha256(data)

    def hash_n_degree(self, node: str, issuer: _Issuer) -> tuple[str, _Issuer]:
        """§4.8 Hash N-Degree Quads."""
        self.n_degree_calls += 1
        if self.n_degree_calls > MAX_N_DEGREE_CALLS:
            raise CanonicalizationError("dataset too complex to canonicalise (blank node graph)")
        related_by_hash: dict[str, list[str]] = {}
        for quad in self.bnode_quads[node]:
            for term, position in ((quad[0], "s"), (quad[2], "o"), (quad[3], "g")):
                if term.startswith("_:") and term != node:
                    digest = self.hash_related(term, quad, issuer, position)
                    related_by_hash.setdefault(digest, []).append(term)
        data = []
        for related_hash in sorted(related_by_hash):
            data.append(related_hash)
            chosen_path = ""
            chosen_issuer: _Issuer | None = None
            for permutation in permutations(related_by_hash[related_hash]):
                issuer_copy = issuer.copy()
                path = ""
                recursion: list[str] = []
                skip = False
                for related in permutation:
                    canonical_id = self.canonical.issued.get(related)
                    if canonical_id is not None:
                        path += canonical_id
                    else:
                        if related not in issuer_copy.issued:
                            recursion.append(related)
                        path += issuer_copy.issue(related)
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                for related in recursion:
                    result_hash, result_issuer = self.hash_n_degree(related, issuer_copy)
                    path += issuer_copy.issue(related) + "<" + result_hash + ">"
                    issuer_copy = result_issuer
                    if chosen_path and len(path) >= len(chosen_path) and path > chosen_path:
                        skip = True
                        break
                if skip:
                    continue
                if not chosen_path or path < chosen_path:
                    chosen_path, chosen_issuer = path, issuer_copy
            data.append(chosen_path)
            assert chosen_issuer is not None
            issuer = chosen_issuer
        return _sha256("".join(data)), issuer

    def run(self) -> str:
        by_hash: dict[str, list[str]] = {}
        for node in self.bnode_quads:
            by_hash.setdefault(self.hash_first_degree(node), []).append(node)
        shared = []
        for digest in sorted(by_hash):
            nodes = by_hash[digest]
            if len(nodes) == 1:
                self.canonical.issue(nodes[0])
            else:
                shared.append(nodes)
        for nodes in shared:
            results = []
            for node in nodes:
                if node in self.canonical.issued:
                    continue
                temporary = _Issuer("_:b")
                temporary.issue(node)
                results.append(self.hash_n_degree(node, temporary))
            results.sort(key=lambda result: result[0])
            for _, issuer in results:
                for existing in issuer.issued:
                    self.canonical.issue(existing)
        issued = self.canonical.issued
        lines = {
            serialize_quad(
                issued.get(s, s), p, issued.get(o, o) if o.startswith("_:") else o, issued.get(g, g)
            )
            for s, p, o, g in self.quads
        }
        return "".join(sorted(lines))


def canonicalize_quads(quads: Iterable[Quad]) -> str:
    """Canonical N-Quads (RDFC-1.0, SHA-256) of a dataset given as serialised-term quads."""
    quads = list(dict.fromkeys(quads))  # a dataset is a set: duplicates collapse
    if not any(
        q[0].startswith("_:") or q[2].startswith("_:") or q[3].startswith("_:") for q in quads
    ):
        return "".join(sorted({serialize_quad(*q) for q in quads}))
    return _Canonicalizer(quads).run()
