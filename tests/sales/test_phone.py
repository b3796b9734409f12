import pytest

from apps.sales.phone import PhoneError, phone_normalise

GOOD = [
    ("13800138000", "13800138000"),
    ("138 0013 8000", "13800138000"),
    ("138-0013-8000", "13800138000"),
    ("+86 138 0013 8000", "13800138000"),
    ("008613800138000", "13800138000"),
    ("8613800138000", "13800138000"),
    ("19912345678", "19912345678"),
    ("010-12345678", "010-12345678"),
    ("(010) 1234 5678", "010-12345678"),
    ("（021）12345678", "021-12345678"),
    ("0571-8765432", "0571-8765432"),
    ("0571 87654321", "0571-87654321"),
    ("+86 21 1234 5678", "021-12345678"),
    ("021-12345678转801", "021-12345678-801"),
    ("021-12345678 ext. 801", "021-12345678-801"),
    ("0755-88889999-8", "0755-88889999-8"),
]
BAD = [
    "",
    "12345678",
    "12800138000",
    "1380013800",
    "138001380001",
    "010-1234567",
    "abc",
    "0000-1234567",
    "13800138000转8",
]


@pytest.mark.parametrize(("raw", "expected"), GOOD)
def test_valid_numbers_are_normalised(raw, expected):
    assert phone_normalise(raw) == expected


@pytest.mark.parametrize("raw", BAD)
def test_invalid_numbers_are_refused_with_a_reason(raw):
    with pytest.raises(PhoneError) as info:
        phone_normalise(raw)
    assert str(info.value)
