from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fangkong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from fangkong.core import audit, indicators, rules

        audit.register_core_models()
        indicators.register()
        # After migrate and after a test database flush: the declared rules exist.
        post_migrate.connect(rules.sync_declared, sender=self,
                             dispatch_uid="fangkong.core.rules.sync_declared")
