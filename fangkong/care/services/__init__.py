"""The rules of one-to-one support: every write, authorised here, audited, in one
transaction. Views, the API, imports and the demo call these."""

from fangkong.care.services.families import (
    add_family_member,
    register_elderly,
    register_worker,
    save_helper,
    save_task_force,
)
from fangkong.care.services.pairing import pair, unpair
from fangkong.care.services.records import (
    cancel_request,
    fulfil_request,
    grant_benefit,
    log_service,
    open_overdue_alerts,
    pay,
    record_visit,
    request_help,
)
from fangkong.care.services.totals import Totals, totals

__all__ = [
    "Totals", "add_family_member", "cancel_request", "fulfil_request", "grant_benefit",
    "log_service", "open_overdue_alerts", "pair", "pay", "record_visit", "register_elderly",
    "register_worker", "request_help", "save_helper", "save_task_force", "totals", "unpair",
]
