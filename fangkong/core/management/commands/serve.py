"""``fangkong serve --port N``: the production WSGI server (gunicorn) for any database.

Without a worker by default (production runs ``fangkong worker`` as its own processes);
``--with-worker`` starts one worker beside the server and stops both on Ctrl-C or
SIGTERM (``make demo``)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve fangkong with gunicorn (production server)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 0)))
        parser.add_argument("--threads", type=int, default=1)
        parser.add_argument("--with-worker", action="store_true",
                            help="Also run one background worker; Ctrl-C stops both.")

    def handle(self, *args, **opts) -> None:
        workers = opts["workers"] or (os.cpu_count() or 1) * 2 + 1
        gunicorn = shutil.which("gunicorn", path=os.path.dirname(sys.executable)) or shutil.which(
            "gunicorn"
        )
        if not gunicorn:
            self.stderr.write("gunicorn is not installed")
            sys.exit(1)
        argv = [
            gunicorn, "fangkong.wsgi:application",
            "--bind", f"{opts['host']}:{opts['port']}",
            "--workers", str(workers), "--threads", str(opts["threads"]),
            "--access-logfile", "-", "--timeout", "60", "--graceful-timeout", "20",
        ]
        self.stdout.write(f"fangkong: serving at http://{opts['host']}:{opts['port']}/ "
                          f"({workers} workers)")
        self.stdout.flush()
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fangkong.settings")
        if not opts["with_worker"]:
            os.execv(gunicorn, argv)
        self._with_worker(argv)

    def _with_worker(self, argv: list[str]) -> None:
        """gunicorn and one worker as children; the first to end, Ctrl-C or SIGTERM stops
        both (SIGTERM, then SIGKILL after 10 s)."""
        worker = subprocess.Popen([sys.executable, "-m", "fangkong.cli", "worker"])
        server = subprocess.Popen(argv)
        self.stdout.write(f"fangkong: worker pid {worker.pid}, server pid {server.pid}; "
                          "Ctrl-C stops both")
        self.stdout.flush()

        def stop(signum: int, frame: object) -> None:
            raise KeyboardInterrupt

        # SIGINT too: a process started in the background by a non-interactive shell
        # inherits SIGINT ignored, and Python then leaves it so (Ctrl-C would do nothing).
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            while worker.poll() is None and server.poll() is None:
                try:
                    server.wait(timeout=1)
                except subprocess.TimeoutExpired:
                    pass
        except KeyboardInterrupt:
            pass
        finally:
            for child in (server, worker):
                if child.poll() is None:
                    child.terminate()
            for child in (server, worker):
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait()
