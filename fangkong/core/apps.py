from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry, Schedule
from fangkong.core.roles import Cap


class CoreConfig(FangkongModule):
    name = "fangkong.core"
    label = "core"
    verbose_name = _("Core")
    audited = (
        ("OrgUnit", {"exclude_fields": ["path", "depth", "numchild"]}),
        "Organisation", "Person", "PersonRegistration", "Grant", "Alert", "Parameter",
        "ParameterValue", ("Notice", {"exclude_fields": ["read_at", "delivery"]}),
    )
    nav = (
        NavEntry("home", _("Home"), order=0),
        NavEntry("core:alerts", _("Alerts"), Cap.VIEW, order=70),
        NavEntry("core:people", _("People"), Cap.VIEW, order=80),
        NavEntry("core:units", _("Territory"), Cap.VIEW, order=85),
        NavEntry("core:jobs", _("My exports"), Cap.VIEW, order=90),
        NavEntry("core:audit", _("Audit log"), Cap.VIEW_AUDIT, order=95),
    )
    demo_step = "fangkong.demo.core"
    schedules = (
        Schedule("core.reap_jobs", "fangkong.core.jobs.services.reap",
                 every=timedelta(minutes=1), label=_("Jobs whose worker died")),
        Schedule("core.expire_exports", "fangkong.core.jobs.services.expire_files",
                 every=timedelta(minutes=15), label=_("Expiry of old export files")),
        Schedule("core.prune_schedule", "fangkong.core.jobs.scheduler.prune",
                 every=timedelta(days=1), label=_("Forget old scheduled runs")),
    )

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save
        from django.urls import register_converter
        from django.urls.converters import get_converters

        from fangkong.core import rules
        from fangkong.core.converters import IdConverter
        from fangkong.core.models.rules import Parameter, ParameterValue

        super().ready()
        # SQLite: write transactions wait for the write lock fairly (core/sqlite_lock.py).
        from django.db.backends.signals import connection_created

        from fangkong.core.sqlite_lock import install
        connection_created.connect(install, dispatch_uid="fangkong.sqlite_fair_begin")
        # ``<id:pk>`` in every urls.py: a record's id, 1 to a bigint (core/converters.py).
        if "id" not in get_converters():
            register_converter(IdConverter, "id")
        from fangkong.core import people_io  # noqa: F401  declares the people export/import
        # After migrate and after a test database flush: the declared rules exist.
        post_migrate.connect(rules.sync_declared, sender=self,
                             dispatch_uid="fangkong.core.rules.sync_declared")
        # Any change of a rule clears the cache of ``values_on`` in this process at once.
        for model in (Parameter, ParameterValue):
            for name, signal in (("save", post_save), ("delete", post_delete)):
                signal.connect(rules.rules_changed, sender=model,
                               dispatch_uid=f"fangkong.core.rules.{model.__name__}.{name}")
