"""Open Badges 3.0 core: pure functions over dicts and bytes (no database, no Flask).

``jsonld`` (offline contexts, safe-mode expansion, RDFC-1.0), ``rdfc`` (canonical N-Quads),
``multibase``, ``keys`` (Ed25519 Multikey, did:key), ``data_integrity`` (eddsa-rdfc-2022 proofs),
``errors``; building, VC-JWT, status lists, baking and verification live beside them.
"""
