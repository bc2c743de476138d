"""The only place checkpoint and screening records change (STYLE.md, habit 3)."""

from fangkong.checkpoints.services.checkpoints import (
    close_checkpoint,
    create_checkpoint,
    edit_checkpoint,
    roster,
    unroster,
)
from fangkong.checkpoints.services.community import (
    add_member,
    dispatch_tip,
    edit_household,
    follow_up_household,
    follow_ups,
    open_follow_up,
    record_inspection,
    record_patrol,
    record_tip,
    record_visit,
    remove_member,
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
    confirm_passage,
    count_confirmed,
    passage_context,
    register_passage,
    reject_passage,
)
from fangkong.checkpoints.services.screening import (
    ScreeningRule,
    change_rule,
    screening_rule,
)

__all__ = [
    "add_member",
    "change_rule",
    "confirm_passage",
    "count_confirmed",
    "close_checkpoint",
    "create_checkpoint",
    "dispatch_tip",
    "edit_checkpoint",
    "edit_household",
    "follow_up_household",
    "follow_ups",
    "open_follow_up",
    "remove_member",
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
