"""Open311 attacked as a tester would: sensitive reports and control bytes."""

import pytest

from sigap.reports.models import Report

pytestmark = pytest.mark.django_db
FORMATS = ["json", "xml"]


def post(api_key, **extra):
    return {"api_key": api_key, "service_code": "SAMPAH", "lat": "-10.1716",
            "long": "123.6711", "description": "Sampah menumpuk",
            "attribute[volume]": "besar", **extra}


@pytest.mark.parametrize("fmt", FORMATS)
def test_it_keeps_a_sensitive_reports_words_out_of_request_details(o311, make_report, fmt):
    report = make_report("ORANG_HILANG", description="Yohana, 7 tahun, baju merah",
                         answers={"nama_orang": "Yohana Ndoen"}, address="Jl. Soeharto 12")
    response = o311.client.get(f"/open311/v2/requests/{report.ticket}.{fmt}",
                               {"extensions": "true"})
    assert response.status_code == 200
    assert b"Yohana" not in response.content and b"Soeharto" not in response.content
    listing = o311.client.get(f"/open311/v2/requests.{fmt}", {"extensions": "true"})
    assert listing.status_code == 200 and b"Yohana" not in listing.content


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("field", ["description", "first_name", "address_string",
                                   "device_id", "attribute[volume]", "email"])
def test_it_refuses_a_nul_byte_in_a_post(o311, api_key, fmt, field):
    response = o311.client.post(f"/open311/v2/requests.{fmt}", post(api_key, **{field: "a\x00b"}))
    assert response.status_code == 400, response.content
    assert not Report.objects.exists()
    assert o311.parse(response, fmt) is not None


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("query", ["service_code=a%00b", "status=open%01", "lat=%00"])
def test_it_refuses_a_nul_byte_in_a_query(o311, fmt, query):
    response = o311.client.get(f"/open311/v2/requests.{fmt}?{query}")
    assert response.status_code == 400
    o311.parse(response, fmt)


def test_it_accepts_tabs_and_line_breaks(o311, api_key):
    response = o311.client.post("/open311/v2/requests.json",
                                post(api_key, description="Baris satu\r\n\tbaris dua"))
    assert response.status_code == 200, response.content
    assert Report.objects.get().description == "Baris satu\r\n\tbaris dua"
