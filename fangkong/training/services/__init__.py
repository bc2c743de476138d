"""The training rules: every write goes through here and is authorised here, so the
pages, the public pages, the API and the demo cannot differ.

Race safety (docs/decisions/security-races.md): an enrolment locks its session row
(``select_for_update``: PostgreSQL waits; SQLite's IMMEDIATE transactions run writers one
at a time) before it counts the seats taken, and the database refuses a second
enrolment of a person in a session and a second person on a seat; a check-in, feedback
and a certificate are one row per enrolment (one-to-one), created with
``core.unique.get_or_create_unique``.
"""

from __future__ import annotations

from fangkong.training.services.attendance import (
    CheckinClosed,
    check_in,
    check_in_at_door,
    checkin_token,
    checkin_window,
    join_online,
    session_for_token,
)
from fangkong.training.services.certificates import issue_certificates
from fangkong.training.services.courses import (
    add_topic,
    capacity,
    create_course,
    create_session,
    online_places_left,
    save_venue,
    seat_plan,
)
from fangkong.training.services.enrolment import SessionFull, enrol
from fangkong.training.services.feedback import submit_feedback

__all__ = [
    "CheckinClosed",
    "SessionFull",
    "add_topic",
    "capacity",
    "check_in",
    "check_in_at_door",
    "checkin_token",
    "checkin_window",
    "create_course",
    "create_session",
    "enrol",
    "issue_certificates",
    "join_online",
    "online_places_left",
    "save_venue",
    "seat_plan",
    "session_for_token",
    "submit_feedback",
]
