"""JSON bytes of the wire shapes, exactly as Starlette's ``JSONResponse`` would render them.

The store keeps hot results in this form, so a repeated read costs no encoding at all.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from mock_server.models import DATASET_FIELDS

# JSONResponse's settings: compact, UTF-8, no NaN.
_encoder = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_IS_PUBLIC = DATASET_FIELDS.index("is_public")


def encode(content: Any) -> bytes:
    return _encoder.encode(content).encode("utf-8")


def dataset_from_row(values: Sequence[Any]) -> dict[str, Any]:
    """A dataset's wire dict from its columns in ``DATASET_FIELDS`` order."""
    fields = dict(zip(DATASET_FIELDS, values, strict=True))
    # SQLite hands booleans back as 0 or 1.
    fields["is_public"] = bool(values[_IS_PUBLIC])
    return fields


def listing(datasets: Iterable[bytes], offset: int, record_size: int, total_count: int) -> bytes:
    """The body of a list answer from already encoded datasets."""
    return b"".join(
        (
            b'{"datasets":[',
            b",".join(datasets),
            b'],"offset":%d,"record_size":%d,"total_count":%d}'
            % (offset, record_size, total_count),
        )
    )
