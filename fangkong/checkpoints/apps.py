from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "fangkong.checkpoints"
    label = "checkpoints"
    verbose_name = _("Checkpoints and community screening")

    def ready(self) -> None:
        from fangkong.checkpoints import indicators, models
        from fangkong.checkpoints.services import screening  # noqa: F401 (declares rules)
        from fangkong.core import audit
        from fangkong.core.context_processors import register_nav
        from fangkong.core.models.accounts import Cap, Role

        for model in (
            models.Checkpoint, models.DutyRoster,
            models.TemperatureCheck, models.Household, models.ScreeningVisit,
            models.Inspection, models.PatrolLog, models.HouseholdMember, models.Passage,
        ):
            audit.register(model)
        audit.register(models.Outsider, pii_fields=["host_address"])
        audit.register(models.Tip, pii_fields=["caller_phone"])
        indicators.register()
        register_nav("checkpoints:duty", _("Checkpoint duty"), Cap.REGISTER_PASSAGE,
                     roles=(Role.CHECKPOINT_DUTY,), order=10)
        register_nav("checkpoints:index", _("Checkpoints"), Cap.VIEW, order=30)
        register_nav("checkpoints:community", _("Community screening"), Cap.VIEW, order=31)
