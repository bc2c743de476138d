"""Checkpoints and community screening: the models, one module per register."""

from fangkong.checkpoints.models.checkpoints import (
    Checkpoint,
    CheckpointKind,
    CheckpointQuerySet,
    DutyRoster,
)
from fangkong.checkpoints.models.community import (
    Household,
    HouseholdMember,
    Inspection,
    InspectionKind,
    PatrolLog,
    Relation,
    ScreeningVisit,
    Tip,
    TipCategory,
    TipChannel,
    TipStatus,
    VenueType,
)
from fangkong.checkpoints.models.outsiders import (
    OBSERVATION_DAYS,
    Outsider,
    OutsiderStatus,
    Slot,
    TemperatureCheck,
)
from fangkong.checkpoints.models.passages import (
    Channel,
    Direction,
    Passage,
    PassageDaily,
    PassageOutcome,
    PassageStatus,
)

__all__ = [
    "OBSERVATION_DAYS",
    "Channel",
    "Checkpoint",
    "CheckpointKind",
    "CheckpointQuerySet",
    "Direction",
    "DutyRoster",
    "Household",
    "HouseholdMember",
    "Inspection",
    "InspectionKind",
    "Outsider",
    "OutsiderStatus",
    "Passage",
    "PassageDaily",
    "PassageOutcome",
    "PassageStatus",
    "PatrolLog",
    "Relation",
    "ScreeningVisit",
    "Slot",
    "TemperatureCheck",
    "Tip",
    "TipCategory",
    "TipChannel",
    "TipStatus",
    "VenueType",
]
