"""The submission key of records that also come without a form."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def submission_key() -> models.UUIDField:
    """``client_id`` (``KeyedModel``) of a record that imports and the demo also create
    without a form: they get a key of their own; the forms send theirs
    (``core.forms.KeyedForm``), so a form sent twice creates the record once."""
    return models.UUIDField(_("submission key"), unique=True, default=uuid.uuid4,
                            editable=False)
