from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry
from fangkong.core.roles import Cap


class CoreConfig(FangkongModule):
    name = "fangkong.core"
    label = "core"
    verbose_name = _("Core")
    audited = (
        ("OrgUnit", {"exclude_fields": ["path", "depth", "numchild"]}),
        "Organisation", "Person", "Grant", "Alert", "Parameter", "ParameterValue",
    )
    nav = (
        NavEntry("home", _("Home"), order=0),
        NavEntry("core:alerts", _("Alerts"), Cap.VIEW, order=70),
        NavEntry("core:people", _("People"), Cap.VIEW, order=80),
        NavEntry("core:units", _("Territory"), Cap.VIEW, order=85),
        NavEntry("core:audit", _("Audit log"), Cap.VIEW_AUDIT, order=95),
    )
    demo_step = "fangkong.demo.core"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from fangkong.core import rules

        super().ready()
        # After migrate and after a test database flush: the declared rules exist.
        post_migrate.connect(rules.sync_declared, sender=self,
                             dispatch_uid="fangkong.core.rules.sync_declared")
