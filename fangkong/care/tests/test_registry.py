"""The register's pages (issue #13): one worker, family member or elderly resident at a
time. Registered and corrected by the task force; out of scope answers 404 (another
task force's liaison, a helper on another family), a helper's own family 403; bad input
422 with the message under its field and nothing saved; the same form sent twice
registers once, the same person twice is refused with a link to the record; a stale
correction is refused."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from auditlog.models import LogEntry
from django.utils import timezone

from fangkong.care import services
from fangkong.care.models import Elderly, FamilyMember, MedicalWorker
from fangkong.care.services import registry
from fangkong.care.tests.base import CareTestCase, person
from fangkong.core.models import Person
from fangkong.lib.identity import make_id_number

ID_NEW = make_id_number("610902", date(1979, 4, 12), 321)
#: An ID number of 1950 (an older number python-stdnum's cn.ric refuses) is valid here.
ID_OLD = make_id_number("610902", date(1950, 6, 1), 17)


def bad_check_digit(number: str) -> str:
    return number[:-1] + ("1" if number[-1] != "1" else "2")


def field_errors(response: Any, field: str) -> str:
    """The text of the error messages rendered under ``field``."""
    html = response.content.decode()
    block = re.search(r'<div class="field has-error[^"]*">(?:(?!<div class="field[ "]).)*?'
                      rf'id="id_{field}".*?(?=<div class="field[ "]|</fieldset>|<button)',
                      html, re.S)
    if block is None:
        return ""
    return " ".join(re.findall(r'<div class="field-error" role="alert">(.*?)</div>',
                               block.group(0)))


class RegistryCase(CareTestCase):
    def worker_post(self, **over: Any) -> dict[str, str]:
        data = {"client_id": str(uuid.uuid4()), "task_force": str(self.tf.pk),
                "id_number": ID_NEW, "name": "周医生", "phone": "13912340001",
                "member_unit": str(self.helper_org.pk), "home": self.town_a.code,
                "hospital": "安康市中心医院", "department": "呼吸科",
                "deployment": "hubei", "deployed_from": "2020-02-09",
                "deployed_until": "", "unit_contact": "李联络",
                "unit_contact_phone": "13912340002", "registered_on": "2020-02-10"}
        data.update(over)
        return data


class WorkerRegistrationTests(RegistryCase):
    def test_the_coordinator_registers_a_worker_once_per_form(self) -> None:
        self.login(self.task_force)
        page = self.client.get("/care/workers/")
        self.assertContains(page, "/care/workers/new/")
        self.assertEqual(self.client.get("/care/workers/new/").status_code, 200)
        data = self.worker_post(id_number=ID_OLD)
        first = self.client.post("/care/workers/new/", data)
        worker = MedicalWorker.objects.get(person__id_number=ID_OLD)
        self.assertRedirects(first, f"/care/workers/{worker.pk}/", fetch_redirect_response=False)
        self.assertEqual((worker.number, worker.deployment, worker.unit_contact, worker.org_unit),
                         ("YH0003", "hubei", "李联络", self.town_a))
        self.assertEqual((worker.name, worker.phone), ("周医生", "13912340001"))
        self.assertEqual(Person.objects.get(id_number=ID_OLD).name, "周医生")
        again = self.client.post("/care/workers/new/", data)  # back, and send again
        self.assertEqual(again["Location"], first["Location"])
        self.assertEqual(MedicalWorker.objects.filter(person__id_number=ID_OLD).count(), 1)

    def test_the_same_person_again_is_refused_with_a_link_to_the_record(self) -> None:
        self.login(self.task_force)
        self.client.post("/care/workers/new/", self.worker_post())
        worker = MedicalWorker.objects.get(person__id_number=ID_NEW)
        second = self.client.post("/care/workers/new/", self.worker_post(number="YH99"))
        self.assertEqual(second.status_code, 422)
        self.assertIn(worker.number, field_errors(second, "id_number"))
        self.assertContains(second, f'href="/care/workers/{worker.pk}/"', status_code=422)
        self.assertEqual(MedicalWorker.objects.filter(person__id_number=ID_NEW).count(), 1)

    def test_an_existing_registry_person_is_linked_not_changed(self) -> None:
        known = person("王芳")
        services.register_worker(self.hq, self.tf, self.community_a_unit, number="YH50",
                                 person=known, member_unit=self.helper_org,
                                 hospital="中医医院", registered_on=date(2020, 2, 1))
        other = self._second_task_force()
        self.login(self.hq)
        self.client.post("/care/workers/new/", self.worker_post(
            task_force=str(other.pk), member_unit=str(self.member_org.pk),
            id_number=known.id_number, name="王 芳", phone="13900000000"))
        worker = MedicalWorker.objects.get(task_force=other)
        self.assertEqual(worker.person.id_number, known.id_number)
        self.assertEqual(worker.name, "王 芳")
        self.assertEqual(Person.objects.get(id_number=known.id_number).name, "王芳")

    def _second_task_force(self) -> Any:
        tf, _c = services.save_task_force(
            self.hq, self.city, name="二号专班", organisation=self.member_org, leader="局长",
            contact_name="联络员", members=[{"organisation": self.member_org}])
        return tf

    def test_bad_input_is_answered_422_under_each_field_and_nothing_is_saved(self) -> None:
        self.login(self.task_force)
        future = (timezone.localdate() + timedelta(days=3)).isoformat()
        for over, field, words in (
                ({"id_number": bad_check_digit(ID_NEW)}, "id_number", "校验"),
                ({"unit_contact": ""}, "unit_contact", "援鄂"),
                ({"deployed_from": "2020-02-20", "deployed_until": "2020-02-10"},
                 "deployed_until", "返回"),
                ({"registered_on": future}, "registered_on", "今天"),
                ({"phone": "1391234"}, "phone", "手机"),
                ({"hospital": ""}, "hospital", ""),
        ):
            with self.subTest(field=field):
                answer = self.client.post("/care/workers/new/", self.worker_post(**over))
                self.assertEqual(answer.status_code, 422)
                under = field_errors(answer, field)
                self.assertTrue(under, f"no message under {field}")
                self.assertIn(words, under)
        self.assertFalse(MedicalWorker.objects.filter(person__id_number=ID_NEW).exists())
        self.assertFalse(Person.objects.filter(id_number=ID_NEW).exists())

    def test_every_message_at_once(self) -> None:
        self.login(self.task_force)
        answer = self.client.post("/care/workers/new/", self.worker_post(
            id_number=bad_check_digit(ID_NEW), unit_contact="", deployed_from=""))
        self.assertEqual(answer.status_code, 422)
        for field in ("id_number", "unit_contact", "deployed_from"):
            self.assertTrue(field_errors(answer, field), field)

    def test_a_wrong_check_digit_shows_with_a_missing_field_on_the_first_send(self) -> None:
        # The form checks the person as the registry does (core.forms.PersonChecks): the
        # wrong check digit is not left for a second send after the hospital is filled.
        self.login(self.task_force)
        answer = self.client.post("/care/workers/new/", self.worker_post(
            id_number=bad_check_digit(ID_NEW), hospital=""))
        self.assertEqual(answer.status_code, 422)
        self.assertIn("校验", field_errors(answer, "id_number"))
        self.assertTrue(field_errors(answer, "hospital"))
        self.assertFalse(Person.objects.filter(id_number=ID_NEW).exists())
        # The name left empty too: its own message stays, the check digit's shows as well.
        answer = self.client.post("/care/workers/new/", self.worker_post(
            id_number=bad_check_digit(ID_NEW), name="", hospital=""))
        self.assertEqual(answer.status_code, 422)
        self.assertIn("校验", field_errors(answer, "id_number"))
        self.assertTrue(field_errors(answer, "name"))

    def test_the_form_says_the_contact_is_needed_for_hubei(self) -> None:
        self.login(self.task_force)
        self.assertContains(self.client.get("/care/workers/new/"), "援鄂时必填")

    def test_a_helper_may_not_register(self) -> None:
        self.login(self.helper)
        self.assertNotContains(self.client.get("/care/workers/"), "/care/workers/new/")
        self.assertEqual(self.client.get("/care/workers/new/").status_code, 403)
        self.client.post("/care/workers/new/", self.worker_post())
        self.assertFalse(MedicalWorker.objects.filter(person__id_number=ID_NEW).exists())

    def test_a_liaison_registers_for_their_own_unit_only(self) -> None:
        self._second_task_force()
        self.login(self.member_liaison)
        page = self.client.get("/care/workers/new/")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, self.helper_org.name)
        # Another task force's member unit: refused under the field, nothing saved.
        answer = self.client.post("/care/workers/new/", self.worker_post(
            task_force=str(self.tf.pk)))
        self.assertEqual(answer.status_code, 422)
        self.assertFalse(MedicalWorker.objects.filter(person__id_number=ID_NEW).exists())


class WorkerEditTests(RegistryCase):
    def edit_post(self, worker: MedicalWorker, **over: Any) -> dict[str, str]:
        page = self.client.get(f"/care/workers/{worker.pk}/edit/")
        seen = re.search(r'name="seen" value="([^"]*)"', page.content.decode()).group(1)
        data = {"seen": seen, "name": worker.name, "phone": "",
                "home": worker.org_unit.code, "member_unit": str(worker.member_unit_id),
                "hospital": worker.hospital, "department": worker.department,
                "deployment": worker.deployment, "deployed_from": "", "deployed_until": "",
                "unit_contact": worker.unit_contact, "unit_contact_phone": "",
                "registered_on": worker.registered_on.isoformat()}
        data.update(over)
        return data

    def test_the_coordinator_corrects_a_worker_and_it_is_in_the_history(self) -> None:
        self.login(self.task_force)
        self.assertContains(self.client.get(f"/care/workers/{self.worker_a.pk}/"),
                            f"/care/workers/{self.worker_a.pk}/edit/")
        data = self.edit_post(self.worker_a, hospital="安康市中医医院", deployment="hubei",
                              deployed_from="2020-02-09", unit_contact="王联络",
                              id_number=ID_NEW)
        answer = self.client.post(f"/care/workers/{self.worker_a.pk}/edit/", data)
        self.assertEqual(answer.status_code, 302)
        worker = MedicalWorker.objects.get(pk=self.worker_a.pk)
        self.assertEqual((worker.hospital, worker.deployment, worker.unit_contact),
                         ("安康市中医医院", "hubei", "王联络"))
        self.assertEqual(worker.phone, self.worker_a.phone)  # left empty: kept
        self.assertEqual(worker.person_id, self.worker_a.person_id)  # not the ID number
        entry = LogEntry.objects.get_for_object(worker).filter(
            actor=self.task_force, action=LogEntry.Action.UPDATE).get()
        self.assertIn("安康市中医医院", str(entry.changes_dict))

    def test_a_stale_correction_is_refused(self) -> None:
        self.login(self.task_force)
        data = self.edit_post(self.worker_a, hospital="甲医院")
        registry.update_worker(self.hq, self.worker_a, name=self.worker_a.name,
                               home=self.worker_a.org_unit, member_unit=self.helper_org,
                               hospital="乙医院", deployment="local",
                               registered_on=self.worker_a.registered_on)
        answer = self.client.post(f"/care/workers/{self.worker_a.pk}/edit/", data)
        self.assertEqual(answer.status_code, 422)
        self.assertContains(answer, "乙医院", status_code=422)  # the current values
        self.assertEqual(MedicalWorker.objects.get(pk=self.worker_a.pk).hospital, "乙医院")

    def test_hubei_without_a_contact_is_refused_on_correction(self) -> None:
        self.login(self.task_force)
        answer = self.client.post(f"/care/workers/{self.worker_a.pk}/edit/", self.edit_post(
            self.worker_a, deployment="hubei", deployed_from="2020-02-09", unit_contact=""))
        self.assertEqual(answer.status_code, 422)
        self.assertIn("援鄂", field_errors(answer, "unit_contact"))
        self.assertEqual(MedicalWorker.objects.get(pk=self.worker_a.pk).deployment, "local")

    def test_out_of_scope_is_not_found(self) -> None:
        other_tf, _c = services.save_task_force(
            self.hq, self.city, name="二号专班", organisation=self.member_org, leader="局长",
            contact_name="联络员")
        self.login(self.member_liaison)  # a liaison of another task force's lead unit
        self.assertEqual(self.client.get(f"/care/workers/{self.worker_a.pk}/edit/")
                         .status_code, 404)
        self.login(self.helper)
        self.assertEqual(self.client.get(f"/care/workers/{self.worker_b.pk}/edit/")
                         .status_code, 404)
        self.assertEqual(self.client.get(f"/care/workers/{self.worker_a.pk}/edit/")
                         .status_code, 403)  # their own family: not theirs to change
        self.assertTrue(other_tf.pk)


class FamilyTests(RegistryCase):
    def family_post(self, **over: Any) -> dict[str, str]:
        data = {"client_id": str(uuid.uuid4()), "id_number": ID_NEW, "name": "周小明",
                "phone": "", "relationship": "子女", "address": "文昌路3号",
                "needs": "网课需要学习用品"}
        data.update(over)
        return data

    def test_the_coordinator_adds_corrects_and_removes_a_member_with_history(self) -> None:
        self.login(self.task_force)
        url = f"/care/workers/{self.worker_a.pk}/family/new/"
        self.assertContains(self.client.get(f"/care/workers/{self.worker_a.pk}/"), url)
        data = self.family_post()
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(self.client.post(url, data).status_code, 302)  # sent twice
        member = FamilyMember.objects.get(worker=self.worker_a)
        self.assertEqual((member.relationship, member.address), ("子女", "文昌路3号"))
        page = self.client.get(f"/care/workers/{self.worker_a.pk}/")
        self.assertNotContains(page, "文昌路3号")  # the address is masked
        edit = f"/care/workers/{self.worker_a.pk}/family/{member.pk}/edit/"
        form = self.client.get(edit)
        self.assertNotContains(form, "文昌路3号")
        seen = re.search(r'name="seen" value="([^"]*)"', form.content.decode()).group(1)
        self.assertEqual(self.client.post(edit, {
            "seen": seen, "name": "周小明", "phone": "", "relationship": "子女",
            "address": "", "needs": "需要送药"}).status_code, 302)
        member.refresh_from_db()
        self.assertEqual((member.needs, member.address), ("需要送药", "文昌路3号"))
        remove = f"/care/workers/{self.worker_a.pk}/family/{member.pk}/remove/"
        self.assertEqual(self.client.get(remove).status_code, 405)
        self.assertEqual(self.client.post(remove).status_code, 302)
        self.assertEqual(self.client.post(remove).status_code, 302)  # sent twice
        self.assertFalse(FamilyMember.objects.exists())
        actions = set(LogEntry.objects.filter(additional_data__worker=self.worker_a.pk)
                      .values_list("action", flat=True))
        self.assertEqual(actions, {LogEntry.Action.CREATE, LogEntry.Action.UPDATE,
                                   LogEntry.Action.DELETE})
        history = self.client.get(f"/care/workers/{self.worker_a.pk}/")
        self.assertContains(history, "需要送药")

    def test_bad_input_is_422_under_its_field(self) -> None:
        self.login(self.task_force)
        url = f"/care/workers/{self.worker_a.pk}/family/new/"
        for over, field in (({"id_number": bad_check_digit(ID_NEW)}, "id_number"),
                            ({"relationship": ""}, "relationship"),
                            ({"id_number": self.worker_a.person.id_number}, "id_number")):
            with self.subTest(field=field):
                answer = self.client.post(url, self.family_post(**over))
                self.assertEqual(answer.status_code, 422)
                self.assertTrue(field_errors(answer, field))
        self.assertFalse(FamilyMember.objects.exists())

    def test_the_same_person_twice_in_a_family_is_refused(self) -> None:
        self.login(self.task_force)
        url = f"/care/workers/{self.worker_a.pk}/family/new/"
        self.client.post(url, self.family_post())
        answer = self.client.post(url, self.family_post())
        self.assertEqual(answer.status_code, 422)
        self.assertTrue(field_errors(answer, "id_number"))
        self.assertEqual(FamilyMember.objects.count(), 1)

    def test_helpers_and_other_families_out_of_reach(self) -> None:
        member, _c = services.add_family_member(
            self.hq, self.worker_b, person=person("刘父"), relationship="父亲", needs="取药")
        own, _c = services.add_family_member(
            self.hq, self.worker_a, person=person("杨母"), relationship="母亲", needs="买菜")
        self.login(self.helper)
        # Another family's member: not found, also reached through their own worker.
        for url in (f"/care/workers/{self.worker_b.pk}/family/new/",
                    f"/care/workers/{self.worker_b.pk}/family/{member.pk}/edit/",
                    f"/care/workers/{self.worker_a.pk}/family/{member.pk}/edit/"):
            self.assertIn(self.client.get(url).status_code, (403, 404), url)
        self.assertEqual(self.client.get(
            f"/care/workers/{self.worker_b.pk}/family/{member.pk}/edit/").status_code, 404)
        self.assertEqual(self.client.post(
            f"/care/workers/{self.worker_b.pk}/family/{member.pk}/remove/").status_code, 404)
        # Their own family: helpers log services, the task force keeps the register.
        self.assertEqual(self.client.post(
            f"/care/workers/{self.worker_a.pk}/family/{own.pk}/edit/",
            {"name": "杨母", "relationship": "母亲", "needs": "改了"}).status_code, 403)
        self.assertEqual(self.client.post(f"/care/workers/{self.worker_a.pk}/family/new/",
                                          self.family_post()).status_code, 403)
        self.assertEqual(FamilyMember.objects.get(pk=own.pk).needs, "买菜")
        self.assertEqual(FamilyMember.objects.count(), 2)
        # The coordinator reaches the member only through its own worker.
        self.login(self.task_force)
        self.assertEqual(self.client.get(
            f"/care/workers/{self.worker_a.pk}/family/{member.pk}/edit/").status_code, 404)


class ElderlyTests(RegistryCase):
    def elderly_post(self, **over: Any) -> dict[str, str]:
        data = {"client_id": str(uuid.uuid4()), "task_force": str(self.tf.pk),
                "id_number": ID_OLD, "name": "陈奶奶", "phone": "", "kind": "elderly",
                "member_unit": str(self.helper_org.pk), "home": self.town_a.code,
                "address": "文昌路8号", "needs": "独居", "registered_on": "2020-02-05"}
        data.update(over)
        return data

    def test_register_once_and_correct(self) -> None:
        self.login(self.task_force)
        self.assertContains(self.client.get("/care/elderly/"), "/care/elderly/new/")
        data = self.elderly_post()
        first = self.client.post("/care/elderly/new/", data)
        self.assertEqual(first.status_code, 302)
        self.assertEqual(self.client.post("/care/elderly/new/", data)["Location"],
                         first["Location"])
        elderly = Elderly.objects.get()
        again = self.client.post("/care/elderly/new/", self.elderly_post())
        self.assertEqual(again.status_code, 422)
        self.assertContains(again, f'href="/care/elderly/{elderly.pk}/"', status_code=422)
        edit = f"/care/elderly/{elderly.pk}/edit/"
        self.assertContains(self.client.get(f"/care/elderly/{elderly.pk}/"), edit)
        seen = re.search(r'name="seen" value="([^"]*)"',
                         self.client.get(edit).content.decode()).group(1)
        answer = self.client.post(edit, {
            "seen": seen, "name": "陈奶奶", "phone": "", "kind": "retired_cadre",
            "member_unit": str(self.helper_org.pk), "home": self.town_a.code,
            "address": "", "needs": "独居，需送药", "registered_on": "2020-02-05"})
        self.assertEqual(answer.status_code, 302)
        elderly.refresh_from_db()
        self.assertEqual((elderly.kind, elderly.needs, elderly.address),
                         ("retired_cadre", "独居，需送药", "文昌路8号"))
        self.assertEqual(Elderly.objects.count(), 1)

    def test_bad_input_and_scope(self) -> None:
        self.login(self.task_force)
        future = (timezone.localdate() + timedelta(days=1)).isoformat()
        for over, field in (({"id_number": bad_check_digit(ID_OLD)}, "id_number"),
                            ({"registered_on": future}, "registered_on")):
            answer = self.client.post("/care/elderly/new/", self.elderly_post(**over))
            self.assertEqual(answer.status_code, 422)
            self.assertTrue(field_errors(answer, field), field)
        self.assertFalse(Elderly.objects.exists())
        elderly, _c = services.register_elderly(
            self.hq, self.tf, self.community_a_unit, person=person("赵爷爷"),
            member_unit=self.helper_org, registered_on=date(2020, 2, 5))
        self.login(self.helper)  # not paired to this resident
        self.assertEqual(self.client.get(f"/care/elderly/{elderly.pk}/edit/").status_code,
                         404)
        self.assertEqual(self.client.get("/care/elderly/new/").status_code, 403)


class ImportSharesTheChecksTests(RegistryCase):
    def test_a_row_of_a_person_registered_under_another_number_is_an_error(self) -> None:
        from fangkong.care.importers import WorkerImporter

        importer = WorkerImporter(self.tf)
        values = {"number": "YH77", "name": "王医生",
                  "id_number": self.worker_a.person.id_number, "hospital": "中心医院",
                  "deployment": "hubei", "deployed_from": date(2020, 2, 9),
                  "member_unit": "安康市人社局", "unit_contact": "",
                  "home": "610902002002", "registered_on": date(2020, 2, 1)}
        with self.assertRaises(Exception) as caught:
            importer.validate_row(values, 2)
        errors = caught.exception.message_dict
        self.assertIn(self.worker_a.number, " ".join(errors["id_number"]))
        self.assertIn("unit_contact", errors)
