"""R-SE-2 and R-AP-3: personal data is masked in lists and notices."""

import pytest

from shared.masking import mask_bank_account, mask_id_number, mask_name, mask_phone


def test_r_se_2_id_number_keeps_first_3_and_last_4() -> None:
    assert mask_id_number("11010519491231002X") == "110***********002X"


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张三丰", "张**"), ("张三", "张*"), ("李", "*"), ("欧阳娜娜", "欧***"), ("", "")],
)
def test_r_ap_3_name_keeps_the_surname_character(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_r_se_2_phone_keeps_first_3_and_last_4() -> None:
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("0458-3612345") == "045*****2345"


def test_r_se_2_bank_account_keeps_last_4() -> None:
    assert mask_bank_account("6222 0212 3456 7890") == "************7890"
    assert mask_bank_account("6222021234567890123") == "***************0123"


def test_r_se_2_short_values_are_masked_entirely() -> None:
    assert mask_id_number("1234567") == "*******"
    assert mask_phone("110") == "***"
    assert mask_bank_account("1234") == "****"


def test_r_se_2_personal_data_in_nested_event_data_is_masked_by_key():
    from shared.masking import mask_personal_data

    data = {"application_id": "a1", "contact_phone": "13812345678",
            "members": [{"name": "王大山", "id_number": "11010519491231002X", "counted": True}],
            "payee": {"bank_account": "6222 0210 0112 3456"}, "amount_fen": 75000}
    masked = mask_personal_data(data)
    assert masked == {"application_id": "a1", "contact_phone": "138****5678",
                      "members": [{"name": "王大山", "id_number": "110***********002X",
                                   "counted": True}],
                      "payee": {"bank_account": "************3456"}, "amount_fen": 75000}
    assert data["members"][0]["id_number"] == "11010519491231002X"  # the original is untouched
