"""Masking of personal data in lists and public notices (R-SE-2, R-AP-3)."""

MASK = "*"


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    """Replace the middle of `value` with one `*` per character; too short: mask it all."""
    if len(value) <= keep_start + keep_end:
        return MASK * len(value)
    middle = len(value) - keep_start - keep_end
    return value[:keep_start] + MASK * middle + value[len(value) - keep_end :]


def mask_id_number(number: str) -> str:
    """Keep the first 3 and last 4 characters: 110***********002X."""
    return _mask(number.strip(), 3, 4)


def mask_name(name: str) -> str:
    """Keep the surname character only: 张三丰 → 张**; a one-character name → *."""
    name = name.strip()
    if len(name) <= 1:
        return MASK * len(name)
    return name[0] + MASK * (len(name) - 1)


def mask_phone(phone: str) -> str:
    """Keep the first 3 and last 4 digits: 138****5678."""
    return _mask(phone.strip(), 3, 4)


def mask_bank_account(account: str) -> str:
    """Keep the last 4 digits; spaces between digit groups are dropped first."""
    return _mask("".join(account.split()), 0, 4)


_MASKERS = {
    "id_number": mask_id_number,
    "phone": mask_phone,
    "contact_phone": mask_phone,
    "bank_account": mask_bank_account,
}


SEALED_SHOWN = "(sealed)"
"""How a value sealed in an event (shared.sealing) is shown: its ciphertext means nothing."""


def mask_personal_data(value: object) -> object:
    """A copy of JSON-like data with ID numbers, phones and bank accounts masked, by key, and
    sealed values shown as ``(sealed)``.

    For showing stored event data in lists (R-SE-2); the stored data itself is unchanged.
    """
    if isinstance(value, str) and value.startswith("sealed:"):
        return SEALED_SHOWN
    if isinstance(value, dict):
        return {
            key: _MASKERS[key](item)
            if key in _MASKERS and isinstance(item, str) and not item.startswith("sealed:")
            else mask_personal_data(item)
            for key, item in value.items()
        }
    if isinstance(value, list):
        return [mask_personal_data(item) for item in value]
    return value
