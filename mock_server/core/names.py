"""Name and text rules shared by every resource, in one place so the 400 messages agree."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import StringConstraints

NAME_PATTERN = r"^[A-Za-z0-9_-]{1,128}$"
NAME_RE = re.compile(NAME_PATTERN)
NAME_RULE = "it must be 1 to 128 letters, digits, '-' or '_'."
ALIAS_MAX = 256
# No control characters (C0, DEL, C1) in free text such as an alias.
TEXT_PATTERN = r"^[^\x00-\x1f\x7f-\x9f]*$"
TEXT_RULE = f"it must be at most {ALIAS_MAX} characters, with no control characters."
ID_PATTERN = r"^[0-9a-f]{32}$"
WIRE_TIME_PATTERN = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"

Name = Annotated[str, StringConstraints(pattern=NAME_PATTERN)]
Alias = Annotated[str, StringConstraints(max_length=ALIAS_MAX, pattern=TEXT_PATTERN)]

# What a field that failed its pattern is told, by field name.
RULES: dict[str, str] = {
    "name": NAME_RULE,
    "storage_config": NAME_RULE,
    "default_branch": NAME_RULE,
    "alias": TEXT_RULE,
}
