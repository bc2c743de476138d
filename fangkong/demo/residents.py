"""Generated residents: plausible names, valid ID numbers, mobile numbers and addresses.

Pure functions of a ``random.Random``, no database: ``DemoContext.people_in`` decides
which of the generated residents already exist. Nobody named on the seed page appears:
names are drawn from common surnames and given-name characters.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from fangkong.lib.identity import make_id_number

BIRTH_FIRST = date(1940, 1, 1)
BIRTH_LAST = date(2015, 12, 31)
# Children under this age on the demo's first day have no phone of their own.
PHONE_MIN_AGE = 12
DEMO_DAY = date(2020, 2, 10)

# Common surnames, most frequent first; weights are rough national shares (per mille).
SURNAMES: tuple[tuple[str, int], ...] = (
    ("王", 72), ("李", 72), ("张", 69), ("刘", 54), ("陈", 46), ("杨", 32), ("黄", 23),
    ("赵", 20), ("吴", 20), ("周", 19), ("徐", 13), ("孙", 12), ("马", 12), ("朱", 11),
    ("胡", 10), ("郭", 10), ("何", 9), ("林", 9), ("高", 9), ("罗", 9), ("郑", 8),
    ("梁", 7), ("谢", 6), ("宋", 6), ("唐", 6), ("许", 5), ("韩", 5), ("冯", 5),
    ("邓", 5), ("曹", 5), ("彭", 5), ("曾", 4), ("肖", 4), ("田", 4), ("董", 4),
    ("袁", 4), ("潘", 4), ("于", 4), ("蒋", 4), ("蔡", 4), ("余", 4), ("杜", 4),
    ("叶", 3), ("程", 3), ("苏", 3), ("魏", 3), ("吕", 3), ("丁", 3), ("任", 3),
    ("沈", 3), ("姚", 3), ("卢", 3), ("姜", 3), ("崔", 3), ("钟", 3), ("谭", 3),
    ("陆", 2), ("汪", 2), ("范", 2), ("金", 2), ("石", 2), ("廖", 2), ("贾", 2),
    ("夏", 2), ("韦", 2), ("付", 2), ("方", 2), ("邹", 2), ("熊", 2), ("柯", 1),
)
_SURNAME_CHOICES = tuple(s for s, _ in SURNAMES)
_SURNAME_WEIGHTS = tuple(w for _, w in SURNAMES)

GIVEN_MALE = (
    "伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发"
    "武新利清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪"
    "心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇晨宇翰朗伯宏言若鸣朋斌梁栋维启"
)
GIVEN_FEMALE = (
    "秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹"
    "霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶"
    "怡婵雁蓓欣仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希"
)

MOBILE_PREFIXES = (
    "130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151",
    "152", "153", "155", "156", "157", "158", "159", "166", "173", "176", "177", "178",
    "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "198", "199",
)
BUILDING_MAX = 28
VILLAGE_GROUPS = 12


@dataclass(frozen=True)
class Resident:
    """One generated resident, not yet saved."""

    id_number: str
    name: str
    sex: str  # "M" / "F", as encoded in the ID number
    birth_date: date
    phone: str
    address: str


def chinese_name(rng: random.Random, sex: str) -> str:
    surname = rng.choices(_SURNAME_CHOICES, weights=_SURNAME_WEIGHTS)[0]
    pool = GIVEN_MALE if sex == "M" else GIVEN_FEMALE
    length = 2 if rng.random() < 0.75 else 1
    return surname + "".join(rng.choice(pool) for _ in range(length))


def mobile_number(rng: random.Random) -> str:
    """An 11-digit number with a prefix the three carriers really issue to handsets."""
    return rng.choice(MOBILE_PREFIXES) + "".join(rng.choice("0123456789") for _ in range(8))


def birth_date(rng: random.Random) -> date:
    return BIRTH_FIRST + timedelta(days=rng.randrange((BIRTH_LAST - BIRTH_FIRST).days + 1))


def street_address(rng: random.Random, place: str, village: bool) -> str:
    """A house address under ``place`` (the unit's full name, county first)."""
    if village:
        return f"{place}{rng.randint(1, VILLAGE_GROUPS)}组{rng.randint(1, 80)}号"
    floor = rng.randint(1, 18)
    return (f"{place}{rng.randint(1, BUILDING_MAX)}号楼{rng.randint(1, 4)}单元"
            f"{floor}{rng.randint(1, 4):02d}室")


def resident(rng: random.Random, division_code: str, place: str, village: bool) -> Resident:
    """One resident whose ID number carries ``division_code`` and matches sex and birth."""
    sex = rng.choice("MF")
    born = birth_date(rng)
    # The 17th digit's parity is the sex: odd for men, even for women.
    seq = rng.randrange(500) * 2 + (1 if sex == "M" else 0)
    age = DEMO_DAY.year - born.year - ((DEMO_DAY.month, DEMO_DAY.day) < (born.month, born.day))
    return Resident(
        id_number=make_id_number(division_code, born, seq),
        name=chinese_name(rng, sex),
        sex=sex,
        birth_date=born,
        phone=mobile_number(rng) if age >= PHONE_MIN_AGE else "",
        address=street_address(rng, place, village),
    )
