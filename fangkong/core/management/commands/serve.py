"""``fangkong serve --port N``: the production WSGI server (gunicorn) for any database."""

from __future__ import annotations

import os
import shutil
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve fangkong with gunicorn (production server)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", 0)))
        parser.add_argument("--threads", type=int, default=1)

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
        os.execv(gunicorn, argv)
