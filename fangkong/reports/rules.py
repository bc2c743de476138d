"""Validation rules between indicators, in a tiny language parsed without ``eval``.

A rule is one comparison between two arithmetic expressions over indicator codes and
numbers: ``projects_resumed <= projects_total``, ``a + b <= c``, ``fever_found * 100 <=
people_screened``. Operators: ``+ - * /``, parentheses, and one of ``< <= > >= == !=``.
Arithmetic is exact (``Decimal``). A rule whose indicators are not all filled in is not
checked (a draft may be incomplete); division by zero makes the rule not apply.

HQ types rules into a form in the UI, so the parser must reject anything else with a
message a person can act on, and must never execute what it reads.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation
from typing import Union

from django.utils.translation import gettext as _

COMPARISONS = ("<=", ">=", "==", "!=", "<", ">")
_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9_]*)|(<=|>=|==|!=|[-+*/()<>]))")
MAX_LENGTH = 200


class RuleSyntaxError(ValueError):
    """The rule text is not a valid rule; ``str(exc)`` is a translated message."""


@dataclass(frozen=True)
class Num:
    value: Decimal


@dataclass(frozen=True)
class Ref:
    code: str


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Expr
    right: Expr


Expr = Union[Num, Ref, BinOp]  # noqa: UP007 - a recursive alias needs the string-free form


@dataclass(frozen=True)
class ParsedRule:
    left: Expr
    op: str
    right: Expr
    codes: tuple[str, ...]

    @property
    def subject(self) -> str:
        """The first indicator named on the left (else the right): where the error shows."""
        left = _codes(self.left)
        return (left or _codes(self.right))[0]

    def check(self, values: Mapping[str, Decimal | int | None]) -> bool | None:
        """True if the rule holds, False if it is broken, None if it cannot be checked."""
        try:
            a = _eval(self.left, values)
            b = _eval(self.right, values)
        except _Unknown:
            return None
        except (DivisionByZero, InvalidOperation, ZeroDivisionError):
            return None
        return {
            "<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b,
        }[self.op]


class _Unknown(Exception):
    pass


def _codes(expr: Expr) -> list[str]:
    if isinstance(expr, Ref):
        return [expr.code]
    if isinstance(expr, BinOp):
        return _codes(expr.left) + _codes(expr.right)
    return []


def _eval(expr: Expr, values: Mapping[str, Decimal | int | None]) -> Decimal:
    if isinstance(expr, Num):
        return expr.value
    if isinstance(expr, Ref):
        value = values.get(expr.code)
        if value is None or value == "":
            raise _Unknown(expr.code)
        return Decimal(value)
    a, b = _eval(expr.left, values), _eval(expr.right, values)
    if expr.op == "+":
        return a + b
    if expr.op == "-":
        return a - b
    if expr.op == "*":
        return a * b
    if b == 0:
        raise DivisionByZero
    return a / b


def _tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        match = _TOKEN.match(text, pos)
        if not match:
            bad = text[pos:].strip()[:10]
            raise RuleSyntaxError(_("Unexpected “%(text)s” in the rule.") % {"text": bad})
        tokens.append(match.group(1) or match.group(2) or match.group(3))
        pos = match.end()
    return tokens


class _Parser:
    """Recursive descent: expr := term (("+"|"-") term)*; term := factor (("*"|"/") factor)*;
    factor := number | code | "-" factor | "(" expr ")"."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0

    def peek(self) -> str | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> str:
        token = self.peek()
        if token is None:
            raise RuleSyntaxError(_("The rule ends too early."))
        self.pos += 1
        return token

    def expr(self) -> Expr:
        node = self.term()
        while self.peek() in ("+", "-"):
            op = self.take()
            node = BinOp(op, node, self.term())
        return node

    def term(self) -> Expr:
        node = self.factor()
        while self.peek() in ("*", "/"):
            op = self.take()
            node = BinOp(op, node, self.factor())
        return node

    def factor(self) -> Expr:
        token = self.take()
        if token == "(":
            node = self.expr()
            if self.take() != ")":
                raise RuleSyntaxError(_("A bracket is not closed."))
            return node
        if token == "-":
            return BinOp("-", Num(Decimal(0)), self.factor())
        if token[0].isdigit():
            return Num(Decimal(token))
        if token[0].isalpha():
            return Ref(token)
        raise RuleSyntaxError(_("Unexpected “%(text)s” in the rule.") % {"text": token})


def parse_rule(text: str) -> ParsedRule:
    """Parse ``text``; raises ``RuleSyntaxError`` with a readable message."""
    text = (text or "").strip()
    if not text:
        raise RuleSyntaxError(_("Enter a rule, e.g. projects_resumed <= projects_total."))
    if len(text) > MAX_LENGTH:
        raise RuleSyntaxError(_("A rule has at most %(n)d characters.") % {"n": MAX_LENGTH})
    tokens = _tokenize(text)
    ops = [t for t in tokens if t in COMPARISONS]
    if len(ops) != 1:
        raise RuleSyntaxError(
            _("A rule compares two sides with exactly one of < <= > >= == !=."))
    parser = _Parser(tokens)
    left = parser.expr()
    op = parser.take()
    if op not in COMPARISONS:
        raise RuleSyntaxError(_("Unexpected “%(text)s” in the rule.") % {"text": op})
    right = parser.expr()
    if parser.peek() is not None:
        raise RuleSyntaxError(_("Unexpected “%(text)s” in the rule.") % {"text": parser.peek()})
    codes = tuple(dict.fromkeys(_codes(left) + _codes(right)))
    if not codes:
        raise RuleSyntaxError(_("A rule must name at least one indicator."))
    return ParsedRule(left, op, right, codes)


_READABLE_OPS = {"<=": "≤", ">=": "≥", "==": "=", "!=": "≠", "*": "×", "/": "÷"}


def readable(expression: str, names: Mapping[str, str]) -> str:
    """The rule as people read it: indicator names and ≤ ≥ ≠ signs instead of codes,
    e.g. "已复工项目 ≤ 重点项目" for ``projects_resumed <= projects_total``."""
    out, pos = [], 0
    while pos < len(expression):
        match = _TOKEN.match(expression, pos)
        if match is None or match.end() == pos:
            return expression
        number, code, op = match.groups()
        if code:
            out.append(str(names.get(code, code)))
        elif op:
            out.append(_READABLE_OPS.get(op, op))
        elif number:
            out.append(number)
        pos = match.end()
        if not expression[pos:].strip():
            break
    return " ".join(out)
