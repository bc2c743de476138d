"""``fangkong retention``: anonymise the people met only at checkpoints once the period
after the emergency is over (``core.retention`` says which records; PIPL art. 19: data
kept no longer than its purpose needs).

Who: a person who appears in a record declaring ``RETENTION`` (passages, outsiders),
whose declared records all date from the emergency (on or before
``FANGKONG_EMERGENCY_ENDED``), and whom no other row of any model points at (any other
foreign key to ``Person`` keeps them: a household member, a future module's register).

What: the person's name becomes ``ANONYMISED_NAME``, the ID number a token that can
never be one (``ANON`` + 14 hex digits, unique), phone, address and notes are emptied
and the birth date is kept to its year (age counts stay right); on their declared records
the ``PII`` fields and the declared ``clear`` fields are emptied. The records themselves
stay: the day's counts, reports already sent and the alerts they raised still add up.
Declared ``purge`` rows (self-registrations nobody confirmed) of the emergency are
deleted. Where the old label survives in text (the change history, alert texts, the
personal-data access log) it is replaced by the new one, and the masked values of the
history become "******".

Safe to run twice at once: people are claimed in batches with ``SELECT … FOR UPDATE SKIP
LOCKED`` (PostgreSQL; SQLite's IMMEDIATE transactions run one at a time), and the claim
re-checks every condition, so a person is anonymised once and one who joined a
household meanwhile is kept. A second run finds nothing and writes nothing.
"""

from __future__ import annotations

import operator
import secrets
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from typing import Any

from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from fangkong.core import pii
from fangkong.core.models import Alert, Person, PersonRecord, PiiAccess
from fangkong.core.retention import Retention, declared

#: What an anonymised person is called (stored data, the same in every language).
ANONYMISED_NAME = "已匿名"
#: How an anonymised ID number starts: 17 digits and a check character never do.
ANON_PREFIX = "ANON"
MASKED = "******"
#: Person fields the anonymiser rewrites besides ``Person.PII``.
PERSON_FIELDS = ("name", "notes", "birth_date")
BATCH = 500
#: Ids per ``IN (…)``: SQLite allows 32766 parameters, and one person may have hundreds
#: of passages.
CHUNK = 2000


@dataclass
class RetentionResult:
    """What a run did (or, dry, would do). ``state``: "not_configured" (no end date),
    "not_due" (before ``due_from``), "done" or "dry_run"."""

    state: str
    due_from: date | None
    counts: Counter = field(default_factory=Counter)

    @property
    def touched(self) -> int:
        return sum(self.counts.values())


def due_from() -> date | None:
    """The first day ``retention`` acts: the emergency's end plus the retention days."""
    ended = settings.FANGKONG_EMERGENCY_ENDED
    if ended is None:
        return None
    return ended + timedelta(days=settings.FANGKONG_RETENTION_DAYS)


# --- Who ---------------------------------------------------------------------------------

def _governed() -> list[tuple[type[models.Model], Retention]]:
    """The declared records that name a person (``person`` set)."""
    found = [(model, spec) for model, spec in declared() if spec.person]
    for model, spec in found:
        if model._meta.get_field(spec.person).related_model is not Person:
            raise ImproperlyConfigured(
                f"{model.__name__}.RETENTION.person must be a foreign key to Person")
    return found


def _unlinked() -> list[tuple[type[models.Model], Retention]]:
    """The declared records with personal data but no person (a tip's caller)."""
    return [(model, spec) for model, spec in declared() if not spec.person]


def _unlinked_qs(model: type[models.Model], spec: Retention, ended: date) -> QuerySet:
    """Rows of the emergency with a field still to empty (none: already done)."""
    filled = reduce(operator.or_, [
        Q(**{f"{name}__isnull": False}) & ~Q(**{f"{name}__in": ("", ANONYMISED_NAME)})
        if isinstance(model._meta.get_field(name), models.CharField | models.TextField)
        else Q(**{f"{name}__isnull": False})
        for name in _cleared_fields(model, spec)])
    return model._base_manager.filter(filled, **{f"{spec.day}__lte": ended})


def keeping_relations() -> list[models.Field]:
    """Every relation of any installed model to ``Person`` that is not a declared
    ``RETENTION`` person field: a row through any of them keeps the person.

    Except a relation without a database constraint: that is a log meant to outlive the
    row it names (``PiiAccessPerson``: whose data an export carried), not a record that
    needs the person's data."""
    declared_fields = {(model, spec.person) for model, spec in _governed()}
    relations = []
    for model in apps.get_models():
        for f in model._meta.get_fields():
            if (f.is_relation and f.concrete and f.related_model is Person
                    and (model, f.name) not in declared_fields and model is not Person
                    and getattr(f, "db_constraint", True)):
                relations.append(f)
    return relations


def claimable(ended: date) -> QuerySet[Person]:
    """People who may be anonymised now: not yet, no declared record after ``ended``, no
    row of any other relation. (Appearing in a declared record is checked by ``due``.)"""
    qs = Person.objects.exclude(id_number__startswith=ANON_PREFIX)
    for model, spec in _governed():
        qs = qs.exclude(Exists(model._base_manager.filter(
            **{spec.person: OuterRef("pk"), f"{spec.day}__gt": ended})))
    for relation in keeping_relations():
        qs = qs.exclude(Exists(relation.model._base_manager.filter(
            **{relation.name: OuterRef("pk")})))
    return qs.order_by()


def due(ended: date) -> QuerySet[Person]:
    """``claimable`` people who appear in at least one declared record."""
    if not _governed():
        return Person.objects.none()
    appears = reduce(operator.or_, [
        Exists(model._base_manager.filter(**{spec.person: OuterRef("pk")}))
        for model, spec in _governed()])
    return claimable(ended).filter(appears)


def _purge_qs(model: type[models.Model], spec: Retention, ended: date) -> QuerySet:
    return model._base_manager.filter(spec.purge, **{f"{spec.day}__lte": ended})


def _cleared_fields(model: type[models.Model], spec: Retention) -> list[str]:
    """The model's ``PII``, what a ``PersonRecord`` was told (the typed name and phone)
    and the declared ``clear``: a field added to any of them is covered."""
    typed = ([f.name for f in PersonRecord._meta.local_fields]
             if issubclass(model, PersonRecord) else [])
    return list(dict.fromkeys([*pii.pii_fields(model), *typed, *spec.clear]))


def _blank(f: models.Field) -> Any:
    """What an emptied field holds: NULL where allowed, "" in optional text, the
    placeholder in required text (a form saving the record again stays valid)."""
    if f.null:
        return None
    if isinstance(f, models.CharField | models.TextField):
        return "" if f.blank else ANONYMISED_NAME
    raise ImproperlyConfigured(
        f"{f.model.__name__}.{f.name} cannot be emptied by retention; declare how")


# --- The run -----------------------------------------------------------------------------

def run_retention(*, dry_run: bool, today: date | None = None) -> RetentionResult:
    start = due_from()
    if start is None:
        return RetentionResult("not_configured", None)
    today = today or timezone.localdate()
    if today < start:
        return RetentionResult("not_due", start)
    ended = settings.FANGKONG_EMERGENCY_ENDED
    if dry_run:
        return RetentionResult("dry_run", start, _plan(ended))
    result = RetentionResult("done", start)
    run_id = f"retention-{uuid.uuid4()}"
    people = list(due(ended).values_list("pk", flat=True))  # before the purge below
    for model, spec in declared():
        if spec.purge is not None:
            with transaction.atomic():
                pks = list(_purge_qs(model, spec, ended).values_list("pk", flat=True))
                for chunk in _chunks(pks):
                    _total, per_model = _purge_qs(model, spec, ended).filter(
                        pk__in=chunk).delete()
                    result.counts[(model._meta.label, "deleted")] += per_model.get(
                        model._meta.label, 0)
                # Their creation and deletion entries keep the cleared fields: mask them.
                result.counts[(LogEntry._meta.label, "scrubbed")] += _scrub_history(
                    model, dict.fromkeys(pks), {}, _cleared_fields(model, spec))
    for i in range(0, len(people), BATCH):
        _anonymise_batch(people[i:i + BATCH], ended, run_id, result.counts)
    for model, spec in _unlinked():
        with transaction.atomic():
            rows = _unlinked_qs(model, spec, ended).select_for_update(skip_locked=True)
            pks = list(rows.values_list("pk", flat=True))
            values = {name: _blank(model._meta.get_field(name))
                      for name in _cleared_fields(model, spec)}
            for chunk in _chunks(pks):
                result.counts[(model._meta.label, "anonymised")] += (
                    model._base_manager.filter(pk__in=chunk).update(**values))
            result.counts[(LogEntry._meta.label, "scrubbed")] += _scrub_history(
                model, dict.fromkeys(pks), {}, _cleared_fields(model, spec))
    if result.touched:
        _log_run(result, ended, run_id)
    return result


def _plan(ended: date) -> Counter:
    """The dry run's counts: the same selections as the run, counted, nothing written."""
    counts: Counter = Counter()
    people = due(ended)
    counts[(Person._meta.label, "anonymised")] = people.count()
    history = _history_count(Person, people.values("pk"))
    for model, spec in declared():
        if spec.purge is not None:
            purge = _purge_qs(model, spec, ended)
            deleted = purge.count()
            counts[(model._meta.label, "deleted")] = deleted
            # Their entries so far and the deletion entry each will get.
            history += _history_count(model, purge.values("pk")) + deleted
    records: dict[Any, dict[int, int]] = {}
    for model, spec in _governed():
        rows = model._base_manager.filter(**{f"{spec.person}__in": people.values("pk")})
        if spec.purge is not None:
            rows = rows.exclude(pk__in=_purge_qs(model, spec, ended).values("pk"))
        records[model] = dict(rows.values_list("pk", f"{spec.person}_id"))
        counts[(model._meta.label, "anonymised")] = len(records[model])
        history += sum(_history_count(model, chunk) for chunk in _chunks(records[model]))
    for chunk in _chunks(_subjects(records)):
        history += _history_count(Alert, Alert.objects.filter(subject__in=chunk).values("pk"))
    for model, spec in _unlinked():
        rows = _unlinked_qs(model, spec, ended)
        counts[(model._meta.label, "anonymised")] = rows.count()
        history += _history_count(model, rows.values("pk"))
    counts[(LogEntry._meta.label, "scrubbed")] = history
    return +counts


def _history_count(model: type[models.Model], pks: Any) -> int:
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model),
                                   object_id__in=pks).count()


#: person pk → (old text, new text) pairs, longest first: what the person's traces in
#: free text (the history, alert texts, the access log) have replaced.
Replacements = dict[int, list[tuple[str, str]]]


def _anonymise_batch(pks: list[int], ended: date, run_id: str, counts: Counter) -> None:
    with transaction.atomic():
        people = list(claimable(ended).filter(pk__in=pks)
                      .select_for_update(skip_locked=True))
        if not people:
            return
        ids = [person.pk for person in people]
        found: dict[int, list[tuple[str, str]]] = {}
        before = _record_labels(ids)  # as alerts and histories named them
        for person in people:
            found[person.pk] = _person_traces(person)
            old = str(person)
            _anonymise_person(person)
            found[person.pk].append((old, str(person)))
        Person.objects.bulk_update(people, _person_fields())
        counts[(Person._meta.label, "anonymised")] += len(people)
        records = _anonymise_records(ids, counts, found)
        after = _record_labels(ids)
        for key, (owner, labels) in before.items():
            found[owner] += [(old, new) for old, new in zip(labels, after[key][1], strict=True)
                             if old and old != new]
        replacements = {pk: sorted(set(pairs), key=lambda p: -len(p[0]))
                        for pk, pairs in found.items()}
        scrubbed = _scrub_history(Person, {pk: pk for pk in ids}, replacements,
                                  _person_fields(), {p.pk: str(p) for p in people})
        for model, spec in _governed():
            scrubbed += _scrub_history(
                model, records[model], replacements, _cleared_fields(model, spec),
                {pk: texts[0] for (m, pk), (_who, texts) in after.items() if m is model})
        scrubbed += _relabel_alerts(records, replacements)
        counts[(LogEntry._meta.label, "scrubbed")] += scrubbed
        _relabel_access_log(records, replacements)
        _log_people(people, run_id, ended)


def _chunks(items: Any) -> Any:
    """``items`` in slices short enough for one ``IN (…)``."""
    items = list(items)
    for i in range(0, len(items), CHUNK):
        yield items[i:i + CHUNK]


def _traces(values: Any) -> list[tuple[str, str]]:
    """Values worth finding in free text: two characters or more."""
    return [(str(v), MASKED) for v in values if v and len(str(v)) >= 2]


def _person_traces(person: Person) -> list[tuple[str, str]]:
    pairs = _traces(getattr(person, name) for name in pii.pii_fields(Person))
    if len(person.name) >= 2:
        pairs.append((person.name, ANONYMISED_NAME))
    return pairs


def _person_fields() -> list[str]:
    return list(dict.fromkeys([*PERSON_FIELDS, *pii.pii_fields(Person)]))


def _anonymise_person(person: Person) -> None:
    for name in _person_fields():
        if name == "name":
            value: Any = ANONYMISED_NAME
        elif name == "id_number":
            value = ANON_PREFIX + secrets.token_hex(7).upper()
        elif name == "birth_date":
            value = date(person.birth_date.year, 1, 1)
        else:
            value = _blank(Person._meta.get_field(name))
        setattr(person, name, value)


def _record_labels(ids: list[int]) -> dict[tuple[Any, int], tuple[int, list[str]]]:
    """How each record of these people names itself (``str``) and its person (``who``,
    a ``PersonRecord``'s masked name and ID number): the texts alerts, histories and
    the access log quote. ``{(model, pk): (person pk, labels)}``."""
    labels = {}
    for model, spec in _governed():
        rows = model._base_manager.filter(**{f"{spec.person}__in": ids}).select_related(
            spec.person)
        for row in rows:
            texts = [str(row)] + ([row.who] if isinstance(row, PersonRecord) else [])
            labels[(model, row.pk)] = (getattr(row, f"{spec.person}_id"), texts)
    return labels


def _anonymise_records(ids: list[int], counts: Counter,
                       found: dict[int, list[tuple[str, str]]]) -> dict[Any, dict[int, int]]:
    """Empty the declared fields of the people's records, noting the values emptied in
    ``found``; returns ``{model: {record pk: person pk}}``."""
    records: dict[Any, dict[int, int]] = {}
    for model, spec in _governed():
        rows = model._base_manager.filter(**{f"{spec.person}__in": ids})
        names = _cleared_fields(model, spec)
        records[model] = {}
        for pk, who, *values in rows.values_list("pk", f"{spec.person}_id", *names):
            records[model][pk] = who
            found[who] += _traces(values)
        values = {name: _blank(model._meta.get_field(name)) for name in names}
        changed = rows.update(**values) if values else len(records[model])
        counts[(model._meta.label, "anonymised")] += changed
    return records


def _scrub_history(model: type[models.Model], owners: dict[int, int | None],
                   replacements: Replacements, names: list[str],
                   reprs: dict[int, str] | None = None) -> int:
    """Mask ``names`` in the change history of these records and replace the person's
    traces in its texts. ``owners``: record pk → person pk (None: mask only);
    ``reprs``: the records' labels now, which replace whatever each entry was named
    (an entry keeps the label of its time: an arrival day since corrected, say)."""
    if not owners:
        return 0
    content_type = ContentType.objects.get_for_model(model)
    entries = [entry for chunk in _chunks(owners) for entry in LogEntry.objects.filter(
        content_type=content_type, object_id__in=chunk)]
    for entry in entries:
        pairs = replacements.get(owners[entry.object_id], [])
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name in names:
            pair = changes.get(name)
            if isinstance(pair, list):
                changes[name] = [v if v in (None, "None", "") else MASKED for v in pair]
        entry.changes = _replace_text(changes, pairs)
        if reprs and entry.object_id in reprs:
            entry.object_repr = reprs[entry.object_id]
        else:
            entry.object_repr = _replace_text(entry.object_repr, pairs)
        entry.serialized_data = None
        entry.changes_text = ""
    LogEntry.objects.bulk_update(
        entries, ["changes", "object_repr", "serialized_data", "changes_text"], batch_size=500)
    return len(entries)


def _replace_text(value: Any, pairs: list[tuple[str, str]]) -> Any:
    if isinstance(value, str):
        for old, new in pairs:
            value = value.replace(old, new)
        return value
    if isinstance(value, list):
        return [_replace_text(v, pairs) for v in value]
    if isinstance(value, dict):
        return {k: _replace_text(v, pairs) for k, v in value.items()}
    return value


def _subjects(records: dict[Any, dict[int, int]]) -> dict[str, int]:
    """Alert subjects (``app.model:pk``) of the people's records and of the rows hanging
    off them (an outsider's temperature checks) → person pk."""
    subjects: dict[str, int] = {}
    for model, owners in records.items():
        subjects.update({f"{model._meta.label_lower}:{pk}": who for pk, who in owners.items()})
        for child in apps.get_models():
            for f in child._meta.concrete_fields:
                if not (f.is_relation and f.related_model is model):
                    continue
                for chunk in _chunks(owners):
                    for pk, parent in child._base_manager.filter(
                            **{f"{f.name}__in": chunk}).values_list("pk", f.attname):
                        subjects[f"{child._meta.label_lower}:{pk}"] = owners[parent]
    return subjects


def _relabel_alerts(records: dict[Any, dict[int, int]], replacements: Replacements) -> int:
    subjects = _subjects(records)
    alerts = [alert for chunk in _chunks(subjects)
              for alert in Alert.objects.filter(subject__in=chunk)]
    owners = {}
    for alert in alerts:
        pairs = replacements[subjects[alert.subject]]
        for name in ("title", "detail", "outcome"):
            setattr(alert, name, _replace_text(getattr(alert, name), pairs))
        owners[alert.pk] = subjects[alert.subject]
    Alert.objects.bulk_update(alerts, ["title", "detail", "outcome"], batch_size=500)
    return _scrub_history(Alert, owners, replacements, [])


def _relabel_access_log(records: dict[Any, dict[int, int]],
                        replacements: Replacements) -> None:
    subjects = {(Person._meta.label, str(pk)): pk for pk in replacements}
    for model, owners in records.items():
        subjects.update({(model._meta.label, str(pk)): who for pk, who in owners.items()})
    types = {t for t, _ in subjects}
    rows = [row for chunk in _chunks({i for _, i in subjects})
            for row in PiiAccess.objects.filter(subject_type__in=types, subject_id__in=chunk)]
    changed = []
    for row in rows:
        who = subjects.get((row.subject_type, row.subject_id))
        if who is not None:
            row.subject_label = _replace_text(row.subject_label, replacements[who])
            changed.append(row)
    PiiAccess.objects.bulk_update(changed, ["subject_label"], batch_size=500)


# --- The audit entries -------------------------------------------------------------------

def _log_people(people: list[Person], run_id: str, ended: date) -> None:
    """One history entry per person: anonymised by retention, the values masked."""
    content_type = ContentType.objects.get_for_model(Person)
    data = {"retention": {"run": run_id, "emergency_ended": ended.isoformat(),
                          "days": settings.FANGKONG_RETENTION_DAYS}}
    LogEntry.objects.bulk_create([
        LogEntry(content_type=content_type, object_pk=str(p.pk), object_id=p.pk,
                 object_repr=str(p), action=LogEntry.Action.UPDATE, cid=run_id,
                 changes={name: [MASKED, MASKED] for name in _person_fields()},
                 additional_data=data)
        for p in people
    ], batch_size=500)


def _log_run(result: RetentionResult, ended: date, run_id: str) -> None:
    """The run's summary in the change history (/core/audit/), under people."""
    LogEntry.objects.create(
        content_type=ContentType.objects.get_for_model(Person), object_pk="retention",
        object_repr=summary(result)[:500], action=LogEntry.Action.UPDATE, cid=run_id,
        additional_data={"retention": {
            "run": run_id, "emergency_ended": ended.isoformat(),
            "days": settings.FANGKONG_RETENTION_DAYS,
            "counts": {f"{label} {what}": n for (label, what), n in result.counts.items()},
        }},
    )


def summary(result: RetentionResult) -> str:
    """The one-line summary the command prints and the audit entry keeps."""
    from django.utils.translation import gettext as _

    if result.state == "not_configured":
        return _("Retention: the emergency has not ended (FANGKONG_EMERGENCY_ENDED is not "
                 "set); nothing done.")
    if result.state == "not_due":
        return _("Retention: due from %(day)s; nothing done.") % {"day": result.due_from}
    values = {
        "people": result.counts[(Person._meta.label, "anonymised")],
        "deleted": sum(n for (_label, what), n in result.counts.items() if what == "deleted"),
        "records": sum(n for (label, what), n in result.counts.items()
                       if what == "anonymised" and label != Person._meta.label),
        "history": result.counts[(LogEntry._meta.label, "scrubbed")],
    }
    if result.state == "dry_run":
        return _("Retention (dry run, nothing changed): would anonymise %(people)d people "
                 "and %(records)d records, delete %(deleted)d records, scrub "
                 "%(history)d history entries.") % values
    return _("Retention: anonymised %(people)d people and %(records)d records, "
             "deleted %(deleted)d records, scrubbed %(history)d history entries.") % values
