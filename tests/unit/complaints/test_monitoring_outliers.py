"""R-OV-2: a township's coverage and average benefit against the county's, outliers flagged with
the reason; thresholds as documented parameters, compared exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest

from services.complaints.monitoring.outliers import DEFAULT, Figures, Thresholds, judge

COUNTY_COVERAGE = Fraction(2, 100)  # 2% of the county's people are recipients
COUNTY_AVERAGE = Fraction(50_000)  # 500 元 a month on average


def flags(township: Figures, thresholds: Thresholds = DEFAULT) -> list[str]:
    return [f.code for f in judge(township, county_coverage=COUNTY_COVERAGE,
                                  county_average=COUNTY_AVERAGE, thresholds=thresholds).flags]


@pytest.mark.parametrize(("recipients", "expected"), [
    (20, []),  # 2%: the county's
    (10, []),  # exactly half: not below it
    (9, ["coverage_low"]),  # 0.9%: under half
    (30, []),  # exactly 1.5×: not above it
    (31, ["coverage_high"]),
    (0, ["no_recipients"]),
])
def test_coverage_against_the_county_R_OV_2(recipients: int, expected: list[str]) -> None:
    assert flags(Figures(1000, recipients, recipients * 50_000)) == expected


@pytest.mark.parametrize(("average_fen", "expected"), [
    (50_000, []), (40_000, []), (39_999, ["average_low"]), (60_000, []),
    (60_001, ["average_high"])])
def test_average_benefit_against_the_county_R_OV_2(average_fen: int,
                                                   expected: list[str]) -> None:
    assert flags(Figures(1000, 20, 20 * average_fen)) == expected


def test_the_reason_names_the_figures_and_the_threshold_R_OV_2() -> None:
    judgement = judge(Figures(1000, 40, 40 * 80_000), county_coverage=COUNTY_COVERAGE,
                      county_average=COUNTY_AVERAGE)
    assert judgement.outlier
    coverage, average = judgement.flags
    assert coverage.reason == "coverage 4.00% is 2.00× the county's 2.00% (above 1.50×)"
    assert average.reason == ("average benefit 800.00 元 is 1.60× the county's 500.00 元 "
                              "(above 1.20×)")
    assert judgement.coverage_ratio == 2 and judgement.average_ratio == Fraction(8, 5)


def test_a_few_recipients_are_not_judged_on_their_average() -> None:
    assert flags(Figures(200, 4, 4 * 90_000)) == []  # 2%, 4 recipients: 1 800 元 not judged
    assert flags(Figures(250, 5, 5 * 90_000)) == ["average_high"]


def test_no_population_figure_is_flagged_when_there_are_recipients() -> None:
    assert flags(Figures(None, 3, 150_000)) == ["no_population"]
    assert flags(Figures(None, 0, 0)) == []


def test_the_thresholds_are_parameters() -> None:
    strict = Thresholds(coverage_low=Fraction(9, 10), coverage_high=Fraction(11, 10))
    assert flags(Figures(1000, 17, 17 * 50_000), strict) == ["coverage_low"]
    assert DEFAULT.as_dict() == {"coverage_low": 0.5, "coverage_high": 1.5,
                                 "average_low": 0.8, "average_high": 1.2, "min_recipients": 5}
