"""The coordinator's organisation pages (issue #13): teams, paired communities, sites,
one volunteer enrolled by hand and a volunteer's profile. Refused input answers 422 with
the message under its field and saves nothing; out of scope answers 404."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.utils import timezone

from fangkong.checkpoints.models import Checkpoint
from fangkong.core.testing import ScopeContractMixin
from fangkong.volunteers import services
from fangkong.volunteers.models import Pairing, Shift, Site, Team, Volunteer
from fangkong.volunteers.tests.base import VolunteersTestCase, id_number


def field_errors(response, name: str) -> list[str]:
    return list(response.context["form"].errors.get(name, []))


class Teams(VolunteersTestCase):
    def new_team(self, **values):
        data = {"client_id": str(uuid.uuid4()), "organisation": str(self.member_org.pk),
                "community": self.city.code, "name": "审计局青年突击队",
                "leader": str(self.me.pk), "members": [str(self.other.pk)]}
        data.update(values)
        return self.client.post("/volunteers/teams/new/", data)

    def test_the_liaison_makes_a_team_with_its_volunteers(self) -> None:
        self.login(self.member_liaison)
        page = self.client.get("/volunteers/teams/new/")  # one organisation: straight in
        self.assertContains(page, self.me.masked_name)
        self.assertContains(page, 'name="client_id"')
        r = self.new_team()
        team = Team.objects.get(name="审计局青年突击队")
        self.assertRedirects(r, f"/volunteers/teams/{team.pk}/")
        self.assertEqual(team.leader, self.me)
        self.assertEqual(set(team.members.all()), {self.me, self.other})
        page = self.client.get(f"/volunteers/teams/{team.pk}/")
        self.assertContains(page, self.other.masked_name)
        self.assertNotContains(page, self.other.name)  # masked
        self.assertNotContains(page, "13912345679")

    def test_a_community_worker_makes_the_communitys_own_team(self) -> None:
        own, _c = services.enrol(self.community_a2, self.community_a2_unit,
                                 id_number=id_number(8), name="黄丽")
        self.login(self.community_a2)
        page = self.client.get("/volunteers/teams/new/")
        self.assertContains(page, own.masked_name)  # of no organisation: offered
        self.assertNotContains(page, self.me.masked_name)  # the audit office's: not
        r = self.client.post("/volunteers/teams/new/", {
            "client_id": str(uuid.uuid4()), "organisation": "none",
            "community": self.community_a2_unit.code, "name": "临江社区党员志愿服务队",
            "leader": str(own.pk)})
        team = Team.objects.get()
        self.assertRedirects(r, f"/volunteers/teams/{team.pk}/")
        self.assertEqual((team.organisation, team.leader), (None, own))

    def test_a_duplicate_name_in_the_organisation_is_refused(self) -> None:
        services.create_team(self.member_liaison, self.city, client_id=uuid.uuid4(),
                             name="审计局青年突击队", organisation=self.member_org)
        self.login(self.member_liaison)
        r = self.new_team()
        self.assertEqual(r.status_code, 422)
        self.assertIn("该单位已有同名的队伍。", field_errors(r, "name"))
        self.assertEqual(Team.objects.count(), 1)
        self.assertIsNone(Volunteer.objects.get(pk=self.other.pk).team_id)

    def test_a_member_from_another_organisation_is_refused(self) -> None:
        stranger, _c = services.enrol(self.hq, self.community_a2_unit, id_number=id_number(9),
                                      name="周敏", organisation=self.helper_org)
        self.login(self.hq)
        r = self.new_team(members=[str(self.other.pk), str(stranger.pk)])
        self.assertEqual(r.status_code, 422)
        self.assertIn(stranger.masked_name, " ".join(field_errors(r, "members")))
        self.assertFalse(Team.objects.exists())

    def test_editing_a_team_changes_its_members_and_leader(self) -> None:
        team, _c = services.create_team(self.member_liaison, self.city, client_id=uuid.uuid4(),
                                        name="突击队", organisation=self.member_org,
                                        leader=self.me, members=[self.other])
        self.login(self.member_liaison)
        r = self.client.post(f"/volunteers/teams/{team.pk}/edit/",
                             {"name": "突击一队", "leader": str(self.other.pk),
                              "members": [str(self.other.pk)]})
        self.assertRedirects(r, f"/volunteers/teams/{team.pk}/")
        team.refresh_from_db()
        self.assertEqual((team.name, team.leader), ("突击一队", self.other))
        self.assertEqual(list(team.members.all()), [self.other])

    def test_out_of_scope_teams_answer_404_and_others_may_not_edit(self) -> None:
        team, _c = services.create_team(self.member_liaison, self.city, client_id=uuid.uuid4(),
                                        name="突击队", organisation=self.member_org)
        self.login(self.community_b)
        self.assertEqual(self.client.get(f"/volunteers/teams/{team.pk}/").status_code, 404)
        self.assertEqual(self.client.get(f"/volunteers/teams/{team.pk}/edit/").status_code,
                         404)
        self.login(self.province)  # sees it, may not change it
        self.assertEqual(self.client.get(f"/volunteers/teams/{team.pk}/").status_code, 200)
        self.assertEqual(self.client.post(f"/volunteers/teams/{team.pk}/edit/",
                                          {"name": "改名"}).status_code, 403)


class Pairings(VolunteersTestCase):
    def send(self, **values):
        data = {"client_id": str(uuid.uuid4()), "organisation": str(self.member_org.pk),
                "community": self.community_a_unit.code, "since": "2020-02-01"}
        data.update(values)
        return self.client.post("/volunteers/pairings/new/", data)

    def test_pairing_ending_and_pairing_again(self) -> None:
        self.login(self.county_a)
        self.assertRedirects(self.send(), "/volunteers/pairings/")
        pairing = Pairing.objects.get()
        r = self.client.post(f"/volunteers/pairings/{pairing.pk}/end/",
                             {f"p{pairing.pk}-until": "2020-01-01"})
        self.assertEqual(r.status_code, 422)
        self.assertContains(r, "不能早于", status_code=422)
        r = self.client.post(f"/volunteers/pairings/{pairing.pk}/end/",
                             {f"p{pairing.pk}-until": "2020-03-31"})
        self.assertRedirects(r, "/volunteers/pairings/")
        self.assertRedirects(self.send(since="2020-05-01"), "/volunteers/pairings/")
        self.assertEqual(Pairing.objects.count(), 2)  # the ended one stays, as history
        page = self.client.get("/volunteers/pairings/")
        self.assertContains(page, "2020-03-31")

    def test_an_overlapping_pairing_is_refused(self) -> None:
        self.login(self.county_a)
        self.send()
        r = self.send(since="2020-03-01")
        self.assertEqual(r.status_code, 422)
        self.assertIn("请先结束", " ".join(field_errors(r, "community")))
        Pairing.objects.update(until=date(2020, 3, 31))
        r = self.send(since="2020-03-15")  # overlaps the ended period
        self.assertEqual(r.status_code, 422)
        self.assertEqual(Pairing.objects.count(), 1)

    def test_only_a_community_is_paired(self) -> None:
        self.login(self.county_a)
        r = self.send(community=self.town_a.code)
        self.assertEqual(r.status_code, 422)
        self.assertIn("不是社区", " ".join(field_errors(r, "community")))
        self.assertFalse(Pairing.objects.exists())

    def test_an_ended_pairing_no_longer_opens_the_communitys_shifts(self) -> None:
        pairing, _c = services.record_pairing(self.county_a, self.member_org,
                                              self.community_a2_unit, client_id=uuid.uuid4(),
                                              since=date(2020, 2, 1))
        self.assertTrue(Shift.objects.visible_to(self.volunteer).filter(
            pk=self.shift.pk).exists())
        services.end_pairing(self.county_a, pairing,
                             until=timezone.localdate() - timedelta(days=1))
        self.assertFalse(Shift.objects.visible_to(self.volunteer).filter(
            pk=self.shift.pk).exists())

    def test_a_liaison_may_not_record_pairings(self) -> None:
        self.login(self.member_liaison)
        self.assertEqual(self.client.get("/volunteers/pairings/new/").status_code, 403)


class Sites(VolunteersTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.gate = Checkpoint.objects.create(org_unit=cls.community_a2_unit, name="临江路口",
                                             client_id=uuid.uuid4())
        cls.far_gate = Checkpoint.objects.create(org_unit=cls.community_a_unit, name="文昌南门",
                                                 client_id=uuid.uuid4())

    def send(self, **values):
        data = {"client_id": str(uuid.uuid4()), "community": self.community_a2_unit.code,
                "kind": "checkpoint", "checkpoint": str(self.gate.pk), "name": ""}
        data.update(values)
        return self.client.post("/volunteers/sites/new/", data)

    def test_a_site_at_a_checkpoint_takes_its_name(self) -> None:
        self.login(self.county_a)
        r = self.send()
        site = Site.objects.get(checkpoint=self.gate)
        self.assertRedirects(r, f"/volunteers/sites/{site.pk}/")
        self.assertEqual(site.name, "临江路口")
        r = self.client.post(f"/volunteers/sites/{site.pk}/edit/",
                             {"kind": "checkpoint", "checkpoint": str(self.gate.pk),
                              "name": self.site_a.name})
        self.assertEqual(r.status_code, 422)
        self.assertTrue(field_errors(r, "name"))
        version = site.qr_version
        self.client.post(f"/volunteers/sites/{site.pk}/renew/")
        site.refresh_from_db()
        self.assertEqual(site.qr_version, version + 1)

    def test_a_checkpoint_of_another_community_is_refused(self) -> None:
        self.login(self.county_a)
        r = self.send(checkpoint=str(self.far_gate.pk))
        self.assertEqual(r.status_code, 422)
        self.assertIn("其他社区", " ".join(field_errors(r, "checkpoint")))
        self.assertFalse(Site.objects.filter(checkpoint__isnull=False).exists())

    def test_scope(self) -> None:
        self.login(self.community_b)
        self.assertEqual(self.client.get(f"/volunteers/sites/{self.site_a.pk}/edit/")
                         .status_code, 404)
        self.assertEqual(self.client.post(f"/volunteers/sites/{self.site_a.pk}/renew/")
                         .status_code, 404)


class Enrol(ScopeContractMixin, VolunteersTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # The liaison enrols into its organisation's unit or a community it is paired with.
        services.pair(cls.hq, cls.member_org, cls.community_a2_unit, since=date(2020, 2, 1))

    def send(self, follow: bool = False, **values):
        data = {"client_id": str(uuid.uuid4()), "community": self.community_a2_unit.code,
                "organisation": str(self.member_org.pk), "name": "刘洋",
                "id_number": id_number(50), "phone": "13712345678", "political": "party"}
        data.update(values)
        return self.client.post("/volunteers/people/new/", data, follow=follow)

    def test_enrolling_one_volunteer_and_the_same_person_again(self) -> None:
        self.login(self.member_liaison)
        r = self.send()
        v = Volunteer.objects.get(name="刘洋")
        self.assertRedirects(r, f"/volunteers/people/{v.pk}/")
        self.assertEqual((v.organisation, v.political), (self.member_org, "party"))
        again = self.send(name="刘洋", phone="13712345670", follow=True)
        self.assertContains(again, "已是志愿者")
        self.assertEqual(Volunteer.objects.filter(person=v.person).count(), 1)

    def test_a_bad_id_number_and_a_bad_phone_are_refused(self) -> None:
        self.login(self.member_liaison)
        bad = id_number(51)[:-1] + ("0" if id_number(51)[-1] != "0" else "1")
        r = self.send(id_number=bad, phone="1371234")
        self.assertEqual(r.status_code, 422)
        self.assertTrue(field_errors(r, "id_number"))
        self.assertTrue(field_errors(r, "phone"))
        self.assertFalse(Volunteer.objects.filter(name="刘洋").exists())

    def test_the_profile_is_edited_by_the_coordinator(self) -> None:
        team, _c = services.create_team(self.member_liaison, self.city, client_id=uuid.uuid4(),
                                        name="突击队", organisation=self.member_org,
                                        leader=self.other, members=[self.other])
        self.login(self.hq)
        url = f"/volunteers/people/{self.other.pk}/edit/"
        self.assertContains(self.client.get(url), "突击队")
        r = self.client.post(url, {"organisation": str(self.helper_org.pk),
                                   "political": "league", "skills": "驾驶",
                                   "availability": "周末", "health_ok": "on"})
        self.assertRedirects(r, f"/volunteers/people/{self.other.pk}/")
        v = Volunteer.objects.get(pk=self.other.pk)
        self.assertEqual((v.organisation, v.political, v.skills, v.team),
                         (self.helper_org, "league", "驾驶", None))
        self.assertIsNone(Team.objects.get(pk=team.pk).leader)  # left the old team

    def test_scope_of_the_profile(self) -> None:
        self.assert_scoped("/volunteers/people/{pk}/edit/", user=self.member_liaison,
                           visible=[self.me.pk])
        self.assert_scoped("/volunteers/people/{pk}/edit/", user=self.community_b,
                           hidden=[self.me.pk])
        self.login(self.volunteer)  # their own profile, but not this page
        self.assertEqual(self.client.get(f"/volunteers/people/{self.me.pk}/edit/").status_code,
                         403)
