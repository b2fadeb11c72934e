"""sigap backup / restore: a round trip gives back every table and every file, both DBs."""

import hashlib
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from sigap.lib import backup

pytestmark = pytest.mark.django_db(transaction=True)


def every_row() -> dict[str, list]:
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        out = {}
        for table in sorted(tables):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            out[table] = sorted(repr(row) for row in cursor.fetchall())
    return out


def every_file(root) -> dict[str, str]:
    root = Path(root)
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_backup_restores_every_table_and_file(make_report, settings, tmp_path, now):
    from conftest import jpeg_bytes
    from sigap.reports.models import Report

    for i in range(3):
        make_report(description=f"Laporan {i}", photos=[jpeg_bytes()])
    tables, files = every_row(), every_file(settings.MEDIA_ROOT)
    assert any(name.startswith("photos/") for name in files)
    archive = tmp_path / "sigap.tar"
    call_command("backup", str(archive))
    # Life goes on, then a disaster: rows deleted, a new one, a file lost.
    Report.objects.filter(description="Laporan 0").delete()
    make_report(description="Sesudah cadangan", photos=[jpeg_bytes()])
    lost = next(Path(settings.MEDIA_ROOT).rglob("*.jpg"))
    lost.unlink()
    assert every_row() != tables
    call_command("restore", str(archive), "--yes")
    assert every_row() == tables
    assert every_file(settings.MEDIA_ROOT) == files


def test_restore_refuses_a_damaged_archive(make_report, tmp_path, now):
    import tarfile

    make_report()
    archive = tmp_path / "sigap.tar"
    manifest = backup.backup(archive, now=now)
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            if member.name == manifest["database"]:
                data = data[:-10] + b"0123456789"
            member.size = len(data)
            import io

            dst.addfile(member, io.BytesIO(data))
    before = every_row()
    with pytest.raises(backup.BackupError, match="checksum"):
        backup.restore(damaged)
    assert every_row() == before


def test_a_backup_taken_during_writes_is_consistent(make_report, tmp_path, now):
    """Writers keep committing while the copy runs; the copy is one moment's state."""
    import threading

    from django.db import connections

    from sigap.cities import tenancy

    make_report()
    stop = threading.Event()
    written = []

    def writer():
        try:
            while not stop.is_set():
                written.append(make_report(description="Ditulis saat pencadangan").pk)
        finally:
            connections.close_all()

    # A thread of our own starts with no city scope: it writes as the worker would.
    thread = threading.Thread(target=tenancy.as_system(writer))
    thread.start()
    try:
        manifest = backup.backup(tmp_path / "live.tar", now=now)
    finally:
        stop.set()
        thread.join()
    counts = manifest["tables"]
    assert written, "the writer never wrote: nothing was tested during the copy"
    # One moment's state: each report with exactly its CREATED event and its outbox row,
    # none half-written, though writers committed throughout.
    assert counts["reports_report"] >= 1
    assert counts["reports_reportevent"] == counts["reports_report"]
    # And restoring it gives exactly those counts back.
    backup.restore(tmp_path / "live.tar")
    assert backup.table_counts() == counts


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("keep", [0, 10, 0.5, 0.95])
def test_restore_refuses_a_truncated_archive_with_a_clear_message(make_report, tmp_path, now,
                                                                   keep):
    from django.core.management.base import CommandError

    make_report()
    archive = tmp_path / "sigap.tar"
    backup.backup(archive, now=now)
    data = archive.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[:keep if isinstance(keep, int) else int(len(data) * keep)])
    with pytest.raises(CommandError) as caught:
        call_command("restore", str(cut), yes=True)
    message = str(caught.value)
    assert "incomplete" in message or "damaged" in message or "no manifest" in message


def test_restore_names_a_missing_archive(tmp_path, db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such archive"):
        call_command("restore", str(tmp_path / "nope.tar"), yes=True)
