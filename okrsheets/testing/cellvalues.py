"""Cell values: parsing what a user typed, and rendering values back.

Modelled on what the recordings show Google doing for an en_US spreadsheet:
``USER_ENTERED`` turns ``"0042"`` into the number 42, ``"2,000,000.01"`` into
2000000.01 shown with ``#,##0.00``, ``"2020-01-01"`` into the date serial
43831 shown as ``2020-01-01``; ``RAW`` keeps strings as strings. Colors are
stored as 8-bit channels and printed as float32, the way the API prints
``0.5`` back as ``0.49803922``.
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import re
import struct
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

EPOCH = _dt.datetime(1899, 12, 30)

COMMA_DECIMAL_LOCALES = {
    "fr_FR", "de_DE", "es_ES", "it_IT", "pt_BR", "pt_PT", "nl_NL", "ru_RU", "pl_PL",
    "tr_TR", "vi_VN", "id_ID", "sv_SE", "da_DK", "fi_FI", "nb_NO", "cs_CZ", "uk_UA",
}

_NUM = re.compile(r"^[+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?$")
_SCI = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
_PCT = re.compile(r"^([+-]?(\d+|\d{1,3}(,\d{3})+)?(\.\d+)?)\s?%$")
_CUR = re.compile(r"^([+-]?)\$\s?((\d+|\d{1,3}(,\d{3})+)(\.\d+)?)$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_US_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


# ---------------------------------------------------------------- numbers out

def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, text, numbers), several times faster than ``copy.deepcopy``
    (which a read of a large spreadsheet would spend most of its time in); anything else is deep-copied."""
    kind = type(value)
    if kind is dict:
        return {k: json_copy(v) for k, v in value.items()}
    if kind is list:
        return [json_copy(v) for v in value]
    if kind in (str, int, float, bool) or value is None:
        return value
    return copy.deepcopy(value)


def num_out(x: float | int) -> float | int:
    """JSON number as Google prints it: 2 rather than 2.0."""
    if isinstance(x, bool):
        return x
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def float32_out(x: float) -> float | int:
    """Shortest decimal that reads back as the same float32 (proto ``float``)."""
    f32 = struct.unpack("f", struct.pack("f", x))[0]
    if f32.is_integer():
        return int(f32)
    for digits in range(1, 10):
        text = f"{f32:.{digits}g}"
        if struct.unpack("f", struct.pack("f", float(text)))[0] == f32:
            return float(text)
    return f32


# ---------------------------------------------------------------- colors

COLOR_PAIRS = [("backgroundColor", "backgroundColorStyle")]
THEME: dict[str, dict[str, float]] = {
    "TEXT": {},
    "BACKGROUND": {"red": 1, "green": 1, "blue": 1},
    "ACCENT1": {"red": 0.25882354, "green": 0.52156866, "blue": 0.95686275},
    "ACCENT2": {"red": 0.91764706, "green": 0.2627451, "blue": 0.20784314},
    "ACCENT3": {"red": 0.9843137, "green": 0.7372549, "blue": 0.015686275},
    "ACCENT4": {"red": 0.20392157, "green": 0.65882355, "blue": 0.3254902},
    "ACCENT5": {"red": 1, "green": 0.42745098, "blue": 0.003921569},
    "ACCENT6": {"red": 0.27450982, "green": 0.7411765, "blue": 0.7764706},
    "LINK": {"red": 0.06666667, "green": 0.33333334, "blue": 0.8},
}


def norm_color(color: dict[str, Any] | None) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key in ("red", "green", "blue"):
        v = (color or {}).get(key)
        if v:
            q = math.floor(max(0.0, min(1.0, float(v))) * 255 + 1e-4) / 255
            if q:
                out[key] = float32_out(q)
    alpha = (color or {}).get("alpha")
    if alpha is not None and float(alpha) != 1:
        out["alpha"] = float32_out(float(alpha))
    return out


def norm_style(style: dict[str, Any] | None) -> dict[str, Any] | None:
    if not style:
        return None
    if style.get("themeColor"):
        return {"themeColor": style["themeColor"]}
    if "rgbColor" in style and style["rgbColor"] is not None:
        return {"rgbColor": norm_color(style["rgbColor"])}
    return None


def style_to_color(style: dict[str, Any]) -> dict[str, Any]:
    if "themeColor" in style:
        return dict(THEME.get(style["themeColor"], {}))
    return dict(style.get("rgbColor", {}))


def sync_color_pair(obj: dict[str, Any], color_key: str, style_key: str) -> None:
    """Make ``color_key`` and ``style_key`` agree, deriving the missing one."""
    color = obj.get(color_key)
    style = obj.get(style_key)
    if style_key in obj:
        style = norm_style(style)
        if style is None:
            obj.pop(style_key, None)
            obj.pop(color_key, None)
            return
        obj[style_key] = style
        obj[color_key] = style_to_color(style)
        return
    if color_key in obj:
        if color is None:
            obj.pop(color_key, None)
            return
        c = norm_color(color)
        obj[color_key] = c
        obj[style_key] = {"rgbColor": dict(c)}


def normalize_format(fmt: dict[str, Any]) -> dict[str, Any]:
    """A CellFormat with both plain and style colors, quantized like Google's."""
    fmt = json_copy(fmt)
    for k in [k for k, v in fmt.items() if v is None]:
        del fmt[k]
    sync_color_pair(fmt, "backgroundColor", "backgroundColorStyle")
    text = fmt.get("textFormat")
    if isinstance(text, dict):
        for k in [k for k, v in text.items() if v is None]:
            del text[k]
        sync_color_pair(text, "foregroundColor", "foregroundColorStyle")
    borders = fmt.get("borders")
    if isinstance(borders, dict):
        for side in list(borders):
            b = borders[side]
            if isinstance(b, dict):
                sync_color_pair(b, "color", "colorStyle")
    return fmt


def widen_color_mask(tree: dict[str, Any] | None) -> dict[str, Any] | None:
    """A mask naming ``backgroundColor`` also covers ``backgroundColorStyle``."""
    if tree is None:
        return None
    pairs = {
        "backgroundColor": "backgroundColorStyle",
        "foregroundColor": "foregroundColorStyle",
        "color": "colorStyle",
        "tabColor": "tabColorStyle",
    }
    out: dict[str, Any] = {}
    for key, sub in tree.items():
        out[key] = widen_color_mask(sub)
    for a, b in pairs.items():
        if a in out and b not in out:
            out[b] = out[a]
        elif b in out and a not in out:
            out[a] = out[b]
    return out


def apply_masked(target: dict[str, Any], source: dict[str, Any], tree: dict[str, Any] | None) -> None:
    """Copy the fields selected by ``tree`` from source to target (absent = clear)."""
    if tree is None or "*" in tree:
        target.clear()
        target.update(json_copy({k: v for k, v in source.items() if v is not None}))
        return
    for key, sub in tree.items():
        value = source.get(key) if isinstance(source, dict) else None
        if sub is None or not isinstance(value, dict) and value is not None:
            if value is None:
                target.pop(key, None)
            else:
                target[key] = json_copy(value)
            continue
        child = target.get(key)
        if not isinstance(child, dict):
            child = {}
        apply_masked(child, value or {}, sub)
        if child:
            target[key] = child
        else:
            target.pop(key, None)


# ---------------------------------------------------------------- parsing input

def serial_from(dt: _dt.datetime) -> float:
    delta = dt - EPOCH
    return delta.days + delta.seconds / 86400


def parse_user_entered(value: Any, locale: str = "en_US") -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """(userEnteredValue, numberFormat or None) for a USER_ENTERED value."""
    if value is None:
        return None, None
    if isinstance(value, bool):
        return {"boolValue": value}, None
    if isinstance(value, (int, float)):
        return {"numberValue": float(value)}, None
    text = str(value)
    if text == "":
        return None, None
    if text.startswith("=") and len(text) > 1:
        return {"formulaValue": text}, None
    if text.startswith("'"):
        return {"stringValue": text[1:]}, None
    upper = text.strip().upper()
    if upper in ("TRUE", "FALSE"):
        return {"boolValue": upper == "TRUE"}, None
    s = text.strip()
    comma_decimal = locale in COMMA_DECIMAL_LOCALES
    if comma_decimal:
        s = s.replace("\u00a0", "").replace(" ", "").replace(".", "\x00").replace(",", ".").replace("\x00", ",")
    m = _NUM.match(s)
    if m and (m.group(1) or m.group(3)):
        number = float(s.replace(",", ""))
        if m.group(2):  # thousands separators typed
            decimals = len(m.group(3)) - 1 if m.group(3) else 0
            pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
            return {"numberValue": number}, {"type": "NUMBER", "pattern": pattern}
        return {"numberValue": number}, None
    if _SCI.match(s):
        return {"numberValue": float(s)}, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
    m = _PCT.match(s)
    if m and (m.group(2) or m.group(4)):
        number = float(m.group(1).replace(",", "")) / 100
        decimals = len(m.group(4)) - 1 if m.group(4) else 0
        return {"numberValue": number}, {"type": "PERCENT", "pattern": "0" + ("." + "0" * decimals if decimals else "") + "%"}
    m = _CUR.match(s)
    if m:
        number = float(m.group(2).replace(",", "")) * (-1 if m.group(1) == "-" else 1)
        decimals = len(m.group(5)) - 1 if m.group(5) else 0
        pattern = '"$"#,##0' + ("." + "0" * decimals if decimals else "")
        return {"numberValue": number}, {"type": "CURRENCY", "pattern": pattern}
    for regex, kind in ((_ISO_DATETIME, "DATE_TIME"), (_ISO_DATE, "DATE"), (_US_DATE, "DATE_US"), (_TIME, "TIME")):
        m = regex.match(text.strip())
        if not m:
            continue
        try:
            if kind == "DATE":
                dt = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                return {"numberValue": float(serial_from(dt))}, {"type": "DATE", "pattern": "yyyy-mm-dd"}
            if kind == "DATE_TIME":
                dt = _dt.datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), int(m.group(4)), int(m.group(5)), int(m.group(6) or 0))
                return {"numberValue": serial_from(dt)}, {"type": "DATE_TIME", "pattern": "yyyy-mm-dd H:mm:ss"}
            if kind == "DATE_US":
                dt = _dt.datetime(int(m.group(3)), int(m.group(1)), int(m.group(2)))
                return {"numberValue": float(serial_from(dt))}, {"type": "DATE", "pattern": "M/d/yyyy"}
            h, mi, se = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
            if h < 24 and mi < 60 and se < 60:
                return {"numberValue": (h * 3600 + mi * 60 + se) / 86400}, {"type": "TIME", "pattern": "h:mm:ss am/pm"}
        except ValueError:
            pass
    return {"stringValue": text}, None


def parse_raw(value: Any) -> dict[str, Any] | None:
    """userEnteredValue for a RAW value: stored as is."""
    if value is None:
        return None
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, (int, float)):
        return {"numberValue": float(value)}
    text = str(value)
    if text == "":
        return None
    return {"stringValue": text}


# ---------------------------------------------------------------- rendering

def general_number(x: float, locale: str = "en_US") -> str:
    """Google's automatic number format."""
    if math.isnan(x) or math.isinf(x):
        return "#NUM!"
    if x == 0:
        return "0"
    if abs(x) >= 1e15 or abs(x) < 1e-10:
        mant, exp = f"{x:.2E}".split("E")
        mant = mant.rstrip("0").rstrip(".")
        text = f"{mant}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    elif float(x).is_integer():
        text = str(int(x))
    else:
        digits = max(0, 10 - max(0, int(math.floor(math.log10(abs(x)))) + 1)) if abs(x) >= 1 else 10
        text = f"{x:.{digits}f}".rstrip("0").rstrip(".")
        if text in ("", "-0", "-"):
            text = "0"
    if locale in COMMA_DECIMAL_LOCALES:
        text = text.replace(".", ",")
    return text


def _round_half_up(value: float, decimals: int) -> str:
    quantum = Decimal(1).scaleb(-decimals)
    return str(Decimal(repr(value)).quantize(quantum, rounding=ROUND_HALF_UP))


def _group(int_text: str, sep: str = ",") -> str:
    out: list[str] = []
    while len(int_text) > 3:
        out.insert(0, int_text[-3:])
        int_text = int_text[:-3]
    out.insert(0, int_text)
    return sep.join(out)


def _split_pattern(section: str) -> tuple[str, str, str]:
    """(prefix literal, numeric core, suffix literal) of one pattern section."""
    parts: list[tuple[bool, str]] = []  # (is_literal, text)
    i = 0
    while i < len(section):
        ch = section[i]
        if ch == '"':
            j = section.find('"', i + 1)
            j = len(section) if j < 0 else j
            parts.append((True, section[i + 1 : j]))
            i = j + 1
        elif ch == "\\" and i + 1 < len(section):
            parts.append((True, section[i + 1]))
            i += 2
        elif ch in "#0?,.%":
            parts.append((False, ch))
            i += 1
        elif ch in "Ee" and i + 1 < len(section) and section[i + 1] in "+-":
            parts.append((False, section[i : i + 2]))
            i += 2
        else:
            parts.append((True, "" if ch in "_*" else ch))
            i += 1
    first = next((k for k, (lit, _) in enumerate(parts) if not lit), None)
    if first is None:
        return "".join(t for _, t in parts), "", ""
    last = max(k for k, (lit, _) in enumerate(parts) if not lit)
    prefix = "".join(t for _, t in parts[:first])
    core = "".join(t for _, t in parts[first : last + 1])
    suffix = "".join(t for _, t in parts[last + 1 :])
    return prefix, core, suffix


def format_number(x: float, pattern: str, locale: str = "en_US") -> str:
    """Format with a number pattern such as ``#,##0.00``, ``0%``, ``0.00E+00``."""
    if not pattern:
        return general_number(x, locale)
    sections = pattern.split(";")
    section = sections[1] if x < 0 and len(sections) > 1 else sections[0]
    explicit_negative = x < 0 and len(sections) > 1
    prefix, core, suffix = _split_pattern(section)
    if not core:
        return prefix
    value = abs(x)
    if "%" in core:
        value *= 100
    if "E" in core.upper():
        mant_pat = re.split(r"[Ee]", core)[0]
        decimals = len(mant_pat.split(".")[1]) if "." in mant_pat else 0
        mant, exp = f"{value:.{decimals}E}".split("E")
        text = f"{mant}E{'+' if int(exp) >= 0 else '-'}{abs(int(exp)):02d}"
    else:
        num_pat = core.replace("%", "")
        int_pat, _, dec_pat = num_pat.partition(".")
        decimals = len(dec_pat)
        text = _round_half_up(value, decimals)
        int_part, _, frac = text.partition(".")
        min_frac = dec_pat.count("0")
        while len(frac) > min_frac and frac.endswith("0"):
            frac = frac[:-1]
        if "," in int_pat:
            int_part = _group(int_part)
        if int_part == "0" and "0" not in int_pat:
            int_part = ""
        text = int_part + ("." + frac if frac else "")
        if "%" in core:
            text += "%"
    is_zero = all(ch in "0.,%E+-" for ch in text)
    sign = "-" if x < 0 and not explicit_negative and not is_zero else ""
    out = sign + prefix + text + suffix
    if locale in COMMA_DECIMAL_LOCALES:
        group = "\u202f" if locale.startswith("fr") else "."
        out = out.replace(",", "\x00").replace(".", ",").replace("\x00", group)
    return out


_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December"]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def format_datetime(serial: float, pattern: str) -> str:
    dt = EPOCH + _dt.timedelta(days=serial)
    dt = dt.replace(microsecond=0) + _dt.timedelta(seconds=round(dt.microsecond / 1e6))
    out = []
    i = 0
    p = pattern
    last_was_hour = False
    ampm = re.search(r"am/pm|a/p", p, re.IGNORECASE) is not None
    while i < len(p):
        rest = p[i:]
        low = rest.lower()
        if low.startswith("am/pm"):
            out.append("AM" if dt.hour < 12 else "PM")
            i += 5
            continue
        if rest.startswith('"'):
            j = p.find('"', i + 1)
            out.append(p[i + 1 : j if j > 0 else len(p)])
            i = (j + 1) if j > 0 else len(p)
            continue
        m = re.match(r"(y+|m+|d+|h+|s+)", low)
        if not m:
            out.append(p[i])
            i += 1
            continue
        tok = m.group(1)
        n = len(tok)
        if tok[0] == "y":
            out.append(str(dt.year) if n != 2 else f"{dt.year % 100:02d}")
            last_was_hour = False
        elif tok[0] == "m":
            nxt = low[n:].lstrip(":")
            if (last_was_hour or nxt.startswith("s")) and n <= 2:
                out.append(f"{dt.minute:02d}" if n == 2 else str(dt.minute))
            elif n == 1:
                out.append(str(dt.month))
            elif n == 2:
                out.append(f"{dt.month:02d}")
            elif n == 3:
                out.append(_MONTHS[dt.month - 1][:3])
            else:
                out.append(_MONTHS[dt.month - 1])
            last_was_hour = False
        elif tok[0] == "d":
            if n == 1:
                out.append(str(dt.day))
            elif n == 2:
                out.append(f"{dt.day:02d}")
            elif n == 3:
                out.append(_DAYS[dt.weekday()][:3])
            else:
                out.append(_DAYS[dt.weekday()])
            last_was_hour = False
        elif tok[0] == "h":
            hour = dt.hour
            if ampm:
                hour = hour % 12 or 12
            out.append(f"{hour:02d}" if n == 2 else str(hour))
            last_was_hour = True
        elif tok[0] == "s":
            out.append(f"{dt.second:02d}" if n >= 2 else str(dt.second))
            last_was_hour = False
        i += n
    return "".join(out)


def is_datetime_format(fmt: dict[str, Any] | None) -> bool:
    if not fmt:
        return False
    return fmt.get("type") in ("DATE", "TIME", "DATE_TIME")


def format_value(value: Any, number_format: dict[str, Any] | None, locale: str = "en_US") -> str:
    """FORMATTED_VALUE of an effective value."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        if number_format:
            kind = number_format.get("type")
            pattern = number_format.get("pattern", "")
            if kind in ("DATE", "TIME", "DATE_TIME"):
                default = {"DATE": "M/d/yyyy", "TIME": "h:mm:ss am/pm", "DATE_TIME": "M/d/yyyy H:mm:ss"}[kind]
                return format_datetime(float(value), pattern or default)
            if kind == "TEXT":
                return general_number(float(value), locale)
            if pattern:
                return format_number(float(value), pattern, locale)
            if kind == "PERCENT":
                return format_number(float(value), "0.00%", locale)
            if kind == "CURRENCY":
                return format_number(float(value), '"$"#,##0.00', locale)
            if kind == "SCIENTIFIC":
                return format_number(float(value), "0.00E+00", locale)
        return general_number(float(value), locale)
    if value is None:
        return ""
    return str(value)
