"""Which alerts a checkpoint duty user sees: those raised at its own checkpoints.

A duty grant carries no territorial view (``Role.CHECKPOINT_DUTY`` may only register
passages), so ``Alert.objects.visible_to`` would show it nothing; yet a fever or a flagged
plate at its gate is what it must know about. This hook (declared in
``CheckpointsConfig.alert_visibility``) opens, for ``Cap.VIEW``, the open alerts raised by
passages at the checkpoints the user has a roster entry for, inside its grant's unit.
Closing them stays with the community (``Cap.EDIT``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from fangkong.core.models.accounts import Cap, Role
from fangkong.core.scoping import subtrees_q


def duty_alerts(user: Any, scope: Any, capability: str) -> Q | None:
    if capability != Cap.VIEW:
        return None
    duty_paths = [g.path for g in scope.grants if g.role == Role.CHECKPOINT_DUTY]
    if not duty_paths:
        return None
    from fangkong.checkpoints.models import DutyRoster, Passage

    own = DutyRoster.objects.filter(user_id=user.pk).values("checkpoint_id")
    subjects = (Passage.objects.filter(checkpoint_id__in=own)
                .annotate(subject_key=Concat(Value(f"{Passage._meta.label_lower}:"),
                                             Cast("pk", CharField())))
                .values("subject_key"))
    return Q(status="open", subject__in=subjects) & subtrees_q(duty_paths)
