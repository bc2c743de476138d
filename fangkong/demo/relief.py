"""Demo step of relief: 白河县's poverty-alleviation office in February–March 2020.

Registered poor households in six villages of two towns (people from the generated
residents), five poverty-relief entities with their poor workers, the households they
lead and their loans; applications for the five measures; two acceptance batches and
two payment batches, the first settled by the bank with one payment returned, which the
second batch pays again. One parameter changes mid-period: the industry subsidy for
planting goes from 1,000 to 1,200 yuan on 2020-03-01 (a new version entered by the
county office), so the February acceptance froze 1,000 and the March one 1,200.

Everything goes through the module's services with the ``baihe`` login (the rule change
too: the relief rules are 白河县's own), idempotently: submission keys are derived from
fixed names (``uuid5``).
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.utils.translation import gettext as _

from fangkong.core.models.rules import ParameterValue
from fangkong.core.services.people import PersonData
from fangkong.core.services.rules import add_value
from fangkong.demo.context import DemoContext
from fangkong.relief import rules as R
from fangkong.relief import services
from fangkong.relief.models import (
    AcceptanceBatch,
    Application,
    ApplicationStatus,
    EntityKind,
    Measure,
    PaymentBatch,
    PaymentBatchStatus,
    PoorHousehold,
    ReliefEntity,
)

USER = "baihe"
COUNTY = "610929"
VILLAGES = ("610929101202", "610929101204", "610929101206",
            "610929102200", "610929102203", "610929102204")
HOUSEHOLDS_PER_VILLAGE = 8
MEMBERS_PER_HOUSEHOLD = 3
NS = uuid.UUID("6b1e2a4c-2020-4c0d-9a1e-610929000000")
RULE_CHANGE_DAY = date(2020, 3, 1)
PLANTING_FROM_MARCH = Decimal("1200")
PROJECTS = ("planting", "breeding", "specialty", "courtyard", "startup")

#: name, kind, unit, resumed on, poor workers, households led, loans
#: (contract, principal, rate, due date, for production)
ENTITIES = (
    ("白河县宽坪扶贫车间", EntityKind.WORKSHOP, "610929101", date(2020, 2, 20), 12, 6,
     (("BH-2019-031", "100000.00", "0.0435", date(2020, 3, 15), True),)),
    ("白河县马安茶业有限公司", EntityKind.ENTERPRISE, "610929101204", date(2020, 2, 24), 22, 10,
     (("BH-2019-044", "300000.00", "0.0475", date(2020, 5, 20), True),)),
    ("白河常州东西部协作服装厂", EntityKind.EAST_WEST, "610929102", date(2020, 2, 28), 8, 3, ()),
    ("白河县凉水魔芋专业合作社", EntityKind.COOPERATIVE, "610929102200", date(2020, 3, 5), 10,
     25, (("BH-2019-052", "80000.00", "0.0435", date(2020, 8, 10), True),)),
    ("白河县玉门养殖专业合作社", EntityKind.COOPERATIVE, "610929102204", None, 4, 5, ()),
)


def _key(*parts: object) -> uuid.UUID:
    return uuid.uuid5(NS, "/".join(str(p) for p in parts))


def _rng(ctx: DemoContext, *key: object) -> random.Random:
    """A generator per record, so a second run draws the same values whatever it skips."""
    return random.Random(f"{ctx.seed}:relief:" + "/".join(str(k) for k in key))


def _account(ctx: DemoContext, *key: object) -> str:
    rng = _rng(ctx, "account", *key)
    return "6230" + "".join(str(rng.randrange(10)) for _ in range(15))


def _data(person) -> PersonData:
    return PersonData(id_number=person.id_number, name=person.name, sex=person.sex,
                      birth_date=person.birth_date, phone=person.phone)


def _households(ctx: DemoContext, user) -> list[PoorHousehold]:
    out = []
    for v, code in enumerate(VILLAGES):
        village = ctx.unit(code)
        people = ctx.people_in(village, HOUSEHOLDS_PER_VILLAGE * MEMBERS_PER_HOUSEHOLD)
        for h in range(HOUSEHOLDS_PER_VILLAGE):
            group = people[h * MEMBERS_PER_HOUSEHOLD:(h + 1) * MEMBERS_PER_HOUSEHOLD]
            account = _account(ctx, code, h)
            household, created = services.register_household(
                user, village, client_id=_key("household", code, h),
                number=f"6109290{v + 1}{h + 1:04d}", head=_data(group[0]),
                account_number=account, account_bank="白河县农村信用合作联社",
                registered_on=date(2019, 12, 1))
            if created:
                rng = _rng(ctx, "away", code, h)
                for i, person in enumerate(group[1:], start=1):
                    # About half the members worked away: some for six months or more
                    # of 2020 (back in July or later), some for less.
                    away_from = away_to = None
                    if rng.random() < 0.55:
                        away_from = date(2020, 2, 10) + timedelta(days=rng.randrange(30))
                        away_to = away_from + timedelta(days=rng.choice(
                            (150, 170, 182, 183, 200, 240)))
                    services.add_member(user, household, _data(person),
                                        relation=("配偶", "子女")[i - 1],
                                        away_from=away_from, away_to=away_to)
            out.append(household)
    return out


def _entities(ctx: DemoContext, user, households: list[PoorHousehold]) -> list[ReliefEntity]:
    out = []
    members = [m for h in households for m in h.members.order_by("pk")]
    taken = 0
    for i, (name, kind, code, resumed_on, workers, led, loans) in enumerate(ENTITIES):
        entity, _created = services.register_entity(
            user, ctx.unit(code), client_id=_key("entity", name), name=name, kind=kind,
            account_number=_account(ctx, name), account_bank="中国农业银行白河县支行",
            resumed_on=resumed_on)
        for member in members[taken:taken + workers]:
            services.add_worker(user, entity, member, since=date(2019, 10, 1))
        taken += workers
        start = (i * 7) % len(households)
        for household in (households + households)[start:start + led]:
            services.lead_household(user, entity, household)
        for contract, principal, rate, due, production in loans:
            services.add_loan(user, entity, contract_number=contract, bank="白河县农商银行",
                              principal=Decimal(principal), annual_rate=Decimal(rate),
                              due_date=due, for_production=production)
        out.append(entity)
    return out


def _rule_change(ctx: DemoContext) -> None:
    """The county's office (``baihe``, the rule's owner) raises the planting subsidy from
    2020-03-01 (a new version; the February one keeps its period)."""
    current = ParameterValue.objects.filter(parameter__code=R.INDUSTRY_AMOUNTS).order_by(
        "-valid_from").first()
    amounts = dict(current.typed) if current else {}
    if current is not None and current.valid_from >= RULE_CHANGE_DAY:
        return
    amounts["planting"] = format(PLANTING_FROM_MARCH, "f")
    add_value(ctx.user(USER), R.INDUSTRY_AMOUNTS, value=amounts, valid_from=RULE_CHANGE_DAY,
              document_number="白扶办发〔2020〕5号",
              document_title="关于调整产业发展直补到户种植业补助标准的通知",
              reason="种植业春播投入增加", client_id=_key("rule", "planting"))


def _apply(user, measure, key, day, **kw) -> Application:
    application, _created = services.apply(user, measure, client_id=_key("app", *key),
                                           submitted_on=day, **kw)
    return application


def load(ctx: DemoContext) -> str:
    user = ctx.user(USER)
    county = ctx.unit(COUNTY)
    households = _households(ctx, user)
    entities = _entities(ctx, user, households)
    if AcceptanceBatch.objects.filter(org_unit=county).exists():
        return _("relief already loaded: %(h)d households, %(e)d entities") % {
            "h": len(households), "e": len(entities)}

    # February: industry projects of the first 12 households, employment for all.
    feb = date(2020, 2, 18)
    industry_feb = [_apply(user, Measure.INDUSTRY, ("industry", h.pk), feb, household=h,
                           project_type=PROJECTS[i % len(PROJECTS)])
                    for i, h in enumerate(households[:12])]
    employment = [_apply(user, Measure.EMPLOYMENT, ("employment", h.pk), feb, household=h)
                  for h in households]
    entity_apps = []
    for e in entities:
        entity_apps.append(_apply(user, Measure.ENTITY, ("entity", e.pk), date(2020, 2, 26),
                                  entity=e))
        entity_apps.append(_apply(user, Measure.SUPPLIES, ("supplies", e.pk),
                                  date(2020, 2, 26), entity=e))
        for loan in e.loans.all():
            entity_apps.append(_apply(user, Measure.LOAN_INTEREST, ("loan", loan.pk),
                                      date(2020, 2, 26), entity=e, loan=loan))
    # Acceptance 1 (2020-02-27): February's rules, planting 1,000.
    services.accept(user, county, industry_feb[:6] + employment + entity_apps,
                    accepted_on=date(2020, 2, 27), client_id=_key("accept", 1))
    batch1, _r = services.build_payment_batch(user, county, prepared_on=date(2020, 2, 28),
                                              client_id=_key("pay", 1))
    # The bank returns one payment (a closed account); the rest are paid.
    first = batch1.payments.order_by("pk").first()
    services.settle(user, batch1, bank_reference="NXS20200302-0117", paid_on=date(2020, 3, 2),
                    returned={first.pk: "账户已销户"})
    # March: the planting subsidy rises; the second acceptance freezes the new amount.
    _rule_change(ctx)
    industry_mar = [_apply(user, Measure.INDUSTRY, ("industry", h.pk), date(2020, 3, 3),
                           household=h, project_type=PROJECTS[i % len(PROJECTS)])
                    for i, h in enumerate(households[12:18])]
    services.accept(user, county, industry_feb[6:] + industry_mar,
                    accepted_on=date(2020, 3, 10), client_id=_key("accept", 2))
    batch2, _r = services.build_payment_batch(user, county, prepared_on=date(2020, 3, 12),
                                              client_id=_key("pay", 2))
    paid = PaymentBatch.objects.filter(org_unit=county, status=PaymentBatchStatus.SETTLED)
    return _("%(h)d poor households, %(e)d entities, %(a)d applications, %(p)d payment "
             "batches (%(s)d settled), %(w)d applications in a batch the bank has not settled") % {
        "h": len(households), "e": len(entities),
        "a": Application.objects.filter(org_unit__path__startswith=county.path).count(),
        "p": PaymentBatch.objects.filter(org_unit=county).count(), "s": paid.count(),
        "w": Application.objects.filter(unit_path__startswith=county.path,
                                        status=ApplicationStatus.IN_PAYMENT).count()}
