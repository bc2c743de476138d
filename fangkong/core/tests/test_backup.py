"""``fangkong backup`` / ``fangkong restore``: a round trip gives back every table's rows.

The round trips commit their data (``TransactionTestCase``): a backup reads the database
from another connection (SQLite) or process (pg_dump), which sees only committed rows.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import tempfile
import uuid
from io import StringIO
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.utils import translation

from fangkong.checkpoints import services
from fangkong.checkpoints.models import Checkpoint, Passage
from fangkong.checkpoints.validation import clean_passage
from fangkong.core.models import Person, Role
from fangkong.core.services import backup as backup_service
from fangkong.core.services.people import clean_person_data
from fangkong.core.testing import make_person, make_user, make_wenchang_chain
from fangkong.lib.identity import make_id_number


def make_records() -> Person:
    """Units, users with grants, people, a checkpoint, passages (with their audit
    entries and counters), a household: rows in most tables."""
    *_, community = make_wenchang_chain()
    worker = make_user("worker", Role.COMMUNITY_WORKER, community)
    person = make_person(community, name="王五")
    checkpoint = Checkpoint.objects.create(org_unit=community, name="东门")
    for n, temperature in enumerate(("36.5", "37.8")):
        data = clean_passage({
            "client_id": str(uuid.uuid4()), "direction": "in", "name": f"路人{n}",
            "id_number": make_id_number("610902", person.birth_date, 500 + n),
            "temperature": temperature, "plate": "鄂A12345"})
        services.register_passage(worker, checkpoint, data)
    household, _created = services.save_household(worker, community, number="1-1-101",
                                                  address="文昌路1号")
    services.add_member(worker, household,
                        clean_person_data(id_number=person.id_number, name=person.name),
                        relation="head", permanent=True)
    return person


def change_records(person: Person) -> None:
    """What the restore must undo: a deletion, a change and an addition."""
    Passage.objects.filter(pk=Passage.objects.order_by("pk").first().pk).delete()
    Person.objects.filter(pk=person.pk).update(name="改过的名字")
    make_person(person.org_unit, name="新来的")


# --- Table digests: every table, its row count and a hash of its ordered rows ------------

def sqlite_digests(path: str) -> dict[str, tuple[int, str]]:
    conn = sqlite3.connect(path)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        digests = {}
        for table in tables:
            width = len(conn.execute(f'SELECT * FROM "{table}" LIMIT 0').description)
            order = ", ".join(str(i) for i in range(1, width + 1))
            rows = conn.execute(f'SELECT * FROM "{table}" ORDER BY {order}').fetchall()
            digests[table] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
        return digests
    finally:
        conn.close()


def postgres_digests(dbname: str) -> dict[str, tuple[int, str]]:
    import psycopg

    with psycopg.connect(**_pg_params(dbname)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        digests = {}
        for table in tables:
            count, digest = conn.execute(
                f'SELECT count(*), md5(coalesce(string_agg(t::text, E\'\\n\' '
                f'ORDER BY t::text), \'\')) FROM "{table}" t').fetchone()
            digests[table] = (count, digest)
        return digests


def _pg_params(dbname: str) -> dict[str, Any]:
    db = connection.settings_dict
    return {"dbname": dbname, "host": db.get("HOST") or None, "port": db.get("PORT") or None,
            "user": db.get("USER") or None, "password": db.get("PASSWORD") or None}


def _pg_url(dbname: str) -> str:
    db = connection.settings_dict
    auth = db.get("USER") or "postgres"
    if db.get("PASSWORD"):
        auth += f":{db['PASSWORD']}"
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{dbname}"


class RoundTripMixin:
    """Back up, check the digests cover every table Django knows, change the data."""

    def setUp(self) -> None:
        super().setUp()
        self.enterContext(translation.override("en"))
        self.tmp = Path(tempfile.mkdtemp(prefix="fangkong-backup-test-"))
        self.addCleanup(lambda: __import__("shutil").rmtree(self.tmp, ignore_errors=True))

    def back_up_then_change(self, digests: Any, suffix: str) -> tuple[Path, dict]:
        person = make_records()
        before = digests()
        self.assertEqual(set(before), set(connection.introspection.table_names()))
        self.assertGreater(sum(1 for count, _ in before.values() if count), 15)
        out = StringIO()
        path = self.tmp / f"backup.{suffix}"
        call_command("backup", output=path, stdout=out)
        self.assertIn(str(path), out.getvalue())
        change_records(person)
        self.assertNotEqual(digests(), before)  # the restore has something to undo
        return path, before


class SQLiteRoundTripTestCase(RoundTripMixin, TransactionTestCase):
    def setUp(self) -> None:
        if connection.vendor != "sqlite":
            self.skipTest("the SQLite round trip")
        super().setUp()

    def live(self) -> dict:
        return sqlite_digests(connection.settings_dict["NAME"])

    def test_it_restores_every_table_of_the_live_database(self) -> None:
        path, before = self.back_up_then_change(self.live, "sqlite3")
        out = StringIO()
        call_command("restore", str(path), yes=True, stdout=out)
        self.assertEqual(self.live(), before)
        self.assertIn("Restored", out.getvalue())
        # Django's own connection reads the restored data.
        self.assertFalse(Person.objects.filter(name="改过的名字").exists())
        call_command("restore", str(path), yes=True, stdout=StringIO())  # idempotent
        self.assertEqual(self.live(), before)

    def test_it_restores_into_another_file(self) -> None:
        path, before = self.back_up_then_change(self.live, "sqlite3")
        scratch = self.tmp / "scratch.sqlite3"
        call_command("restore", str(path), yes=True, into=str(scratch), stdout=StringIO())
        self.assertEqual(sqlite_digests(str(scratch)), before)

    def test_it_writes_a_self_contained_private_file_and_its_checksum(self) -> None:
        path, _before = self.back_up_then_change(self.live, "sqlite3")
        self.assertEqual(stat.S_IMODE(path.stat().st_mode), 0o600)
        self.assertFalse(Path(f"{path}-wal").exists())
        digest, name = (path.parent / f"{path.name}.sha256").read_text().split()
        self.assertEqual((digest, name), (backup_service.sha256_of(path), path.name))
        conn = sqlite3.connect(path)
        self.assertEqual(conn.execute("PRAGMA journal_mode").fetchone()[0], "delete")
        conn.close()


@pytest.mark.postgres
class PostgresRoundTripTestCase(RoundTripMixin, TransactionTestCase):
    """pg_dump of the test database, pg_restore into a scratch database created and
    dropped here: restoring over the test database would drop tables under the test
    run's own connections."""

    def setUp(self) -> None:
        if connection.vendor != "postgresql":
            self.skipTest("needs PostgreSQL")
        super().setUp()
        import psycopg

        self.scratch = f"fk_restore_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(**_pg_params("postgres"), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.scratch}"')
        self.addCleanup(self._drop_scratch)

    def _drop_scratch(self) -> None:
        import psycopg

        with psycopg.connect(**_pg_params("postgres"), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.scratch}" WITH (FORCE)')

    def live(self) -> dict:
        return postgres_digests(connection.settings_dict["NAME"])

    def test_it_restores_every_table_into_a_scratch_database(self) -> None:
        path, before = self.back_up_then_change(self.live, "pgdump")
        self.assertTrue(path.read_bytes().startswith(b"PGDMP"))
        into = _pg_url(self.scratch)
        out = StringIO()
        call_command("restore", str(path), yes=True, into=into, stdout=out)
        self.assertEqual(postgres_digests(self.scratch), before)
        self.assertIn(self.scratch, out.getvalue())
        # Again over the restored database: --clean --if-exists, the same result.
        call_command("restore", str(path), yes=True, into=into, stdout=StringIO())
        self.assertEqual(postgres_digests(self.scratch), before)


class BackupCommandTestCase(TestCase):
    def test_it_names_backups_by_time_in_the_backup_directory_and_keeps_the_newest(
            self) -> None:
        directory = Path(tempfile.mkdtemp(prefix="fangkong-backup-test-"))
        self.addCleanup(lambda: __import__("shutil").rmtree(directory, ignore_errors=True))
        suffix = "sqlite3" if connection.vendor == "sqlite" else "pgdump"
        old = [directory / f"fangkong-2020010{d}T000000Z.{suffix}" for d in (1, 2)]
        for path in old:
            path.write_bytes(b"old")
            backup_service.write_checksum(path)
        out = StringIO()
        with self.settings(FANGKONG_BACKUP_DIR=directory):
            call_command("backup", keep=2, stdout=out)
        kept = sorted(p.name for p in directory.iterdir() if not p.name.endswith(".sha256"))
        self.assertEqual(len(kept), 2)
        self.assertEqual(kept[0], old[1].name)
        self.assertRegex(kept[1], backup_service.NAME_RE)
        self.assertTrue((directory / f"{kept[1]}.sha256").exists())
        self.assertFalse((directory / f"{old[0].name}.sha256").exists())
        self.assertEqual(stat.S_IMODE(directory.stat().st_mode), 0o700)
        summary = out.getvalue().strip()
        self.assertEqual(len(summary.splitlines()), 1)
        self.assertIn("1", summary)
        self.assertIn(kept[1], summary)


class BackupFilesTestCase(SimpleTestCase):
    """Checksums, confirmation, pruning and finding the PostgreSQL tools: no database."""

    def setUp(self) -> None:
        self.enterContext(translation.override("en"))
        self.tmp = Path(tempfile.mkdtemp(prefix="fangkong-backup-test-"))
        self.addCleanup(lambda: __import__("shutil").rmtree(self.tmp, ignore_errors=True))

    def test_it_says_so_in_chinese_by_default(self) -> None:
        path = self._sqlite_backup()
        backup_service.checksum_path(path).unlink()
        with translation.override("zh-hans"), self.assertRaisesMessage(
                CommandError, "未经校验的文件不予恢复"):
            call_command("restore", str(path), yes=True, into=str(self.tmp / "t.sqlite3"))

    def _sqlite_backup(self, name: str = "b.sqlite3") -> Path:
        path = self.tmp / name
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
        backup_service.write_checksum(path)
        return path

    def _wal_database(self, name: str, rows: int) -> sqlite3.Connection:
        """A WAL database whose last commits are still in its -wal file: the returned
        connection stays open, automatic checkpoints are off."""
        conn = sqlite3.connect(self.tmp / name, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA wal_autocheckpoint=0")
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [(i,) for i in range(rows)])
        self.addCleanup(conn.close)
        self.assertGreater((self.tmp / f"{name}-wal").stat().st_size, 0)
        return conn

    def test_it_backs_up_commits_still_in_the_wal_and_not_an_open_transaction(self) -> None:
        live = self._wal_database("live.sqlite3", 50)
        writer = sqlite3.connect(self.tmp / "live.sqlite3", isolation_level=None)
        self.addCleanup(writer.close)
        writer.execute("BEGIN IMMEDIATE")  # the app in the middle of a write
        writer.execute("INSERT INTO t VALUES (-1)")
        copy = self.tmp / "copy.sqlite3"
        backup_service._backup_sqlite(self.tmp / "live.sqlite3", copy)
        writer.execute("COMMIT")
        conn = sqlite3.connect(copy)
        self.addCleanup(conn.close)
        self.assertEqual(conn.execute("SELECT count(*), min(x) FROM t").fetchone(), (50, 0))
        self.assertEqual(live.execute("SELECT count(*) FROM t").fetchone()[0], 51)

    def test_it_restores_over_a_database_with_a_pending_wal(self) -> None:
        """A rename over the file would leave the old -wal to be replayed on top."""
        path = self._sqlite_backup()  # table t, no rows
        conn = sqlite3.connect(path)
        conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
        conn.commit()
        conn.close()
        backup_service.write_checksum(path)
        live = self._wal_database("live.sqlite3", 500)
        call_command("restore", str(path), yes=True, into=str(self.tmp / "live.sqlite3"),
                     stdout=StringIO())
        self.assertEqual(live.execute("SELECT count(*) FROM t").fetchone()[0], 2)
        fresh = sqlite3.connect(self.tmp / "live.sqlite3")
        self.addCleanup(fresh.close)
        self.assertEqual(fresh.execute("SELECT x FROM t ORDER BY x").fetchall(), [(1,), (2,)])
        self.assertEqual(fresh.execute("PRAGMA integrity_check").fetchone()[0], "ok")

    def test_it_refuses_a_file_whose_checksum_does_not_match(self) -> None:
        path = self._sqlite_backup()
        with open(path, "ab") as handle:
            handle.write(b"x")
        with self.assertRaisesMessage(CommandError, "does not match"):
            call_command("restore", str(path), yes=True, into=str(self.tmp / "t.sqlite3"))
        self.assertFalse((self.tmp / "t.sqlite3").exists())

    def test_it_refuses_a_file_without_a_checksum(self) -> None:
        path = self._sqlite_backup()
        backup_service.checksum_path(path).unlink()
        with self.assertRaisesMessage(CommandError, "no checksum file"):
            call_command("restore", str(path), yes=True, into=str(self.tmp / "t.sqlite3"))

    def test_it_refuses_to_restore_without_confirmation(self) -> None:
        path = self._sqlite_backup()
        with mock.patch("sys.stdin.isatty", return_value=False), \
                self.assertRaisesMessage(CommandError, "--yes"):
            call_command("restore", str(path), into=str(self.tmp / "t.sqlite3"))
        self.assertFalse((self.tmp / "t.sqlite3").exists())

    def test_it_restores_after_an_interactive_yes_only(self) -> None:
        path = self._sqlite_backup()
        target = self.tmp / "t.sqlite3"
        with mock.patch("sys.stdin.isatty", return_value=True), \
                mock.patch("builtins.input", return_value="no"), \
                self.assertRaisesMessage(CommandError, "Nothing restored"):
            call_command("restore", str(path), into=str(target), stdout=StringIO())
        self.assertFalse(target.exists())
        with mock.patch("sys.stdin.isatty", return_value=True), \
                mock.patch("builtins.input", return_value="yes"):
            call_command("restore", str(path), into=str(target), stdout=StringIO())
        self.assertEqual(set(sqlite_digests(str(target))), {"t"})

    def test_it_refuses_a_backup_of_the_other_engine(self) -> None:
        path = self.tmp / "b.pgdump"
        path.write_bytes(b"PGDMP\x01\x0e\x00")
        backup_service.write_checksum(path)
        with self.assertRaisesMessage(CommandError, "is a PostgreSQL backup"):
            call_command("restore", str(path), yes=True, into=str(self.tmp / "t.sqlite3"))

    def test_it_keeps_the_newest_backups_only(self) -> None:
        names = [f"fangkong-2020020{d}T010000Z.sqlite3" for d in range(1, 6)]
        for name in names:
            self._sqlite_backup(name)
        other = self.tmp / "notes.txt"
        other.write_text("kept")
        removed = backup_service.prune(self.tmp, 2)
        self.assertEqual([p.name for p in removed], names[:3])
        left = sorted(p.name for p in self.tmp.iterdir())
        self.assertEqual(left, sorted([*names[3:], *(f"{n}.sha256" for n in names[3:]),
                                       "notes.txt"]))

    def test_it_names_the_missing_pg_dump(self) -> None:
        with self._tools([]), self.assertRaisesMessage(
                backup_service.BackupError, "pg_dump was not found"):
            backup_service.find_pg_tool("pg_dump", 15)

    def test_it_refuses_a_pg_dump_older_than_the_server(self) -> None:
        old = self._fake_tool("pg_dump", "pg_dump (PostgreSQL) 13.1")
        with self._tools([old]), self.assertRaisesMessage(
                backup_service.BackupError, "older than the server (PostgreSQL 15)"):
            backup_service.find_pg_tool("pg_dump", 15)

    def test_it_takes_a_pg_dump_at_least_as_new_as_the_server(self) -> None:
        old = self._fake_tool("pg_dump", "pg_dump (PostgreSQL) 13.1", "old")
        new = self._fake_tool("pg_dump", "pg_dump (PostgreSQL) 16.2 (Debian)", "new")
        with self._tools([old, new]):
            self.assertEqual(backup_service.find_pg_tool("pg_dump", 15), str(new))

    def _fake_tool(self, name: str, version: str, sub: str = "bin") -> Path:
        path = self.tmp / sub / name
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"#!/bin/sh\necho '{version}'\n")
        path.chmod(0o755)
        return path

    def _tools(self, paths: list[Path]) -> Any:
        """Only ``paths`` are candidates: no FANGKONG_PG_BIN, no Debian directory."""
        return mock.patch.object(backup_service, "_candidates",
                                 lambda name: [str(p) for p in paths])


def test_it_reads_the_sqlite_magic_and_refuses_other_files(tmp_path: Path) -> None:
    other = tmp_path / "x.bin"
    other.write_bytes(b"hello")
    with translation.override("en"), pytest.raises(backup_service.BackupError,
                                                    match="neither"):
        backup_service.kind_of(other)
    assert os.path.exists(other)
