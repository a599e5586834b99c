"""Parsers never crash on what the internet sends: random JSON is either read, noted, or a PayloadError."""

from __future__ import annotations

import contextlib
import json
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from czujka.config import ProfileConfig, load_settings
from czujka.sources.base import parse_time
from czujka.sources.files import read_rows
from czujka.sources.meta import MetaWebhookParser, PayloadError
from czujka.sources.records import RowError, to_event
from czujka.sources.signing import sign, verify_signature
from czujka.sources.webhook import parse_generic

PROFILES = [
    ProfileConfig(id="fb", name="fb", platform="facebook", platform_id="1"),
    ProfileConfig(id="ig", name="ig", platform="instagram", platform_id="2"),
    ProfileConfig(id="gen", name="gen", platform="generic", platform_id="gen"),
]
SETTINGS = load_settings(profiles=[p.model_dump() for p in PROFILES])
PARSER = MetaWebhookParser(PROFILES)

# What a hostile or broken sender puts in: lone surrogates and NUL in strings, huge and infinite numbers.
hostile_text = st.text(st.characters(exclude_categories=()), max_size=20) | st.sampled_from(
    ["x\ud800y", "\udfff", "a\x00b", "\x00", "😀\ud83d"]
)
hostile_numbers = st.sampled_from([1e30, -1e30, float("inf"), float("-inf"), 10**30, -(10**20), 2**63])
scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
    | hostile_text
    | hostile_numbers
)
anything = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
ids = st.sampled_from(["1", "2", "3", 1, 2]) | anything
change_value = st.fixed_dictionaries(
    {},
    optional={
        "item": st.sampled_from(["comment", "status", "post", "reaction", "photo"]) | anything,
        "verb": st.sampled_from(["add", "edited", "remove", "hide", "unhide", "edit"]) | anything,
        "comment_id": ids,
        "post_id": ids,
        "parent_id": ids,
        "message": anything,
        "text": anything,
        "created_time": st.integers(min_value=0, max_value=2_000_000_000) | hostile_numbers | anything,
        "from": st.fixed_dictionaries({}, optional={"id": ids, "name": anything, "username": anything})
        | anything,
        "media": st.fixed_dictionaries({}, optional={"id": ids}) | anything,
        "id": ids,
    },
)
meta_shaped = st.fixed_dictionaries(
    {
        "object": st.sampled_from(["page", "instagram", "user"]) | anything,
        "entry": st.lists(
            st.fixed_dictionaries(
                {
                    "id": ids,
                    "changes": st.lists(
                        st.fixed_dictionaries(
                            {
                                "field": st.sampled_from(["feed", "comments", "live_comments", "mention"])
                                | anything,
                                "value": change_value | anything,
                            }
                        )
                        | anything,
                        max_size=4,
                    )
                    | anything,
                },
                optional={"time": st.integers(min_value=0, max_value=2_000_000_000) | anything},
            )
            | anything,
            max_size=4,
        )
        | anything,
    }
)


def storable(value) -> bool:
    """What every database can store: UTF-8 text without NUL (PostgreSQL refuses NUL in text and JSONB)."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=str, allow_nan=False)  # JSONB has no Infinity
        text.encode("utf-8")
    except (UnicodeEncodeError, ValueError):
        return False
    return "\x00" not in text and "\\u0000" not in text


@settings(max_examples=400, deadline=None)
@given(st.one_of(meta_shaped, anything))
def test_meta_parser_never_crashes_and_hands_on_only_what_can_be_stored(payload):
    try:
        batch = PARSER.parse(json.dumps(payload).encode())
    except PayloadError:
        assert not isinstance(payload, dict)
        return
    for event in batch.events:
        assert event.profile_id in {"fb", "ig"} and isinstance(event.platform_id, str) and event.platform_id
        assert event.occurred_at.tzinfo is not None
        assert storable([event.platform_id, event.message, event.author_name, event.author_id, event.raw])
        assert "\ufffd" not in event.platform_id  # a repaired id is not the platform's: skipped instead


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_meta_parser_on_random_bytes(body):
    with contextlib.suppress(PayloadError):
        PARSER.parse(body)


def test_json_nested_too_deeply_is_a_payload_error_not_a_crash():
    with pytest.raises(PayloadError, match="nested too deeply"):
        PARSER.parse(b'{"object": "page", "entry": ' + b"[" * 10_000 + b"]" * 10_000 + b"}")
    with pytest.raises(PayloadError, match="nested too deeply"):
        parse_generic(b"[" * 10_000 + b"]" * 10_000, profile_id="gen", settings=SETTINGS)


@settings(max_examples=200, deadline=None)
@given(anything)
def test_generic_parser_never_crashes(payload):
    try:
        batch, errors = parse_generic(json.dumps(payload).encode(), profile_id="gen", settings=SETTINGS)
    except PayloadError:
        return
    assert all(isinstance(e, RowError) and e.reason for e in errors)
    assert all(e.profile_id == "gen" for e in batch.events)
    assert all(storable([e.platform_id, e.message, e.author_name, e.raw]) for e in batch.events)


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["profile", "id", "text", "time", "rating", "is_staff", "post", "verb"]), anything
    )
)
def test_records_give_an_event_or_named_errors(row):
    outcome = to_event(row, line=1, settings=SETTINGS, source="test")
    if isinstance(outcome, list):
        assert outcome and all(e.field and e.reason for e in outcome)
    else:
        assert outcome.profile_id in {"fb", "ig", "gen"}


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_file_rows_never_crash(text):
    for fmt in ("jsonl", "csv"):
        for line, row in read_rows(text, fmt):
            assert line >= 1 and (isinstance(row, dict | RowError))


@given(st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_time_round_trips(moment):
    assert parse_time(moment.isoformat()) == moment
    assert parse_time(int(moment.timestamp())) == moment.replace(microsecond=0)
    assert parse_time(moment.strftime("%Y-%m-%dT%H:%M:%S+0000")) == moment.replace(microsecond=0)


@given(st.binary(max_size=100), st.text(min_size=1, max_size=20), st.text(max_size=80))
def test_signature_only_matches_itself(body, secret, header):
    assert verify_signature(body, sign(body, secret), secret)
    if header != sign(body, secret):
        assert not verify_signature(body, header, secret) or header.lower() == sign(body, secret)
