"""Chinese by default, English on request, and every catalogue under fangkong/ complete."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.test import SimpleTestCase
from django.utils import translation

from fangkong.core.testing import FangkongTestCase
from fangkong.lib.identity import IdentityError, validate_id_number, validate_phone

PACKAGE_DIR = Path(settings.BASE_DIR)
CORE_CATALOGUE = PACKAGE_DIR / "core" / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)


def parse_po(path: Path) -> list[Entry]:
    """Just enough of the PO format: flags, msgctxt, msgid(_plural), msgstr([n]), continuations.

    Obsolete entries (``#~``) are skipped. Written here to avoid a dependency for a test.
    """
    entries: list[Entry] = []
    current: Entry | None = None
    flags: set[str] = set()
    target: tuple[str, int] | None = None
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#~"):
            continue
        if line.startswith("#,"):
            flags |= {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            kind, index = target
            if kind == "msgstr":
                current.msgstr[index] += value
            else:
                setattr(current, kind, getattr(current, kind) + value)
            continue
        keyword, rest = line.split(" ", 1)
        value = ast.literal_eval(rest)
        if keyword == "msgctxt" or (keyword == "msgid" and target != ("msgctxt", 0)):
            current = Entry(line=number, flags=flags)
            entries.append(current)
            flags = set()
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current.msgstr[index] = value
            target = ("msgstr", index)
        else:
            setattr(current, keyword, value)
            target = (keyword, 0)
    return entries


def catalogues() -> list[Path]:
    return sorted(PACKAGE_DIR.glob("**/locale/*/LC_MESSAGES/*.po"))


class CatalogueTests(SimpleTestCase):
    def test_it_finds_the_project_and_core_catalogues(self) -> None:
        found = [p.relative_to(PACKAGE_DIR).as_posix() for p in catalogues()]
        self.assertIn("locale/zh_Hans/LC_MESSAGES/django.po", found)
        self.assertIn("core/locale/zh_Hans/LC_MESSAGES/django.po", found)

    def test_it_has_no_empty_or_fuzzy_translation_anywhere(self) -> None:
        for path in catalogues():
            name = path.relative_to(PACKAGE_DIR).as_posix()
            entries = parse_po(path)
            self.assertTrue(entries, name)
            for entry in entries:
                with self.subTest(catalogue=name, line=entry.line, msgid=entry.msgid[:60]):
                    self.assertNotIn("fuzzy", entry.flags)
                    if entry.msgid:
                        self.assertTrue(entry.msgstr, "no msgstr")
                        self.assertTrue(all(entry.msgstr.values()), "empty msgstr")

    def test_it_keeps_placeholders_in_every_translation(self) -> None:
        import re

        placeholder = re.compile(r"%\(\w+\)[sd]|%\(\w+\)\.\d+f|\{\w*\}")
        for path in catalogues():
            for entry in parse_po(path):
                if not entry.msgid:
                    continue
                expected = sorted(set(placeholder.findall(entry.msgid)))
                for text in entry.msgstr.values():
                    with self.subTest(catalogue=path.name, msgid=entry.msgid[:60]):
                        self.assertEqual(sorted(set(placeholder.findall(text))), expected)

    def test_it_parses_plurals_contexts_and_continuations(self) -> None:
        entries = {(e.msgctxt, e.msgid): e for e in parse_po(CORE_CATALOGUE)}
        plural = entries[(None, "%(n)s person")]
        self.assertEqual(plural.msgid_plural, "%(n)s people")
        self.assertEqual(plural.msgstr[0], "共 %(n)s 人")
        self.assertEqual(entries[("audit log", "Action")].msgstr[0], "操作")

    def test_it_serves_the_core_translations_unshadowed_at_run_time(self) -> None:
        """Apps listed before core (admin, auth …) must not override core's wording."""
        with translation.override("zh-hans"):
            for entry in parse_po(CORE_CATALOGUE):
                if not entry.msgid:
                    continue
                with self.subTest(msgid=entry.msgid[:60]):
                    if entry.msgid_plural is not None:
                        got = translation.npgettext(entry.msgctxt, entry.msgid,
                                                    entry.msgid_plural, 1) \
                            if entry.msgctxt else translation.ngettext(
                                entry.msgid, entry.msgid_plural, 1)
                    elif entry.msgctxt:
                        got = translation.pgettext(entry.msgctxt, entry.msgid)
                    else:
                        got = translation.gettext(entry.msgid)
                    self.assertEqual(got, entry.msgstr[0])


class LanguageTests(FangkongTestCase):
    def test_it_defaults_to_simplified_chinese(self) -> None:
        self.assertEqual(settings.LANGUAGE_CODE, "zh-hans")
        self.assertEqual([code for code, _name in settings.LANGUAGES], ["zh-hans", "en"])

    def test_it_answers_in_chinese_without_a_preference(self) -> None:
        response = self.client.get("/accounts/login/")
        self.assertContains(response, '<html lang="zh-CN"')
        self.assertContains(response, "用户名")
        self.assertEqual(response["Content-Language"], "zh-hans")

    def test_it_answers_in_chinese_to_a_chinese_browser(self) -> None:
        response = self.client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
        self.assertContains(response, "用户名")

    def test_it_answers_in_english_to_an_english_browser(self) -> None:
        response = self.client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
        self.assertContains(response, '<html lang="en"')
        self.assertContains(response, "Username")
        self.assertNotContains(response, "用户名")

    def test_it_switches_language_and_remembers_the_choice(self) -> None:
        self.login(self.community_a)
        response = self.client.post("/i18n/setlang/", {"language": "en", "next": "/core/people/"})
        self.assertRedirects(response, "/core/people/", fetch_redirect_response=False)
        self.assertEqual(self.client.cookies[settings.LANGUAGE_COOKIE_NAME].value, "en")
        for _ in range(2):
            response = self.client.get("/")
            self.assertContains(response, "Work overview")
            self.assertContains(response, "中文")
        self.client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
        self.assertContains(self.client.get("/"), "工作概览")

    def test_it_refuses_a_redirect_off_site_after_switching(self) -> None:
        response = self.client.post("/i18n/setlang/",
                                    {"language": "en", "next": "https://evil.example/"})
        self.assertEqual(response.status_code, 302)
        self.assertFalse(response["Location"].startswith("https://evil.example"))

    def test_it_translates_the_identity_messages(self) -> None:
        with translation.override("zh-hans"):
            for value, validate, expected in (
                ("610902", validate_id_number, "身份证号码应为18位，当前输入了6位。"),
                ("", validate_id_number, "请输入身份证号码。"),
                ("+44 7700 900123", validate_phone, "仅支持中国大陆手机号码（+86）。"),
                ("1381234", validate_phone, "手机号码应为11位，当前输入了7位。"),
            ):
                with self.subTest(value=value):
                    with self.assertRaises(IdentityError) as caught:
                        validate(value)
                    self.assertEqual(str(caught.exception), expected)


#: (msgctxt, msgid) that two app catalogues translate differently, reviewed: synonyms or
#: a wording either module can live with (Django serves the first app's in INSTALLED_APPS
#: order). A new clash needs its own context (``pgettext`` / ``{% translate … context %}``)
#: so each page says what its module means; a clash resolved is removed from here.
REVIEWED_CLASHES = frozenset({
    (None, "ID card number"),
    (None, "Mobile phone"),
    (None, "Unit"),
    (None, "Enter a number."),
    (None, "Kind"),
    (None, "address"),
    (None, "kind"),
    (None, "The time is in the future."),
    (None, "Overview"),
    (None, "Address"),
    (None, "Shown in full. This access has been recorded in the personal data access log."),
    (None, "active"),
    (None, "The file is checked first; nothing is saved until you confirm, and then "
           "either every row is saved or none."),
    (None, "Wearing a mask"),
    (None, "household"),
    (None, "recorded by"),
    (None, "Dispatched"),
    (None, "Members"),
    (None, "History"),
    (None, "Say how the alert was resolved."),
    (None, "Empty: today."),
    ("household member", "Remove"),
    (None, "Shown masked: leave empty to keep it, or type the new one."),
    (None, "Reason (recorded)"),
    (None, "Reason"),
    (None, "From"),
    (None, "To"),
    (None, "organisation"),
    (None, "title"),
    (None, "closed at"),
    (None, "closed by"),
    (None, "reason"),
    (None, "code"),
    (None, "Key numbers"),
    (None, "description"),
    (None, "Enter a whole number."),
    (None, "Value"),
    (None, "Result"),
    (None, "Code"),
    (None, "indicator"),
    (None, "Enter zero or more."),
    (None, "Unknown indicator."),
    (None, "Indicator"),
    (None, "Skills"),
    (None, "Phone"),
    (None, "Organised by"),
    (None, "skills"),
    (None, "in use"),
    (None, "Organisation"),
})


def clashes() -> dict[tuple[str | None, str], dict[str, str]]:
    """(msgctxt, msgid) translated differently by two zh_Hans catalogues: app → msgstr."""
    seen: dict[tuple[str | None, str], dict[str, str]] = {}
    for path in catalogues():
        if "zh_Hans" not in path.parts:
            continue
        app = path.relative_to(PACKAGE_DIR).parts[0]
        for entry in parse_po(path):
            if entry.msgid and entry.msgstr.get(0) and "fuzzy" not in entry.flags:
                seen.setdefault((entry.msgctxt, entry.msgid), {})[app] = \
                    " | ".join(v for _k, v in sorted(entry.msgstr.items()))
    return {k: v for k, v in seen.items() if len(set(v.values())) > 1}


class CatalogueClashTests(SimpleTestCase):
    def test_no_two_catalogues_translate_one_msgid_differently(self) -> None:
        """Django merges the apps' catalogues, the first app in INSTALLED_APPS winning: a
        msgid two modules translate differently shows one module's wording on the other's
        pages (training's door page said volunteers' 已签到 for its 签到成功)."""
        found = clashes()
        new = {k: v for k, v in found.items() if k not in REVIEWED_CLASHES}
        self.assertEqual(new, {}, "give each module's msgid its own msgctxt")
        self.assertEqual(REVIEWED_CLASHES - set(found), set(),
                         "resolved clashes: remove them from REVIEWED_CLASHES")

    def test_the_training_door_and_the_volunteers_check_in_say_their_own_words(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(translation.pgettext("training door", "Checked in"), "签到成功")
            self.assertEqual(translation.gettext("Checked in"), "已签到")
            self.assertEqual(translation.pgettext("volunteer shift", "In"), "签到")
            self.assertEqual(translation.pgettext("water quality", "Pass"), "合格")

    def test_each_module_says_its_own_word_where_another_catalogue_has_the_msgid(self) -> None:
        """Clashes once resolved by a context: without it the first app's catalogue won
        (relief's rejected application read checkpoints' 已作废, a new tip core's 未读)."""
        from fangkong.care.models import FamilyMember
        from fangkong.checkpoints.models.community import TipStatus
        from fangkong.relief.models import Application, ApplicationStatus, Payment
        from fangkong.training.models import Certificate
        from fangkong.volunteers.models import SignupStatus
        from fangkong.water.forms import ShiftForm

        with translation.override("zh-hans"):
            for got, expected in (
                (ApplicationStatus.REJECTED.label, "已驳回"),
                (ApplicationStatus.SUBMITTED.label, "已申请"),
                (Application._meta.get_field("measure").verbose_name, "政策措施"),
                (Payment._meta.get_field("subject").verbose_name, "对象"),
                (TipStatus.NEW.label, "待处理"),
                (SignupStatus.NEW.label, "新报名"),
                (FamilyMember._meta.get_field("needs").verbose_name, "需求"),
                (translation.pgettext("care deployment", "The return is before the departure."),
                 "返回日期早于出征日期。"),
                (Certificate._meta.get_field("issued_at").verbose_name, "颁发时间"),
                (ShiftForm.base_fields["starts_at"].label, "开始"),
                (ShiftForm.base_fields["ends_at"].label, "结束"),
            ):
                with self.subTest(expected=expected):
                    self.assertEqual(str(got), expected)
            # … and the other modules keep theirs.
            self.assertEqual(translation.gettext("Rejected"), "已作废")
            self.assertEqual(translation.gettext("Submitted"), "已提交")
            self.assertEqual(translation.gettext("measure"), "指标性质")
            self.assertEqual(translation.gettext("New"), "未读")
            self.assertEqual(translation.gettext("needs"), "物资需求")
