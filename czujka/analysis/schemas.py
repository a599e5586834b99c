"""What the API hands out about a comment's scores: the analyzer's `Score`, as stored, with its time.

Derived from `Score` field by field, so a score gains or loses a field in one place only."""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import get_type_hints

from pydantic import BaseModel, ConfigDict, create_model

from czujka.analysis.scorer import Score

NOT_STORED = {"sentiment_probabilities"}  # computed for evaluation, not kept per comment


def _stored_fields() -> dict[str, tuple[type, ...]]:
    hints = get_type_hints(Score)
    return {f.name: (hints[f.name], ...) for f in dataclasses.fields(Score) if f.name not in NOT_STORED}


ScoreRead: type[BaseModel] = create_model(
    "ScoreRead",
    __config__=ConfigDict(from_attributes=True),
    **_stored_fields(),  # type: ignore[call-overload]
    scored_at=(datetime, ...),
)
