"""Scheduled work (``VolunteersConfig.schedules``): each idempotent."""

from fangkong.volunteers import services


def close_open_checkins() -> int:
    return services.close_left_open()


def understaffed_shifts() -> int:
    return services.warn_understaffed()


def expire_offers() -> int:
    return services.expire_offers()
