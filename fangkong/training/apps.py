from django.utils.translation import gettext_lazy as _

from fangkong.core.modules import FangkongModule
from fangkong.core.registries import NavEntry
from fangkong.core.roles import Cap


class TrainingConfig(FangkongModule):
    name = "fangkong.training"
    label = "training"
    verbose_name = _("Training")
    audited = ("Venue", "Course", "Session", "Topic", "Business", "Enrolment", "Attendance",
               "Feedback", "Certificate")
    nav = (NavEntry("training:index", _("Training"), Cap.VIEW, order=70),)
    demo_step = "fangkong.demo.training"
