"""Task forces, member units and helpers from the pages (issue #13): who may create and
edit, the scope of the pages, bad input (422, nothing saved), a form sent twice, a stale
edit, and removals and deactivations refused while something remains."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fangkong.care import services
from fangkong.care.models import Helper, TaskForce, TaskForceMember
from fangkong.care.services import taskforces as tfs
from fangkong.care.tests.base import CareTestCase
from fangkong.core.models import PiiAccess, Role
from fangkong.core.testing import make_user


class TaskForcePagesTests(CareTestCase):
    def post(self, user: Any, url: str, data: dict[str, Any]) -> Any:
        self.login(user)
        return self.client.post(url, data)

    def new_tf(self, **extra: Any) -> dict[str, Any]:
        return {"client_id": str(uuid.uuid4()), "unit": self.city.code, "name": "帮老扶老专班",
                "organisation": str(self.member_org.pk), "leader": "审计局局长",
                "contact_name": "王联络", "contact_phone": "139 0915 0002", **extra}

    def new_member(self, **extra: Any) -> dict[str, Any]:
        return {"client_id": str(uuid.uuid4()), "organisation": str(self.member_org.pk),
                "leader": "审计局副局长", "contact_name": "小王",
                "contact_phone": "13909150003", **extra}

    def add_sjj(self) -> TaskForceMember:
        return tfs.add_member(self.task_force, self.tf, client_id=uuid.uuid4(),
                              organisation=self.member_org, leader="副局长",
                              contact_name="小王", contact_phone="13909150003")[0]

    # --- creating and editing a task force -------------------------------------------------

    def test_hq_creates_a_task_force_once_per_form(self) -> None:
        self.login(self.hq)
        self.assertEqual(self.client.get("/care/taskforces/new/").status_code, 200)
        data = self.new_tf()
        first = self.client.post("/care/taskforces/new/", data)
        tf = TaskForce.objects.get(name="帮老扶老专班")
        self.assertRedirects(first, f"/care/taskforces/{tf.pk}/")
        self.assertEqual((tf.organisation, tf.org_unit, tf.contact_phone),
                         (self.member_org, self.city, "13909150002"))
        again = self.client.post("/care/taskforces/new/", data)
        self.assertEqual(again.status_code, 302)
        self.assertEqual(TaskForce.objects.filter(name="帮老扶老专班").count(), 1)
        self.assertEqual(again["Location"], first["Location"])

    def test_bad_task_force_input_is_refused_and_nothing_saved(self) -> None:
        before = TaskForce.objects.count()
        for field, value in (("leader", ""), ("contact_phone", "1234567"),
                             ("contact_name", "  ")):
            with self.subTest(field=field):
                response = self.post(self.hq, "/care/taskforces/new/",
                                     self.new_tf(**{field: value}))
                self.assertEqual(response.status_code, 422)
                self.assertIn(field, response.context["form"].errors)
        taken = self.post(self.hq, "/care/taskforces/new/",
                          self.new_tf(name="保障专班", organisation=str(self.task_force_org.pk)))
        self.assertEqual(taken.status_code, 422)
        self.assertIn("保障专班", taken.context["form"].errors["name"][0])
        self.assertEqual(TaskForce.objects.count(), before)

    def test_only_territorial_staff_create_task_forces(self) -> None:
        for user in (self.task_force, self.member_liaison, self.province):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get("/care/taskforces/new/").status_code, 403)
        self.login(self.helper)
        self.assertEqual(self.client.get("/care/taskforces/new/").status_code, 403)

    def test_the_coordinator_edits_and_a_stale_edit_is_refused(self) -> None:
        self.login(self.task_force)
        page = self.client.get(f"/care/taskforces/{self.tf.pk}/edit/")
        self.assertEqual(page.status_code, 200)
        seen = page.context["form"]["seen"].value()
        data = {"name": "保障专班", "leader": "新局长", "contact_name": "联络员",
                "contact_phone": "", "seen": seen}
        self.assertEqual(self.client.post(f"/care/taskforces/{self.tf.pk}/edit/",
                                          data).status_code, 302)
        self.tf.refresh_from_db()
        self.assertEqual(self.tf.leader, "新局长")
        stale = self.client.post(f"/care/taskforces/{self.tf.pk}/edit/",
                                 {**data, "leader": "旧页面的局长"})
        self.assertEqual(stale.status_code, 422)
        self.tf.refresh_from_db()
        self.assertEqual(self.tf.leader, "新局长")
        self.assertEqual(stale.context["form"]["leader"].value(), "新局长")

    def test_an_empty_phone_on_edit_keeps_the_stored_one(self) -> None:
        tfs.update_task_force(self.hq, self.tf, name="保障专班", leader="局长",
                              contact_name="联络员", contact_phone="13909150009")
        tfs.update_task_force(self.hq, self.tf, name="保障专班", leader="局长",
                              contact_name="联络员", contact_phone="")
        self.tf.refresh_from_db()
        self.assertEqual(self.tf.contact_phone, "13909150009")

    # --- scope ---------------------------------------------------------------------------

    def test_who_sees_the_task_force(self) -> None:
        member = self.tf.members.get()
        for user, code in ((self.hq, 200), (self.task_force, 200), (self.member_liaison, 404),
                           (self.county_a, 404), (self.helper, 403)):
            with self.subTest(user=user.username):
                self.login(user)
                self.assertEqual(self.client.get(f"/care/taskforces/{self.tf.pk}/"
                                                 ).status_code, code)
                self.assertEqual(self.client.get(f"/care/members/{member.pk}/").status_code,
                                 code)
                self.assertEqual(self.client.get(
                    f"/care/taskforces/{self.tf.pk}/helpers/new/").status_code, code)
        self.login(self.member_liaison)
        listing = self.client.get("/care/taskforces/")
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, "保障专班")
        self.assertEqual(self.client.get(f"/care/helpers/{self.helper_a.pk}/").status_code, 404)

    def test_the_detail_masks_phones_and_the_reveal_is_logged(self) -> None:
        tfs.update_task_force(self.hq, self.tf, name="保障专班", leader="局长",
                              contact_name="联络员", contact_phone="13909150009")
        self.add_sjj()
        self.login(self.task_force)
        page = self.client.get(f"/care/taskforces/{self.tf.pk}/")
        self.assertNotContains(page, "13909150009")
        self.assertNotContains(page, "13909150003")
        self.assertContains(page, "安康市审计局")
        row = next(m for m in page.context["members"] if m["row"].organisation == self.member_org)
        self.assertEqual((row["helpers"], row["workers"], row["elderly"]), (0, 0, 0))
        rsj = next(m for m in page.context["members"]
                   if m["row"].organisation == self.helper_org)
        self.assertEqual((rsj["helpers"], rsj["workers"]), (2, 2))
        shown = self.client.post(f"/care/taskforces/{self.tf.pk}/reveal/",
                                 {"reason": "联系专班核实名单"})
        self.assertContains(shown, "13909150009")
        self.assertContains(shown, "13909150003")
        self.assertEqual(PiiAccess.objects.filter(action="reveal").count(), 2)
        self.login(self.member_liaison)  # a liaison does not reveal
        self.assertEqual(self.client.post(f"/care/taskforces/{self.tf.pk}/reveal/",
                                          {"reason": "看看"}).status_code, 403)

    # --- member units ----------------------------------------------------------------------

    def test_the_coordinator_adds_a_member_once_and_bad_input_saves_nothing(self) -> None:
        url = f"/care/taskforces/{self.tf.pk}/members/new/"
        for field, value in (("leader", ""), ("contact_phone", "0915-1234567")):
            with self.subTest(field=field):
                bad = self.post(self.task_force, url, self.new_member(**{field: value}))
                self.assertEqual(bad.status_code, 422)
                self.assertIn(field, bad.context["form"].errors)
        self.assertEqual(self.tf.members.count(), 1)
        data = self.new_member()
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(self.tf.members.count(), 2)
        twice = self.client.post(url, self.new_member())
        self.assertEqual(twice.status_code, 422)  # no longer offered
        self.assertEqual(self.tf.members.count(), 2)

    def test_a_liaison_edits_only_its_own_row(self) -> None:
        own = self.add_sjj()
        other = self.tf.members.get(organisation=self.helper_org)
        self.login(self.member_liaison)
        page = self.client.get(f"/care/members/{own.pk}/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "/remove/")
        saved = self.client.post(f"/care/members/{own.pk}/", {
            "leader": "新副局长", "contact_name": "小赵", "contact_phone": "",
            "seen": page.context["form"]["seen"].value()})
        self.assertEqual(saved.status_code, 302)
        own.refresh_from_db()
        self.assertEqual((own.leader, own.contact_name, own.contact_phone),
                         ("新副局长", "小赵", "13909150003"))
        self.assertEqual(self.client.get(f"/care/members/{other.pk}/").status_code, 403)
        self.assertEqual(self.client.post(f"/care/members/{own.pk}/remove/").status_code, 403)
        self.assertEqual(self.client.get(f"/care/taskforces/{self.tf.pk}/members/new/"
                                         ).status_code, 403)
        self.assertEqual(self.client.get(f"/care/taskforces/{self.tf.pk}/edit/").status_code,
                         403)

    def test_removing_a_member_with_remains_is_refused_naming_them(self) -> None:
        rsj = self.tf.members.get(organisation=self.helper_org)
        self.login(self.task_force)
        response = self.client.post(f"/care/members/{rsj.pk}/remove/", follow=True)
        self.assertTrue(TaskForceMember.objects.filter(pk=rsj.pk).exists())
        text = " ".join(str(m) for m in response.context["messages"])
        self.assertIn("2", text)
        refusal = tfs.removal_refusal(rsj)
        self.assertIn(refusal, text)
        with self.settings(LANGUAGE_CODE="en"):
            from django.utils import translation

            with translation.override("en"):
                self.assertIn("2 helpers", tfs.removal_refusal(rsj))
                self.assertIn("2 frontline medical workers", tfs.removal_refusal(rsj))
        sjj = self.add_sjj()
        self.assertEqual(self.client.post(f"/care/members/{sjj.pk}/remove/").status_code, 302)
        self.assertFalse(TaskForceMember.objects.filter(pk=sjj.pk).exists())

    # --- helpers ---------------------------------------------------------------------------

    def new_helper(self, **extra: Any) -> dict[str, Any]:
        return {"client_id": str(uuid.uuid4()), "name": "赵敏", "phone": "13909150004",
                "organisation": str(self.helper_org.pk), "user": "", **extra}

    def test_the_coordinator_registers_a_helper_numbered_once(self) -> None:
        url = f"/care/taskforces/{self.tf.pk}/helpers/new/"
        account = make_user("helper02", Role.HELPER, self.city, organisation=self.helper_org)
        data = self.new_helper(user=str(account.pk))
        self.assertEqual(self.post(self.task_force, url, data).status_code, 302)
        self.assertEqual(self.client.post(url, data).status_code, 302)
        helper = Helper.objects.get(name="赵敏")
        self.assertEqual((helper.code, helper.organisation, helper.phone, helper.user),
                         ("BF0003", self.helper_org, "13909150004", account))
        for field, value in (("name", ""), ("phone", "12345678901"),
                             ("user", str(self.helper.pk))):
            with self.subTest(field=field):
                bad = self.client.post(url, self.new_helper(**{field: value}))
                self.assertEqual(bad.status_code, 422)
                self.assertIn(field, bad.context["form"].errors)
        self.assertEqual(Helper.objects.filter(task_force=self.tf).count(), 3)

    def test_a_liaison_registers_helpers_of_its_own_unit_only(self) -> None:
        self.add_sjj()
        url = f"/care/taskforces/{self.tf.pk}/helpers/new/"
        refused = self.post(self.member_liaison, url, self.new_helper())
        self.assertEqual(refused.status_code, 422)
        self.assertIn("organisation", refused.context["form"].errors)
        ok = self.client.post(url, self.new_helper(organisation=str(self.member_org.pk)))
        self.assertEqual(ok.status_code, 302)
        mine = Helper.objects.get(name="赵敏")
        self.assertEqual(mine.organisation, self.member_org)
        self.assertEqual(self.client.get(f"/care/helpers/{mine.pk}/").status_code, 200)
        self.assertEqual(self.client.get(f"/care/helpers/{self.helper_a.pk}/").status_code, 404)

    def test_a_helper_with_families_is_not_deactivated(self) -> None:
        self.login(self.task_force)
        url = f"/care/helpers/{self.helper_a.pk}/"
        page = self.client.get(url)
        data = {"name": "杨帆", "phone": "", "organisation": str(self.helper_org.pk),
                "user": str(self.helper.pk), "seen": page.context["form"]["seen"].value()}
        refused = self.client.post(url, data)  # is_active unticked
        self.assertEqual(refused.status_code, 422)
        self.assertIn("is_active", refused.context["form"].errors)
        self.helper_a.refresh_from_db()
        self.assertTrue(self.helper_a.is_active)
        pairing = self.worker_a.pairings.get()
        services.unpair(self.hq, pairing, ended_on=date(2020, 3, 1), reason="调整")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.helper_a.refresh_from_db()
        self.assertFalse(self.helper_a.is_active)
        from django.core.exceptions import ValidationError

        with self.assertRaises(ValidationError):
            services.pair(self.hq, self.helper_a, worker=self.worker_a,
                          started_on=date(2020, 3, 2))

    def test_the_care_pages_link_to_the_task_forces_for_those_it_serves(self) -> None:
        self.login(self.task_force)
        self.assertContains(self.client.get("/care/workers/"), "/care/taskforces/")
        self.login(self.helper)
        self.assertNotContains(self.client.get("/care/"), "/care/taskforces/")

    # --- API -------------------------------------------------------------------------------

    def test_the_api_reads_task_forces_in_the_pages_scope(self) -> None:
        tfs.update_task_force(self.hq, self.tf, name="保障专班", leader="局长",
                              contact_name="联络员", contact_phone="13909150009")
        self.login(self.task_force)
        listing = self.client.get("/api/v1/care/taskforces").json()
        self.assertEqual(listing["count"], 1)
        self.assertEqual(listing["results"][0]["contact_phone"], "139****0009")
        one = self.client.get(f"/api/v1/care/taskforces/{self.tf.pk}").json()
        self.assertEqual([(m["organisation"], m["helpers"], m["workers"]) for m in
                          one["members"]], [("rsj", 2, 2)])
        self.login(self.member_liaison)
        self.assertEqual(self.client.get("/api/v1/care/taskforces").json()["count"], 0)
        self.assertEqual(self.client.get(f"/api/v1/care/taskforces/{self.tf.pk}"
                                         ).status_code, 404)
        self.login(self.helper)
        self.assertEqual(self.client.get("/api/v1/care/taskforces").status_code, 403)
