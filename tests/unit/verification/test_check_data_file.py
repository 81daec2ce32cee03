"""R-VE-4: a department's data file is read and checked whole; a fault refuses it with the line
and the reason."""

from __future__ import annotations

import hashlib

import pytest

from services.verification.checks.datafile import DataFileRefused, read_data_file
from shared.idcard import check_character


def resident_id(birth: str = "19580312", serial: str = "131") -> str:
    first17 = "230722" + birth + serial
    return first17 + check_character(first17)


HEAD, SPOUSE = resident_id(), resident_id("19600101", "242")
ITEMS = ("real_estate", "vehicles")


def test_r_ve_4_a_data_file_is_read_with_its_digest_and_every_record():
    raw = (f"\ufeffID_Number,item,amount_fen,quantity,detail,name\r\n"
           f"{HEAD},real_estate,35000000,1,朝阳镇东风村3组 住宅 86㎡,王大山\r\n"
           f"\r\n"
           f"{SPOUSE.lower()},vehicles,,1,\"2019 轿车, 黑色\",李秀英\r\n"
           f"{HEAD},vehicles,1200000,,,\r\n").encode()
    data = read_data_file(raw, ITEMS)
    assert data.sha256 == hashlib.sha256(raw).hexdigest()
    assert [(r.line, r.item, r.amount_fen, r.quantity, r.detail) for r in data.rows] == [
        (2, "real_estate", 35000000, 1, "朝阳镇东风村3组 住宅 86㎡"),
        (4, "vehicles", None, 1, "2019 轿车, 黑色"),
        (5, "vehicles", 1200000, None, None)]
    assert data.rows[1].id_number == SPOUSE.upper()  # normalised
    assert HEAD not in repr(data.rows[0])  # never the ID number in a log line


def test_r_ve_4_a_source_of_one_item_needs_no_item_column_and_a_header_alone_is_no_records():
    data = read_data_file(f"id_number,amount_fen\n{HEAD},100\n".encode(), ("deposits",))
    assert [(r.item, r.amount_fen) for r in data.rows] == [("deposits", 100)]
    assert read_data_file(b"id_number,item\n", ITEMS).rows == ()


@pytest.mark.parametrize(("raw", "line", "reason"), [
    (b"", 1, "the header line is missing"),
    (b"id,item\n", 1, "unknown column 'id'"),
    (b"item,amount_fen\n", 1, "the column id_number is required"),
    (b"id_number,amount_fen\n", 1, "the column item is required"),
    (b"id_number,item,item\n", 1, "column 'item' appears twice"),
    (f"id_number,item\n{HEAD},real_estate\n{HEAD[:-1]}0,vehicles\n".encode(), 3,
     "id_number: wrong check character"),
    (f"id_number,item\n{HEAD},house\n".encode(), 2, "item: 'house' is not an item"),
    (f"id_number,item,amount_fen\n{HEAD},vehicles,12.50\n".encode(), 2,
     "amount_fen: '12.50' is not a whole number of fen"),
    (f"id_number,item,amount_fen\n{HEAD},vehicles,-5\n".encode(), 2, "is not a whole number"),
    (f"id_number,item,amount_fen\n{HEAD},vehicles,99999999999\n".encode(), 2,
     "is more than 10,000,000,000"),
    (f"id_number,item,quantity\n{HEAD},vehicles,two\n".encode(), 2, "quantity: 'two'"),
    (f"id_number,item\n{HEAD},vehicles,extra\n".encode(), 2, "has 3 fields, the header 2"),
    (f"id_number,item,detail\n{HEAD},vehicles,\"red\x1b[0m\"\n".encode(), 2,
     "detail: must not hold an ANSI escape sequence"),
    (f"id_number,item,detail\n{HEAD},vehicles,\"two\nlines\"\n".encode(), 2,
     "detail: must be a single line"),
    (f"id_number,item,name\n{HEAD},vehicles,\u202e王大山\n".encode(), 2,
     "name: must not hold bidirectional control characters"),
    (f"id_number,item\n{HEAD},vehicles\n".encode() + b"\xff\xfe,x\n", 3, "is not UTF-8 text"),
    (f"id_number,item\n{HEAD},vehicles\x00\n".encode(), 2, "holds a NUL character"),
    (f"id_number,item,detail\n{HEAD},vehicles,\"{'x' * 1001}\"\n".encode(), 2,
     "detail: more than 1000 characters"),
])
def test_r_ve_4_a_faulty_file_is_refused_naming_the_line_and_the_reason(raw, line, reason):
    with pytest.raises(DataFileRefused) as refused:
        read_data_file(raw, ITEMS)
    assert refused.value.line == line
    assert reason in refused.value.reason, refused.value.reason
