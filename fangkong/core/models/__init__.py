"""Core models: territory, organisations, people, accounts and grants, audit, registries."""

from fangkong.core.models.accounts import ApiToken, Grant, Role
from fangkong.core.models.alerts import Alert
from fangkong.core.models.audit import PiiAccess, PiiAccessPerson
from fangkong.core.models.jobs import Job, JobState, ScheduledRun
from fangkong.core.models.notices import Notice
from fangkong.core.models.people import Person, PersonRecord, PersonRegistration
from fangkong.core.models.ratelimit import RateCounter
from fangkong.core.models.rules import Parameter, ParameterValue
from fangkong.core.models.scoped import KeyConflict, KeyedModel, ScopedModel, ScopedQuerySet
from fangkong.core.models.territory import Level, Organisation, OrgKind, OrgUnit

__all__ = [
    "Alert",
    "ApiToken",
    "Grant",
    "Job",
    "JobState",
    "KeyConflict",
    "KeyedModel",
    "Level",
    "Notice",
    "OrgKind",
    "OrgUnit",
    "Organisation",
    "Parameter",
    "ParameterValue",
    "Person",
    "PersonRecord",
    "PersonRegistration",
    "PiiAccess",
    "PiiAccessPerson",
    "RateCounter",
    "Role",
    "ScheduledRun",
    "ScopedModel",
    "ScopedQuerySet",
]
