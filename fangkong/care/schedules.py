"""Care's scheduled work (``CareConfig.schedules``, run by ``fangkong worker``)."""


def overdue_requests() -> str:
    """Open an alert for each help request past its due time. Idempotent: one open alert
    per request."""
    from fangkong.care.services import open_overdue_alerts

    return f"{open_overdue_alerts()} overdue help request(s)"
