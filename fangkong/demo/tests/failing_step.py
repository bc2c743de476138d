"""A demo step that writes and then fails: the runner must roll its writes back."""

from __future__ import annotations

from fangkong.core.models import Organisation
from fangkong.core.models.territory import OrgKind


def load(ctx) -> str:
    Organisation.objects.create(
        code="half-saved", name="半途而废", kind=OrgKind.SOCIAL, org_unit=ctx.city,
    )
    raise RuntimeError("step failed on purpose")
