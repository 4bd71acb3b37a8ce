"""Which BooleanCondition types data validation and conditional formatting accept, and with how many values.

The rules come from Google's own description of each ``ConditionType`` in the
Sheets v4 discovery document ("Supported by data validation, conditional
formatting and filters. Requires exactly two ConditionValues."), so they
follow Google's reference word for word. Google's 400 is kept (status,
``Invalid requests[i].kind:`` prefix); the rest of the wording is the fake's
own, since no recording holds one of these answers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from . import schema
from .errors import invalid_argument

VALIDATION = "data validation"
CONDITIONAL_FORMAT = "conditional formatting"
_MANY = 10**9


@lru_cache(maxsize=1)
def rules() -> dict[str, tuple[frozenset[str], int, int]]:
    """ConditionType -> (where it is supported, fewest values, most values); empty without the discovery document."""
    doc = schema.load("sheets")
    if doc is None:
        return {}
    prop = doc["schemas"]["BooleanCondition"]["properties"]["type"]
    found = {}
    for kind, text in zip(prop["enum"], prop["enumDescriptions"]):
        supported = re.search(r"Supported by ([^.]*)\.", text)
        uses = frozenset(u for u in (VALIDATION, CONDITIONAL_FORMAT) if supported and u in supported.group(1))
        if "Requires exactly two" in text:
            low, high = 2, 2
        elif "Requires no ConditionValues" in text:
            low, high = 0, 0
        elif "Supports zero, one or two" in text:
            low, high = 0, 2
        elif "Requires a single ConditionValue" in text:
            low, high = 1, 1
        elif "Requires at least one" in text:
            low, high = 1, _MANY
        else:  # "Supports any number of condition values"
            low, high = 0, _MANY
        found[kind] = (uses, low, high)
    return found


def check(condition: dict[str, Any] | None, use: str, prefix: str) -> None:
    """Google's 400 for a condition type ``use`` does not support, or the wrong number of values."""
    if not condition:
        return
    kind = condition.get("type") or "CONDITION_TYPE_UNSPECIFIED"
    known = rules()
    if not known:
        return
    if kind not in known or use not in known[kind][0]:
        raise invalid_argument(f"{prefix}Invalid {'dataValidation' if use == VALIDATION else 'conditional format rule'}: "
                               f"the condition type {kind} is not supported by {use}.")
    _, low, high = known[kind]
    count = len(condition.get("values") or [])
    if not low <= count <= high:
        wanted = str(low) if low == high else f"{low} to {high}" if high < _MANY else f"at least {low}"
        raise invalid_argument(f"{prefix}Invalid condition: {kind} needs {wanted} condition values, got {count}.")
