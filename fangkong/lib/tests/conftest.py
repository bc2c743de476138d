"""Let ``fangkong/lib`` tests run before the project's settings exist or without them
(``pytest fangkong/lib -p no:django``): Django is configured with an in-memory SQLite DB.

Under pytest-django (the normal run, ``DJANGO_SETTINGS_MODULE=fangkong.settings``) this is a
no-op: pytest-django owns settings, the test database and the ``django_db`` marker.
"""

from __future__ import annotations

import os

import django
import pytest
from django.conf import settings


@pytest.hookimpl(tryfirst=True)  # before any other conftest touches django.conf.settings
def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("django"):
        return
    # Without pytest-django the marker is inert; declare it so --strict-markers accepts it.
    config.addinivalue_line("markers", "django_db: needs the database (pytest-django)")
    if not settings.configured and not os.environ.get("DJANGO_SETTINGS_MODULE"):
        settings.configure(
            DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}},
            INSTALLED_APPS=[],
            SECRET_KEY="fangkong-lib-tests-only",
            USE_I18N=True,
            USE_TZ=True,
            TIME_ZONE="Asia/Shanghai",
            LANGUAGE_CODE="zh-hans",
            LANGUAGES=[("zh-hans", "Simplified Chinese"), ("en", "English")],
        )
    django.setup()
