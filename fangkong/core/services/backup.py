"""Backups and restores of the configured database (``fangkong backup`` / ``restore``).

SQLite: Python's ``sqlite3.Connection.backup`` copies the live database in one step, a
consistent snapshot however the app is writing (it reads through SQLite's own pager, so
pages still in the ``-wal`` file are included); a restore copies the checked backup back
the same way, into the live file, in one transaction of the destination (no stale
``-wal``/``-shm`` can be replayed over it, which a file rename could not promise).
PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean --if-exists --no-owner
--single-transaction``, with a ``pg_dump``/``pg_restore`` at least as new as the server.

Every backup gets a ``<file>.sha256`` beside it (``sha256sum -c`` reads it); a restore
refuses a file without one or whose checksum does not match. See docs/operations.md.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dj_database_url
from django.conf import settings
from django.db import connections
from django.utils.translation import gettext as _

SQLITE_MAGIC = b"SQLite format 3\x00"
PGDUMP_MAGIC = b"PGDMP"
SQLITE_ENGINE = "django.db.backends.sqlite3"
POSTGRES_ENGINE = "django.db.backends.postgresql"
#: Names ``backup`` gives its files; ``--keep`` deletes only files named so.
NAME_RE = re.compile(r"^fangkong-\d{8}T\d{6}Z\.(sqlite3|pgdump)$")


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    sha256: str
    engine: str
    removed: tuple[Path, ...] = ()


@dataclass(frozen=True)
class RestoreResult:
    path: Path
    target: str
    engine: str


# --- Checksums ---------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def write_checksum(path: Path) -> str:
    """Write ``<path>.sha256`` in ``sha256sum`` format and return the digest."""
    digest = sha256_of(path)
    _write_atomically(checksum_path(path), f"{digest}  {path.name}\n".encode())
    return digest


def verify_checksum(path: Path) -> None:
    """Raise ``BackupError`` unless ``<path>.sha256`` exists and matches the file."""
    sums = checksum_path(path)
    if not path.is_file():
        raise BackupError(_("No backup file %(path)s.") % {"path": path})
    if not sums.is_file():
        raise BackupError(
            _("%(path)s has no checksum file %(sums)s; refusing to restore an unchecked file.")
            % {"path": path, "sums": sums.name})
    expected = sums.read_text().split()[0] if sums.read_text().split() else ""
    if expected.lower() != sha256_of(path):
        raise BackupError(
            _("The checksum of %(path)s does not match %(sums)s: the file is damaged or "
              "not the one backed up. Nothing was restored.")
            % {"path": path, "sums": sums.name})


def _write_atomically(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(data)
    os.replace(name, path)


# --- Where and what ----------------------------------------------------------------------

def backup_dir() -> Path:
    return Path(settings.FANGKONG_BACKUP_DIR)


def database_settings(alias: str = "default") -> dict[str, Any]:
    """The connection's settings (under tests: the test database's name)."""
    return connections[alias].settings_dict


def default_name(engine: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%SZ")
    return f"fangkong-{stamp}.{'sqlite3' if engine == SQLITE_ENGINE else 'pgdump'}"


def kind_of(path: Path) -> str:
    """The engine a backup file is for, read from its first bytes."""
    with open(path, "rb") as handle:
        head = handle.read(len(SQLITE_MAGIC))
    if head.startswith(SQLITE_MAGIC):
        return SQLITE_ENGINE
    if head.startswith(PGDUMP_MAGIC):
        return POSTGRES_ENGINE
    raise BackupError(
        _("%(path)s is neither a SQLite database nor a pg_dump custom-format file.")
        % {"path": path})


def _private_dir(path: Path) -> None:
    """Backups hold everybody's personal data: the directory is the owner's only."""
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


# --- Backup ------------------------------------------------------------------------------

def backup(output: Path | None = None, keep: int | None = None,
           alias: str = "default") -> BackupResult:
    """Back the database up to ``output`` (default: a timestamped file in the backup
    directory), write its checksum, and with ``keep`` delete all but the newest ``keep``
    timestamped backups of that directory."""
    db = database_settings(alias)
    engine = db["ENGINE"]
    if engine not in (SQLITE_ENGINE, POSTGRES_ENGINE):
        raise BackupError(_("Backups support SQLite and PostgreSQL, not %(engine)s.")
                          % {"engine": engine})
    path = Path(output) if output else backup_dir() / default_name(engine)
    _private_dir(path.parent)
    # A file of this run's own (two runs at once never share one), renamed when complete.
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    os.close(handle)
    tmp = Path(name)
    try:
        if engine == SQLITE_ENGINE:
            _backup_sqlite(Path(db["NAME"]), tmp)
        else:
            _backup_postgres(db, tmp, alias)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    digest = write_checksum(path)
    removed = prune(path.parent, keep) if keep else ()
    return BackupResult(path=path, size=path.stat().st_size, sha256=digest, engine=engine,
                        removed=removed)


def _backup_sqlite(source: Path, target: Path) -> None:
    if not source.is_file():
        raise BackupError(_("The SQLite database %(path)s does not exist.") % {"path": source})
    target.unlink(missing_ok=True)
    src = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)  # pages=-1: the whole database in one step, one consistent snapshot
        # A self-contained file: rollback journal, not WAL (no -wal beside the backup).
        dst.execute("PRAGMA journal_mode=DELETE")
        _check_integrity(dst, target)
    finally:
        dst.close()
        src.close()


def _check_integrity(conn: sqlite3.Connection, path: Path) -> None:
    result = conn.execute("PRAGMA integrity_check").fetchone()
    if not result or result[0] != "ok":
        raise BackupError(_("%(path)s fails SQLite's integrity check: %(result)s")
                          % {"path": path, "result": result})


def prune(directory: Path, keep: int) -> tuple[Path, ...]:
    """Delete all but the newest ``keep`` backups (by name, which is the time) in
    ``directory``, with their checksum files. Only files named as ``backup`` names them."""
    if keep < 1:
        raise BackupError(_("--keep must be at least 1."))
    backups = sorted(p for p in directory.iterdir() if NAME_RE.match(p.name))
    doomed = tuple(backups[:-keep])
    for path in doomed:
        path.unlink(missing_ok=True)
        checksum_path(path).unlink(missing_ok=True)
    return doomed


# --- PostgreSQL tools --------------------------------------------------------------------

def _server_major(alias: str) -> int:
    connection = connections[alias]
    connection.ensure_connection()
    return connection.pg_version // 10000


def find_pg_tool(name: str, server_major: int) -> str:
    """``pg_dump`` or ``pg_restore`` of at least the server's major version.

    Looks in ``FANGKONG_PG_BIN``, then Debian's ``/usr/lib/postgresql/<major>/bin``
    (newest first), then ``PATH``. An older tool cannot read a newer server's catalogue;
    a clear error beats a dump that fails half-way.
    """
    found = []
    for candidate in _candidates(name):
        if not os.access(candidate, os.X_OK):
            continue
        major = tool_major(candidate)
        found.append(f"{candidate} ({major})")
        if major >= server_major:
            return candidate
    if not found:
        raise BackupError(
            _("%(tool)s was not found. Install the PostgreSQL %(major)d client tools "
              "(Debian: apt-get install postgresql-client-%(major)d) or set "
              "FANGKONG_PG_BIN to their directory.")
            % {"tool": name, "major": server_major})
    raise BackupError(
        _("%(tool)s is older than the server (PostgreSQL %(major)d): found %(found)s. "
          "Install postgresql-client-%(major)d or set FANGKONG_PG_BIN.")
        % {"tool": name, "major": server_major, "found": ", ".join(found)})


def _candidates(name: str) -> list[str]:
    candidates: list[str] = []
    if settings.FANGKONG_PG_BIN:
        candidates.append(str(Path(settings.FANGKONG_PG_BIN) / name))
    debian = Path("/usr/lib/postgresql")
    if debian.is_dir():
        versions = sorted((p for p in debian.iterdir() if p.name.isdigit()),
                          key=lambda p: int(p.name), reverse=True)
        candidates += [str(p / "bin" / name) for p in versions]
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    return candidates


def tool_major(path: str) -> int:
    """The major version of ``pg_dump --version`` ("pg_dump (PostgreSQL) 15.20 …")."""
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    match = re.search(r"\)\s*(\d+)", out.stdout)
    return int(match.group(1)) if match else 0


def _pg_env(db: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for ``db``: the password never appears on a command line."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    options = db.get("OPTIONS") or {}
    if options.get("sslmode"):
        env["PGSSLMODE"] = str(options["sslmode"])
    return env


def _run(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(tool)s failed (exit %(code)d): %(error)s")
            % {"tool": Path(argv[0]).name, "code": result.returncode,
               "error": result.stderr.strip()[-2000:]})


def _backup_postgres(db: dict[str, Any], target: Path, alias: str) -> None:
    pg_dump = find_pg_tool("pg_dump", _server_major(alias))
    _run([pg_dump, "--format=custom", "--no-password", f"--file={target}",
          f"--dbname={db['NAME']}"], _pg_env(db))


# --- Restore -----------------------------------------------------------------------------

def target_settings(into: str | None, alias: str = "default") -> dict[str, Any]:
    """The database a restore writes to: the configured one, or ``into`` (a
    ``postgres://`` URL or a SQLite file path) to test a backup without touching it."""
    if not into:
        return dict(database_settings(alias))
    if "://" in into:
        return dj_database_url.parse(into)
    return {"ENGINE": SQLITE_ENGINE, "NAME": into}


def describe(db: dict[str, Any]) -> str:
    if db["ENGINE"] == SQLITE_ENGINE:
        return str(db["NAME"])
    return f"{db.get('HOST') or 'localhost'}:{db.get('PORT') or 5432}/{db['NAME']}"


def restore(path: Path, into: str | None = None, alias: str = "default") -> RestoreResult:
    """Restore the backup ``path`` (its checksum checked first) into the configured
    database, or into ``into``."""
    path = Path(path)
    verify_checksum(path)
    engine = kind_of(path)
    db = target_settings(into, alias)
    if db["ENGINE"] != engine:
        raise BackupError(
            _("%(path)s is a %(kind)s backup but the target database is %(engine)s.")
            % {"path": path, "kind": _engine_label(engine), "engine": _engine_label(db["ENGINE"])})
    if engine == SQLITE_ENGINE:
        _restore_sqlite(path, Path(db["NAME"]))
    else:
        server_major = _server_major(alias) if not into else _server_major_of(db)
        pg_restore = find_pg_tool("pg_restore", server_major)
        if not into:
            connections[alias].close()  # hold no lock on the tables pg_restore drops
        _run([pg_restore, "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--no-password", f"--dbname={db['NAME']}", str(path)],
             _pg_env(db))
    return RestoreResult(path=path, target=describe(db), engine=engine)


def _engine_label(engine: str) -> str:
    return {SQLITE_ENGINE: "SQLite", POSTGRES_ENGINE: "PostgreSQL"}.get(engine, engine)


def _server_major_of(db: dict[str, Any]) -> int:
    import psycopg

    with psycopg.connect(dbname=db["NAME"], host=db.get("HOST") or None,
                         port=db.get("PORT") or None, user=db.get("USER") or None,
                         password=db.get("PASSWORD") or None) as conn:
        return conn.info.server_version // 10000


def _restore_sqlite(path: Path, target: Path) -> None:
    """Check a private copy of the backup, then copy it into ``target`` with the backup
    API: one write transaction of the target, safe beside its ``-wal`` file (which a
    rename over the file would leave behind to be replayed onto the restored data)."""
    _private_dir(target.parent)
    with tempfile.TemporaryDirectory(dir=target.parent) as scratch:
        copy = Path(scratch) / "restore.sqlite3"
        shutil.copyfile(path, copy)
        src = sqlite3.connect(copy)
        try:
            _check_integrity(src, path)
            dst = sqlite3.connect(target, timeout=30)
            try:
                src.backup(dst)
                dst.execute("PRAGMA journal_mode=WAL")
            finally:
                dst.close()
        finally:
            src.close()
