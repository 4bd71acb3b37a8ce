"""Drive v3 search: the ``q`` query language and ``orderBy``.

Supports ``name``/``mimeType``/``trashed``/``starred``/``modifiedTime``/
``createdTime`` comparisons, ``name contains``, ``fullText contains``,
``'id' in parents`` (and gspread's ``parents in 'id'``), ``'email' in
owners/writers/readers``, ``appProperties has { key='k' and value='v' }``
(also ``properties``), ``and``, ``or``, ``not`` and parentheses. Anything
else is Drive's 400 ``Invalid Value``.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import drive_error
from .state import FOLDER_MIME, DriveFile, State

ROLES = ("owner", "organizer", "fileOrganizer", "writer", "commenter", "reader")


_Q_TOKEN = re.compile(
    r"""\s*(?:(?P<str>'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")|(?P<op>!=|<=|>=|=|<|>|\(|\)|\{|\})|(?P<word>[A-Za-z_][A-Za-z0-9_.]*)|(?P<num>-?\d+(?:\.\d+)?))"""
)


class QueryError(Exception):
    pass


def _q_tokens(text: str) -> list[tuple[str, str]]:
    pos, out = 0, []
    text = text.strip()
    while pos < len(text):
        m = _Q_TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise QueryError(text)
        kind = m.lastgroup or ""
        value = m.group(kind)
        if kind == "str":
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        out.append((kind, value))
        pos = m.end()
    return out


class QueryParser:
    FIELDS = {"name", "mimeType", "trashed", "starred", "parents", "appProperties", "properties",
              "fullText", "modifiedTime", "createdTime", "owners", "writers", "readers", "sharedWithMe", "visibility"}

    def __init__(self, text: str) -> None:
        self.t = _q_tokens(text)
        self.i = 0

    def peek(self) -> tuple[str, str] | None:
        return self.t[self.i] if self.i < len(self.t) else None

    def take(self) -> tuple[str, str]:
        if self.i >= len(self.t):
            raise QueryError("end")
        tok = self.t[self.i]
        self.i += 1
        return tok

    def parse(self) -> Any:
        node = self.or_()
        if self.i != len(self.t):
            raise QueryError("trailing")
        return node

    def or_(self) -> Any:
        node = self.and_()
        while (token := self.peek()) is not None and token[1].lower() == "or":
            self.take()
            node = ("or", node, self.and_())
        return node

    def and_(self) -> Any:
        node = self.not_()
        while (token := self.peek()) is not None and token[1].lower() == "and":
            self.take()
            node = ("and", node, self.not_())
        return node

    def not_(self) -> Any:
        tok = self.peek()
        if tok and tok[0] == "word" and tok[1].lower() == "not":
            self.take()
            return ("not", self.not_())
        if tok and tok[1] == "(":
            self.take()
            node = self.or_()
            if self.take()[1] != ")":
                raise QueryError(")")
            return node
        return self.term()

    def value(self) -> Any:
        kind, text = self.take()
        if kind == "str":
            return text
        if kind == "word" and text.lower() in ("true", "false"):
            return text.lower() == "true"
        if kind == "num":
            return float(text)
        raise QueryError(text)

    def term(self) -> Any:
        kind, text = self.take()
        if kind == "str":  # 'x' in parents
            word = self.take()
            target = self.take()
            if word[1].lower() != "in" or target[1] not in ("parents", "owners", "writers", "readers"):
                raise QueryError(text)
            return ("in", target[1], text)
        if kind != "word" or text not in self.FIELDS:
            raise QueryError(text)
        op = self.take()[1]
        if op.lower() == "has":
            if self.take()[1] != "{":
                raise QueryError("{")
            k1, _, key = self.take(), self.take(), self.value()
            conj = self.take()
            k2, _, val = self.take(), self.take(), self.value()
            if self.take()[1] != "}" or k1[1] != "key" or k2[1] != "value" or conj[1].lower() != "and":
                raise QueryError("}")
            return ("has", text, key, val)
        if op.lower() == "in":  # parents in 'x' (gspread writes it this way round)
            return ("in", text, self.value())
        if op.lower() == "contains":
            return ("contains", text, self.value())
        if op not in ("=", "!=", "<", "<=", ">", ">="):
            raise QueryError(op)
        return ("cmp", op, text, self.value())


def matches(state: State, f: DriveFile, node: Any) -> bool:
    kind = node[0]
    if kind == "and":
        return matches(state, f, node[1]) and matches(state, f, node[2])
    if kind == "or":
        return matches(state, f, node[1]) or matches(state, f, node[2])
    if kind == "not":
        return not matches(state, f, node[1])
    if kind == "in":
        field, value = node[1], node[2]
        if field == "parents":
            return value in f.parents or (value == "root" and state.root_id in f.parents)
        roles = {"owners": ("owner",), "writers": ("owner", "writer"), "readers": ROLES}[field]
        return any((p.email or "").lower() == str(value).lower() and p.role in roles for p in f.permissions)
    if kind == "has":
        store = f.app_properties if node[1] == "appProperties" else f.properties
        return store.get(str(node[2])) == str(node[3])
    if kind == "contains":
        field, value = node[1], str(node[2])
        if field == "name":
            return value.lower() in f.name.lower()
        if field == "fullText":
            return value.lower() in (f.name + " " + (f.description or "")).lower()
        raise QueryError(field)
    _, op, field, value = node
    if field in ("modifiedTime", "createdTime"):
        have: Any = state.clock.rfc3339(f.modified if field == "modifiedTime" else f.created)
        value = str(value)
        if len(value) == 19:
            value += ".000Z"
    else:
        have = {
            "name": f.name, "mimeType": f.mime_type, "trashed": state.in_trash(f), "starred": f.starred,
        }.get(field)
        if field not in ("name", "mimeType", "trashed", "starred"):
            raise QueryError(field)
    return {
        "=": have == value, "!=": have != value, "<": have < value, "<=": have <= value,
        ">": have > value, ">=": have >= value,
    }[op]


def order_key(state: State, f: DriveFile, order: str) -> list[Any]:
    keys: list[Any] = []
    for part in [p.strip() for p in order.split(",") if p.strip()]:
        name, _, direction = part.partition(" ")
        value: Any = {
            "name": f.name.lower(), "name_natural": f.name.lower(), "createdTime": f.created,
            "modifiedTime": f.modified, "modifiedByMeTime": f.modified, "viewedByMeTime": f.modified,
            "folder": 0 if f.mime_type == FOLDER_MIME else 1, "starred": 0 if f.starred else 1,
            "recency": f.modified, "quotaBytesUsed": 0, "sharedWithMeTime": f.created,
        }.get(name)
        if value is None:
            raise drive_error(400, "Invalid Value", "invalid", location="orderBy")
        if direction.strip().lower() == "desc":
            value = _Desc(value)
        keys.append(value)
    return keys


class _Desc:
    def __init__(self, value: Any) -> None:
        self.value = value

    def __lt__(self, other: "_Desc") -> bool:
        return self.value > other.value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Desc) and self.value == other.value
