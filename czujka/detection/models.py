"""What detection keeps: each detector's saved state and the per-profile series it counts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from czujka.storage.base import Base, JSONDoc, UTCDateTime, utcnow


class DetectorState(Base):
    """Saved state of one detector (baseline, windows), so a restart does not forget what is normal."""

    __tablename__ = "detector_state"

    key: Mapped[str] = mapped_column(String(250), primary_key=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSONDoc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SeriesBucket(Base):
    """Counts per profile and time bucket: all, negative, harmful and vulgar comments."""

    __tablename__ = "series_buckets"

    profile_id: Mapped[str] = mapped_column(ForeignKey("profiles.id"), primary_key=True)
    start: Mapped[datetime] = mapped_column(UTCDateTime, primary_key=True)
    total: Mapped[int] = mapped_column(Integer, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)
    harmful: Mapped[int] = mapped_column(Integer, default=0)
    vulgar: Mapped[int] = mapped_column(Integer, default=0)
