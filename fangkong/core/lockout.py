"""Login throttling on django-axes (docs/decisions/security-logins.md).

Two counters over the same failed-login records, each within the cool-off window:

- per account, from any address: ``AXES_FAILURE_LIMIT`` (``FANGKONG_LOGIN_FAILURE_LIMIT``,
  5) failures lock the account: guessing one password from many addresses;
- per address, for any accounts: ``FANGKONG_LOGIN_ADDRESS_FAILURE_LIMIT`` (20) failures
  lock the address: one password tried on many accounts (password spraying). Higher than
  the account limit because an office's staff share one address behind its NAT.

A lock ends by itself ``FANGKONG_LOGIN_COOLOFF_MINUTES`` after the last counted failure;
failures made while locked are not counted (``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT``
off), so an attacker who keeps trying cannot keep a real user out for good. Staff unlock
at once with ``fangkong axes_reset_username <name>`` / ``axes_reset_ip <address>`` or in
the admin (Axes › Access attempts). The login page and ``POST /api/v1/auth/token`` both go
through ``authenticate()`` and so through the same counters.
"""

from __future__ import annotations

from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and a (higher) one per address.

    axes compares one number with one limit; ``get_failures`` answers the account's
    failures, or the address's scaled onto the account limit, whichever locks first:
    ``address * account_limit // address_limit`` reaches ``account_limit`` exactly when
    the address reaches its own limit."""

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        by_account, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit, address_limit = settings.AXES_FAILURE_LIMIT, settings.LOGIN_ADDRESS_FAILURE_LIMIT
        return max(by_account, by_address * limit // address_limit)

    def reset_user_attempts(self, request: HttpRequest, credentials: dict | None = None) -> int:
        """On a successful login, forget the account's own failures only. axes would also
        forget every failure from the address: one account of their own would let a
        password sprayer clear the address's count."""
        account = self.filter_user_attempts(request, credentials)[0]
        count, _ = account.delete()
        return count


def lockout_message() -> str:
    """What a locked-out user reads, on the login page and from the token endpoint."""
    minutes = max(1, round(settings.AXES_COOLOFF_TIME * 60)) if settings.AXES_COOLOFF_TIME else 0
    if not minutes:
        return _("Too many failed login attempts. Ask your administrator to unlock the account.")
    return _(
        "Too many failed login attempts. Try again in %(minutes)d minutes, or ask your "
        "administrator to unlock the account."
    ) % {"minutes": minutes}


def lockout_response(request: HttpRequest, original_response: Any = None,
                     credentials: dict | None = None) -> HttpResponse:
    """``AXES_LOCKOUT_CALLABLE``: the Chinese page with the configured cool-off (axes'
    own template context has no minutes to show)."""
    return render(request, "registration/locked_out.html", {"message": lockout_message()},
                  status=429)
