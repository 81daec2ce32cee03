"""Missing-material computation, with no database: R-IN-3 one notice lists every missing item."""

from services.intake.materials.service import Material, missing_materials

CHECKLIST = [
    Material("application_form", "申请书"),
    Material("id_card", "身份证"),
    Material("household_register", "户口簿"),
    Material("income_statement", "收入证明"),
]


def test_r_in_3_every_missing_item_at_once_in_checklist_order():
    missing = missing_materials(CHECKLIST, ["income_statement", "id_card"])
    assert [m.code for m in missing] == ["application_form", "household_register"]


def test_r_in_3_complete_materials_miss_nothing():
    assert missing_materials(CHECKLIST, [m.code for m in reversed(CHECKLIST)]) == []


def test_r_in_3_extra_materials_neither_count_nor_hurt():
    missing = missing_materials(CHECKLIST, ["medical_record", "id_card", "id_card"])
    assert [m.code for m in missing] == ["application_form", "household_register",
                                         "income_statement"]


def test_r_in_3_nothing_supplied_misses_the_whole_list():
    assert missing_materials(CHECKLIST, []) == CHECKLIST
