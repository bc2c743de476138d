from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "fangkong.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from fangkong.core import audit, indicators

        audit.register_core_models()
        indicators.register()
