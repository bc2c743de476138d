"""A volunteer's own shifts as an iCalendar feed (RFC 5545), written by hand: a feed
of VEVENTs needs escaping, folding and UTC times, not a library."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from fangkong.volunteers.models import Assignment, Status

PRODID = "-//fangkong//volunteers//ZH"


def escape(text: str) -> str:
    """TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and newlines."""
    return (str(text).replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n"))


def fold(line: str) -> str:
    """Lines of at most 75 octets, continued with CRLF and a space (3.1), never
    splitting a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode()
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += b
    out.append(current.decode())
    return "\r\n ".join(out)


def _utc(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(assignments: Iterable[Assignment], *, name: str, host: str,
             now: datetime) -> str:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", f"X-WR-CALNAME:{escape(name)}"]
    for a in assignments:
        shift = a.shift
        lines += [
            "BEGIN:VEVENT",
            f"UID:volunteers-assignment-{a.pk}@{host}",
            f"DTSTAMP:{_utc(now)}",
            f"DTSTART:{_utc(shift.starts_at)}",
            f"DTEND:{_utc(shift.ends_at)}",
            f"SUMMARY:{escape(shift.tasks or shift.site.name)}",
            f"LOCATION:{escape(f'{shift.site.org_unit.name} {shift.site.name}')}",
            f"DESCRIPTION:{escape(shift.requirements)}",
            "STATUS:" + ("CONFIRMED" if a.status == Status.CONFIRMED else "TENTATIVE"),
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
