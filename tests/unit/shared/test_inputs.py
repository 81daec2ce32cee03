"""The input rules of the kit (shared.inputs): text, codes, ids, money, dates, flags, cursors."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, create_engine, select

from shared.inputs import (
    MAX_FEN,
    Address,
    AmountFen,
    CivilDate,
    Code,
    Flag,
    Identifier,
    Keyset,
    Label,
    Moment,
    PersonName,
    Phone,
    Reason,
    RecordId,
    ResidentIdNumber,
    TextRule,
    Window,
    clean_text,
)
from shared.problems import InvalidField


class Form(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: PersonName = "张三"
    address: Address | None = None
    label: Label = "身份证"
    reason: Reason = "理由"
    code: Code = "id_card"
    phone: Phone | None = None
    flag: Flag = False
    fen: AmountFen = 0
    day: CivilDate = date(2026, 1, 1)
    at: Moment = datetime(2026, 1, 1, tzinfo=UTC)
    record: RecordId = "a1"
    ident: Identifier = "SQ230722-20261127-000001"
    id_number: ResidentIdNumber = "11010519491231002X"


def refusal(field: str, value: object, *, json: bool = False) -> dict:
    """The one error pydantic gives for ``field`` = ``value``."""
    with pytest.raises(ValidationError) as exc:
        if json:
            import json as json_module

            Form.model_validate_json(json_module.dumps({field: value}))
        else:
            Form(**{field: value})
    [error] = exc.value.errors()
    assert error["loc"] == (field,)
    return error


@pytest.mark.parametrize("value, kind", [
    ("张\x00三", "text_control_character"),  # NUL: PostgreSQL cannot even store it
    ("张三\n", "text_line_break"),  # even at the end: a newline is not whitespace to strip here
    ("张\n三", "text_line_break"),
    ("张\r三", "text_line_break"),
    ("张\u2028三", "text_line_break"),
    ("\x1b[31m张三\x1b[0m", "text_escape_sequence"),
    ("张\x9b31m三", "text_escape_sequence"),
    ("张\t三", "text_control_character"),
    ("张\x7f三", "text_control_character"),
    ("张\x85三", "text_line_break"),
    ("张\x90三", "text_control_character"),
    ("\u202e三张", "text_bidi_control"),  # right-to-left override
    ("张\u202a三", "text_bidi_control"),
    ("张\u2066三\u2069", "text_bidi_control"),  # isolates
    ("张\u200f三", "text_bidi_control"),
    ("\u200b\u200b\u200b", "text_blank"),  # only zero-width spaces
    ("\ufeff\u2060\u200d", "text_blank"),
    ("   ", "text_blank"),
    ("\u3000\u3000", "text_blank"),  # ideographic spaces
    ("", "text_blank"),
    ("张\u200b三", "text_invisible_character"),  # looks like 张三, is not
    ("张\ud800三", "text_surrogate"),
    ("张" * 51, "text_too_long"),
    ("张" * 100_000, "text_too_long"),
])
def test_names_that_are_refused(value, kind):
    error = refusal("name", value)
    assert error["type"] == kind, error


def test_refusals_name_the_character():
    assert "U+202E" in refusal("name", "\u202eabc")["msg"]
    assert "U+0000" in refusal("name", "a\x00")["msg"]


@pytest.mark.parametrize("value, stored", [
    ("张三", "张三"),
    ("阿依古丽·买买提", "阿依古丽·买买提"),  # the middle dot of minority names
    ("  李四\u3000", "李四"),
    ("\u200b王五\ufeff", "王五"),  # zero-width at the ends is stripped, not refused
    ("Jose\u0301", "José"),  # NFC: one code point
    ("\u1100\u1161", "\uac00"),  # NFC composes Hangul too
    ("张" * 50, "张" * 50),
    ("e\u0301" * 50, "é" * 50),  # the length counts after normalising
])
def test_names_that_are_kept_normalised(value, stored):
    assert Form(name=value).name == stored


def test_text_is_a_json_string_not_a_number():
    assert refusal("name", 123)["type"] == "string_type"
    assert refusal("name", 123, json=True)["type"] == "string_type"


def test_long_free_text_keeps_lines_and_tabs_but_nothing_else():
    assert Form(reason=" 第一行\r\n第二行\r第三行\u2028\t缩进 \n").reason == \
        "第一行\n第二行\n第三行\n\t缩进"
    for value, kind in [("a\x00", "text_control_character"), ("a\x1b[2J", "text_escape_sequence"),
                        ("a\u202e", "text_bidi_control"), ("\n\n \u200b", "text_blank"),
                        ("a\x0b", "text_control_character"), ("字" * 2001, "text_too_long")]:
        assert refusal("reason", value)["type"] == kind, value
    assert Form(reason="a\u200bb").reason == "a\u200bb"  # zero-width inside free text is kept


def test_address_label_and_the_bounds_in_the_schema():
    assert Form(address=" 朝阳镇东风村3组 ").address == "朝阳镇东风村3组"
    assert refusal("address", "a" * 201)["type"] == "text_too_long"
    assert refusal("label", "a" * 101)["type"] == "text_too_long"
    schema = Form.model_json_schema()["properties"]
    assert (schema["name"]["minLength"], schema["name"]["maxLength"]) == (1, 50)
    assert schema["reason"]["maxLength"] == 2000


def test_clean_text_can_allow_empty():
    assert clean_text("  \u200b ", max_length=5, min_length=0) == ""


@pytest.mark.parametrize("value", ["yes", 1, 0, "true", "1", "on", None, 1.0])
def test_flags_are_strict_booleans(value):
    for json in (False, True):
        assert refusal("flag", value, json=json)["type"] == "bool_type"


def test_flags_take_json_booleans():
    assert Form.model_validate_json('{"flag": true}').flag is True
    assert Form.model_validate_json('{"flag": false}').flag is False


@pytest.mark.parametrize("value", [-1, MAX_FEN + 1, 1.5, "100", True, 2**63, 1e20])
def test_money_is_a_bounded_integer_of_fen(value):
    with pytest.raises(ValidationError):
        Form(fen=value)
    import json

    with pytest.raises(ValidationError):
        Form.model_validate_json(json.dumps({"fen": value}))


def test_money_in_fen():
    assert Form.model_validate_json('{"fen": 123450}').fen == 123450
    assert Form(fen=MAX_FEN).fen == MAX_FEN


def test_money_written_with_a_point_and_nothing_after_it_is_the_same_integer():
    """JSON has one kind of number: 100.0 is the integer its schema admits (schemathesis sends
    it as one), and the value is kept as the int 100."""
    fen = Form.model_validate_json('{"fen": 100.0}').fen
    assert fen == 100 and type(fen) is int
    assert Form.model_json_schema()["properties"]["fen"] | {
        "type": "integer", "minimum": 0, "maximum": MAX_FEN} == \
        Form.model_json_schema()["properties"]["fen"]


def test_dates_and_times_are_bounded():
    assert refusal("day", "1899-12-31", json=True)["type"] == "value_error"
    assert refusal("day", "2100-01-01", json=True)["type"] == "value_error"
    assert Form.model_validate_json('{"day": "2026-02-28"}').day == date(2026, 2, 28)
    far = datetime(9999, 12, 31, 23, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert refusal("at", far)["type"] == "value_error"  # not an OverflowError
    assert refusal("at", "9999-12-31T23:00:00-05:00", json=True)["type"] == "value_error"
    assert refusal("at", "2026-01-01T00:00:00", json=True)["type"] == "timezone_aware"


@pytest.mark.parametrize("field, value", [
    ("code", "ID_CARD"), ("code", "id card"), ("code", "id_card\n"), ("code", "1d"),
    ("code", "a" * 51), ("code", " "), ("code", 5),
    ("phone", "1380000123a"), ("phone", "+" + "1" * 20), ("phone", "12"),
    ("record", "../etc"), ("record", "a\x00"), ("record", "a" * 65), ("record", ""),
    ("ident", "SQ 1"), ("ident", "x" * 101),
    ("id_number", "11010519491231002Y"), ("id_number", "110105194912310021"),
])
def test_codes_phones_and_ids_refused(field, value):
    with pytest.raises(ValidationError):
        Form(**{field: value})


def test_codes_phones_and_ids_kept():
    form = Form(code="not_resident", phone=" 0458-1234567 ", record="0f3a_b-9",
                id_number="11010519491231002x")
    assert (form.code, form.phone, form.record) == ("not_resident", "0458-1234567", "0f3a_b-9")
    assert form.id_number == "11010519491231002X"  # R-IN-4: normalised
    assert Form(phone="+" + "1" * 19).phone  # 20 characters: the column's width


# ---- keyset cursors ------------------------------------------------------------------------

metadata = MetaData()
rows_table = Table("row", metadata, Column("id", String(32), primary_key=True),
                   Column("at", DateTime(timezone=True)), Column("rank", Integer))


class Row:
    def __init__(self, id: str, at: datetime, rank: int) -> None:
        self.id, self.at, self.rank = id, at, rank


NEWEST_FIRST = Keyset("rows", rows_table.c.at.desc(), rows_table.c.rank.asc(),
                      rows_table.c.id.desc())


def test_cursors_walk_1200_rows_with_ties_exactly_once_in_order():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    data = [{"id": f"r{i:05d}", "at": start + timedelta(seconds=i // 6), "rank": i % 3}
            for i in range(1200)]  # six rows share each time, two each rank
    with engine.begin() as conn:
        conn.execute(rows_table.insert(), data)
    expected = [r["id"] for r in sorted(
        sorted(data, key=lambda r: r["id"], reverse=True),
        key=lambda r: (-r["at"].timestamp(), r["rank"]))]
    seen: list[str] = []
    cursor = None
    with engine.connect() as conn:
        for _ in range(100):
            after = NEWEST_FIRST.decode(cursor) if cursor else None
            query = Window(NEWEST_FIRST, limit=71, after=after).apply(select(rows_table))
            page = [Row(r.id, r.at.replace(tzinfo=UTC), r.rank) for r in conn.execute(query)]
            seen += [r.id for r in page]
            if len(page) < 71:
                break
            cursor = NEWEST_FIRST.cursor_of(page[-1])
            assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                      "0123456789-_")
    assert seen == expected and len(set(seen)) == 1200


def test_a_cursor_round_trips_its_key():
    row = Row("r1", datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=UTC), 7)
    assert NEWEST_FIRST.decode(NEWEST_FIRST.cursor_of(row)) == (row.at, 7, "r1")


def _b64(text: str) -> str:
    import base64

    return base64.urlsafe_b64encode(text.encode()).rstrip(b"=").decode()


@pytest.mark.parametrize("cursor", [
    "not-a-cursor", "AAAA", "", "====",
    _b64('["other",  "2026-01-01T00:00:00+00:00", 1, "r1"]'),  # another list's
    _b64('["rows", "2026-01-01T00:00:00+00:00", 1]'),  # a column short
    _b64('["rows", "2026-01-01T00:00:00", 1, "r1"]'),  # naive time
    _b64('["rows", "yesterday", 1, "r1"]'),
    _b64('["rows", "2026-01-01T00:00:00+00:00", "1", "r1"]'),  # a string for an int
    _b64('["rows", "2026-01-01T00:00:00+00:00", true, "r1"]'),
    _b64('["rows", "2026-01-01T00:00:00+00:00", 9223372036854775808, "r1"]'),
    _b64('["rows", "2026-01-01T00:00:00+00:00", 1, "r\\u0000"]'),
    _b64('["rows", "2026-01-01T00:00:00+00:00", 1, 5]'),
    _b64('{"rows": 1}'),
    _b64("[" * 100_000),
])
def test_a_cursor_not_of_this_list_is_422_naming_cursor(cursor):
    with pytest.raises(InvalidField) as exc:
        NEWEST_FIRST.decode(cursor)
    assert exc.value.status == 422
    assert exc.value.extensions["errors"][0]["field"] == "cursor"


def test_a_tampered_cursor_is_422_unless_it_still_is_a_key_of_this_list():
    """A cursor is not signed: it grants nothing (every page is filtered by jurisdiction
    again), it only says where to resume. Changed, it is refused or still a valid key."""
    cursor = NEWEST_FIRST.cursor_of(Row("r1", datetime(2026, 1, 1, tzinfo=UTC), 1))
    refused = 0
    for i in range(len(cursor)):
        flipped = cursor[:i] + ("A" if cursor[i] != "A" else "B") + cursor[i + 1:]
        try:
            key = NEWEST_FIRST.decode(flipped)
        except InvalidField:
            refused += 1
            continue
        assert isinstance(key[0], datetime) and type(key[1]) is int and isinstance(key[2], str)
    assert refused > len(cursor) // 2


# ---- what the OpenAPI document says agrees with what is checked ----------------------------

@pytest.mark.parametrize("rule", [TextRule(max_length=50),
                                  TextRule(max_length=300, multiline=True)],
                         ids=["one line", "free text"])
def test_every_text_the_documented_pattern_admits_is_accepted(rule):
    """So that a client (or an API fuzzer) keeping to the schema is never refused."""
    import re

    from hypothesis import given, settings
    from hypothesis import strategies as st

    pattern = re.compile(rule.pattern)

    @settings(max_examples=400, derandomize=True, database=None)
    @given(st.from_regex(pattern).filter(lambda s: len(s) <= rule.max_length))
    def check(value: str) -> None:
        assert rule.validate(value)

    check()
    for refused in ["a\x00", "a\n", "\u202ea", "\u200b", " ", "\x1b[1m"]:
        if not rule.multiline or "\n" not in refused:
            assert not pattern.search(refused), refused
    for blank in ["\r", "\t\n", " \r\n\u3000"]:  # line breaks and tabs alone are blank too
        assert not pattern.search(blank), repr(blank)
