"""Object permissions as signed tokens: what the storage checks on every PUT and GET.

A token names the dataset it was issued for (id, workspace and name at the time), the
actions it allows and the moment it expires, signed with the object area's secret
(HMAC-SHA256). It needs no table: every worker that shares the area checks it alike,
and a token outlives a restart until it expires. Nothing but the signature makes a
token valid, so a token cannot be widened to another dataset or action.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Grant:
    """What a permission allows: ``actions`` on the keys under ``<dataset_id>/``."""

    dataset_id: str
    workspace: str
    dataset: str
    actions: frozenset[str]
    expires: int  # seconds since the epoch, on the mock's clock

    @property
    def prefix(self) -> str:
        return f"{self.dataset_id}/"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _signature(secret: bytes, payload: str) -> str:
    return _b64(hmac.new(secret, payload.encode("ascii"), hashlib.sha256).digest())


def issue(secret: bytes, grant: Grant) -> str:
    body = {
        "d": grant.dataset_id,
        "w": grant.workspace,
        "n": grant.dataset,
        "a": sorted(grant.actions),
        "e": grant.expires,
    }
    payload = _b64(json.dumps(body, separators=(",", ":")).encode())
    return f"{payload}.{_signature(secret, payload)}"


def verify(secret: bytes, token: str) -> Grant | None:
    """The grant a token carries, or None if it is not one this area signed."""
    payload, dot, signature = token.partition(".")
    if (
        not token.isascii()
        or not dot
        or not hmac.compare_digest(_signature(secret, payload), signature)
    ):
        return None
    try:
        body = json.loads(_unb64(payload))
        return Grant(
            dataset_id=str(body["d"]),
            workspace=str(body["w"]),
            dataset=str(body["n"]),
            actions=frozenset(str(action) for action in body["a"]),
            expires=int(body["e"]),
        )
    except (ValueError, KeyError, TypeError):
        return None
