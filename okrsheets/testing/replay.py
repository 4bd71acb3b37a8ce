"""Replay recorded Google traffic against a fresh fake and compare the answers.

    python -m okrsheets.testing.replay [DIR] [--by-endpoint] [--verbose]

DIR holds vcrpy JSON cassettes (default: ``$OKRSHEETS_RECORDINGS_DIR``, else
the repository's ``tests/google-api-recordings``, else
``tests/google-api-recordings`` under the current directory). Every file is
replayed against its own fresh fake. Recorded spreadsheet, sheet, range and
permission IDs are mapped to the fake's as they appear; the fake's clock
follows the recorded ``Date`` headers; files that a recorded Drive listing
shows but the recording never created are put into the fake first. Status
codes and JSON bodies are compared key by key and value by value, except IDs,
timestamps, etags and other volatile values (see ``VOLATILE_KEYS``).

Prints one line per file that differs, optionally a per-endpoint table, and
ends with ``replayed N interactions: M matched, S skipped (not implemented),
F differ``; exits 1 when F > 0. An interaction the fake answers with 501
(not implemented) counts as skipped.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import os
import re
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests

from .google_fake import FakeGoogle
from .server import endpoint_of
from .transport import mount

ID_KEYS = {
    "spreadsheetId", "id", "sheetId", "protectedRangeId", "namedRangeId", "chartId", "metadataId",
    "permissionId", "filterViewId", "bandedRangeId", "objectId", "sourceSheetId", "newSheetId",
    "destinationSpreadsheetId",
}
INT_ID_KEYS = {"sheetId", "protectedRangeId", "chartId", "metadataId", "filterViewId", "bandedRangeId", "objectId", "sourceSheetId", "newSheetId"}
VOLATILE_KEYS = {
    "createdTime", "modifiedTime", "etag", "createdDate", "modifiedDate", "modifiedByMeDate",
    "lastViewedByMeDate", "markedViewedByMeDate", "version", "thumbnailLink", "viewedByMeTime",
}
_SA_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.iam\.gserviceaccount\.com")
_LONG_TOKEN = re.compile(r"(?<=[=/])[A-Za-z0-9_-]{15,}")


def default_dir() -> Path:
    env = os.environ.get("OKRSHEETS_RECORDINGS_DIR")
    if env:
        return Path(env)
    candidates = [
        Path(__file__).resolve().parents[2] / "tests" / "google-api-recordings",
        Path.cwd() / "tests" / "google-api-recordings",
    ]
    for path in candidates:
        if path.is_dir():
            return path.resolve()
    return candidates[0]


@dataclass
class Outcome:
    endpoint: str
    status: str  # "matched", "skipped", "differ"
    detail: str = ""


@dataclass
class FileResult:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)


class IdMap:
    """Recorded ID -> the fake's, learned from answers as they arrive."""

    def __init__(self) -> None:
        self.values: dict[Any, Any] = {}

    def learn(self, recorded: Any, actual: Any) -> bool:
        key = (type(recorded).__name__, recorded)
        if key in self.values:
            return self.values[key] == actual
        self.values[key] = actual
        if isinstance(recorded, str) and isinstance(actual, str):
            self.values[("int", recorded)] = actual
        return True

    def get(self, value: Any) -> Any:
        return self.values.get((type(value).__name__, value), value)

    def strings(self) -> list[tuple[str, str]]:
        pairs = [
            (rec, act) for (kind, rec), act in self.values.items()
            if kind == "str" and isinstance(act, str) and len(rec) >= 10 and rec != act
        ]
        return sorted(pairs, key=lambda p: -len(p[0]))

    def replace(self, text: str) -> str:
        for rec, act in self.strings():
            if rec in text:
                text = text.replace(rec, act)
        return text


def _translate(value: Any, ids: IdMap, key: str | None = None) -> Any:
    if isinstance(value, dict):
        return {k: _translate(v, ids, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_translate(v, ids, key) for v in value]
    if key in INT_ID_KEYS and isinstance(value, (int, str)) and not isinstance(value, bool):
        mapped = ids.get(value)
        if mapped == value and isinstance(value, str) and value.isdigit():
            mapped = ids.get(int(value))
            return str(mapped) if mapped != int(value) else value
        return mapped
    if key == "namedRangeId" and isinstance(value, str):
        return ids.get(value)
    if isinstance(value, str):
        return ids.replace(value)
    return value


def _norm_str(text: str, ids: IdMap) -> str:
    text = ids.replace(text)
    if text.startswith("http"):
        text = _LONG_TOKEN.sub("<ID>", text)
    return text


def compare(recorded: Any, actual: Any, ids: IdMap, path: str = "$") -> str | None:
    """First difference as text, or None. Learns ID mappings on the way."""
    if isinstance(recorded, dict):
        if not isinstance(actual, dict):
            return f"{path}: recorded an object, fake sent {_short(actual)}"
        missing = [k for k in recorded if k not in actual]
        extra = [k for k in actual if k not in recorded]
        if missing or extra:
            return f"{path}: keys missing {missing} extra {extra}"
        for k in recorded:
            sub = f"{path}.{k}"
            if k in VOLATILE_KEYS:
                continue
            if k in ID_KEYS and not isinstance(recorded[k], (dict, list)):
                if not ids.learn(recorded[k], actual[k]):
                    return f"{sub}: recorded id {recorded[k]!r} maps to {ids.get(recorded[k])!r}, fake sent {actual[k]!r}"
                continue
            diff = compare(recorded[k], actual[k], ids, sub)
            if diff:
                return diff
        return None
    if isinstance(recorded, list):
        if not isinstance(actual, list):
            return f"{path}: recorded a list, fake sent {_short(actual)}"
        if len(recorded) != len(actual):
            return f"{path}: recorded {len(recorded)} items, fake sent {len(actual)}"
        for i, (r, a) in enumerate(zip(recorded, actual)):
            diff = compare(r, a, ids, f"{path}[{i}]")
            if diff:
                return diff
        return None
    if isinstance(recorded, bool) or isinstance(actual, bool):
        return None if recorded is actual else f"{path}: recorded {recorded!r}, fake sent {actual!r}"
    if isinstance(recorded, (int, float)) and isinstance(actual, (int, float)):
        return None if recorded == actual else f"{path}: recorded {recorded!r}, fake sent {actual!r}"
    if isinstance(recorded, str) and isinstance(actual, str):
        if recorded == actual or _norm_str(recorded, ids) == _norm_str(actual, ids):
            return None
        return f"{path}: recorded {_short(recorded)}, fake sent {_short(actual)}"
    if recorded != actual:
        return f"{path}: recorded {_short(recorded)}, fake sent {_short(actual)}"
    return None


def _short(value: Any, limit: int = 80) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _body_text(body: Any) -> str | None:
    if body is None:
        return None
    if isinstance(body, dict):
        body = body.get("string")
    if isinstance(body, bytes):
        return body.decode("utf-8")
    return body


def _rfc3339(text: str) -> float:
    return datetime.strptime(text.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").timestamp()


def _header(headers: dict[str, Any], name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name.lower():
            return value[0] if isinstance(value, list) else value
    return None


def replay_file(path: Path) -> FileResult:
    data = json.loads(path.read_text(encoding="utf-8"))
    interactions = data.get("interactions", [])
    result = FileResult(path.name)
    found = _SA_EMAIL.findall(path.read_text(encoding="utf-8"))
    account = found[0] if found else "replay@okrsheets-fake.iam.gserviceaccount.com"
    fake = FakeGoogle(seed=len(path.name))
    fake.clock.freeze()
    fake.start()
    try:
        fake.disable_quotas()
        fake.default_email = account
        token = fake.issue_token(account)
        session = requests.Session()
        mount(session, fake.url)
        ids = IdMap()
        for index, item in enumerate(interactions):
            result.outcomes.append(_replay_one(fake, session, token, ids, index, item))
        session.close()
    finally:
        fake.stop()
    return result


def _seed_listed_files(fake: FakeGoogle, ids: IdMap, recorded: Any) -> None:
    if not isinstance(recorded, dict):
        return
    for entry in recorded.get("files") or []:
        rec_id = entry.get("id")
        if not rec_id or ids.get(rec_id) != rec_id:
            continue
        if ("str", rec_id) in ids.values:
            continue
        created = _rfc3339(entry["createdTime"]) if entry.get("createdTime") else None
        modified = _rfc3339(entry["modifiedTime"]) if entry.get("modifiedTime") else created
        new_id = fake.seed_spreadsheet(entry.get("name") or "Untitled", created=created, modified=modified)
        ids.learn(rec_id, new_id)


def _replay_one(fake: FakeGoogle, session: requests.Session, token: str, ids: IdMap, index: int, item: dict[str, Any]) -> Outcome:
    req = item["request"]
    rec = item["response"]
    method = req["method"].upper()
    uri = req["uri"]
    endpoint = endpoint_of(method, uri)
    rec_status = rec["status"]["code"]
    rec_text = _body_text(rec.get("body")) or ""
    try:
        rec_json: Any = json.loads(rec_text) if rec_text.strip() else None
    except json.JSONDecodeError:
        rec_json = None
    date = _header(rec.get("headers") or {}, "Date")
    if date:
        fake.clock.set(email.utils.parsedate_to_datetime(date).timestamp())
    if endpoint == "drive.files.list" and rec_status == 200:
        _seed_listed_files(fake, ids, rec_json)
    url = ids.replace(uri)
    body = _body_text(req.get("body"))
    payload: bytes | None = None
    if body is not None:
        try:
            payload = json.dumps(_translate(json.loads(body), ids)).encode("utf-8")
        except json.JSONDecodeError:
            payload = ids.replace(body).encode("utf-8")
    headers = {"Authorization": f"Bearer {token}"}
    ctype = _header(req.get("headers") or {}, "Content-Type")
    if ctype:
        headers["Content-Type"] = ctype
    try:
        resp = session.request(method, url, data=payload, headers=headers, timeout=30)
    except requests.RequestException as exc:
        return Outcome(endpoint, "differ", f"#{index} {method} {_path(uri)}: request failed: {exc}")
    if resp.status_code == 501:
        return Outcome(endpoint, "skipped", f"#{index} {method} {_path(uri)}: not implemented")
    where = f"#{index} {method} {_path(uri)}"
    if resp.status_code != rec_status:
        return Outcome(endpoint, "differ", f"{where}: recorded status {rec_status}, fake sent {resp.status_code} {_short(resp.text, 200)}")
    if rec_json is not None:
        try:
            actual = resp.json()
        except ValueError:
            return Outcome(endpoint, "differ", f"{where}: fake sent no JSON: {_short(resp.text)}")
        diff = compare(rec_json, actual, ids)
        if diff:
            return Outcome(endpoint, "differ", f"{where}: {diff}")
        return Outcome(endpoint, "matched")
    actual_text = resp.text
    if _norm_str(rec_text, ids).strip() != _norm_str(actual_text, ids).strip():
        return Outcome(endpoint, "differ", f"{where}: recorded body {_short(rec_text)}, fake sent {_short(actual_text)}")
    return Outcome(endpoint, "matched")


def _path(uri: str) -> str:
    parts = urlsplit(uri)
    text = parts.path
    return text if len(text) < 90 else text[:87] + "..."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m okrsheets.testing.replay", description="Replay recorded Google traffic against the fake.")
    parser.add_argument("dir", nargs="?", help="folder of vcrpy JSON recordings")
    parser.add_argument("--by-endpoint", action="store_true", help="print a per-endpoint table of N/M/S/F")
    parser.add_argument("--verbose", "-v", action="store_true", help="print every differing interaction")
    args = parser.parse_args(argv)
    folder = Path(args.dir) if args.dir else default_dir()
    files = sorted(folder.glob("*.json")) if folder.is_dir() else []
    if not files:
        print(f"no recordings found in {folder}", file=sys.stderr)
    totals: dict[str, dict[str, int]] = defaultdict(lambda: {"matched": 0, "skipped": 0, "differ": 0})
    n = m = s = f = 0
    for path in files:
        result = replay_file(path)
        for outcome in result.outcomes:
            totals[outcome.endpoint][outcome.status] += 1
        differ = [o for o in result.outcomes if o.status == "differ"]
        n += len(result.outcomes)
        m += result.count("matched")
        s += result.count("skipped")
        f += len(differ)
        if differ:
            print(f"DIFFER {result.name}: {len(differ)} of {len(result.outcomes)} interactions; first: {differ[0].detail}")
            if args.verbose:
                for outcome in differ[1:]:
                    print(f"    {outcome.detail}")
    if args.by_endpoint:
        width = max((len(k) for k in totals), default=8)
        print(f"{'endpoint':<{width}}  {'N':>5} {'M':>5} {'S':>5} {'F':>5}")
        for endpoint in sorted(totals):
            t = totals[endpoint]
            total = sum(t.values())
            print(f"{endpoint:<{width}}  {total:>5} {t['matched']:>5} {t['skipped']:>5} {t['differ']:>5}")
    print(f"replayed {n} interactions: {m} matched, {s} skipped (not implemented), {f} differ")
    return 1 if f or not files else 0


if __name__ == "__main__":
    sys.exit(main())
