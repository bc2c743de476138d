"""The only place checkpoint and screening records change (STYLE.md, habit 3)."""

from fangkong.checkpoints.services.checkpoints import (
    close_checkpoint,
    create_checkpoint,
    roster,
    unroster,
)
from fangkong.checkpoints.services.community import (
    add_member,
    dispatch_tip,
    record_inspection,
    record_patrol,
    record_tip,
    record_visit,
    resolve_tip,
    save_household,
)
from fangkong.checkpoints.services.outsiders import (
    missed_checks,
    record_temperature,
    register_outsider,
    release_outsider,
)
from fangkong.checkpoints.services.passages import (
    authorise_register,
    confirm_passage,
    correct_registry_name,
    count_confirmed,
    passage_context,
    register_passage,
    reject_passage,
    restore_passage,
    set_outcome,
)
from fangkong.checkpoints.services.screening import (
    ScreeningRule,
    change_rule,
    screening_rule,
)

__all__ = [
    "add_member",
    "authorise_register",
    "correct_registry_name",
    "restore_passage",
    "set_outcome",
    "change_rule",
    "confirm_passage",
    "count_confirmed",
    "close_checkpoint",
    "create_checkpoint",
    "dispatch_tip",
    "missed_checks",
    "passage_context",
    "record_inspection",
    "record_patrol",
    "record_temperature",
    "record_tip",
    "record_visit",
    "register_outsider",
    "register_passage",
    "reject_passage",
    "release_outsider",
    "resolve_tip",
    "roster",
    "ScreeningRule",
    "screening_rule",
    "save_household",
    "unroster",
]
