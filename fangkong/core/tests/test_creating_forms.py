"""Every form that creates a record, on every module, sent twice as rendered (a double
tap, going back and sending again): one record (issue #11 item 4).

``CREATING`` names each creating form and how to reach it; ``NOT_CREATING`` says why a
form creates nothing. The first test fails when a module adds a form that is in
neither list, so a new creating form cannot skip the double-send check below.
"""

from __future__ import annotations

import importlib
import pkgutil
import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any

from django import forms
from django.db import models
from django.utils import timezone

import fangkong
from fangkong.checkpoints import services as checkpoint_services
from fangkong.checkpoints.models import (
    Checkpoint,
    DutyRoster,
    Household,
    HouseholdMember,
    Inspection,
    Outsider,
    Passage,
    PatrolLog,
    ScreeningVisit,
    TemperatureCheck,
    Tip,
)
from fangkong.checkpoints.tests.base import ID_A, CheckpointTestCase
from fangkong.core.forms import KeyedForm
from fangkong.core.models import ParameterValue
from fangkong.core.services.people import clean_person_data
from fangkong.lib.identity import make_id_number
from fangkong.relief import services as relief_services
from fangkong.relief.models import (
    AcceptanceBatch,
    Application,
    EntityWorker,
    Loan,
    PaymentBatch,
    PoorHousehold,
    PoorMember,
    ReliefEntity,
)
from fangkong.reports.models import Indicator, Reporter, ReportForm, Rule
from fangkong.reports.tests.base import make_form
from fangkong.supplies import services as supplies_services
from fangkong.supplies.models import Balance, Category, Item, Movement, Need, Pledge, Warehouse
from fangkong.training import services as training_services
from fangkong.training.models import Attendance, Course, Enrolment, Feedback, Session, Topic, Venue
from fangkong.volunteers import services as volunteer_services
from fangkong.volunteers.models import (
    Assignment,
    Certificate,
    Drive,
    DutyLog,
    Pairing,
    Shift,
    Signup,
    Site,
    Team,
    Volunteer,
)

#: Forms that create nothing, and why.
NOT_CREATING = {
    "fangkong.checkpoints.forms.ConfirmForm": "confirms a pending passage (an update)",
    "fangkong.checkpoints.forms.ReleaseForm": "ends an observation (an update)",
    "fangkong.checkpoints.forms.DispatchForm": "dispatches a tip (an update, once)",
    "fangkong.checkpoints.forms.ResolveForm": "resolves a tip (an update, once)",
    "fangkong.checkpoints.forms.FollowUpForm": "closes a follow-up alert (an update, once)",
    "fangkong.checkpoints.forms.HouseholdEditForm": "edits a household",
    "fangkong.checkpoints.forms.CheckpointEditForm": "edits a checkpoint",
    "fangkong.checkpoints.forms.PersonFields": "fields shared by person forms",
    "fangkong.checkpoints.forms.CommunityChoiceForm": "base of the register forms",
    "fangkong.checkpoints.forms.HouseholdImportForm":
        "an import: checked, then applied by household number (a second run updates)",
    "fangkong.core.imports.ImportForm": "an import (see HouseholdImportForm)",
    "fangkong.care.forms.WorkerImportForm":
        "an import: checked, then applied by worker number (a second run finds them)",
    "fangkong.care.forms.TaskForceEditForm":
        "edits a task force (an update; a stale form is refused by its seen version)",
    "fangkong.care.forms.MemberEditForm": "edits a member unit's leader and contact",
    "fangkong.care.forms.HelperEditForm": "edits or deactivates a helper (an update)",
    "fangkong.care.forms._Seen": "the base of care's edit forms",
    "fangkong.care.forms._LeaderContact": "fields shared by the task-force forms",
    "fangkong.care.forms._LeaderContactEdit": "fields shared by the task-force edit forms",
    "fangkong.care.forms_registry._WorkerFields": "fields shared by the worker forms",
    "fangkong.care.forms_registry._FamilyFields": "fields shared by the family forms",
    "fangkong.care.forms_registry._ElderlyFields": "fields shared by the elderly forms",
    "fangkong.care.forms_registry.WorkerEditForm":
        "corrects a worker (an update; a stale form is refused by its seen version)",
    "fangkong.care.forms_registry.FamilyEditForm":
        "corrects a family member (an update; a stale form is refused)",
    "fangkong.care.forms_registry.ElderlyEditForm":
        "corrects an elderly resident (an update; a stale form is refused)",
    "fangkong.core.forms.LoginForm": "logs in",
    "fangkong.core.forms.RevealForm": "shows a record unmasked (each reveal is logged)",
    "fangkong.core.forms.PersonSearchForm": "a search",
    "fangkong.core.forms.LogFilterForm": "filters",
    "fangkong.core.forms.AuditFilterForm": "filters",
    "fangkong.core.forms.PiiLogFilterForm": "filters",
    "fangkong.core.forms.AlertFilterForm": "filters",
    "fangkong.core.forms.CloseAlertForm": "closes an alert (an update, once)",
    "fangkong.core.forms.KeyedForm": "the base of keyed forms",
    "fangkong.core.forms.RuleSourceFields": "fields shared by rule forms",
    "fangkong.core.exports.ExportForm": "a download (each one is logged)",
    "fangkong.reports.forms.DayUnitForm": "filters",
    "fangkong.reports.forms.ReviewForm": "approves or returns a submission (an update)",
    "fangkong.supplies.forms._Movement": "the base of the movement forms",
    "fangkong.supplies.forms.PeriodForm": "filters (the ledger's period)",
    "fangkong.relief.forms.CalculatorForm": "a quote (computes, saves nothing)",
    "fangkong.relief.forms.RevealForm": "shows an account unmasked (each reveal is logged)",
    "fangkong.relief.forms.RejectForm": "rejects an application (an update, once)",
    "fangkong.relief.forms.SettleForm": "settles a payment batch (an update, once)",
    "fangkong.relief.forms.ResumedForm": "sets the day an entity resumed work (an update)",
    "fangkong.relief.forms.HouseholdEditForm":
        "corrects a household (an update; a stale form is refused by its seen version)",
    "fangkong.relief.forms.MemberEditForm": "corrects a member (an update)",
    "fangkong.volunteers.forms.CheckTimeForm": "checks a volunteer in or out (an update, once)",
    "fangkong.volunteers.forms.ProfileForm": "edits a volunteer's profile",
    "fangkong.volunteers.forms.ShiftEditForm": "changes a shift's window and capacity",
    "fangkong.volunteers.forms._ShiftFields": "fields shared by the shift forms",
    "fangkong.volunteers.forms.ShiftCancelForm": "cancels a shift (an update, once)",
    "fangkong.volunteers.forms.CoordinatorProfileForm": "edits a volunteer's profile",
    "fangkong.volunteers.forms.TeamFields": "fields shared by the team forms",
    "fangkong.volunteers.forms.TeamEditForm": "edits a team",
    "fangkong.volunteers.forms.EndPairingForm": "ends a pairing (an update)",
    "fangkong.volunteers.forms.SiteFields": "fields shared by the site forms",
    "fangkong.volunteers.forms.SiteEditForm": "edits a site",
    "fangkong.volunteers.forms.VolunteerImportForm":
        "an import: checked, then applied by ID number (a second run adds nobody)",
    "fangkong.water.forms.CloseForm": "closes an exceedance (an update, once)",
    "fangkong.water.forms.DispatchForm": "dispatches a fault (an update, once)",
    "fangkong.water.forms.RepairForm": "marks a fault repaired (an update, once)",
    "fangkong.water.forms.StationFields": "fields shared by the station forms",
    "fangkong.water.forms.StationEditForm": "edits a station",
    "fangkong.water.forms.PointFields": "fields shared by the sampling-point forms",
    "fangkong.water.forms.PointEditForm": "edits a sampling point",
    "fangkong.resumption.forms.ReviewForm": "returns or approves a filing (an update, once)",
    "fangkong.resumption.forms.ResumedForm": "records that work resumed (an update, once)",
    "fangkong.resumption.forms.ReasonForm": "suspends an enterprise or revokes a pass (once)",
    "fangkong.resumption.forms.TemperaturesForm":
        "health checks of a batch's manifest (an update, once per stage)",
    "fangkong.resumption.forms.HandOverForm": "hands a batch over (an update, once)",
    "fangkong.resumption.forms.VerifyForm": "checks a pass (reads only)",
    "fangkong.resumption.importers.UnitImportForm":
        "an import: rows keyed by credit code or ID number (a second run finds them)",
}

#: Creating forms whose record has a natural key instead of a submission key: sent
#: again, the service finds the record by it (``core.unique``) or, for a configuration
#: record named by a code, refuses the code in use next to its field.
NATURAL_KEY = {
    "fangkong.checkpoints.forms.RosterForm": "one entry per checkpoint, user and day",
    "fangkong.checkpoints.forms.TemperatureCheckForm": "one check per person, day and slot",
    "fangkong.checkpoints.forms.RuleForm": "a value the same as the one in force is no change",
    "fangkong.reports.forms.ReportFormForm": "the form's code (refused when in use)",
    "fangkong.reports.forms.IndicatorForm": "the indicator's code in its form",
    "fangkong.reports.forms.RuleForm": "the same expression and message in the form",
    "fangkong.reports.forms.ReportersForm": "one reporter per unit or organisation",
    "fangkong.supplies.forms.WarehouseForm": "one warehouse per unit and name",
    "fangkong.supplies.forms.StockItemForm": "one balance row per warehouse and item",
    "fangkong.supplies.forms.ItemForm": "the item's code in the catalogue",
    "fangkong.relief.forms.MemberForm": "one membership per household and person (ID number)",
    "fangkong.resumption.forms.ChecklistForm":
        "the enterprise's one filing (one-to-one), made by the first save of its answers",
    "fangkong.relief.forms.WorkerForm": "one worker row per entity and member",
    "fangkong.relief.forms.LeadForm": "one link per entity and household led",
    "fangkong.relief.forms.LoanForm": "the loan's contract number at the entity",
    "fangkong.volunteers.forms.AssignForm": "one assignment per shift and volunteer",
    "fangkong.volunteers.forms.CertificateForm": "one per volunteer, period and hours",
    "fangkong.training.forms.VenueForm": "one venue per unit and name",
    "fangkong.training.forms.TopicForm": "one topic per session and title",
    "fangkong.training.forms.DoorCheckinForm": "one check-in per enrolment",
    "fangkong.training.forms.StaffCheckinForm": "one check-in per enrolment",
    "fangkong.training.forms.FeedbackForm": "one feedback per enrolment",
    "fangkong.care.forms.PairForm": "one active primary helper per family (a DB constraint)",
    "fangkong.water.forms.ShiftForm": "one roster line per station, start and person",
}


@dataclass
class Case:
    """A creating form: the page that renders it (``page``, as ``user``), the form's
    ``action`` on it, the values a person types, and the records it creates."""

    page: str
    model: type[models.Model]
    values: dict[str, str]
    action: str | None = None  # default: the page itself
    user: str | None = "community_a"
    htmx: bool = False
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    prefix_values: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    """The forms of a page: action, and each named control's value as the browser
    would send it untouched (selected option, checked box, textarea content)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, Any]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({"action": a.get("action", ""), "fields": {},
                               "hx": a.get("hx-post", "")})
            return
        if not self.forms or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        fields = self.forms[-1]["fields"]
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    fields[a["name"]] = a.get("value", "on")
            elif kind not in ("submit", "button", "file"):
                fields[a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
            fields.setdefault(a["name"], None)
        elif tag == "textarea":
            self._textarea = a["name"]
            fields[a["name"]] = ""
        elif tag == "button" and a.get("value"):
            fields.setdefault(a["name"], a["value"])

    def _option(self, a: dict[str, str]) -> None:
        fields = self.forms[-1]["fields"]
        if fields.get(self._select) is None or "selected" in a:
            fields[self._select] = a.get("value", "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def project_form_classes() -> dict[str, type[forms.BaseForm]]:
    """Every form class the project defines (its modules imported first)."""
    for info in pkgutil.walk_packages(fangkong.__path__, "fangkong."):
        if ".tests" in info.name or ".migrations" in info.name or info.name.endswith(
                (".wsgi", ".cli", ".management")) or ".management." in info.name:
            continue
        importlib.import_module(info.name)
    found: dict[str, type[forms.BaseForm]] = {}
    todo = [forms.Form, forms.ModelForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            name = f"{sub.__module__}.{sub.__qualname__}"
            if sub.__module__.startswith("fangkong.") and ".tests" not in sub.__module__:
                found[name] = sub
    return found


class CreatingFormsTests(CheckpointTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        today = timezone.localdate()
        cls.household = Household.objects.create(org_unit=cls.community_a_unit,
                                                 number="3-2-501", address="文昌路3号")
        cls.outsider, _ = checkpoint_services.register_outsider(
            cls.community_a, cls.community_a_unit,
            clean_person_data(id_number=ID_A, name="张伟", phone="13800001111"),
            arrived_on=today - timedelta(days=1), origin="武汉", host_address="文昌路1号")
        cls.report_form = make_form("weekly")
        cls.today = today
        cls._supplies()
        cls._relief()
        cls._volunteers()
        cls._training()
        cls._care()
        cls._water()
        cls._resumption()

    @classmethod
    def _volunteers(cls) -> None:
        v, now, unit = volunteer_services, timezone.now(), cls.community_a_unit
        cls.drive, _ = v.create_drive(cls.hq, unit, client_id=uuid.uuid4(), title="招募",
                                      organisation=cls.member_org, target=5,
                                      opened_at=now - timedelta(hours=1))
        cls.vsite, _ = v.save_site(cls.community_a, unit, name="南门", kind="checkpoint")
        shift, _ = v.create_shift(cls.community_a, cls.vsite, client_id=uuid.uuid4(),
                                  starts_at=now - timedelta(hours=1),
                                  ends_at=now + timedelta(hours=2), capacity=3)
        past, _ = v.create_shift(cls.community_a, cls.vsite, client_id=uuid.uuid4(),
                                 starts_at=now - timedelta(hours=6),
                                 ends_at=now - timedelta(hours=4), capacity=3)
        cls.vshift = shift
        me, _ = v.enrol(cls.community_a, unit, id_number=make_id_number(
            "610902", date(1995, 5, 5), 71), name="吴佳怡", health_ok=True, user=cls.volunteer)
        cls.candidate, _ = v.enrol(cls.community_a, unit, id_number=make_id_number(
            "610902", date(1995, 5, 6), 72), name="陈志远", health_ok=True)
        cls.vme = me
        done, _ = v.join(cls.community_a, past, me, now=now - timedelta(days=1))
        v.check_in(cls.community_a, done, at=past.starts_at)
        v.check_out(cls.community_a, done, at=past.ends_at)
        v.approve(cls.community_a, Assignment.objects.get(pk=done.pk))
        cls.on_duty, _ = v.join(cls.volunteer, shift, me)
        v.check_in(cls.community_a, cls.on_duty, at=now)

    def volunteers_cases(self) -> dict[str, Case]:
        today = self.today.isoformat()
        soon = (timezone.localtime() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
        later = (timezone.localtime() + timedelta(days=1, hours=4)).strftime("%Y-%m-%dT%H:%M")
        return {
            "fangkong.volunteers.forms.SignupForm": Case(
                f"/volunteers/v/{self.drive.public_key}/", Signup,
                {"name": "李娜", "phone": "13912345678", "political": "none",
                 "id_number": make_id_number("610902", date(1991, 2, 3), 44)}, user=None),
            "fangkong.volunteers.forms.DriveForm": Case(
                "/volunteers/drives/new/", Drive,
                {"community": "610902002002", "organisation": str(self.member_org.pk),
                 "title": "青年志愿者招募", "target": "20", "opened_at": soon}, user="hq"),
            "fangkong.volunteers.forms.ShiftForm": Case(
                f"/volunteers/sites/{self.vsite.pk}/shifts/new/", Shift,
                {"starts_at": soon, "ends_at": later, "capacity": "3"}),
            "fangkong.volunteers.forms.AssignForm": Case(
                f"/volunteers/shifts/{self.vshift.pk}/", Assignment,
                {"volunteer": str(self.candidate.pk)}),
            "fangkong.volunteers.forms.DutyLogForm": Case(
                "/volunteers/mine/", DutyLog, {"task": "crowds", "count": "12"},
                action=f"/volunteers/assignments/{self.on_duty.pk}/log/", user="volunteer"),
            "fangkong.volunteers.forms.CertificateForm": Case(
                f"/volunteers/people/{self.vme.pk}/", Certificate,
                {"period_from": (self.today - timedelta(days=1)).isoformat(),
                 "period_until": today}),
            "fangkong.volunteers.forms.TeamForm": Case(
                f"/volunteers/teams/new/?organisation={self.member_org.pk}", Team,
                {"community": "610902002002", "name": "文昌社区青年突击队"}, user="hq"),
            "fangkong.volunteers.forms.PairingForm": Case(
                "/volunteers/pairings/new/", Pairing,
                {"organisation": str(self.member_org.pk), "community": "610902002002",
                 "since": "2020-02-01"}, user="hq"),
            "fangkong.volunteers.forms.SiteForm": Case(
                "/volunteers/sites/new/", Site,
                {"community": "610902002002", "kind": "community", "checkpoint": "",
                 "name": "文昌社区（社区整体）"}),
            "fangkong.volunteers.forms.EnrolForm": Case(
                "/volunteers/people/new/", Volunteer,
                {"community": "610902002002", "name": "刘洋", "phone": "13712345678",
                 "id_number": make_id_number("610902", date(1993, 3, 3), 73)}),
        }

    @classmethod
    def _supplies(cls) -> None:
        s, hq = supplies_services, cls.hq
        cls.mask, _ = s.save_item(hq, code="mask-kn95", name="KN95口罩", category=Category.MASK,
                                  unit="只")
        cls.rice, _ = s.save_item(hq, code="rice", name="大米", category=Category.FOOD,
                                  unit="公斤", whole_units=False)
        cls.alcohol, _ = s.save_item(hq, code="alcohol-500", name="75%酒精",
                                     category=Category.DISINFECTANT, unit="瓶")
        cls.store, _ = s.create_warehouse(hq, cls.community_a_unit, name="文昌社区物资点",
                                          items=[cls.mask, cls.rice])
        cls.store2, _ = s.create_warehouse(hq, cls.community_a_unit, name="文昌社区二号点",
                                           items=[cls.mask])
        day = date(2020, 2, 20)
        s.receive(hq, cls.store, client_id=uuid.uuid4(), day=day, source="purchase",
                  lines=[s.Line(cls.mask, 100), s.Line(cls.rice, 50)])
        s.receive(hq, cls.store2, client_id=uuid.uuid4(), day=day, source="purchase",
                  lines=[s.Line(cls.mask, 40)])
        cls.issued, _ = s.issue(hq, cls.store, client_id=uuid.uuid4(), day=day,
                                lines=[s.Line(cls.mask, 2)], recipient_kind="person",
                                recipient_label="李娜")
        cls.incoming, _ = s.send_transfer(hq, cls.store2, cls.store, client_id=uuid.uuid4(),
                                          day=day, lines=[s.Line(cls.mask, 10)])

    @classmethod
    def _water(cls) -> None:
        from fangkong.core.models import Organisation
        from fangkong.water import services as w

        cls.utility = Organisation.objects.create(code="swater", name="安康水务集团",
                                                  kind="utility", org_unit=cls.community_a_unit)
        cls.station, _ = w.save_station(cls.hq, cls.utility, cls.community_a_unit,
                                        name="马坑水厂", kind="works")
        cls.water_point, _ = w.save_point(cls.hq, cls.station, cls.community_a_unit,
                                          name="马坑水厂出厂水", point_type="outlet")

    def water_cases(self) -> dict[str, Case]:
        from fangkong.water.models import (
            Fault,
            Handover,
            Patrol,
            Reading,
            SamplingPoint,
            Shift,
            Station,
        )

        st, u = f"/water/stations/{self.station.pk}/", self.utility.pk
        return {
            "fangkong.water.forms.ReadingForm": Case(
                f"/water/points/{self.water_point.pk}/", Reading,
                {"indicator": "free_chlorine", "value": "0.1", "sampler": "王芳",
                 "taken_at": "2020-02-20T08:30"}),
            "fangkong.water.forms.ShiftForm": Case(
                st, Shift, {"shift-person_name": "李明", "shift-starts_at": "2020-02-20T08:00",
                            "shift-ends_at": "2020-02-20T16:00"}),
            "fangkong.water.forms.HandoverForm": Case(
                st, Handover, {"handover-at": "2020-02-20T16:00", "handover-outgoing": "李明",
                               "handover-incoming": "张伟", "handover-note": "运行正常",
                               "handover-outgoing_signature": "李明",
                               "handover-incoming_signature": "张伟"}),
            "fangkong.water.forms.PatrolForm": Case(
                f"/water/patrols/?utility={u}", Patrol,
                {"day": "2020-02-20", "route": "江北大道", "patroller": "巡检一班"}, user="hq"),
            "fangkong.water.forms.StationForm": Case(
                f"/water/stations/new/?utility={u}", Station,
                {"name": "文昌加压站", "kind": "pressure",
                 "unit": self.community_a_unit.code}, user="hq"),
            "fangkong.water.forms.PointForm": Case(
                f"/water/points/new/?utility={u}&station={self.station.pk}", SamplingPoint,
                {"name": "文昌小区末梢水", "point_type": "network_end",
                 "unit": self.community_a_unit.code, "near_kind": "estate",
                 "near_name": "文昌小区"}, user="hq"),
            "fangkong.water.forms.FaultForm": Case(
                f"/water/faults/?utility={u}", Fault,
                {"location": "巴山路", "kind": "leak", "reported_by": "巡检一班",
                 "reported_at": "2020-02-20T09:00"}, user="hq"),
        }

    @classmethod
    def _resumption(cls) -> None:
        from fangkong.resumption.services import filing, workers

        cls.firm, _ = filing.register_enterprise(
            cls.hq, cls.community_a_unit, client_id=uuid.uuid4(), name="文昌食品厂",
            uscc="91610902MA0000002L", industry="manufacturing", is_key_project=False,
            headcount=30, liaison_name="李明", liaison_phone="13912345678")
        cls.firm_unfiled, _ = filing.register_enterprise(  # no filing yet
            cls.hq, cls.community_a_unit, client_id=uuid.uuid4(), name="文昌纸箱厂",
            uscc="91610924MA00000575", industry="manufacturing", is_key_project=False,
            headcount=12, liaison_name="王芳", liaison_phone="13912345670")
        cls.migrant, _ = workers.register_worker(
            cls.hq, cls.community_a_unit, client_id=uuid.uuid4(), person=_person(700),
            home="新城街道", skills="普工", employer=cls.firm, destination="")

    @classmethod
    def _relief(cls) -> None:
        r, actor = relief_services, cls.county_a

        def household(n: int, members: int = 0) -> PoorHousehold:
            h, _ = r.register_household(
                actor, cls.community_a_unit, client_id=uuid.uuid4(), number=f"H{n:05d}",
                head=_person(n * 10), account_number="6230520123456789012",
                account_bank="农信社")
            for i in range(members):
                r.add_member(actor, h, _person(n * 10 + i + 1), away_from=date(2020, 1, 31),
                             away_to=date(2020, 8, 1))
            return h

        cls.poor, cls.poor_to_apply = household(1, members=1), household(2)
        cls.entity, _ = r.register_entity(
            actor, cls.community_a_unit, client_id=uuid.uuid4(), name="扶贫车间",
            kind="workshop", account_number="6230520123456789012", account_bank="农行")
        cls.waiting, _ = r.apply(actor, "employment", household=household(3, members=1),
                                 client_id=uuid.uuid4(), submitted_on=date(2020, 2, 1))
        payable, _ = r.apply(actor, "employment", household=household(4, members=1),
                             client_id=uuid.uuid4(), submitted_on=date(2020, 2, 1))
        r.accept(actor, cls.county_a_unit, [payable], accepted_on=date(2020, 2, 27),
                 client_id=uuid.uuid4())

    @classmethod
    def _training(cls) -> None:
        t, actor, unit = training_services, cls.county_a, cls.community_a_unit
        venue, _ = t.save_venue(actor, unit, name="社区会议室", rows=4, seats_per_row=6)
        course, _ = t.create_course(actor, unit, client_id=uuid.uuid4(), title="疫情应对")
        now = timezone.now()

        def session(starts):
            return t.create_session(actor, course, client_id=uuid.uuid4(), starts_at=starts,
                                    ends_at=starts + timedelta(hours=2), mode="offline",
                                    venue=venue)[0]

        def enrol(s, n, at):
            return t.enrol(actor, s, client_id=uuid.uuid4(), person=clean_person_data(
                id_number=make_id_number("610902", date(1980, 2, 2), n), name="王芳",
                phone=f"1391234{n:04d}"), business_name="南江宾馆", business_kind="hotel",
                attend_mode="offline", now=at)[0]

        cls.course, cls.session_now = course, session(now - timedelta(minutes=5))
        cls.trainee = enrol(cls.session_now, 501, now)
        cls.at_desk = enrol(cls.session_now, 502, now)
        past = session(now - timedelta(days=1))
        cls.past_trainee = enrol(past, 503, past.starts_at)
        t.check_in(actor, cls.past_trainee, method="staff", mask_worn=True,
                   now=past.starts_at)

    def training_cases(self) -> dict[str, Case]:
        start = (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT09:00")
        end = start.replace("T09:00", "T11:00")
        s = self.session_now
        return {
            "fangkong.training.forms.VenueForm": Case(
                "/training/venues/", Venue,
                {"unit": self.community_a_unit.code, "name": "社区活动室", "rows": "5",
                 "seats_per_row": "8"}, user="county_a"),
            "fangkong.training.forms.CourseForm": Case(
                "/training/", Course, {"unit": self.community_a_unit.code,
                                       "title": "服务质量提升"}, user="county_a"),
            "fangkong.training.forms.SessionForm": Case(
                f"/training/courses/{self.course.pk}/", Session,
                {"starts_at": start, "ends_at": end, "mode": "offline",
                 "venue": str(s.venue_id)}, user="county_a"),
            "fangkong.training.forms.TopicForm": Case(
                f"/training/sessions/{s.pk}/", Topic,
                {"title": "疫情防控指导", "trainer": "王海燕", "mode": "offline"},
                action=f"/training/sessions/{s.pk}/topics/", user="county_a"),
            "fangkong.training.forms.EnrolForm": Case(
                f"/training/s/{s.public_key}/", Enrolment,
                {"business_name": "秦老四凉皮", "business_kind": "restaurant", "name": "李娜",
                 "id_number": make_id_number("610902", date(1990, 1, 5), 35),
                 "phone": "13912340000", "attend_mode": "offline"}, user=None),
            "fangkong.training.forms.DoorCheckinForm": Case(
                f"/training/c/{training_services.checkin_token(s)}/", Attendance,
                {"id_number": self.trainee.person.id_number, "phone": self.trainee.phone,
                 "mask_worn": "on"}, user=None),
            "fangkong.training.forms.StaffCheckinForm": Case(
                f"/training/enrolments/{self.at_desk.pk}/", Attendance, {"mask_worn": "on"},
                action=f"/training/enrolments/{self.at_desk.pk}/checkin/", user="county_a"),
            "fangkong.training.forms.FeedbackForm": Case(
                f"/training/t/{self.past_trainee.trainee_key}/", Feedback, {"rating": "5"},
                action=f"/training/t/{self.past_trainee.trainee_key}/feedback/", user=None),
        }

    @classmethod
    def _care(cls) -> None:
        from fangkong.care import services as care

        hq = cls.hq
        tf, _c = care.save_task_force(hq, cls.city, name="保障专班",
                                      organisation=cls.task_force_org, leader="局长",
                                      contact_name="联络员",
                                      members=[{"organisation": cls.helper_org}])
        helper, _c = care.save_helper(hq, tf, code="BF1", name="杨帆",
                                      organisation=cls.helper_org, user=cls.helper)
        cls.care_tf = tf
        cls.care_helper_b, _c = care.save_helper(hq, tf, code="BF2", name="刘洋",
                                                 organisation=cls.helper_org)

        def worker(n: int):
            return care.register_worker(hq, tf, cls.community_a_unit, number=f"YH{n}",
                                        person=_person(950 + n), member_unit=cls.helper_org,
                                        hospital="中心医院", registered_on=date(2020, 2, 1))[0]

        cls.care_worker = worker(1)
        care.pair(hq, helper, worker=cls.care_worker, started_on=date(2020, 2, 1))
        cls.care_unpaired = worker(2)
        cls.care_elderly, _c = care.register_elderly(
            hq, tf, cls.community_a_unit, person=_person(960), member_unit=cls.helper_org,
            registered_on=date(2020, 2, 1))

    def care_cases(self) -> dict[str, Case]:
        from fangkong.care.models import (
            Benefit,
            Elderly,
            FamilyMember,
            Helper,
            HelpRequest,
            MedicalWorker,
            Pairing,
            ServiceLog,
            TaskForce,
            TaskForceMember,
            Visit,
        )
        from fangkong.care.models import Payment as CarePayment

        w, u = f"/care/workers/{self.care_worker.pk}", f"/care/workers/{self.care_unpaired.pk}"
        e = f"/care/elderly/{self.care_elderly.pk}"
        return {
            "fangkong.care.forms.ServiceForm": Case(
                f"{w}/log/", ServiceLog, {"category": "mind", "quantity": "1", "unit": "人次"},
                user="helper"),
            "fangkong.care.forms.PaymentForm": Case(
                f"{w}/", CarePayment, {"kind": "condolence", "amount": "500"},
                action=f"{w}/pay/", user="task_force"),
            "fangkong.care.forms.BenefitForm": Case(
                f"{w}/", Benefit, {"kind": "commendation"}, action=f"{w}/benefit/",
                user="task_force"),
            "fangkong.care.forms.VisitForm": Case(
                f"{w}/", Visit, {"mode": "video", "leader": "局长"}, action=f"{w}/visit/",
                user="task_force"),
            "fangkong.care.forms.PairForm": Case(
                f"{u}/", Pairing, {"helper": str(self.care_helper_b.pk)}, action=f"{u}/pair/",
                user="task_force"),
            "fangkong.care.forms.HelpRequestForm": Case(
                f"{e}/", HelpRequest, {"kind": "masks"}, action=f"{e}/request/",
                user="task_force"),
            "fangkong.care.forms.TaskForceForm": Case(
                "/care/taskforces/new/", TaskForce,
                {"name": "帮老扶老专班", "organisation": str(self.member_org.pk),
                 "leader": "局长", "contact_name": "联络员", "contact_phone": "13909150002"},
                user="hq"),
            "fangkong.care.forms.MemberForm": Case(
                f"/care/taskforces/{self.care_tf.pk}/members/new/", TaskForceMember,
                {"organisation": str(self.member_org.pk), "leader": "副局长",
                 "contact_name": "小王"}, user="task_force"),
            "fangkong.care.forms.HelperForm": Case(
                f"/care/taskforces/{self.care_tf.pk}/helpers/new/", Helper,
                {"name": "赵敏", "phone": "13909150004",
                 "organisation": str(self.helper_org.pk)}, user="task_force"),
            "fangkong.care.forms_registry.WorkerForm": Case(
                "/care/workers/new/", MedicalWorker,
                {"id_number": _person(970).id_number, "name": "周医生",
                 "home": self.town_a.code, "hospital": "中心医院", "deployment": "hubei",
                 "deployed_from": "2020-02-09", "unit_contact": "李联络",
                 "registered_on": "2020-02-10"}, user="task_force"),
            "fangkong.care.forms_registry.FamilyForm": Case(
                f"{w}/family/new/", FamilyMember,
                {"id_number": _person(971).id_number, "name": "周小明",
                 "relationship": "子女"}, user="task_force"),
            "fangkong.care.forms_registry.ElderlyForm": Case(
                "/care/elderly/new/", Elderly,
                {"id_number": _person(972).id_number, "name": "陈奶奶",
                 "home": self.town_a.code, "registered_on": "2020-02-05"},
                user="task_force"),
        }

    def cases(self) -> dict[str, Case]:
        h, gate, today = self.household, self.gate_a, self.today.isoformat()
        person = {"name": "李娜", "phone": "13912345678",
                  "id_number": make_id_number("610902", date(1990, 1, 5), 33)}
        rf = self.report_form.code
        return {
            "fangkong.checkpoints.forms.PatrolForm": Case(
                "/checkpoints/patrols/", PatrolLog,
                {"area": "文昌花园广场", "gatherings_dispersed": "2", "people_persuaded": "31"}),
            "fangkong.checkpoints.forms.InspectionForm": Case(
                "/checkpoints/inspections/", Inspection, {"place": "老王棋牌室"}),
            "fangkong.checkpoints.forms.TipForm": Case(
                "/checkpoints/tips/", Tip,
                {"content": "3号楼有人聚集打牌", "caller_phone": "0915-3212345"}),
            "fangkong.checkpoints.forms.PublicTipForm": Case(
                f"/checkpoints/r/{gate.public_key}/tip/", Tip,
                {"content": "广场有人聚集", "caller_phone": "09153212345"}, user=None),
            "fangkong.checkpoints.forms.CheckpointForm": Case(
                "/checkpoints/", Checkpoint, {"name": "南门", "location": "文昌路口"}),
            "fangkong.checkpoints.forms.HouseholdForm": Case(
                "/checkpoints/households/new", Household,
                {"number": "3-2-502", "address": "文昌路3号2单元502", "phone": "0915-3212345"}),
            "fangkong.checkpoints.forms.MemberForm": Case(
                f"/checkpoints/households/{h.pk}/", HouseholdMember,
                {**person, "relation": "head"}, action=f"/checkpoints/households/{h.pk}/member"),
            "fangkong.checkpoints.forms.VisitForm": Case(
                f"/checkpoints/households/{h.pk}/", ScreeningVisit,
                {"people_present": "3", "symptoms": "on"},
                action=f"/checkpoints/households/{h.pk}/visit"),
            "fangkong.checkpoints.forms.OutsiderForm": Case(
                "/checkpoints/outsiders/new", Outsider,
                {**person, "origin": "武汉", "host_address": "文昌路2号"}),
            "fangkong.checkpoints.forms.TemperatureCheckForm": Case(
                f"/checkpoints/outsiders/{self.outsider.pk}/", TemperatureCheck,
                {"temperature": "36.6", "day": today},
                action=f"/checkpoints/outsiders/{self.outsider.pk}/check"),
            "fangkong.checkpoints.forms.RosterForm": Case(
                f"/checkpoints/{self.gate_a2.pk}/", DutyRoster, {"day": today},
                action=f"/checkpoints/{self.gate_a2.pk}/roster"),
            "fangkong.checkpoints.forms.PassageForm": Case(
                f"/checkpoints/duty/{gate.pk}/", Passage,
                {**person, "temperature": "36.5"}, action=f"/checkpoints/duty/{gate.pk}/register",
                user="gate", htmx=True),
            "fangkong.checkpoints.forms.SelfRegistrationForm": Case(
                f"/checkpoints/r/{gate.public_key}/", Passage,
                {**person, "temperature": "36.4"}, user=None),
            "fangkong.checkpoints.forms.RuleForm": Case(
                "/checkpoints/rule/", ParameterValue,
                {"fever_threshold": "37.2", "note": "按省指挥部通知调整"}, user="hq"),
            "fangkong.core.views_rules.ParameterValueForm": Case(
                "/core/rules/checkpoints.watched_provinces/", ParameterValue,
                {"value": "鄂豫", "reason": "按省指挥部通知调整"}, user="hq"),
            "fangkong.reports.forms.ReportFormForm": Case(
                "/reports/forms/new/", ReportForm,
                {"code": "town_daily", "name": "乡镇日报", "deadline_time": "17:00",
                 "deadline_days": "1"}, user="hq"),
            "fangkong.reports.forms.IndicatorForm": Case(
                f"/reports/forms/{rf}/indicators/new", Indicator,
                {"new-code": "masks_given", "new-name": "发放口罩", "new-unit": "个",
                 "new-position": "9", "new-decimal_places": "0"}, user="hq"),
            "fangkong.reports.forms.RuleForm": Case(
                f"/reports/forms/{rf}/", Rule,
                {"rule-left": "projects_resumed", "rule-op": "<=", "rule-right": "projects_total",
                 "rule-message": "已复工项目不能多于重点项目"},
                action=f"/reports/forms/{rf}/rules/new", user="hq"),
            "fangkong.reports.forms.ReportersForm": Case(
                f"/reports/forms/{rf}/", Reporter, {"rep-level": "", "rep-under": "610902002"},
                action=f"/reports/forms/{rf}/reporters/add", user="hq"),
            **self.supplies_cases(), **self.relief_cases(), **self.volunteers_cases(),
            **self.training_cases(), **self.care_cases(), **self.water_cases(),
            **self.resumption_cases(),
        }

    def resumption_cases(self) -> dict[str, Case]:
        from fangkong.resumption.models import (
            Attachment,
            Demand,
            Employee,
            Enterprise,
            Filing,
            MigrantWorker,
            Pass,
            SigningKey,
            TransportBatch,
        )

        firm = f"/resumption/enterprises/{self.firm.pk}"
        return {
            "fangkong.resumption.forms.EnterpriseForm": Case(
                "/resumption/enterprises/new/", Enterprise,
                {"unit": self.community_a_unit.code, "name": "文昌建材", "industry": "other",
                 "uscc": "91610902MA0000003P", "headcount": "12", "liaison_name": "王",
                 "liaison_phone": "13912345679"}),
            "fangkong.resumption.forms.EmployeeForm": Case(
                f"{firm}/", Employee,
                {"name": "刘强", "id_number": _person(701).id_number, "came_from": "西安市",
                 "returned_on": "2020-02-20", "health": "normal"},
                action=f"{firm}/employees/"),
            "fangkong.resumption.forms.DemandForm": Case(
                f"{firm}/", Demand, {"skill": "普工", "count": "5", "needed_by": "2020-03-05"},
                action=f"{firm}/demand/"),
            # The first save of the answers makes the filing (here: submits it).
            "fangkong.resumption.forms.ChecklistForm": Case(
                f"/resumption/enterprises/{self.firm_unfiled.pk}/filing/", Filing,
                {"planned_start": "2020-02-25", **{
                    f"{code}_{part}": "已落实" if part == "answer" else "14"
                    for code in ("plan", "masks", "disinfectant", "thermometers", "gate",
                                 "screening", "isolation", "meals")
                    for part in ("answer", "days")}}),
            "fangkong.resumption.forms.AttachmentForm": Case(
                f"{firm}/filing/", Attachment, {"item": "plan"},
                action=f"{firm}/filing/attachments/", files={"file": ("方案.pdf", b"%PDF-1.4")}),
            "fangkong.resumption.forms.WorkerForm": Case(
                "/resumption/workers/new/", MigrantWorker,
                {"unit": self.community_a_unit.code, "name": "赵六",
                 "id_number": _person(702).id_number, "home": "新城街道"}),
            "fangkong.resumption.forms.BatchForm": Case(
                "/resumption/batches/new/", TransportBatch,
                {"unit": self.community_a_unit.code, "direction": "inbound", "origin": "西安",
                 "destination": "汉滨区", "plate": "陕G·A1234",
                 "departure_at": "2020-02-22T08:00",
                 "workers": self.migrant.person.id_number}),
            "fangkong.resumption.forms.PassForm": Case(
                "/resumption/passes/new/", Pass,
                {"kind": "worker", "worker": str(self.migrant.pk), "days": "7"}),
            "fangkong.resumption.forms.RotateForm": Case(
                "/resumption/passes/keys/", SigningKey, {"reason": "定期轮换"}, user="hq"),
        }

    def supplies_cases(self) -> dict[str, Case]:
        w = f"/supplies/warehouses/{self.store.pk}"
        day = "2020-02-21"
        return {
            "fangkong.supplies.forms.WarehouseForm": Case(
                "/supplies/", Warehouse,
                {"unit": self.community_a_unit.code, "name": "文昌社区三号点"}),
            "fangkong.supplies.forms.StockItemForm": Case(
                f"{w}/", Balance, {"item": self.alcohol.code, "reorder_level": "10"}),
            "fangkong.supplies.forms.ItemForm": Case(
                "/supplies/items/", Item,
                {"code": "gloves", "name": "医用手套", "category": Category.PROTECTIVE,
                 "unit": "副", "pack_size": "100"}, user="hq"),
            "fangkong.supplies.forms.ReceiptForm": Case(
                f"{w}/receive/", Movement,
                {"item": self.mask.code, "quantity": "200", "source": "purchase", "day": day}),
            "fangkong.supplies.forms.IssueForm": Case(
                f"{w}/issue/", Movement,
                {"item": self.mask.code, "quantity": "5", "recipient_kind": "household",
                 "recipient_label": "3号楼2单元502", "day": day}),
            "fangkong.supplies.forms.TransferForm": Case(
                f"{w}/transfer/", Movement,
                {"item": self.mask.code, "quantity": "10", "day": day,
                 "to_warehouse": str(self.store2.pk)}),
            "fangkong.supplies.forms.AdjustmentForm": Case(
                f"{w}/adjust/", Movement,
                {"item": self.rice.code, "quantity": "48", "reason": "受潮2公斤", "day": day}),
            "fangkong.supplies.forms.ArrivalForm": Case(
                f"{w}/transfers/{self.incoming.pk}/receive/", Movement, {"day": day}),
            "fangkong.supplies.forms.CancelForm": Case(
                f"{w}/movements/{self.issued.pk}/", Movement,
                {"reason": "录入错误", "day": day}),
            "fangkong.supplies.forms.NeedForm": Case(
                f"{w}/needs/new/", Need, {"item": self.mask.code, "quantity": "300"}),
            "fangkong.supplies.forms.PledgeForm": Case(
                f"{w}/pledges/new/", Pledge,
                {"donor": "爱心企业", "item": self.mask.code, "quantity": "500"}),
        }

    def relief_cases(self) -> dict[str, Case]:
        h, e = f"/relief/households/{self.poor.pk}", f"/relief/entities/{self.entity.pk}"
        county = self.county_a_unit.code
        member = self.poor.members.order_by("pk").last()
        new = _person(901)
        return {
            "fangkong.relief.forms.HouseholdForm": Case(
                "/relief/households/new/", PoorHousehold,
                {"village": self.community_a_unit.code, "number": "H09001",
                 "head_name": "王芳", "head_id_number": _person(900).id_number,
                 "account_number": "6230520123456789012", "account_bank": "农信社"},
                user="county_a"),
            "fangkong.relief.forms.MemberForm": Case(
                f"{h}/", PoorMember, {"name": "王强", "id_number": new.id_number,
                                     "relation": "子"},
                action=f"{h}/members/", user="county_a"),
            "fangkong.relief.forms.ApplicationForm": Case(
                f"/relief/households/{self.poor_to_apply.pk}/", Application,
                {"measure": "employment"},
                action=f"/relief/households/{self.poor_to_apply.pk}/apply/", user="county_a"),
            "fangkong.relief.forms.EntityForm": Case(
                "/relief/entities/new/", ReliefEntity,
                {"unit": self.community_a_unit.code, "name": "光明扶贫车间",
                 "kind": "workshop", "account_number": "6230520123456789012",
                 "account_bank": "农行"}, user="county_a"),
            "fangkong.relief.forms.LoanForm": Case(
                f"{e}/", Loan,
                {"contract_number": "HB-2020-001", "bank": "农商行", "principal": "100000",
                 "annual_rate": "0.0435", "due_date": "2021-02-01"},
                action=f"{e}/loans/", user="county_a"),
            "fangkong.relief.forms.WorkerForm": Case(
                f"{e}/", EntityWorker, {"member": str(member.pk), "since": "2019-01-01"},
                action=f"{e}/workers/", user="county_a"),
            "fangkong.relief.forms.LeadForm": Case(
                f"{e}/", ReliefEntity.led_households.through,
                {"household": str(self.poor.pk)}, action=f"{e}/led/", user="county_a"),
            "fangkong.relief.forms.AcceptanceForm": Case(
                f"/relief/batches/acceptance/{county}/new/", AcceptanceBatch,
                {"applications": str(self.waiting.pk), "accepted_on": "2020-02-27"},
                user="county_a"),
            "fangkong.relief.forms.PaymentBatchForm": Case(
                f"/relief/batches/payment/{county}/new/", PaymentBatch,
                {"prepared_on": "2020-02-28"}, user="county_a"),
        }

    def test_every_form_is_known_as_creating_or_not(self) -> None:
        creating = set(self.cases())
        unknown = set(project_form_classes()) - creating - set(NOT_CREATING)
        self.assertEqual(unknown, set(), "say whether these forms create records: add "
                                         "them to CREATING (and test them) or NOT_CREATING")
        for name in creating:
            self.assertIn(name, project_form_classes(), f"{name} is gone: update the list")
        unkeyed = {name for name in creating - set(NATURAL_KEY)
                   if not issubclass(project_form_classes()[name], KeyedForm)}
        self.assertEqual(unkeyed, set(), "creating forms without a submission key")

    def test_each_creating_form_sent_twice_as_rendered_creates_one_record(self) -> None:
        for name, case in self.cases().items():
            with self.subTest(form=name):
                self._send_twice(name, case)

    def _send_twice(self, name: str, case: Case) -> None:
        self.client.logout()
        if case.user:
            self.login(getattr(self, case.user))
        page = self.client.get(case.page)
        self.assertEqual(page.status_code, 200, case.page)
        action = case.action or case.page
        parser = _Forms()
        parser.feed(page.content.decode())
        # The form that posts to the action and holds the most of the typed fields.
        sent = sorted((f for f in parser.forms if (f["hx"] or f["action"] or case.page)
                       == action), key=lambda f: -len(set(case.values) & set(f["fields"])))
        self.assertTrue(sent, f"{name}: no form on {case.page} posts to {action}")
        data = {k: v for k, v in sent[0]["fields"].items() if v is not None}
        data.update(case.values)
        cls = project_form_classes()[name]
        if issubclass(cls, KeyedForm):
            keys = [k for k in data if k.endswith("client_id")]
            self.assertTrue(keys and all(uuid.UUID(data[k]) for k in keys),
                            f"{name}: the rendered form carries no submission key")
        headers = {"HTTP_HX_REQUEST": "true"} if case.htmx else {}
        before = case.model.objects.count()
        first = self.client.post(action, {**data, **_files(case)}, **headers)
        self.assertIn(first.status_code, (200, 302), f"{name}: first send")
        self.assertEqual(case.model.objects.count(), before + 1,
                         f"{name}: the first send saved nothing: "
                         f"{getattr(first, 'context', None) and _errors(first)}")
        again = self.client.post(action, {**data, **_files(case)}, **headers)
        self.assertIn(again.status_code, (200, 302, 400), f"{name}: second send")
        if issubclass(cls, KeyedForm):  # the same form again is answered as a success
            self.assertEqual((again.status_code, again.get("Location")),
                             (first.status_code, first.get("Location")), name)
        self.assertEqual(case.model.objects.count(), before + 1,
                         f"{name}: sent twice, saved twice")


def _files(case: Case) -> dict[str, Any]:
    """A fresh upload per send (a file object is read to its end by the first post)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {k: SimpleUploadedFile(name, content) for k, (name, content) in case.files.items()}


def _person(n: int) -> Any:
    birth = date(1970 + n // 1000, 1 + (n // 28) % 12, 1 + n % 28)
    return clean_person_data(id_number=make_id_number("610902", birth, n % 1000),
                             name=f"成员{n}")


def _errors(response: Any) -> Any:
    for key in ("form", "f", "rule_form"):
        form = response.context.get(key) if response.context else None
        if form is not None and getattr(form, "errors", None):
            return form.errors
    return None

