"""One WhatsApp number serves every city: the pin decides (docs/decisions/0012)."""

from sigap.channels.tests.test_whatsapp import PHONE, last, report_of


def test_a_pin_in_jayapura_files_a_jayapura_report(fake_wa, jayapura):
    fake_wa.text(PHONE, "sampah")
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, -2.533, 140.717, name="Pelabuhan Jayapura")
    assert "Jayapura Utara" in fake_wa.texts_to(PHONE)[-2]
    fake_wa.text(PHONE, "Sampah menumpuk di dermaga")
    fake_wa.tap(PHONE, "ans:kecil")
    fake_wa.tap(PHONE, "anon:yes")
    fake_wa.tap(PHONE, "ok:send")
    report = report_of()
    assert report.city == jayapura and report.ticket.startswith("JYP-")
    assert report.category.city == jayapura and report.agency.code == "DLHK"
    assert report.ticket in last(fake_wa)["text"]


def test_a_pin_in_the_bay_names_the_nearest_city(fake_wa, kabupaten_kupang):
    fake_wa.text(PHONE, "sampah")
    fake_wa.tap(PHONE, "skip")
    fake_wa.location(PHONE, -10.05, 123.45)
    assert "di luar wilayah Kabupaten Kupang" in last(fake_wa)["text"]
