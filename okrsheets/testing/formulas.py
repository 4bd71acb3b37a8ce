"""A very small formula evaluator; not a spreadsheet engine.

It computes what the recordings show Google computing (``=4/2``,
``= 1 / 1024``, ``=1+1``) and a little more: numbers, strings, TRUE/FALSE,
cell and range references (also on other sheets), ``+ - * / ^ & %``,
comparisons, and SUM, AVERAGE, MIN, MAX, COUNT, COUNTA, ROUND, ABS, IF,
IFERROR, AND, OR, NOT, CONCATENATE, LEN, UPPER, LOWER. Anything else raises
:class:`Unsupported`, and the caller renders the formula text instead.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Callable

from . import a1


class Unsupported(Exception):
    pass


class FormulaError:
    """A spreadsheet error value such as ``#DIV/0!``."""

    TYPES = {
        "#DIV/0!": "DIVIDE_BY_ZERO",
        "#VALUE!": "VALUE",
        "#REF!": "REF",
        "#NAME?": "NAME",
        "#NUM!": "NUM",
        "#N/A": "N_A",
    }

    def __init__(self, code: str, message: str = "") -> None:
        self.code = code
        self.message = message or code

    def api(self) -> dict[str, Any]:
        return {"type": self.TYPES.get(self.code, "ERROR"), "message": self.message}

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FormulaError) and other.code == self.code

    def __repr__(self) -> str:
        return self.code


_TOKEN = re.compile(
    r"""\s*(?:
    (?P<num>\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+) |
    (?P<str>"(?:[^"]|"")*") |
    (?P<ref>(?:(?:'(?:[^']|'')+'|[A-Za-z_][A-Za-z0-9_]*)!)?\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?) |
    (?P<func>[A-Za-z_][A-Za-z0-9_.]*(?=\s*\()) |
    (?P<bool>TRUE|FALSE|true|false) |
    (?P<op><>|<=|>=|[-+*/^&=<>%(),:])
    )""",
    re.VERBOSE,
)

Resolver = Callable[[str | None, int, int, int, int], list[list[Any]]]


@lru_cache(maxsize=65536)  # the same formula text in every row and every spreadsheet: tokenized once
def _tokens(text: str) -> tuple[tuple[str, str], ...]:
    return tuple(tokenize(text))


def tokenize(text: str) -> list[tuple[str, str]]:
    pos = 0
    out = []
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unsupported(text)
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class _Parser:
    def __init__(self, tokens: tuple[tuple[str, str], ...], resolve: Resolver) -> None:
        self.t = tokens
        self.i = 0
        self.resolve = resolve

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        tok = self.t[self.i]
        self.i += 1
        return tok

    def expect(self, value: str) -> None:
        tok = self.peek()
        if tok is None or tok[1] != value:
            raise Unsupported(value)
        self.i += 1

    # precedence: comparison < & < +- < */ < ^ < unary < %
    def comparison(self) -> Any:
        left = self.concat()
        while (tok := self.peek()) and tok[0] == "op" and tok[1] in ("=", "<>", "<", ">", "<=", ">="):
            self.take()
            right = self.concat()
            left = _compare(tok[1], left, right)
        return left

    def concat(self) -> Any:
        left = self.additive()
        while (tok := self.peek()) and tok[1] == "&":
            self.take()
            right = self.additive()
            left = _text(left) + _text(right)
        return left

    def additive(self) -> Any:
        left = self.term()
        while (tok := self.peek()) and tok[1] in ("+", "-"):
            self.take()
            right = self.term()
            a, b = _num(left), _num(right)
            if isinstance(a, FormulaError):
                return a
            if isinstance(b, FormulaError):
                return b
            left = a + b if tok[1] == "+" else a - b
        return left

    def term(self) -> Any:
        left = self.power()
        while (tok := self.peek()) and tok[1] in ("*", "/"):
            self.take()
            right = self.power()
            a, b = _num(left), _num(right)
            if isinstance(a, FormulaError):
                return a
            if isinstance(b, FormulaError):
                return b
            if tok[1] == "*":
                left = a * b
            elif b == 0:
                left = FormulaError("#DIV/0!", "Function DIVIDE parameter 2 cannot be zero.")
            else:
                left = a / b
        return left

    def power(self) -> Any:
        left = self.unary()
        while (tok := self.peek()) and tok[1] == "^":
            self.take()
            right = self.unary()
            left = _num(left) ** _num(right)
        return left

    def unary(self) -> Any:
        tok = self.peek()
        if tok and tok[1] in ("-", "+"):
            self.take()
            value = _num(self.unary())
            return -value if tok[1] == "-" else value
        value = self.postfix()
        return value

    def postfix(self) -> Any:
        value = self.atom()
        while (tok := self.peek()) and tok[1] == "%":
            self.take()
            value = _num(value) / 100
        return value

    def atom(self) -> Any:
        tok = self.peek()
        if tok is None:
            raise Unsupported("end")
        kind, text = self.take()
        if kind == "num":
            return float(text)
        if kind == "str":
            return text[1:-1].replace('""', '"')
        if kind == "bool":
            return text.upper() == "TRUE"
        if kind == "ref":
            return self.reference(text)
        if kind == "func":
            return self.call(text.upper())
        if text == "(":
            value = self.comparison()
            self.expect(")")
            return value
        raise Unsupported(text)

    def reference(self, text: str) -> Any:
        title, ref, had = a1.split_sheet(text)
        box = a1.parse_ref(ref.replace("$", ""))
        grid = self.resolve(title if had else None, box.start_row or 0, box.end_row or 0, box.start_col or 0, box.end_col or 0)
        rows = None if box.start_row is None or box.end_row is None else box.end_row - box.start_row
        columns = None if box.start_col is None or box.end_col is None else box.end_col - box.start_col
        if rows == 1 and columns == 1:  # one cell (an open range such as A:A is a range)
            return grid[0][0] if grid and grid[0] else None
        return _Range(grid)

    def call(self, name: str) -> Any:
        self.expect("(")
        args: list[Any] = []
        if (token := self.peek()) is not None and token[1] != ")":
            args.append(self.comparison())
            while (token := self.peek()) is not None and token[1] == ",":
                self.take()
                args.append(self.comparison())
        self.expect(")")
        fn = _FUNCTIONS.get(name)
        if fn is None:
            raise Unsupported(name)
        return fn(args)


class _Range:
    def __init__(self, grid: list[list[Any]]) -> None:
        self.grid = grid

    def values(self) -> list[Any]:
        return [v for row in self.grid for v in row]


def _flatten(args: list[Any]) -> list[Any]:
    out: list[Any] = []
    for arg in args:
        if isinstance(arg, _Range):
            out.extend(arg.values())
        else:
            out.append(arg)
    return out


def _numbers(args: list[Any]) -> list[float]:
    out: list[float] = []
    for arg in args:
        if isinstance(arg, _Range):
            out.extend(float(v) for v in arg.values() if isinstance(v, (int, float)) and not isinstance(v, bool))
        elif isinstance(arg, bool):
            out.append(float(arg))
        elif isinstance(arg, (int, float)):
            out.append(float(arg))
        elif isinstance(arg, str):
            try:
                out.append(float(arg))
            except ValueError:
                pass
    return out


def _num(value: Any) -> Any:
    if isinstance(value, FormulaError):
        return value
    if value is None or value == "":
        return 0.0
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, _Range):
        raise Unsupported("range in arithmetic")
    try:
        return float(str(value))
    except ValueError:
        return FormulaError("#VALUE!", f"Function ADD parameter expects number values. But '{value}' is a text and cannot be coerced to a number.")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _compare(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, str) and isinstance(b, str):
        a, b = a.lower(), b.lower()
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        pass
    else:
        a, b = _text(a), _text(b)
    return {
        "=": a == b, "<>": a != b, "<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b,
    }[op]


def _avg(args: list[Any]) -> Any:
    nums = _numbers(args)
    if not nums:
        return FormulaError("#DIV/0!", "Evaluation of function AVERAGE caused a divide by zero error.")
    return sum(nums) / len(nums)


def _if(args: list[Any]) -> Any:
    cond = args[0] if args else False
    if isinstance(cond, (int, float)):
        cond = cond != 0
    if cond:
        return args[1] if len(args) > 1 else True
    return args[2] if len(args) > 2 else False


_FUNCTIONS: dict[str, Callable[[list[Any]], Any]] = {
    "SUM": lambda a: sum(_numbers(a)),
    "AVERAGE": _avg,
    "MIN": lambda a: min(_numbers(a), default=0.0),
    "MAX": lambda a: max(_numbers(a), default=0.0),
    "COUNT": lambda a: float(len(_numbers(a))),
    "COUNTA": lambda a: float(sum(1 for v in _flatten(a) if v not in (None, ""))),
    "ROUND": lambda a: float(round(_num(a[0]), int(_num(a[1])) if len(a) > 1 else 0)),
    "ABS": lambda a: abs(_num(a[0])),
    "IF": _if,
    "IFERROR": lambda a: (a[1] if len(a) > 1 else "") if isinstance(a[0], FormulaError) else a[0],
    "AND": lambda a: all(bool(v) for v in _flatten(a)),
    "OR": lambda a: any(bool(v) for v in _flatten(a)),
    "NOT": lambda a: not a[0],
    "CONCATENATE": lambda a: "".join(_text(v) for v in _flatten(a)),
    "LEN": lambda a: float(len(_text(a[0]))),
    "UPPER": lambda a: _text(a[0]).upper(),
    "LOWER": lambda a: _text(a[0]).lower(),
}


def evaluate(formula: str, resolve: Resolver) -> Any:
    """Value of ``formula`` (with its leading ``=``); raises Unsupported."""
    tokens = _tokens(formula[1:] if formula.startswith("=") else formula)
    parser = _Parser(tokens, resolve)
    value = parser.comparison()
    if parser.i != len(tokens):
        raise Unsupported(formula)
    if isinstance(value, _Range):
        grid = value.grid
        return grid[0][0] if grid and grid[0] else None
    return value


class ParseError(Exception):
    """The formula does not parse in the spreadsheet's locale: Google stores it and shows ``#ERROR!``."""


PARSE_ERROR = "Formula parse error."


@lru_cache(maxsize=65536)
def to_en_us(formula: str, comma_decimal: bool) -> str:
    """The formula as an en_US sheet would read it, from the separators of its spreadsheet's locale.

    Google parses a formula in the spreadsheet's locale. Where the decimal
    separator is a comma (vi_VN, de_DE, fr_FR...), arguments are separated by
    ``;`` and ``0,5`` is a number, so a ``,`` between arguments does not parse;
    elsewhere ``;`` does not. Text in quotes and quoted sheet names are left
    alone; a formula with an array literal (``{...}``) is returned unchanged.
    """
    out: list[str] = []
    quote: str | None = None
    for i, ch in enumerate(formula):
        if quote:
            out.append(ch)
            if ch == quote:
                quote = None
            continue
        if ch in "\"'":
            quote = ch
            out.append(ch)
        elif ch == "{":
            return formula
        elif ch == ";":
            if not comma_decimal:
                raise ParseError(formula)
            out.append(",")
        elif ch == "," and comma_decimal:
            before = re.search(r"(?<![A-Za-z$\d])\d+$", "".join(out))  # digits that are a number, not a cell reference
            if before and i + 1 < len(formula) and formula[i + 1].isdigit():
                out.append(".")
            else:
                raise ParseError(formula)
        else:
            out.append(ch)
    return "".join(out)
