"""sigap backup / restore with photos in object storage (S3 through django-storages, here
moto's in-process fake), and the retention of scheduled backups."""

import hashlib
from pathlib import Path

import boto3
import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from moto import mock_aws

from sigap.lib import backup

pytestmark = pytest.mark.django_db(transaction=True)

S3 = {"BACKEND": "storages.backends.s3.S3Storage",
      "OPTIONS": {"bucket_name": "sigap-photos", "region_name": "us-east-1",
                  "access_key": "fake", "secret_key": "fake", "default_acl": None,
                  "querystring_auth": False}}


@pytest.fixture
def object_storage(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "fake")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "fake")
    with mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="sigap-photos")

        def use():
            settings.STORAGES = {**settings.STORAGES, "default": S3}

        yield use


def objects() -> dict[str, str]:
    return {name: hashlib.sha256(default_storage.open(name).read()).hexdigest()
            for name in backup.stored_names()}


def test_photos_in_object_storage_are_backed_up_and_restored(object_storage, make_report,
                                                             tmp_path):
    from conftest import jpeg_bytes
    from sigap.reports.models import Photo, Report

    object_storage()
    for i in range(2):
        make_report(description=f"Laporan {i}", photos=[jpeg_bytes(color=(i, 0, 0))])
    stored = objects()
    assert len([n for n in stored if n.startswith("photos/")]) == 2
    assert not Path(backup.settings.MEDIA_ROOT).exists() or \
        not any(Path(backup.settings.MEDIA_ROOT).rglob("*.jpg"))  # nothing on disk
    archive = tmp_path / "sigap.tar"
    call_command("backup", str(archive))
    # A disaster: a photo's object lost, a report deleted, a stray object added.
    default_storage.delete(Photo.objects.first().image.name)
    Report.objects.filter(description="Laporan 1").delete()
    default_storage.save("photos/stray.jpg", backup.ContentFile(b"x"))
    assert objects() != stored
    call_command("restore", str(archive), "--yes")
    assert objects() == stored
    assert Report.objects.filter(description="Laporan 1").exists()


def test_a_one_machine_backup_restores_onto_a_fresh_cluster(object_storage, make_report,
                                                            settings, tmp_path):
    from conftest import jpeg_bytes

    make_report(photos=[jpeg_bytes()])  # on disk: MEDIA_ROOT
    on_disk = {p.relative_to(settings.MEDIA_ROOT).as_posix():
               hashlib.sha256(p.read_bytes()).hexdigest()
               for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    manifest = backup.backup(tmp_path / "one-machine.tar", now=backup.datetime.now())
    assert manifest["media_storage"] == "filesystem" and manifest["media"] == on_disk
    object_storage()  # the cluster's empty bucket
    assert objects() == {}
    backup.restore(tmp_path / "one-machine.tar")
    assert objects() == on_disk


def test_retention_keeps_the_newest_archives(tmp_path):
    names = [f"sigap-2026120{d}T020000Z.tar" for d in range(1, 6)]
    for name in names:
        (tmp_path / name).write_bytes(b"")
    (tmp_path / "other.tar").write_bytes(b"")
    deleted = backup.prune(tmp_path, 2)
    assert [p.name for p in deleted] == names[:3]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.tar", *names[3:]]
    with pytest.raises(backup.BackupError):
        backup.prune(tmp_path, 0)
