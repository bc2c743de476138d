"""The scoping contract: for every scoped model and every persona, the list
(``visible_to``), the detail page, the API and ``Scope.can`` agree.

``visible_to(user, cap)`` must return exactly the records that ``Scope.covers(cap, path)``
admits, plus those the model's ``extra_visibility`` hook opens, and the hook may open
records only to the roles its queryset declares in ``scoped_roles``. A scoped model
without a factory here fails the suite: a new module adds one line for each model.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils import timezone

from fangkong.core.models import Alert, Person
from fangkong.core.models.accounts import Cap
from fangkong.core.models.scoped import ScopedQuerySet
from fangkong.core.scoping import scope_for
from fangkong.core.testing import FangkongTestCase, ScopeContractMixin, make_person

CAPABILITIES = [v for k, v in vars(Cap).items() if k.isupper()]
#: Models scoped through another record, tested there.
EXEMPT = {
    "reports.Rollup": "aggregate rows of Submission, never listed per user",
}


def _scoped_models() -> list[type]:
    found = []
    for model in apps.get_models():
        try:
            qs = model._default_manager.get_queryset()
        except Exception:  # noqa: BLE001 - managers that need arguments are not scoped
            continue
        if isinstance(qs, ScopedQuerySet) and model._meta.label not in EXEMPT:
            found.append(model)
    return found


class Factories:
    """One record of each scoped model in a unit; ``n`` keeps unique fields unique."""

    def __init__(self, case: FangkongTestCase) -> None:
        self.case, self.n = case, 0

    def __call__(self, label: str, unit: Any) -> Any:
        self.n += 1
        return getattr(self, label.replace(".", "_"))(unit)

    def core_Person(self, unit):
        return make_person(unit, name=f"居民{self.n}")

    def core_PersonRegistration(self, unit):
        from fangkong.core.models import PersonRegistration

        return PersonRegistration.objects.create(
            org_unit=unit, person=make_person(unit, name=f"居民{self.n}"), name=f"登记{self.n}")

    def core_Alert(self, unit):
        return Alert.objects.create(org_unit=unit, kind="fever", title=f"发热{self.n}",
                                    opened_at=timezone.now())

    def core_Organisation(self, unit):
        from fangkong.core.models import Organisation

        return Organisation.objects.create(org_unit=unit, code=f"org{self.n}",
                                           name=f"单位{self.n}", kind="enterprise")

    def _form(self):
        from fangkong.reports.tests.base import make_form

        if not hasattr(self, "form"):
            self.form = make_form()
        return self.form

    def reports_Reporter(self, unit):
        from fangkong.reports.models import Reporter

        return Reporter.objects.get_or_create(form=self._form(), unit=unit)[0]

    def reports_Submission(self, unit):
        from fangkong.reports.models import Submission

        reporter = self.reports_Reporter(unit)
        return Submission.objects.create(org_unit=unit, form=self._form(), reporter=reporter,
                                         date=date(2020, 3, 2))

    def checkpoints_Checkpoint(self, unit):
        from fangkong.checkpoints.models import Checkpoint

        return Checkpoint.objects.create(org_unit=unit, name=f"卡点{self.n}")

    def checkpoints_DutyRoster(self, unit):
        from fangkong.checkpoints.models import DutyRoster

        return DutyRoster.objects.create(org_unit=unit, user=self.case.gate,
                                         checkpoint=self.checkpoints_Checkpoint(unit),
                                         day=timezone.localdate())

    def checkpoints_Household(self, unit):
        from fangkong.checkpoints.models import Household

        return Household.objects.create(org_unit=unit, number=f"{self.n}-1",
                                        address=f"幸福路{self.n}号")

    def checkpoints_HouseholdMember(self, unit):
        from fangkong.checkpoints.models import HouseholdMember

        return HouseholdMember.objects.create(org_unit=unit, person=self.core_Person(unit),
                                              household=self.checkpoints_Household(unit))

    def checkpoints_ScreeningVisit(self, unit):
        from fangkong.checkpoints.models import ScreeningVisit

        return ScreeningVisit.objects.create(org_unit=unit, visited_on=date(2020, 3, 1),
                                             household=self.checkpoints_Household(unit),
                                             client_id=uuid.uuid4())

    def checkpoints_Inspection(self, unit):
        from fangkong.checkpoints.models import Inspection

        return Inspection.objects.create(org_unit=unit, client_id=uuid.uuid4(), kind="shop",
                                         place="超市", day=date(2020, 3, 1))

    def checkpoints_PatrolLog(self, unit):
        from fangkong.checkpoints.models import PatrolLog

        return PatrolLog.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                        day=date(2020, 3, 1), area="广场")

    def checkpoints_Tip(self, unit):
        from fangkong.checkpoints.models import Tip

        return Tip.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                  received_at=timezone.now(), channel="phone", content="聚集")

    def checkpoints_Outsider(self, unit):
        from fangkong.checkpoints.models import Outsider

        return Outsider.objects.create(
            org_unit=unit, person=self.core_Person(unit), origin="湖北武汉",
            arrived_on=timezone.localdate() - timedelta(days=3), host_address="幸福路1号")

    def checkpoints_Passage(self, unit):
        from fangkong.checkpoints.models import Passage

        now = timezone.now()
        return Passage.objects.create(
            org_unit=unit, checkpoint=self.checkpoints_Checkpoint(unit),
            client_id=uuid.uuid4(), direction="in", occurred_at=now,
            day=timezone.localdate(), person=self.core_Person(unit), channel="duty",
            status="ok")

    # --- supplies: records of a warehouse in the unit -------------------------------
    def _item(self):
        from fangkong.supplies.models import Item

        return Item.objects.get_or_create(code="mask", defaults={
            "name": "口罩", "category": "mask", "unit": "只"})[0]

    def supplies_Warehouse(self, unit):
        from fangkong.supplies.models import Warehouse

        return Warehouse.objects.create(org_unit=unit, name=f"物资库{self.n}")

    def supplies_Balance(self, unit):
        from fangkong.supplies.models import Balance

        return Balance.objects.create(org_unit=unit, warehouse=self.supplies_Warehouse(unit),
                                      item=self._item())

    def supplies_Movement(self, unit):
        from fangkong.supplies.models import Movement

        return Movement.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), kind="receipt", source="purchase",
            warehouse=self.supplies_Warehouse(unit), day=date(2020, 2, 20),
            created_by=self.case.hq)

    def supplies_LedgerEntry(self, unit):
        from fangkong.supplies.models import LedgerEntry, MovementLine

        movement = self.supplies_Movement(unit)
        line = MovementLine.objects.create(movement=movement, item=self._item(), quantity=5)
        return LedgerEntry.objects.create(
            org_unit=unit, movement=movement, line=line, warehouse=movement.warehouse,
            item=line.item, day=movement.day, delta=5, balance_after=5)

    def supplies_Need(self, unit):
        from fangkong.supplies.models import Need

        return Need.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                   warehouse=self.supplies_Warehouse(unit), item=self._item(),
                                   quantity=10, posted_on=date(2020, 2, 20),
                                   posted_by=self.case.hq)

    def supplies_Pledge(self, unit):
        from fangkong.supplies.models import Pledge

        return Pledge.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                     warehouse=self.supplies_Warehouse(unit), item=self._item(),
                                     donor="爱心企业", quantity=10, recorded_on=date(2020, 2, 20),
                                     recorded_by=self.case.hq)

    def relief_PoorHousehold(self, unit):
        from fangkong.relief.models import PoorHousehold

        return PoorHousehold.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), number=f"PH{self.n}", head_name=f"户主{self.n}",
            account_number="6230520123456789012", account_bank="农信社")

    def relief_ReliefEntity(self, unit):
        from fangkong.relief.models import ReliefEntity

        return ReliefEntity.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), name=f"扶贫车间{self.n}", kind="workshop",
            account_number="6230520123456789012", account_bank="农行")

    def relief_Application(self, unit):
        from fangkong.relief.models import Application

        household = self.relief_PoorHousehold(unit)
        return Application.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), measure="employment",
            subject=household.subject, household=household, submitted_on=date(2020, 3, 1))

    def relief_AcceptanceBatch(self, unit):
        from fangkong.relief.models import AcceptanceBatch

        return AcceptanceBatch.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                              number=f"YS{self.n}", accepted_on=date(2020, 3, 1))

    def relief_PaymentBatch(self, unit):
        from fangkong.relief.models import PaymentBatch

        return PaymentBatch.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                           number=f"DF{self.n}", prepared_on=date(2020, 3, 1))

    # --- resumption: records of an enterprise; the one in 紫阳县's community is the
    # liaison's own (its organisation is the enterprise_liaison persona's).
    def resumption_Enterprise(self, unit):
        from fangkong.resumption.models import Enterprise

        self.n += 1
        own = unit == self.case.community_b_unit and not Enterprise.objects.filter(
            organisation=self.case.enterprise).exists()
        return Enterprise.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), name=f"企业{self.n}",
            uscc=f"TEST{self.n:014d}", industry="other", headcount=5, liaison_name="李",
            liaison_phone="13900000000", registered_on=date(2020, 2, 1),
            organisation=self.case.enterprise if own else None)

    def resumption_Filing(self, unit):
        from fangkong.resumption.models import Filing

        return Filing.objects.create(org_unit=unit, enterprise=self.resumption_Enterprise(unit))

    def resumption_Employee(self, unit):
        from fangkong.resumption.models import Employee

        return Employee.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), enterprise=self.resumption_Enterprise(unit),
            person=make_person(unit), name="张三", came_from="西安",
            returned_on=date(2020, 2, 20))

    def resumption_MigrantWorker(self, unit):
        from fangkong.resumption.models import MigrantWorker

        return MigrantWorker.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), person=make_person(unit), name="张三",
            home="城关镇", employer=self.resumption_Enterprise(unit),
            registered_on=date(2020, 2, 20))

    def resumption_Demand(self, unit):
        from fangkong.resumption.models import Demand

        return Demand.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                     enterprise=self.resumption_Enterprise(unit), skill="瓦工",
                                     count=3, needed_by=date(2020, 3, 1))

    def resumption_TransportBatch(self, unit):
        from fangkong.resumption.models import TransportBatch

        at = timezone.make_aware(timezone.datetime(2020, 2, 22, 8))
        return TransportBatch.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), direction="inbound", origin="西安",
            destination="紫阳", employer=self.resumption_Enterprise(unit), plate="陕G12345",
            day=date(2020, 2, 22), departure_at=at)

    def resumption_Pass(self, unit):
        from fangkong.resumption.models import Pass, SigningKey

        key, _ = SigningKey.objects.get_or_create(
            kid="test", defaults={"public_key": "x", "created_at": timezone.now()})
        now = timezone.now()
        return Pass.objects.create(
            org_unit=unit, kind="batch", jti=uuid.uuid4(), client_id=uuid.uuid4(),
            enterprise=self.resumption_Enterprise(unit), holder="张*", scope="测试",
            issuer="指挥部", key=key, token="t", valid_from=now,
            valid_until=now + timedelta(days=1))

    def relief_Payment(self, unit):
        from fangkong.relief.models import Payment

        application = self.relief_Application(unit)
        return Payment.objects.create(
            org_unit=unit, batch=self.relief_PaymentBatch(unit), application=application,
            measure=application.measure, subject=application.subject, payee="户主",
            account_number="6230520123456789012", account_bank="农信社", amount=500)

    # --- volunteers: an organisation's (the member unit's) records in the unit ------------
    def volunteers_Pairing(self, unit):
        from fangkong.volunteers.models import Pairing

        return Pairing.objects.create(org_unit=unit, organisation=self.case.member_org)

    def volunteers_Team(self, unit):
        from fangkong.volunteers.models import Team

        return Team.objects.create(org_unit=unit, name=f"服务队{self.n}",
                                   organisation=self.case.member_org)

    def volunteers_Drive(self, unit):
        from fangkong.volunteers.models import Drive

        return Drive.objects.create(org_unit=unit, client_id=uuid.uuid4(), title=f"招募{self.n}",
                                    organisation=self.case.member_org, target=5,
                                    opened_at=timezone.now())

    def volunteers_Signup(self, unit):
        from fangkong.volunteers.models import Signup

        return Signup.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                     drive=self.volunteers_Drive(unit),
                                     person=self.core_Person(unit), name=f"报名{self.n}",
                                     phone="13900000000", submitted_at=timezone.now())

    def volunteers_Volunteer(self, unit):
        from fangkong.volunteers.models import Volunteer

        return Volunteer.objects.create(org_unit=unit, person=self.core_Person(unit),
                                        name=f"志愿者{self.n}", organisation=self.case.member_org)

    def volunteers_Site(self, unit):
        from fangkong.volunteers.models import Site

        return Site.objects.create(org_unit=unit, name=f"服务点{self.n}", kind="community")

    def volunteers_Shift(self, unit):
        from fangkong.volunteers.models import Shift

        now = timezone.now()
        return Shift.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                    site=self.volunteers_Site(unit), starts_at=now,
                                    ends_at=now + timedelta(hours=4), capacity=2)

    def volunteers_Assignment(self, unit):
        from fangkong.volunteers.models import Assignment

        return Assignment.objects.create(org_unit=unit, shift=self.volunteers_Shift(unit),
                                         volunteer=self.volunteers_Volunteer(unit),
                                         status="confirmed", queued_at=timezone.now())

    def volunteers_DutyLog(self, unit):
        from fangkong.volunteers.models import DutyLog

        return DutyLog.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                      assignment=self.volunteers_Assignment(unit),
                                      day=date(2020, 3, 1), task="crowds")

    def volunteers_Certificate(self, unit):
        from fangkong.volunteers.models import Certificate

        return Certificate.objects.create(org_unit=unit, volunteer=self.volunteers_Volunteer(unit),
                                          period_from=date(2020, 2, 1),
                                          period_until=date(2020, 2, 29), minutes=60, shifts=1,
                                          issued_at=timezone.now())
    # --- training: a session of a course in the unit, and its enrolments ------------
    def training_Venue(self, unit):
        from fangkong.training.models import Venue

        return Venue.objects.create(org_unit=unit, name=f"会议室{self.n}", rows=4,
                                    seats_per_row=6)

    def training_Course(self, unit):
        from fangkong.training.models import Course

        return Course.objects.create(org_unit=unit, client_id=uuid.uuid4(),
                                     title=f"培训{self.n}")

    def training_Session(self, unit):
        from fangkong.training.models import Session

        starts = timezone.now()
        return Session.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), course=self.training_Course(unit),
            number=1, starts_at=starts, ends_at=starts + timedelta(hours=2), mode="offline",
            venue=self.training_Venue(unit))

    def training_Business(self, unit):
        from fangkong.training.models import Business

        return Business.objects.create(org_unit=unit, name=f"宾馆{self.n}", kind="hotel")

    def training_Enrolment(self, unit):
        from fangkong.training.models import Enrolment

        return Enrolment.objects.create(
            org_unit=unit, client_id=uuid.uuid4(), session=self.training_Session(unit),
            person=self.core_Person(unit), business=self.training_Business(unit),
            attend_mode="offline", seat_row=1, seat_number=1, source="staff", name="学员",
            phone="13900000001")
    # --- care: a task force led by the task-force persona's organisation, the helper
    # persona's bureau a member; a family in the unit paired to the helper persona.
    def _care_tf(self):
        from fangkong.care.models import Helper, TaskForce, TaskForceMember

        if not hasattr(self, "care_tf"):
            c = self.case
            self.care_tf = TaskForce.objects.create(
                org_unit=c.city, name="专班", organisation=c.task_force_org, leader="局长",
                contact_name="联络员")
            TaskForceMember.objects.create(task_force=self.care_tf, organisation=c.helper_org,
                                           leader="副局长", contact_name="小李")
            self.care_helper = Helper.objects.create(
                org_unit=c.city, task_force=self.care_tf, organisation=c.helper_org,
                name="杨帆", code="BF-helper", user=c.helper)
        return self.care_tf

    def care_TaskForce(self, unit):
        from fangkong.care.models import TaskForce

        return TaskForce.objects.create(org_unit=unit, name=f"专班{self.n}",
                                        organisation=self.case.task_force_org, leader="组长",
                                        contact_name="联络员")

    def care_Helper(self, unit):
        from fangkong.care.models import Helper

        return Helper.objects.create(org_unit=unit, task_force=self._care_tf(),
                                     organisation=self.case.helper_org, name=f"帮扶{self.n}",
                                     code=f"BF{self.n}")

    def care_MedicalWorker(self, unit):
        from fangkong.care.models import MedicalWorker, Pairing

        tf = self._care_tf()
        worker = MedicalWorker.objects.create(
            org_unit=unit, task_force=tf, member_unit=self.case.helper_org,
            person=make_person(unit, name=f"医生{self.n}"), name=f"医生{self.n}",
            hospital="中心医院", deployment="local", registered_on=date(2020, 2, 1),
            number=f"YH{self.n}")
        if self.n % 2:  # every other family paired to the helper persona
            Pairing.objects.create(org_unit=unit, task_force=tf, member_unit=self.case.helper_org,
                                   helper=self.care_helper, worker=worker,
                                   started_on=date(2020, 2, 1))
        return worker

    def care_Elderly(self, unit):
        from fangkong.care.models import Elderly, Pairing

        tf = self._care_tf()
        elderly = Elderly.objects.create(
            org_unit=unit, task_force=tf, member_unit=self.case.member_org,
            person=make_person(unit, name=f"老人{self.n}"), name=f"老人{self.n}",
            kind="elderly", registered_on=date(2020, 2, 1))
        if self.n % 2:
            Pairing.objects.create(org_unit=unit, task_force=tf, member_unit=self.case.helper_org,
                                   helper=self.care_helper, elderly=elderly,
                                   started_on=date(2020, 2, 1))
        return elderly

    def care_Pairing(self, unit):
        from fangkong.care.models import Pairing

        worker = self.care_MedicalWorker(unit)
        return (Pairing.objects.filter(worker=worker).first() or Pairing.objects.create(
            org_unit=unit, task_force=self._care_tf(), member_unit=self.case.helper_org,
            helper=self.care_helper, worker=worker, started_on=date(2020, 2, 1)))

    def _care_keyed(self, model, org_unit, **values):
        return model.objects.create(org_unit=org_unit, client_id=uuid.uuid4(),
                                    recorded_by=self.case.hq, **values)

    def care_ServiceLog(self, unit):
        from fangkong.care.models import ServiceLog

        return self._care_keyed(ServiceLog, unit, worker=self.care_MedicalWorker(unit),
                                day=date(2020, 2, 20), category="mind", quantity=1,
                                unit="人次")

    def care_Payment(self, unit):
        from fangkong.care.models import Payment

        return self._care_keyed(Payment, unit, worker=self.care_MedicalWorker(unit),
                                day=date(2020, 2, 20), kind="subsidy", amount=300)

    def care_Benefit(self, unit):
        from fangkong.care.models import Benefit

        return self._care_keyed(Benefit, unit, worker=self.care_MedicalWorker(unit),
                                day=date(2020, 2, 20), kind="commendation")

    def care_Visit(self, unit):
        from fangkong.care.models import Visit

        return self._care_keyed(Visit, unit, worker=self.care_MedicalWorker(unit),
                                day=date(2020, 2, 20), mode="video", leader="局长")

    def care_HelpRequest(self, unit):
        from fangkong.care.models import HelpRequest

        at = timezone.now() - timedelta(days=1)
        return self._care_keyed(HelpRequest, unit, elderly=self.care_Elderly(unit),
                                day=at.date(), kind="masks", requested_at=at,
                                due_by=at + timedelta(hours=24))
    # --- water: records of a utility's station or point in the unit --------------------
    def _utility(self):
        from fangkong.core.models import Organisation

        if not hasattr(self, "utility"):
            self.utility = Organisation.objects.create(
                code="swater", name="安康水务集团", kind="utility", org_unit=self.case.city)
        return self.utility

    def water_Station(self, unit):
        from fangkong.water.models import Station

        return Station.objects.create(org_unit=unit, organisation=self._utility(),
                                      name=f"水厂{self.n}", kind="works")

    def water_SamplingPoint(self, unit):
        from fangkong.water.models import SamplingPoint

        return SamplingPoint.objects.create(
            org_unit=unit, organisation=self._utility(), station=self.water_Station(unit),
            name=f"采样点{self.n}", point_type="outlet")

    def water_Shift(self, unit):
        from fangkong.water.models import Shift

        start = timezone.now()
        return Shift.objects.create(org_unit=unit, organisation=self._utility(),
                                    station=self.water_Station(unit), starts_at=start,
                                    ends_at=start + timedelta(hours=8), person_name="李明")

    def water_Handover(self, unit):
        from fangkong.water.models import Handover

        return Handover.objects.create(
            org_unit=unit, organisation=self._utility(), station=self.water_Station(unit),
            client_id=uuid.uuid4(), at=timezone.now(), day=date(2020, 2, 20), outgoing="李明",
            incoming="张伟", note="正常", outgoing_signature="李明", incoming_signature="张伟",
            recorded_by=self.case.hq)

    def water_Reading(self, unit):
        from fangkong.water.models import Reading

        return Reading.objects.create(
            org_unit=unit, organisation=self._utility(), point=self.water_SamplingPoint(unit),
            client_id=uuid.uuid4(), indicator="ph", value=Decimal("7"), taken_at=timezone.now(),
            day=date(2020, 2, 20), sampler="王芳", recorded_by=self.case.hq)

    def water_Exceedance(self, unit):
        from fangkong.water.models import Exceedance

        alert = Alert.objects.create(org_unit=unit, kind="water_quality", title="超标",
                                     opened_at=timezone.now())
        return Exceedance.objects.create(org_unit=unit, organisation=self._utility(),
                                         reading=self.water_Reading(unit), alert=alert)

    def water_Patrol(self, unit):
        from fangkong.water.models import Patrol

        return Patrol.objects.create(org_unit=unit, organisation=self._utility(),
                                     client_id=uuid.uuid4(), day=date(2020, 2, 20),
                                     route="江北大道", patroller="巡检一班",
                                     recorded_by=self.case.hq)

    def water_Fault(self, unit):
        from fangkong.water.models import Fault

        return Fault.objects.create(
            org_unit=unit, organisation=self._utility(), client_id=uuid.uuid4(),
            location="巴山路", kind="leak", reported_by="巡检一班", reported_at=timezone.now(),
            day=date(2020, 2, 20), recorded_by=self.case.hq)


#: Detail pages and API endpoints per model: (url template, roles the page serves).
DETAIL_URLS = {
    "core.Person": ["/core/people/{pk}/", "/api/v1/people/{pk}"],
    "checkpoints.Checkpoint": ["/checkpoints/{pk}/", "/api/v1/checkpoints/{pk}/passages"],
    "checkpoints.Household": ["/checkpoints/households/{pk}/"],
    "checkpoints.Outsider": ["/checkpoints/outsiders/{pk}/"],
    "checkpoints.Tip": ["/checkpoints/tips/{pk}/"],
    "supplies.Warehouse": ["/supplies/warehouses/{pk}/", "/supplies/warehouses/{pk}/ledger/",
                           "/api/v1/supplies/balances?warehouse={pk}"],

    "resumption.Enterprise": ["/resumption/enterprises/{pk}/",
                              "/resumption/enterprises/{pk}/filing/"],
    "resumption.TransportBatch": ["/resumption/batches/{pk}/"],
    "resumption.Pass": ["/resumption/passes/{pk}/"],
    "relief.PoorHousehold": ["/relief/households/{pk}/"],
    "relief.ReliefEntity": ["/relief/entities/{pk}/"],
    "relief.Application": ["/relief/applications/{pk}/", "/api/v1/relief/applications/{pk}"],
    "relief.AcceptanceBatch": ["/relief/batches/acceptance/{pk}/"],
    "relief.PaymentBatch": ["/relief/batches/payment/{pk}/"],
    "volunteers.Drive": ["/volunteers/drives/{pk}/"],
    "volunteers.Site": ["/volunteers/sites/{pk}/"],
    "volunteers.Shift": ["/volunteers/shifts/{pk}/"],
    "volunteers.Volunteer": ["/volunteers/people/{pk}/"],
    "volunteers.Certificate": ["/volunteers/certificates/{pk}/pdf/"],
    "training.Course": ["/training/courses/{pk}/"],
    "training.Session": ["/training/sessions/{pk}/", "/training/sessions/{pk}/qr-enrol.svg"],
    "training.Enrolment": ["/training/enrolments/{pk}/"],
    "care.MedicalWorker": ["/care/workers/{pk}/",
                           "/api/v1/care/workers/{pk}"],
    "care.Elderly": ["/care/elderly/{pk}/"],
    "water.Station": ["/water/stations/{pk}/"],
    "water.SamplingPoint": ["/water/points/{pk}/"],
    "water.Exceedance": ["/water/exceedances/{pk}/"],
    "water.Fault": ["/water/faults/{pk}/"],
}


class ScopeContractTests(ScopeContractMixin, FangkongTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        make = Factories(cls)
        cls.records: dict[type, list[Any]] = {}
        units = (cls.community_a_unit, cls.community_a2_unit, cls.community_b_unit,
                 cls.county_b_unit)
        for model in _scoped_models():
            cls.records[model] = [make(model._meta.label, unit) for unit in units]
        cls._organisation_reports(make)

    @classmethod
    def _organisation_reports(cls, make: Factories) -> None:
        """The member unit's own reporter and report: what its liaison's hook opens."""
        from fangkong.reports.models import Reporter, Submission

        reporter = Reporter.objects.create(form=make._form(), organisation=cls.member_org)
        cls.records[Reporter].append(reporter)
        cls.records[Submission].append(Submission.objects.create(
            org_unit=cls.city, form=make._form(), reporter=reporter, date=date(2020, 3, 2)))

    def test_it_has_a_factory_for_every_scoped_model(self) -> None:
        missing = [m._meta.label for m in _scoped_models()
                   if not hasattr(Factories, m._meta.label.replace(".", "_"))]
        self.assertEqual(missing, [], "add a factory for each new scoped model")

    def test_it_lists_exactly_what_covers_and_the_hook_admit(self) -> None:
        for model, rows in self.records.items():
            qs_class = type(model._default_manager.get_queryset())
            for persona in self.PERSONAS:
                user = getattr(self, persona)
                scope = scope_for(user)
                for cap in CAPABILITIES:
                    with self.subTest(model=model._meta.label, persona=persona, cap=cap):
                        ids = [r.pk for r in rows]
                        visible = set(model.objects.visible_to(user, cap)
                                      .filter(pk__in=ids).values_list("pk", flat=True))
                        covered = {r.pk for r in rows if scope.covers(cap, r.unit_path)}
                        extra_q = model.objects.all().extra_visibility(user, scope, cap)
                        extra = set() if extra_q is None else set(
                            model.objects.filter(extra_q, pk__in=ids)
                            .values_list("pk", flat=True))
                        self.assertEqual(visible, covered | extra)
                        for r in rows:
                            self.assertEqual(scope.can(cap, r.unit_path), r.pk in covered)
                        if extra - covered:
                            honoured = {role for role, caps in qs_class.scoped_roles.items()
                                        if cap in caps}
                            self.assertTrue(scope.has_role(*honoured),
                                            "the hook opened records to an undeclared role")

    def test_it_answers_detail_pages_and_the_api_as_the_list_does(self) -> None:
        by_label = {m._meta.label: m for m in self.records}
        for label, urls in DETAIL_URLS.items():
            model = by_label[label]
            for persona in self.PERSONAS:
                user = getattr(self, persona)
                visible = set(model.objects.visible_to(user, Cap.VIEW)
                              .values_list("pk", flat=True))
                rows = self.records[model]
                for url in urls:
                    with self.subTest(label=label, persona=persona, url=url):
                        self.assert_scoped(
                            url, user=user,
                            visible=[r.pk for r in rows if r.pk in visible],
                            hidden=[r.pk for r in rows if r.pk not in visible])

    def test_it_opens_the_member_unit_its_own_reports_only(self) -> None:
        from fangkong.reports.models import Submission

        rows = self.records[Submission]
        self.assertEqual(
            list(Submission.objects.visible_to(self.member_liaison, Cap.REPORT)
                 .filter(pk__in=[r.pk for r in rows]).values_list("pk", flat=True)),
            [rows[-1].pk])

    def test_it_sees_a_territorial_persona_through_its_subtree_only(self) -> None:
        people = self.records[Person]
        self.assertEqual(
            set(Person.objects.visible_to(self.county_a).filter(
                pk__in=[p.pk for p in people]).values_list("pk", flat=True)),
            {people[0].pk, people[1].pk})
