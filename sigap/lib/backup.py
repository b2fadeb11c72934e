"""Back up and restore Sigap: the database and the uploaded files, in one archive.

The database is copied first, as one consistent snapshot while the server keeps running
(SQLite's online backup API; `pg_dump`, which reads inside one transaction, for PostgreSQL),
then the media files. A photo's file is written before the row that names it is committed,
so every file the snapshot names is already on disk when the files are copied; files added
meanwhile are harmless extras. A manifest lists each file with its SHA-256 and each table
with its row count, and `restore` checks it before touching anything.

Archive layout (a .tar):  manifest.json · database.sqlite3 or database.pgdump · media/...

The media files are those of the default storage: the folder MEDIA_ROOT, or the bucket of
object storage (S3, SIGAP_S3_*) in a cluster, copied object by object after the snapshot
(`media_storage` in the manifest says which). A restore puts them back into whichever
storage the restoring installation uses, so a backup of one machine restores onto a fresh
cluster and back. `prune()` keeps the newest N archives of a folder (`sigap backup --keep`).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import zlib
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connection

FORMAT = 1


class BackupError(Exception):
    pass


def _engine() -> str:
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"unsupported database: {vendor}")
    return vendor


def _pg_env() -> tuple[list[str], dict]:
    db = connection.settings_dict
    args = ["-h", db.get("HOST") or "127.0.0.1", "-p", str(db.get("PORT") or 5432),
            "-U", db.get("USER") or "postgres"]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _count(cursor, names, quote) -> dict[str, int]:
    counts = {}
    for name in sorted(names):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(name)}")
        counts[name] = cursor.fetchone()[0]
    return counts


def table_counts() -> dict[str, int]:
    """Return every table's row count as the live database has it now."""
    with connection.cursor() as cursor:
        return _count(cursor, connection.introspection.table_names(cursor),
                      connection.ops.quote_name)


def _dump_database(workdir: Path) -> tuple[str, dict[str, int]]:
    """Copy the database into `workdir`; return the file's name and its tables' row counts,
    both of the same moment."""
    quote = connection.ops.quote_name
    if _engine() == "sqlite":
        target = workdir / "database.sqlite3"
        # Separate connections: Django's may be inside a transaction of its own.
        source = sqlite3.connect(connection.settings_dict["NAME"], timeout=60)
        dest = sqlite3.connect(target)
        try:
            with dest:
                source.backup(dest, pages=1024)
            cursor = dest.cursor()
            names = [r[0] for r in cursor.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
            counts = _count(cursor, names, quote)
        finally:
            dest.close()
            source.close()
        return target.name, counts
    # pg_dump reads the snapshot this transaction exports, and the counts come from the same
    # snapshot: the manifest describes exactly the dump.
    target = workdir / "database.pgdump"
    args, env = _pg_env()
    with connection.temporary_connection():
        raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = False
        with raw.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
            names = [r[0] for r in cursor.fetchall()]
            counts = _count(cursor, names, quote)
            result = subprocess.run(
                ["pg_dump", *args, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", "--file", str(target),
                 connection.settings_dict["NAME"]],
                env=env, capture_output=True, text=True)
        raw.rollback()
    finally:
        raw.close()
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return target.name, counts


def _on_disk() -> bool:
    """Return whether the uploaded files live in MEDIA_ROOT (else in object storage)."""
    return isinstance(default_storage, FileSystemStorage)


def stored_names(storage=None) -> list[str]:
    """Return the name of every file in `storage` (the default storage), sorted."""
    storage = storage or default_storage
    names, folders = [], [""]
    while folders:
        folder = folders.pop()
        subfolders, files = storage.listdir(folder)
        prefix = f"{folder}/" if folder else ""
        names += [prefix + name for name in files]
        folders += [prefix + name for name in subfolders]
    return sorted(names)


def _copy_media(workdir: Path) -> tuple[Path, dict[str, str]]:
    """Return the folder holding the media files to archive and {name: SHA-256}: MEDIA_ROOT
    itself, or a copy of the object storage's files made in `workdir`."""
    if _on_disk():
        media_root = Path(settings.MEDIA_ROOT)
        files = {}
        if media_root.exists():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                files[path.relative_to(media_root).as_posix()] = _sha256(path)
        return media_root, files
    copy = workdir / "media"
    files = {}
    for name in stored_names():
        target = copy / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with default_storage.open(name, "rb") as src, target.open("wb") as dst:
            shutil.copyfileobj(src, dst, 1 << 20)
        files[name] = _sha256(target)
    return copy, files


def backup(output: Path, *, now: datetime) -> dict:
    """Write an archive of the database and the media files to `output`; return the manifest."""
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        workdir = Path(tmp)
        database, counts = _dump_database(workdir)
        media_root, files = _copy_media(workdir)
        manifest = {"format": FORMAT, "created_at": now.isoformat(), "engine": _engine(),
                    "database": database, "database_sha256": _sha256(workdir / database),
                    "tables": counts, "media": files,
                    "media_storage": "filesystem" if _on_disk() else "object"}
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(now.timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(workdir / database, arcname=database)
            for name in files:
                tar.add(media_root / name, arcname=f"media/{name}")
        partial.replace(output)  # never a half-written archive under the final name
    return manifest


def _safe_members(tar: tarfile.TarFile):
    for member in tar.getmembers():
        if member.issym() or member.islnk() or member.name.startswith("/") or \
                ".." in Path(member.name).parts:
            raise BackupError(f"unsafe path in archive: {member.name}")
        yield member


def _unpack(archive: Path, workdir: Path) -> dict:
    """Extract `archive` into `workdir` and return its manifest; raise BackupError, with
    what is wrong in words, for a missing, truncated or foreign file (never a traceback)."""
    try:
        with tarfile.open(archive) as tar:
            tar.extractall(workdir, members=_safe_members(tar), filter="data")
    except FileNotFoundError:
        raise BackupError(f"no such archive: {archive}") from None
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise BackupError(f"the archive is incomplete or damaged (was it cut short while "
                          f"copying?): {exc}") from None
    try:
        manifest = json.loads((workdir / "manifest.json").read_text())
    except FileNotFoundError:
        raise BackupError("the archive has no manifest: incomplete, or not a Sigap "
                          "backup") from None
    except ValueError:
        raise BackupError("the archive's manifest is damaged") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError("unknown archive format")
    missing = {"engine", "database", "database_sha256", "media", "tables"} - set(manifest)
    if missing:
        raise BackupError(f"the archive's manifest lacks {', '.join(sorted(missing))}")
    return manifest


def restore(archive: Path) -> dict:
    """Replace the database and the media files with those of `archive`; return its manifest.

    Stop the server and the worker first: restore is not meant to run under load.
    """
    media_root = Path(settings.MEDIA_ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        manifest = _unpack(archive, workdir)
        if manifest["engine"] != _engine():
            raise BackupError(f"archive is of {manifest['engine']}, this server runs "
                              f"{_engine()}")
        database = workdir / manifest["database"]
        if _sha256(database) != manifest["database_sha256"]:
            raise BackupError("the database copy is damaged (checksum)")
        for name, digest in manifest["media"].items():
            if _sha256(workdir / "media" / name) != digest:
                raise BackupError(f"damaged file in archive: {name}")
        _load_database(database)
        if _on_disk():
            if media_root.exists():
                shutil.rmtree(media_root)
            if (workdir / "media").exists():
                shutil.copytree(workdir / "media", media_root)
            else:
                media_root.mkdir(parents=True)
        else:
            _restore_objects(workdir / "media", manifest["media"])
    counts = table_counts()
    if counts != manifest["tables"]:
        raise BackupError("restored tables differ from the manifest")
    return manifest


def _restore_objects(folder: Path, files: dict[str, str]) -> None:
    """Make the object storage hold exactly the archive's files."""
    for name in set(stored_names()) - set(files):
        default_storage.delete(name)
    for name in sorted(files):
        default_storage.delete(name)  # S3Storage may be set not to overwrite
        with (folder / name).open("rb") as fh:
            saved = default_storage.save(name, ContentFile(fh.read()))
        if saved != name:
            raise BackupError(f"object storage stored {name} as {saved}")


def prune(folder: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives (sigap-*.tar, by name: their names carry the
    time) in `folder`; return those deleted."""
    if keep < 1:
        raise BackupError("keep at least one backup")
    archives = sorted(folder.glob("sigap-*.tar"))
    old = archives[:-keep]
    for path in old:
        path.unlink()
    return old


def _load_database(database: Path) -> None:
    if _engine() == "sqlite":
        connection.ensure_connection()
        source = sqlite3.connect(database)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
        return
    connection.close()
    args, env = _pg_env()
    result = subprocess.run(
        ["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "--no-privileges",
         "--single-transaction", "-d", connection.settings_dict["NAME"], str(database)],
        env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
