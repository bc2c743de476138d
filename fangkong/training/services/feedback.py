"""Feedback: one per trainee who attended, once the session is over."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.unique import get_or_create_unique
from fangkong.training.models import Attendance, Enrolment, Feedback, Topic


def submit_feedback(enrolment: Enrolment, *, rating: Any, useful_topic: Topic | None = None,
                    comment: str = "", now: datetime | None = None) -> tuple[Feedback, bool]:
    """The trainee's own feedback (from their trainee page); the first one stands."""
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    try:
        rating = int(rating)
    except (TypeError, ValueError):
        rating = 0
    if not 1 <= rating <= 5:
        errors["rating"] = [_("Give 1 to 5 stars.")]
    if useful_topic is not None and useful_topic.session_id != enrolment.session_id:
        errors["useful_topic"] = [_("Choose a topic of this session.")]
    if now < enrolment.session.ends_at:
        errors["__all__"] = [_("Feedback opens when the session is over.")]
    elif not Attendance.objects.filter(enrolment=enrolment).exists():
        errors["__all__"] = [_("Feedback is for trainees who attended the session.")]
    if errors:
        raise ValidationError(errors)
    return get_or_create_unique(Feedback.objects, {"enrolment": enrolment}, {
        "rating": rating, "useful_topic": useful_topic,
        "comment": str(comment or "").strip()[:500], "submitted_at": now})
