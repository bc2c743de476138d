"""A person's page: masked by default; revealing needs a reason and is logged."""

from __future__ import annotations

from fangkong.core import pii
from fangkong.core.audit import acting_as
from fangkong.core.models import PiiAccess
from fangkong.core.testing import FangkongTestCase, make_person


class PersonPageTests(FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.person = make_person(cls.community_a_unit, name="王芳", phone="13912345678",
                                 address="文昌路18号3单元")

    def url(self, suffix: str = "") -> str:
        return f"/core/people/{self.person.pk}/{suffix}"

    def test_it_shows_personal_data_masked(self) -> None:
        self.login(self.community_a)
        response = self.client.get(self.url())
        self.assertContains(response, "王芳")
        self.assertContains(response, pii.value(self.person, "id_number"))
        self.assertContains(response, "139****5678")
        self.assertNotContains(response, self.person.id_number)
        self.assertNotContains(response, "13912345678")
        self.assertNotContains(response, "文昌路18号3单元")
        self.assertContains(response, "查看完整信息")

    def test_it_offers_no_reveal_to_a_read_only_viewer(self) -> None:
        self.login(self.province)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, 'name="reason"')
        self.assertContains(response, "您的角色无权查看完整信息")

    def test_it_answers_404_for_a_person_out_of_scope(self) -> None:
        self.login(self.community_b)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_it_reveals_with_a_reason_and_logs_it(self) -> None:
        self.login(self.community_a)
        response = self.client.post(self.url("reveal"), {"reason": "发热预警电话回访"},
                                    HTTP_HX_REQUEST="true")
        self.assertContains(response, self.person.id_number)
        self.assertContains(response, "13912345678")
        self.assertContains(response, "文昌路18号3单元")
        self.assertTemplateNotUsed(response, "base.html")
        access = PiiAccess.objects.get()
        self.assertEqual(
            (access.actor, access.action, access.subject_id, access.reason),
            (self.community_a, "reveal", str(self.person.pk), "发热预警电话回访"),
        )
        self.assertEqual(access.fields, "id_number,phone,address")

    def test_it_reveals_on_the_full_page_without_javascript(self) -> None:
        self.login(self.community_a)
        response = self.client.post(self.url("reveal"), {"reason": "发热预警电话回访"})
        self.assertContains(response, self.person.id_number)
        self.assertTemplateUsed(response, "base.html")
        self.assertEqual(PiiAccess.objects.count(), 1)

    def test_it_wants_a_reason_and_logs_the_refusal_showing_nothing(self) -> None:
        self.login(self.community_a)
        for reason in ("", "  ", "x"):
            with self.subTest(reason=reason):
                response = self.client.post(self.url("reveal"), {"reason": reason},
                                            HTTP_HX_REQUEST="true")
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'class="field-error"')
                self.assertNotContains(response, self.person.id_number)
        # Each refusal is logged; nothing was shown.
        self.assertEqual(list(PiiAccess.objects.values_list("refused", flat=True)),
                         ["reason"] * 3)

    def test_it_refuses_reveal_to_a_viewer_without_the_capability(self) -> None:
        self.login(self.province)
        response = self.client.post(self.url("reveal"), {"reason": "省专班核查"})
        self.assertEqual(response.status_code, 403)
        log = PiiAccess.objects.get()
        self.assertEqual((log.actor, log.action, log.refused, log.subject_id),
                         (self.province, "reveal", "permission", str(self.person.pk)))

    def test_it_answers_404_to_a_reveal_out_of_scope(self) -> None:
        self.login(self.county_b)
        response = self.client.post(self.url("reveal"), {"reason": "核查"})
        self.assertEqual(response.status_code, 404)
        log = PiiAccess.objects.get()  # the attempt is logged, naming only the id asked for
        self.assertEqual((log.actor, log.refused, log.subject_id, log.subject_label, log.reason),
                         (self.county_b, "scope", str(self.person.pk), "", "核查"))

    def test_it_refuses_a_reveal_by_get(self) -> None:
        self.login(self.community_a)
        self.assertEqual(self.client.get(self.url("reveal")).status_code, 405)

    def test_it_shows_the_change_history_without_personal_data(self) -> None:
        with acting_as(self.county_a):
            self.person.phone = "13787654321"
            self.person.notes = "已电话回访"
            self.person.save()
        self.login(self.community_a)
        response = self.client.get(self.url())
        self.assertContains(response, "修改")
        self.assertContains(response, "已电话回访")
        self.assertContains(response, "hanbin")
        self.assertContains(response, "（个人信息，不予显示）")
        self.assertNotContains(response, "87654321")
        self.assertNotContains(response, "345678")
