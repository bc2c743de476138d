"""In-app notices to one person (a returned report, a deadline, a reminder …).

A ``Notice`` is addressed to a user, not to a territory: it says what that person has to
do and links to where they do it. Modules create them with
``core.services.notices.notify(user, …)``, which also hands them to the configured sender
(SMS or other). The notice list is /core/notices/; the top bar shows the unread count.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["Notice", "NoticeQuerySet"]


class NoticeQuerySet(models.QuerySet):
    def for_user(self, user):
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(user=user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notice(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="notices", verbose_name=_("to"))
    kind = models.CharField(_("kind"), max_length=40, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What it is about, so the same reminder is never delivered twice ("" = no key).
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # How the sender fared: "" (in-app only), "sent", "failed: …", "logged".
    delivery = models.CharField(_("delivery"), max_length=200, blank=True)

    objects = NoticeQuerySet.as_manager()

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], condition=~models.Q(key=""),
                                    name="notice_unique_key"),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notice_user_unread")]

    def __str__(self) -> str:
        return self.title
