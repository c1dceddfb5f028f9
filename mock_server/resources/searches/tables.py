"""Search history tables: one row per search, bound to a commit or a draft and a sheet.

Exactly one of ``commit_id`` and ``draft_number`` is set. ``criteria`` is the JSON the
search was created with, checked before it was stored. A history goes with its dataset.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Integer, String, Table, Text
from sqlmodel import Field, SQLModel


class SearchHistoryRow(SQLModel, table=True):
    __tablename__ = "search_history"
    __table_args__ = (Index("ix_search_history_dataset_seq", "dataset_seq", "seq"),)

    # Creation order: listings are ordered by it.
    seq: int | None = Field(default=None, sa_column=Column(Integer, primary_key=True))
    dataset_seq: int = Field(
        sa_column=Column(Integer, ForeignKey("dataset.seq", ondelete="CASCADE"), nullable=False)
    )
    id: str = Field(unique=True, max_length=32)
    commit_id: str | None = Field(default=None, sa_column=Column(String(32), nullable=True))
    draft_number: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    sheet: str = Field(max_length=128)
    criteria: str = Field(sa_column=Column(Text, nullable=False))
    creator: str = ""
    created_at: str = Field(max_length=20)
    # Null until known; the count is always available from get_search_record_count.
    record_count: int | None = Field(default=None, sa_column=Column(BigInteger, nullable=True))


SEARCH_HISTORY: Table = SearchHistoryRow.__table__  # type: ignore[attr-defined]
