"""Dates, months and sums written as Chinese official documents write them."""

from datetime import date

from shared.money import format_yuan

_DIGITS = "〇一二三四五六七八九"
_UPPER_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_UPPER_UNITS = ("", "拾", "佰", "仟")
_UPPER_GROUPS = ("", "万", "亿")


def _number(value: int) -> str:
    """1–31 in words as dates write them: 5 → 五, 10 → 十, 12 → 十二, 20 → 二十, 31 → 三十一."""
    tens, units = divmod(value, 10)
    if tens == 0:
        return _DIGITS[units]
    head = "" if tens == 1 else _DIGITS[tens]
    return head + "十" + (_DIGITS[units] if units else "")


def chinese_date(day: date) -> str:
    """成文日期 in Chinese numerals: 2026-12-05 → 二〇二六年十二月五日."""
    year = "".join(_DIGITS[int(digit)] for digit in f"{day.year:04d}")
    return f"{year}年{_number(day.month)}月{_number(day.day)}日"


def arabic_date(day: date) -> str:
    """A date in the body of a document: 2026-12-05 → 2026年12月5日."""
    return f"{day.year}年{day.month}月{day.day}日"


def arabic_month(day: date) -> str:
    """The month of `day`: 2027-01-01 → 2027年1月."""
    return f"{day.year}年{day.month}月"


def yuan(fen: int) -> str:
    """An amount in yuan with two places: 123450 → 1,234.50."""
    return format_yuan(fen)


def _upper_group(value: int) -> str:
    """0–9999 in capital numerals, zeros read as 零 where they fall between digits."""
    text = ""
    zero = False
    for position in range(3, -1, -1):
        digit = value // 10**position % 10
        if digit == 0:
            zero = bool(text)
            continue
        if zero:
            text += "零"
            zero = False
        text += _UPPER_DIGITS[digit] + _UPPER_UNITS[position]
    return text


def upper_yuan(fen: int) -> str:
    """An amount in capital numerals (大写金额): 123450 → 壹仟贰佰叁拾肆元伍角整."""
    if fen < 0:
        raise ValueError("an amount to write in capitals is never negative")
    whole, cents = divmod(fen, 100)
    jiao, fen_part = divmod(cents, 10)
    groups = []
    index = 0
    while whole:
        whole, group = divmod(whole, 10000)
        groups.append((index, group))
        index += 1
    text = ""
    gap = False
    for index, group in reversed(groups):
        if group == 0:
            gap = bool(text)
            continue
        if text and (gap or group < 1000):
            text += "零"
        gap = False
        text += _upper_group(group) + _UPPER_GROUPS[index]
    text = (text or "零") + "元"
    if jiao == 0 and fen_part == 0:
        return text + "整"
    if jiao:
        text += _UPPER_DIGITS[jiao] + "角"
    elif text != "零元":
        text += "零"
    if fen_part:
        text += _UPPER_DIGITS[fen_part] + "分"
    else:
        text += "整"
    return text
