"""Certificates: issued by staff to every trainee who attended, once the session is over;
numbered per session, each with a key for its public verify page."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangkong.core.audit import acting_as
from fangkong.core.roles import Cap
from fangkong.core.scoping import require_capability
from fangkong.core.unique import get_or_create_unique
from fangkong.training.models import Certificate, Enrolment, Session


def certificate_number(session: Session, enrolment: Enrolment, index: int) -> str:
    """``PX-2020-0007-01-012``: year, course, session, the trainee's place in the list."""
    year = timezone.localtime(session.starts_at).year
    return f"PX-{year}-{session.course_id:04d}-{session.number:02d}-{index:03d}"


def issue_certificates(actor: Any, session: Session, now: Any = None) -> int:
    """A certificate for each trainee who attended and has none yet; the count issued
    now (0 on a second run)."""
    require_capability(actor, Cap.EDIT, session.unit_path)
    now = now or timezone.now()
    if now < session.ends_at:
        raise ValidationError({"__all__": [_(
            "Certificates are issued once the session is over.")]})
    attended = list(Enrolment.objects.filter(session=session, attendance__isnull=False)
                    .order_by("pk"))
    issued = 0
    with acting_as(actor), transaction.atomic():
        for index, enrolment in enumerate(attended, start=1):
            _cert, created = get_or_create_unique(
                Certificate.objects, {"enrolment": enrolment}, {
                    "number": certificate_number(session, enrolment, index),
                    "issued_at": now, "issued_by": actor})
            issued += created
    return issued
