"""The paging and sorting query parameters every listing takes, declared once."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

from mock_server.core.routing import PlainInt

MAX_LIMIT = 1000
MAX_OFFSET = 2**31 - 1

Offset = Annotated[PlainInt, Query(ge=0, le=MAX_OFFSET)]
Limit = Annotated[PlainInt, Query(ge=1, le=MAX_LIMIT)]
# Repeated for several keys: ``sort=name:desc&sort=number``.
Sort = Annotated[list[str] | None, Query(description="field, field:asc or field:desc")]
