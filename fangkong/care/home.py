"""Care's panel on the home page: a helper's families, each a tap away from logging."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string


def panel(request: Any) -> str | None:
    from fangkong.care.models import Helper, Pairing

    helper = Helper.objects.filter(user_id=request.user.pk).first()
    if helper is None:
        return None
    mine = (Pairing.objects.active().filter(helper=helper)
            .select_related("worker", "elderly").order_by("pk"))
    return render_to_string("care/_my_families.html", {"mine": mine}, request=request)
