"""Identity tables: workspaces, their users (``account``), the users' access keys, and the
run-time settings every worker must agree on (``mock_setting``: strict mode)."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import Column, ForeignKey, String, Table
from sqlmodel import Field, SQLModel


class WorkspaceType(StrEnum):
    USER = "USER"
    TEAM = "TEAM"


class WorkspaceRow(SQLModel, table=True):
    __tablename__ = "workspace"

    name: str = Field(primary_key=True, max_length=128)
    id: str = Field(unique=True, max_length=32)
    type: str = Field(default=WorkspaceType.USER.value, max_length=8)
    alias: str = ""
    description: str = ""
    email: str = ""
    location: str = ""


class UserRow(SQLModel, table=True):
    __tablename__ = "account"

    name: str = Field(primary_key=True, max_length=128)
    id: str = Field(unique=True, max_length=32)
    workspace: str = Field(
        sa_column=Column(String(128), ForeignKey("workspace.name", ondelete="CASCADE"))
    )
    nickname: str = ""
    email: str = ""
    mobile: str = ""
    description: str = ""
    team: str | None = None


class AccessKeyRow(SQLModel, table=True):
    __tablename__ = "access_key"

    key: str = Field(primary_key=True, max_length=256)
    user: str = Field(
        sa_column=Column(
            String(128), ForeignKey("account.name", ondelete="CASCADE"), nullable=False
        )
    )


class SettingRow(SQLModel, table=True):
    """A setting changed at run time (by a seed); no row: the server's start-up value."""

    __tablename__ = "mock_setting"

    name: str = Field(primary_key=True, max_length=64)
    value: str


WORKSPACE: Table = WorkspaceRow.__table__  # type: ignore[attr-defined]
USER: Table = UserRow.__table__  # type: ignore[attr-defined]
ACCESS_KEY: Table = AccessKeyRow.__table__  # type: ignore[attr-defined]
SETTING: Table = SettingRow.__table__  # type: ignore[attr-defined]
