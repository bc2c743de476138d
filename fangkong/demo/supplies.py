"""Demo step: the city's stores and what moved through them, January to March 2020.

- The catalogue: masks by standard (GB 19083 medical protective, YY 0469 surgical, KN95),
  84 disinfectant, 75% alcohol, infrared thermometers, protective suits, rice, flour,
  oil, milk, eggs and fresh produce, sets of daily necessities.
- Stores: the HQ's reserve (市指挥部), the water group's (水务集团: masks, disinfectant,
  infrared thermometers for its plants), the audit bureau's cabinet (市审计局, run by its
  liaison ``shenji01``), the medical-family task force's store (市人社局), and the
  community points of 文昌社区 and 临江社区.
- The audit bureau's masks are short in February ("一罩难求"): it posts a need for 500
  on 2020-02-03, buys 200 on 2020-02-12 and the HQ sends it 300 on 2020-02-18 (the need
  is met by two arrivals); ten go to the elderly woman its helper looks after; its
  reorder level opens a low-stock alert. On 2020-02-21 it buys alcohol and milk for
  临江社区, which its volunteers deliver (their duty log issues them: demo/volunteers.py).
- The medical-family task force's store (市人社局) is stocked here; the care demo step
  (``fangkong.demo.care``) issues its 932 sets of necessities and 4,868 kg of food by
  2020-02-28 (SCENARIO.md) as care service logs, each an issue through
  ``services.issue``; the figures are then read back from the ledger
  (``supplies.necessities_issued``, ``supplies.food_issued``).
- A transfer cancelled in transit, a count with an adjustment, a donor's pledge partly
  delivered, and open needs for the shortage board on 2020-03-02.

Every movement goes through the services with a key derived from its label, so a second
run finds each one and adds nothing; the movements are written in date order per store.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.utils.translation import gettext as _

from fangkong.demo.context import DemoContext
from fangkong.supplies import services
from fangkong.supplies.models import Item, Movement, Need, Pledge, Warehouse
from fangkong.supplies.services import Arrival, Line

LINJIANG = "610902003001"
WENCHANG = "610902002002"
NAMESPACE = uuid.UUID("6f1b7c1e-2a53-4b59-9a7e-3c0f1d5e9b21")

ITEMS = (
    # code, name, category, unit, standard, pack size, pack, whole units
    ("mask-gb19083", "医用防护口罩", "mask", "只", "GB 19083-2010", 20, "盒", True),
    ("mask-yy0469", "医用外科口罩", "mask", "只", "YY 0469-2011", 50, "盒", True),
    ("mask-kn95", "KN95口罩", "mask", "只", "GB 2626-2006 KN95", 20, "盒", True),
    ("disinfectant-84", "84消毒液", "disinfectant", "瓶", "", 12, "箱", True),
    ("alcohol-75", "75%医用酒精（500毫升）", "disinfectant", "瓶", "", 20, "箱", True),
    ("thermometer-ir", "红外线体温测温仪", "thermometer", "台", "", 1, "", True),
    ("suit-gb19082", "医用一次性防护服", "protective", "套", "GB 19082-2009", 1, "", True),
    ("rice", "大米", "food", "公斤", "", 25, "袋", False),
    ("flour", "面粉", "food", "公斤", "", 25, "袋", False),
    ("oil", "食用油", "food", "公斤", "", 5, "桶", False),
    ("milk", "牛奶", "food", "公斤", "", 6, "箱", False),
    ("eggs-produce", "蛋类及果蔬", "food", "公斤", "", 1, "", False),
    ("necessities-set", "生活必需品（套装）", "necessities", "套", "", 1, "", True),
)


def _key(label: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, f"supplies:{label}")


def load(ctx: DemoContext) -> str:
    hq = ctx.user("hq")
    before = Movement.objects.count()
    items = {code: services.save_item(hq, code=code, name=name, category=cat, unit=unit,
                                      standard=std, pack_size=pack, pack_name=pack_name,
                                      whole_units=whole)[0]
             for code, name, cat, unit, std, pack, pack_name, whole in ITEMS}
    stores = _stores(ctx, items)
    _city_and_communities(ctx, items, stores)
    _water_group(ctx, items, stores)
    _audit_bureau(ctx, items, stores)
    _task_force(ctx, items, stores)
    _open_needs(ctx, items, stores)
    return _("%(items)d items, %(stores)d warehouses, %(movements)d movements "
             "(%(new)d new), %(needs)d needs, %(pledges)d pledges") % {
        "items": len(items), "stores": len(stores),
        "movements": Movement.objects.count(), "new": Movement.objects.count() - before,
        "needs": Need.objects.count(), "pledges": Pledge.objects.count()}


def _stores(ctx: DemoContext, items: dict[str, Item]) -> dict[str, Warehouse]:
    hq = ctx.user("hq")
    specs = {
        "city": (ctx.city, "市疫情防控物资储备库", ctx.org("hq"), "兴安东路市应急物资仓库"),
        "water": (ctx.city, "水务集团防疫物资库", ctx.org("swater"), "安康水务集团机关"),
        "audit": (ctx.city, "市审计局物资柜", ctx.org("sjj"), ""),
        "taskforce": (ctx.city, "医护家属保障物资库", ctx.org("rsj"), "市人社局后勤楼"),
        "wenchang": (ctx.unit(WENCHANG), "文昌社区物资点", None, "文昌社区居委会"),
        "linjiang": (ctx.unit(LINJIANG), "临江社区物资点", None, "临江社区居委会"),
    }
    out = {}
    for key, (unit, name, org, address) in specs.items():
        out[key] = services.create_warehouse(hq, unit, name=name, organisation=org,
                                             address=address)[0]
    for code in ("mask-yy0469", "mask-gb19083", "alcohol-75", "thermometer-ir"):
        services.stock_item(hq, out["wenchang"], items[code],
                            reorder_level=200 if code.startswith("mask") else None)
    services.stock_item(hq, out["audit"], items["mask-yy0469"], reorder_level=100)
    return out


def _receive(actor: Any, store: Warehouse, label: str, day: date, lines: list[Line],
             source: str = "allocation", donor: str = "", **kw: Any) -> Movement:
    return services.receive(actor, store, client_id=_key(label), day=day, lines=lines,
                            source=source, donor=donor, **kw)[0]


def _issue(actor: Any, store: Warehouse, label: str, day: date, lines: list[Line],
           kind: str, to: str, **kw: Any) -> Movement:
    return services.issue(actor, store, client_id=_key(label), day=day, lines=lines,
                          recipient_kind=kind, recipient_label=to, **kw)[0]


def _transfer(actor: Any, store: Warehouse, to: Warehouse, label: str, day: date,
              lines: list[Line], **kw: Any) -> Movement:
    return services.send_transfer(actor, store, to, client_id=_key(label), day=day,
                                  lines=lines, **kw)[0]


def _arrive(actor: Any, transfer: Movement, label: str, day: date,
            arrivals: dict[int, Arrival]) -> Movement:
    return services.receive_transfer(actor, transfer, client_id=_key(label), day=day,
                                     arrivals=arrivals)[0]


def _city_and_communities(ctx: DemoContext, items: dict[str, Item],
                          stores: dict[str, Warehouse]) -> None:
    hq, city = ctx.user("hq"), stores["city"]
    wenchang, linjiang = ctx.user("wenchang"), ctx.user("linjiang")
    _receive(hq, city, "city-allocation-0128", date(2020, 1, 28), [
        Line(items["mask-yy0469"], 20_000), Line(items["mask-gb19083"], 2_000),
        Line(items["alcohol-75"], 1_000), Line(items["disinfectant-84"], 800),
        Line(items["thermometer-ir"], 100), Line(items["suit-gb19082"], 500)],
        reason="省级调拨第一批")
    pledge, _c = services.record_pledge(hq, city, client_id=_key("pledge-masks"),
                                        donor="陕西某医疗器械有限公司",
                                        item=items["mask-kn95"], quantity=5_000,
                                        recorded_on=date(2020, 2, 20),
                                        expected_on=date(2020, 2, 27))
    _receive(hq, city, "city-donation-0227", date(2020, 2, 27),
             [Line(items["mask-kn95"], 3_000)], source="donation", pledge=pledge,
             reason="捐赠口罩首批到货")
    # The two communities' points, from the HQ's reserve.
    for n, (store, worker) in enumerate(((stores["wenchang"], wenchang),
                                         (stores["linjiang"], linjiang))):
        sent = _transfer(hq, city, store, f"city-to-{store.pk}-0129", date(2020, 1, 29), [
            Line(items["mask-yy0469"], 3_000), Line(items["alcohol-75"], 100),
            Line(items["thermometer-ir"], 10)])
        damaged = 50 if n == 0 else 0  # one box crushed on the way to 文昌
        _arrive(worker, sent, f"arrive-{store.pk}-0129", date(2020, 1, 30), {
            items["mask-yy0469"].pk: Arrival(3_000 - damaged, damaged),
            items["alcohol-75"].pk: Arrival(100), items["thermometer-ir"].pk: Arrival(10)})
    # Checkpoints draw masks every few days.
    day = date(2020, 2, 1)
    while day <= date(2020, 3, 1):
        _issue(wenchang, stores["wenchang"], f"wenchang-checkpoints-{day}", day,
               [Line(items["mask-yy0469"], 240)], "checkpoint", "文昌社区各卡点（24个）")
        _issue(linjiang, stores["linjiang"], f"linjiang-checkpoints-{day}", day,
               [Line(items["mask-yy0469"], 80)], "checkpoint", "临江社区各卡点（8个）")
        day += timedelta(days=3)
    # A transfer cancelled in transit: the van was sent to the hospitals instead.
    sent = _transfer(hq, city, stores["wenchang"], "city-to-wenchang-0225", date(2020, 2, 25),
                     [Line(items["mask-gb19083"], 200)], reason="补充卡点防护口罩")
    if not sent.cancelled:
        services.cancel(hq, sent, client_id=_key("cancel-city-to-wenchang-0225"),
                        day=date(2020, 2, 25), reason="车辆改派医院，改日另发")


def _water_group(ctx: DemoContext, items: dict[str, Item],
                 stores: dict[str, Warehouse]) -> None:
    hq, store = ctx.user("hq"), stores["water"]
    _receive(hq, store, "water-purchase-0126", date(2020, 1, 26), [
        Line(items["mask-kn95"], 2_000), Line(items["disinfectant-84"], 300),
        Line(items["thermometer-ir"], 12)], source="purchase", reason="集团统一采购")
    plants = ("江北水厂", "马坡岭水厂", "机关及门卫", "管网抢修队")
    day = date(2020, 1, 27)
    _issue(hq, store, "water-thermometers", day,
           [Line(items["thermometer-ir"], 8)], "unit", "各水厂及机关门卫")
    for week in range(5):
        for plant in plants:
            _issue(hq, store, f"water-{plant}-{week}", day + timedelta(days=7 * week),
                   [Line(items["mask-kn95"], 80), Line(items["disinfectant-84"], 10)],
                   "unit", plant)
        if week == 2:
            _issue(hq, store, "water-chaoyang", day + timedelta(days=7 * week),
                   [Line(items["mask-kn95"], 100), Line(items["disinfectant-84"], 20)], "unit",
                   "朝阳社区（集团党员志愿者支援）")
    services.adjust(hq, store, client_id=_key("water-count-0228"), day=date(2020, 2, 28),
                    item=items["disinfectant-84"],
                    counted=_book(store, items["disinfectant-84"], "water-count-0228") - 3,
                    reason="月末盘点：3瓶渗漏破损")


def _book(store: Warehouse, item: Item, label: str) -> Any:
    """The book balance a count is compared with (the count already made, on a rerun)."""
    done = Movement.objects.filter(client_id=_key(label)).first()
    if done is not None:
        return done.lines.get().counted + 3
    return store.balances.get(item=item).quantity


def _audit_bureau(ctx: DemoContext, items: dict[str, Item],
                  stores: dict[str, Warehouse]) -> None:
    liaison, hq, store = ctx.user("shenji01"), ctx.user("hq"), stores["audit"]
    mask = items["mask-yy0469"]
    need, _c = services.post_need(liaison, store, client_id=_key("audit-need-masks"),
                                  item=mask, quantity=500, needed_by=date(2020, 2, 10),
                                  posted_on=date(2020, 2, 3),
                                  note="干部下沉社区及一对一帮扶用口罩，一罩难求")
    _receive(liaison, store, "audit-purchase-0212", date(2020, 2, 12), [Line(mask, 200)],
             source="purchase", need=need, reason="局里买到口罩")
    _issue(liaison, store, "audit-helper-0212", date(2020, 2, 12), [Line(mask, 10)],
           "person", "一对一帮扶对象（临江社区独居老人）", reason="帮扶干部申请应急")
    _issue(liaison, store, "audit-cadres-0213", date(2020, 2, 13), [Line(mask, 150)],
           "team", "审计局下沉临江社区干部", need=None)
    sent = _transfer(hq, stores["city"], store, "city-to-audit-0218", date(2020, 2, 18),
                     [Line(mask, 300)], need=need)
    _arrive(liaison, sent, "audit-arrive-0218", date(2020, 2, 18), {mask.pk: Arrival(300)})
    # 2020-02-21: alcohol and milk for 临江社区, bought that day; the bureau's volunteers
    # deliver them, and their duty log draws them from this cabinet (an issue made by
    # fangkong.demo.volunteers through the volunteers' services, not here).
    _receive(liaison, store, "audit-purchase-0221", date(2020, 2, 21), [
        Line(items["alcohol-75"], 60), Line(items["milk"], 120)], source="purchase",
        reason="为临江社区采购")


def _task_force(ctx: DemoContext, items: dict[str, Item],
                stores: dict[str, Warehouse]) -> None:
    """The medical-family task force's store gets its first delivery; what goes out of it
    (and the second batch, bought on 2020-02-15 between the deliveries) is the care
    demo's: each delivery is a care service log that issues from this store
    (``fangkong.demo.care``), so the figures are counted once, from one path."""
    _receive(ctx.user("hq"), stores["taskforce"], "taskforce-0201", date(2020, 2, 1), [
        Line(items["necessities-set"], 600), Line(items["rice"], 1_000),
        Line(items["flour"], 800), Line(items["oil"], 300), Line(items["milk"], 500),
        Line(items["eggs-produce"], 800)], source="donation",
        donor="安康市总工会及爱心企业", reason="医护人员家属保障物资")


def _open_needs(ctx: DemoContext, items: dict[str, Item],
                stores: dict[str, Warehouse]) -> None:
    wenchang, linjiang = ctx.user("wenchang"), ctx.user("linjiang")
    services.post_need(wenchang, stores["wenchang"], client_id=_key("need-wenchang-therm"),
                       item=items["thermometer-ir"], quantity=14, needed_by=date(2020, 2, 28),
                       posted_on=date(2020, 2, 24), note="新增卡点测温")
    services.post_need(linjiang, stores["linjiang"], client_id=_key("need-linjiang-suits"),
                       item=items["suit-gb19082"], quantity=None, needed_by=date(2020, 3, 5),
                       posted_on=date(2020, 3, 1), note="数量待摸排")
    services.post_need(wenchang, stores["wenchang"], client_id=_key("need-wenchang-masks"),
                       item=items["mask-gb19083"], quantity=400, needed_by=date(2020, 3, 1),
                       posted_on=date(2020, 2, 24), note="卡点值守人员防护")
