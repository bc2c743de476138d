"""One pager for every API list: ``{count, page, page_size, results}``.

Each list once wrote its own slice, its own envelope and its own page serializer, with two
different largest pages (200 and 500). Here there is one: ``settings.API_MAX_PAGE_SIZE``.
A ``page`` or ``page_size`` that is not a whole number in range is a field error (400,
with the field named), never a 500 and never silently clamped, so a client asking for 1000
rows learns it got fewer. A page past the last one is not an error: its ``results`` are
empty and ``count`` says how many there are.

A list endpoint's query serializer subclasses ``PageQuerySerializer``, so the page
parameters are documented with its own and their errors come back together with the
others; ``page_response`` then slices and answers::

    query = PassageQuerySerializer(data=request.query_params)
    query.is_valid(raise_exception=True)
    return page_response(qs.order_by("-occurred_at", "-pk"), passage_payload,
                         query.validated_data, default=100)

A plain function rather than DRF's ``PageNumberPagination``: the endpoints are function
views that also filter on validated query parameters, and the page's errors must join
theirs (docs/decisions/kit-api.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from rest_framework import serializers
from rest_framework.response import Response

#: No list has a million pages; past this ``page * page_size`` could overflow the
#: database's OFFSET (a 500 on PostgreSQL).
PAGE_MAX = 1_000_000


def max_page_size() -> int:
    return settings.API_MAX_PAGE_SIZE


class QuerySerializer(serializers.Serializer):
    """Query parameters: the ones it does not know are ignored (a URL may carry a client's
    own cache-busting parameter), unlike a body's unknown fields (``StrictSerializer``)."""

    def to_internal_value(self, data: Any) -> Any:
        known = {k: v for k, v in data.items() if k in self.fields}
        return super().to_internal_value(known)


def bounded_integer(high: int, **kwargs: Any) -> serializers.IntegerField:
    """A whole number from 1 to ``high``: the range is validated and published in the
    OpenAPI document (``minimum``/``maximum``), with one message for either end."""
    message = lazy(lambda: _("Give a whole number from 1 to %(max)d.") % {"max": high}, str)()
    return serializers.IntegerField(
        min_value=1, max_value=high,
        error_messages={"min_value": message, "max_value": message}, **kwargs)


class PageQuerySerializer(QuerySerializer):
    """``page`` and ``page_size``, for a list's own query serializer to subclass."""

    page = bounded_integer(PAGE_MAX, required=False, help_text="1 or more; default 1.")
    page_size = bounded_integer(
        settings.API_MAX_PAGE_SIZE, required=False,
        help_text=f"Rows per page, 1 to {settings.API_MAX_PAGE_SIZE} (the one largest page "
                  "of every list); the default depends on the list.",
    )

    def validate_page_size(self, value: int) -> int:
        # The setting as it is now (tests override it), not as it was at import.
        if value > max_page_size():
            raise serializers.ValidationError(
                _("Give a whole number from 1 to %(max)d.") % {"max": max_page_size()})
        return value


def page_response(
    qs: QuerySet, serialize: Callable[[Any], Any], params: Mapping[str, Any], *,
    default: int = 50, extra: Mapping[str, Any] | None = None,
    prepare: Callable[[list[Any]], Iterable[Any]] | None = None,
) -> Response:
    """One page of the ordered queryset ``qs``; ``params`` are the validated query
    parameters (``PageQuerySerializer`` or a subclass); ``extra`` goes in the envelope
    before ``count`` (e.g. the day of a day's register); ``prepare`` turns the page's
    rows into what is serialised (``core.services.people.as_seen_by``)."""
    size = params.get("page_size") or min(default, max_page_size())
    page = params.get("page") or 1
    rows: Iterable[Any] = qs[(page - 1) * size: page * size]
    if prepare is not None:
        rows = prepare(list(rows))
    return Response({
        **(extra or {}), "count": qs.count(), "page": page, "page_size": size,
        "results": [serialize(row) for row in rows],
    })


def page_serializer(item: type[serializers.Serializer], name: str,
                    **extra: serializers.Field) -> type[serializers.Serializer]:
    """The envelope's shape for the OpenAPI document: ``name`` (e.g.
    ``"PersonPageSerializer"``, shown as ``PersonPage``) with ``extra`` fields first, then
    ``count``, ``page``, ``page_size`` and ``results`` (a list of ``item``)."""
    fields = {
        **extra,
        "count": serializers.IntegerField(help_text="Rows in the whole list."),
        "page": serializers.IntegerField(),
        "page_size": serializers.IntegerField(),
        "results": item(many=True),
    }
    return type(name, (serializers.Serializer,), fields)
