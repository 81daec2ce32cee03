"""R-OV-2: the population file is read whole — a header, each township of the county once, a
whole number — and any fault refuses it, every faulty line listed."""

from __future__ import annotations

import pytest

from services.complaints.monitoring.service import FileRefused, parse_population

COUNTY = "230722"


def test_a_good_file_gives_each_township_its_population_R_OV_2() -> None:
    text = "\ufefftownship,population,name\n230722100,12000,朝阳镇\n\n230722101, 8000 ,乌云镇\n"
    assert parse_population(text.encode(), county=COUNTY) == {"230722100": 12000,
                                                              "230722101": 8000}


def faults(content: bytes) -> list[tuple[int, str]]:
    with pytest.raises(FileRefused) as refused:
        parse_population(content, county=COUNTY)
    return [(f["line"], f["reason"]) for f in refused.value.extensions["faults"]]


def test_every_faulty_line_is_listed_and_nothing_is_taken_R_OV_2() -> None:
    found = faults(b"township,population\n230722100,100\n230781100,5\n230722100,7\n"
                   b"230722101,-3\n230722102\n2307221,4\n")
    assert [line for line, _ in found] == [3, 4, 5, 6, 7]
    assert "not a township of county 230722" in found[0][1]
    assert "listed twice" in found[1][1]
    assert "not a whole number" in found[2][1]


@pytest.mark.parametrize("content", [b"", b"code,people\n230722100,1\n", b"township,population\n",
                                     "township,population\n230722100,１２\n".encode(),
                                     b"\xff\xfe not utf-8"])
def test_a_file_without_header_lines_or_text_is_refused(content: bytes) -> None:
    assert faults(content)
