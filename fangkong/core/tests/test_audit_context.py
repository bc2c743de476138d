"""The audit middleware names the request's user and address on every entry, also after
a service named another actor (``acting_as``)."""

from auditlog.context import auditlog_value
from auditlog.models import LogEntry
from django.db.models.signals import pre_save
from django.http import HttpResponse
from django.test import RequestFactory

from fangkong.core.audit import acting_as
from fangkong.core.middleware import AuditlogMiddleware
from fangkong.core.models import OrgUnit
from fangkong.core.testing import FangkongTestCase, make_user


class AuditContextTestCase(FangkongTestCase):
    def test_entries_name_the_request_user_before_and_after_another_actor(self) -> None:
        root = OrgUnit.objects.order_by("path").first()
        other = make_user("someone-else")
        receivers = len(pre_save.receivers)
        names = iter(["甲", "乙", "丙"])

        def view(request):
            def touch():
                unit = OrgUnit.objects.get(pk=root.pk)
                unit.name = next(names)
                unit.save()
            touch()
            with acting_as(other):
                touch()
            touch()
            return HttpResponse("ok")

        request = RequestFactory().post("/", REMOTE_ADDR="10.9.8.7")
        request.user = self.hq
        self.assertEqual(AuditlogMiddleware(view)(request).status_code, 200)
        entries = list(LogEntry.objects.get_for_object(root).filter(
            action=LogEntry.Action.UPDATE).order_by("pk"))
        self.assertEqual([(e.actor, e.remote_addr) for e in entries], [
            (self.hq, "10.9.8.7"), (other, "10.9.8.7"), (self.hq, "10.9.8.7")])
        self.assertEqual(len(pre_save.receivers), receivers)  # none left connected

    def test_acting_as_outside_a_request_leaves_no_context_behind(self) -> None:
        token = auditlog_value.set(None)
        try:
            with acting_as(self.hq):
                self.assertEqual(auditlog_value.get()["actor"], self.hq)
            self.assertIsNone(auditlog_value.get(None))
        finally:
            auditlog_value.reset(token)
