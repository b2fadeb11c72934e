"""The one phone-number normaliser: as people type them and as gateways send them, to E.164.

Everything that reads a number (sign-in codes, the report forms and APIs, the SMS and
WhatsApp webhooks) goes through `e164`, on `phonenumbers`, so "0812 3456 7890",
"+62 812-3456-7890", "0062 812 3456 7890" and "6281234567890" are one number everywhere.
"""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "ID"
MAX_TYPED = 40  # longer than any number as typed, with spaces and a "+"


def parse(raw: str, region: str = DEFAULT_REGION) -> phonenumbers.PhoneNumber:
    """Return the number `raw` stands for, or raise ValueError when it is none."""
    text = str(raw or "").strip()
    if not text or len(text) > MAX_TYPED:
        raise ValueError("not a phone number")
    if text.startswith("00"):  # the international prefix typed instead of "+"
        text = "+" + text[2:].lstrip()
    try:  # 0812…, 62812…, +62 812…, (0812) 3456-7890, +62 (0) 812…
        number = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a phone number") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("not a phone number")
    return number


def e164(raw: str, region: str = DEFAULT_REGION) -> str:
    """Return `raw` in E.164 ("+6281234567890"), or raise ValueError."""
    return phonenumbers.format_number(parse(raw, region), phonenumbers.PhoneNumberFormat.E164)


def from_gateway(raw: str) -> str:
    """Return a sender as a gateway sends it (WhatsApp's wa_id: country code and digits, no
    "+"; SMS gateways: any of the typed forms) in E.164, or raise ValueError."""
    text = str(raw or "").strip()
    if text.isdigit() and not text.startswith("0"):
        text = "+" + text  # already international: never read as a national number
    return e164(text)


def is_indonesian_mobile(number: phonenumbers.PhoneNumber) -> bool:
    """Return whether `number` can receive an SMS or WhatsApp code in Indonesia."""
    mobile = (phonenumbers.PhoneNumberType.MOBILE,
              phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)
    return (phonenumbers.is_valid_number(number)
            and phonenumbers.region_code_for_number(number) == "ID"
            and phonenumbers.number_type(number) in mobile)
