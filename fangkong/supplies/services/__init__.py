"""The only place supplies records change: each service authorises its actor on the
warehouse and writes under ``core.audit.acting_as``; stock moves only through
``ledger.post``."""

from fangkong.supplies.services.ledger import Overdraw, authorise, fmt, may_run
from fangkong.supplies.services.movements import (
    CANCELLABLE,
    Arrival,
    Line,
    adjust,
    cancel,
    issue,
    receive,
    receive_transfer,
    send_transfer,
)
from fangkong.supplies.services.needs import (
    Coverage,
    coverage,
    met,
    post_need,
    record_pledge,
    shortage_board,
)
from fangkong.supplies.services.stores import create_warehouse, save_item, stock_item

__all__ = [
    "CANCELLABLE", "Arrival", "Coverage", "Line", "Overdraw", "adjust", "authorise",
    "cancel", "coverage", "create_warehouse", "fmt", "issue", "may_run", "met",
    "post_need", "receive", "receive_transfer", "record_pledge", "save_item",
    "send_transfer", "shortage_board", "stock_item",
]
