"""``fangkong serve --with-worker`` (what ``make demo`` runs): the server and one worker,
both stopped by Ctrl-C."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

import pytest
from django.test import TransactionTestCase

from fangkong.core.tests.jobs_helpers import worker_env


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True,
                         text=True).stdout
    return [int(p) for p in out.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.race
class ServeWithWorkerTests(TransactionTestCase):
    def test_it_starts_the_server_and_a_worker_and_ctrl_c_stops_both(self) -> None:
        port = free_port()
        proc = subprocess.Popen(
            [sys.executable, "-m", "fangkong.cli", "serve", "--port", str(port),
             "--workers", "1", "--with-worker"], env=worker_env(),
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    time.sleep(0.2)
            kids = children(proc.pid)
            self.assertEqual(len(kids), 2)  # gunicorn's master and the worker
            proc.send_signal(signal.SIGINT)
            self.assertEqual(proc.wait(timeout=30), 0)
            time.sleep(0.5)
            self.assertEqual([k for k in kids if alive(k)], [])
        finally:
            if proc.poll() is None:
                proc.kill()
