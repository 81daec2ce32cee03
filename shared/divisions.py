"""Administrative division codes (GB/T 2260 and the township/village codes below it).

6 digits: province (xx0000), city (xxxx00) or county; 9 digits: township or street office
(乡镇、街道); 12 digits: village or community (村、社区). Jurisdiction follows these codes.
"""

from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import AfterValidator

Level = Literal["province", "city", "county", "township", "village"]

_LENGTHS = (6, 9, 12)


def validate_division_code(code: str) -> str:
    """Return `code` if it is 6, 9 or 12 ASCII digits, else raise ValueError."""
    if not isinstance(code, str) or not (code.isascii() and code.isdigit()):
        raise ValueError(f"a division code is made of digits, got {code!r}")
    if len(code) not in _LENGTHS:
        raise ValueError(f"a division code has 6, 9 or 12 digits, {code!r} has {len(code)}")
    return code


DivisionCode = Annotated[str, AfterValidator(validate_division_code)]
"""A `str` field holding a division code of 6, 9 or 12 digits."""


def level(code: str) -> Level:
    """The level of a division, read from the shape of its code."""
    validate_division_code(code)
    if len(code) == 12:
        return "village"
    if len(code) == 9:
        return "township"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "county"


def significant_prefix(code: str) -> str:
    """The part of a code its descendants share: 230000 → 23, 230700 → 2307."""
    match level(code):
        case "province":
            return code[:2]
        case "city":
            return code[:4]
        case _:
            return code


def county_of(code: str) -> str:
    """The county code (first 6 digits) of a county, township or village code."""
    if level(code) in ("province", "city"):
        raise ValueError(f"{code} is a {level(code)} code, above county level")
    return code[:6]


def parent_of(code: str) -> str | None:
    """The parent's code by the structure of the code; None for a province."""
    match level(code):
        case "village":
            return code[:9]
        case "township":
            return code[:6]
        case "county":
            return code[:4] + "00"
        case "city":
            return code[:2] + "0000"
        case _:
            return None


def is_within(code: str, ancestor: str) -> bool:
    """True if `code` is `ancestor` or lies below it (230722100 is within 230700)."""
    validate_division_code(code)
    return code.startswith(significant_prefix(ancestor))


@dataclass(frozen=True)
class Division:
    """One administrative division."""

    code: str
    name: str
    parent: str | None
    level: Level


BORDER_COUNTIES_DEMO = frozenset({"230722"})
"""Border counties for R-BE-12 in the demo data (嘉荫县); the real list is configurable."""

# Province, city and counties: the codes DOMAIN.md gives for 伊春市.
_DEMO_UPPER = {
    "230000": "黑龙江省",
    "230700": "伊春市",
    "230717": "伊美区",
    "230718": "乌翠区",
    "230719": "友好区",
    "230751": "金林区",
    "230722": "嘉荫县",
    "230723": "汤旺县",
    "230724": "丰林县",
    "230725": "大箐山县",
    "230726": "南岔县",
    "230781": "铁力市",
}

# DEMO VALUES, NOT THE OFFICIAL LIST: townships/streets (county + 3 digits) and their
# villages/communities (township + 3 digits) are invented for demos and tests.
_DEMO_TOWNSHIPS: dict[str, tuple[str, tuple[str, str]]] = {
    "230717001": ("旭日街道", ("光明社区", "东山社区")),
    "230717002": ("红升街道", ("新兴社区", "朝阳社区")),
    "230718001": ("翠峦街道", ("翠峦社区", "河北社区")),
    "230718100": ("乌马河镇", ("乌马河村", "红旗村")),
    "230719001": ("友好街道", ("友谊社区", "和平社区")),
    "230719002": ("双子河街道", ("双子河社区", "东林社区")),
    "230751001": ("金山屯街道", ("金山社区", "林苑社区")),
    "230751100": ("西林镇", ("西林村", "新民村")),
    "230722100": ("朝阳镇", ("东风村", "永胜村")),
    "230722101": ("乌云镇", ("乌云村", "新立村")),
    "230722200": ("常胜乡", ("常胜村", "胜利村")),
    "230723100": ("汤旺河镇", ("汤旺村", "青山村")),
    "230723101": ("东风镇", ("东风村", "向阳村")),
    "230724100": ("新青镇", ("新青村", "松林村")),
    "230724101": ("红星镇", ("红星村", "五星村")),
    "230725100": ("带岭镇", ("带岭村", "永翠村")),
    "230725101": ("朗乡镇", ("朗乡村", "小白村")),
    "230726100": ("南岔镇", ("南岔村", "联合村")),
    "230726101": ("晨明镇", ("晨明村", "浩良河村")),
    "230781100": ("铁力镇", ("铁力村", "建设村")),
    "230781101": ("双丰镇", ("双丰村", "永和村")),
    "230781102": ("桃山镇", ("桃山村", "前进村")),
}


def _village_suffixes(township_code: str) -> tuple[str, str]:
    """Communities under street offices are numbered 001.., villages under towns 201.."""
    return ("001", "002") if township_code[6] == "0" else ("201", "202")


def _build_demo() -> dict[str, Division]:
    """Assemble the demo tree, parents derived from the codes."""
    names = dict(_DEMO_UPPER)
    for township_code, (township_name, villages) in _DEMO_TOWNSHIPS.items():
        names[township_code] = township_name
        for suffix, village_name in zip(_village_suffixes(township_code), villages, strict=True):
            names[township_code + suffix] = village_name
    return {
        code: Division(code, name, parent_of(code), level(code)) for code, name in names.items()
    }


DEMO_DIVISIONS: dict[str, Division] = _build_demo()
"""The 伊春市 demo tree: official city and county codes, demo townships and villages."""


def name_of(code: str) -> str | None:
    """The demo name of a division, or None if it is not in the demo data."""
    division = DEMO_DIVISIONS.get(code)
    return division.name if division else None
