"""Import and export of frameworks and item banks (the JSON files of ``content/``, FORMAT.md).

This is the entry point other code imports; the work lives in modules named after what they
hold:

* ``content_errors``: a located problem in a file, and the refusal listing them all;
* ``content_parsing``: JSON with the line of each value, files and directories to read;
* ``content_validation``: the rules one framework document or one item follows on its own;
* ``content_import``: a batch checked against itself and the database, then written (the
  import rules: all or nothing, idempotent, versioned items);
* ``content_storage``: one framework or item written into its rows;
* ``content_export``: stored content back in its file shape.
"""

from __future__ import annotations

from assessments.content_errors import ContentError, ContentInvalid
from assessments.content_export import NESTED_SUFFIX, dump, export_framework, export_item
from assessments.content_import import (
    SEMANTIC_FIELDS,
    ImportReport,
    import_documents,
    import_paths,
)
from assessments.content_parsing import (
    CONTENT_DIR,
    ParsedFile,
    content_files,
    locate,
    parse_text,
    read_file,
)
from assessments.content_storage import DEFAULT_CUT_POINTS, FRAMEWORK_KEYS, ITEM_KEYS, NESTED_KEYS
from assessments.content_validation import COLOUR, ITEM_ID, MAX_INSTRUCTION, SLUG

__all__ = [
    "COLOUR",
    "CONTENT_DIR",
    "DEFAULT_CUT_POINTS",
    "FRAMEWORK_KEYS",
    "ITEM_ID",
    "ITEM_KEYS",
    "MAX_INSTRUCTION",
    "NESTED_KEYS",
    "NESTED_SUFFIX",
    "SEMANTIC_FIELDS",
    "SLUG",
    "ContentError",
    "ContentInvalid",
    "ImportReport",
    "ParsedFile",
    "content_files",
    "dump",
    "export_framework",
    "export_item",
    "import_documents",
    "import_paths",
    "locate",
    "parse_text",
    "read_file",
]
