"""Chinese telephone numbers: validate and normalise, so one customer is one number.

Normal forms:
- mobile: the 11 digits, ``13800138000``;
- landline: ``<area code>-<local number>`` such as ``010-12345678`` or ``0571-8765432``;
- with an extension: ``021-12345678-801``.
A country code (+86, 0086, 86) and spaces, dashes, dots and brackets are dropped.
"""

import re

from django.utils.translation import gettext as _

MOBILE = re.compile(r"^1[3-9]\d{9}$")
# Extension markers people type: 转, ext, ext., x, #, 分机.
EXTENSION_SPLIT = re.compile(r"(?:转|分机|ext\.?|x|#)\s*(\d{1,6})\s*$", re.IGNORECASE)
# A landline written with its extension after a last dash: 0755-88889999-8.
DASHED_EXTENSION = re.compile(r"^(?P<main>.*0\d{2,3}\)?[\s\-]*\d{7,8})[\s\-]+(?P<ext>\d{1,6})$")
SEPARATORS = re.compile(r"[\s\-().（）·—_/]+")


class PhoneError(ValueError):
    """A number that is not a valid Chinese telephone number; the message is for the user."""


def _split_area(digits: str) -> tuple[str, str] | None:
    """Split a landline written with its leading 0 into area code and local number."""
    # Beijing 010 and the 02x cities have three-digit codes and eight-digit numbers.
    if digits.startswith("010") or re.match(r"^02\d", digits):
        area, local = digits[:3], digits[3:]
        if re.fullmatch(r"[1-9]\d{7}", local):
            return area, local
        return None
    if re.match(r"^0[3-9]\d{2}", digits):
        area, local = digits[:4], digits[4:]
        if re.fullmatch(r"[1-9]\d{6,7}", local):
            return area, local
    return None


def phone_normalise(raw: str) -> str:
    """Return the normal form of ``raw``, or raise PhoneError saying what is wrong."""
    text = (raw or "").strip()
    if not text:
        raise PhoneError(_("The telephone number is empty."))
    extension = ""
    match = EXTENSION_SPLIT.search(text)
    if match:
        extension = match.group(1)
        text = text[: match.start()]
    elif dashed := DASHED_EXTENSION.match(text):
        extension = dashed.group("ext")
        text = dashed.group("main")
    text = text.replace("＋", "+")
    compact = SEPARATORS.sub("", text)
    international = True
    if compact.startswith("+86"):
        compact = compact[3:]
    elif compact.startswith("0086"):
        compact = compact[4:]
    elif compact.startswith("86") and len(compact) in (11, 12, 13) and not MOBILE.match(compact):
        compact = compact[2:]
    else:
        international = False
    if compact.startswith("+") or not compact.isdigit():
        raise PhoneError(_("“%(number)s” is not a Chinese telephone number.") % {"number": raw})
    if MOBILE.match(compact):
        if extension:
            raise PhoneError(_("A mobile number has no extension: “%(number)s”.") % {"number": raw})
        return compact
    if compact.startswith("1"):
        raise PhoneError(
            _("“%(number)s” is not a valid mobile number (11 digits, starting 13–19).") % {"number": raw}
        )
    if not compact.startswith("0"):
        # A landline dialled from abroad drops the leading 0 of its area code.
        if international:
            compact = "0" + compact
        else:
            raise PhoneError(
                _("“%(number)s” has no area code: write a landline as 010-12345678.") % {"number": raw}
            )
    parts = _split_area(compact)
    if parts is None:
        raise PhoneError(
            _("“%(number)s” is not a valid landline number (area code and 7–8 digits).") % {"number": raw}
        )
    area, local = parts
    return f"{area}-{local}-{extension}" if extension else f"{area}-{local}"


def phone_try_normalise(raw: str) -> str | None:
    """Return the normal form of ``raw``, or None when it is not valid."""
    try:
        return phone_normalise(raw)
    except PhoneError:
        return None
