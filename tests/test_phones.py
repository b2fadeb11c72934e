"""One phone normaliser (sigap/lib/phones.py), used by every door a number comes in by."""

import pytest

from sigap.accounts.services import parse_destination
from sigap.channels import sms
from sigap.lib import phones
from sigap.reports import services

TYPED = ["0062 812 3456 7890", "0812 3456 7890", "+62 812-3456-7890", "6281234567890",
         "(0812) 3456-7890", "+62 (0) 812 3456 7890"]


@pytest.mark.parametrize("raw", TYPED)
def test_it_reads_every_way_of_typing_one_number(raw):
    assert phones.e164(raw) == "+6281234567890"


@pytest.mark.parametrize("raw", ["", "abc", "1" * 50, "x" * 33, "+62"])
def test_it_refuses_what_is_no_number(raw):
    with pytest.raises(ValueError):
        phones.e164(raw)


@pytest.mark.parametrize("raw", TYPED)
def test_an_sms_sender_is_the_same_number(raw):
    message = sms.incoming({"id": "m1", "from": raw, "text": "LAPOR sampah"})
    assert message.phone == "6281234567890"


@pytest.mark.parametrize("raw", TYPED)
def test_a_sign_in_destination_is_the_same_number(raw):
    assert parse_destination(raw).value == "+6281234567890"


@pytest.mark.django_db
@pytest.mark.parametrize("raw", ["0062 812 3456 7890", "0812-3456-7890"])
def test_a_report_keeps_its_contact_number_normalised(make_report, raw):
    report = make_report(contact=services.Contact(name="Ani", phone=raw))
    assert report.contact_phone == "+6281234567890"


@pytest.mark.django_db
def test_a_report_with_a_contact_that_is_no_number_is_refused(make_report):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        make_report(contact=services.Contact(name="Ani", phone="call me maybe"))
    assert "contact_phone" in caught.value.message_dict
