"""Google at scale on the offline fake: requests, 429s and time against the quota floor (issue #14, item 5).

    python benchmarks/google_requests.py [--departments N ...]   (default: 14 300 1000)

For each N: a company of N departments (the demo's 14 template sets, cycled)
in a shared-drive folder of the fake, with Google's default quotas (60 Sheets
reads and 60 writes a minute per user, 300 per project) on the fake's frozen
clock. okrsheets' own sleeps advance that clock, so the simulated time is what
the run would take against Google (the fake's own CPU time is not in it).
Four cases, each through the same code as a real run:

  provision-new        provision() into the empty folder
  provision-unchanged  provision() again, nothing changed
  rollup-all           run_rollup() with no stored reading: every spreadsheet read
  rollup-5pct          a team types in 5% of the spreadsheets, then run_rollup()

Per case: the requests by endpoint (from the fake's request log), the 429s,
the simulated time T and the quota floor F = max over the quota buckets of
(requests in the bucket / the bucket's requests a minute) x 60 s. The output
ends with one line per case:

    CASE N: requests R, 429s Q, simulated T s, floor F s, ratio X

(X = T/F, 0 when F is 0). T can be below F: the first minute's quota is
spent at once, before any wait.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing
    sys.path.insert(0, str(ROOT))

import benchlib as bl  # noqa: E402 - beside this script

from okrsheets.backends import open_backend  # noqa: E402
from okrsheets.backends.google.endpoint import API_URL_ENV  # noqa: E402
from okrsheets.backends.google.pacing import QuotaLimits, bucket  # noqa: E402
from okrsheets.config import load_config  # noqa: E402
from okrsheets.jobs.provision import provision  # noqa: E402
from okrsheets.jobs.rollup import run_rollup  # noqa: E402
from okrsheets.plan import build_plan  # noqa: E402
from okrsheets.testing import FakeGoogle  # noqa: E402

CASES = ("provision-new", "provision-unchanged", "rollup-all", "rollup-5pct")
AS_OF = date(2026, 11, 20)
START = 1_793_000_000.0
ADMIN = "okr-admin@hoasen.example"
ACCOUNT = "okrsheets-bench@hoasen-okr.iam.gserviceaccount.com"
TEAM = "team@hoasen.example"


def config_text(departments: int, folder_id: str) -> str:
    """The benchmarks' generated company (benchlib.config_text), on Google."""
    return bl.config_text(departments, AS_OF).replace(
        'kind = "excel"\n', f'kind = "google"\nfolder_id = "{folder_id}"\nservice_account_file = "key.json"\n'
        "notify_owners = false\n", 1)


def floor_seconds(entries, limits: QuotaLimits) -> float:
    """The least time the requests need at the quota's pace: the busiest bucket's requests / its rate."""
    counts = Counter(bucket(e.method, "https://x" + e.path) for e in entries)
    worst = 0.0
    for kind, count in counts.items():
        rate = limits.per_minute(kind) if kind else None
        if rate:
            worst = max(worst, count / rate * 60)
    return worst


def patient(backend, fake, seed: int):
    backend.sleep, backend.clock = fake.clock.advance, fake.clock.now
    backend.patience.random = random.Random(seed).random
    return backend


def run_case(name: str, fake, work) -> dict:
    fake.clear_log()
    started, cpu = fake.clock.now(), time.perf_counter()
    work()
    entries = fake.request_log
    simulated = fake.clock.now() - started
    floor = floor_seconds(entries, QuotaLimits())
    return {"case": name, "requests": len(entries), "429s": sum(1 for e in entries if e.status == 429),
            "simulated": simulated, "floor": floor, "ratio": simulated / floor if floor else 0.0,
            "by_endpoint": Counter(e.endpoint for e in entries), "real": time.perf_counter() - cpu}


def type_some(fake, config, share: float, seed: int) -> int:
    """A team types one comment in ``share`` of the spreadsheets (quotas off: that is people, not the job)."""
    rng = random.Random(seed)
    backend = open_backend(config)
    keys = [d.key for d in config.departments]
    chosen = rng.sample(keys, max(1, round(len(keys) * share)))
    fake.disable_quotas()
    fake.clock.advance(3600)  # the next day
    try:
        for key in chosen:
            spreadsheet_id = backend.location(key).split("/d/")[1].split("/")[0]
            token = fake.issue_token(TEAM)
            url = f"{fake.url}/v4/spreadsheets/{spreadsheet_id}/values/L12?valueInputOption=RAW"
            answer = requests.put(url, json={"values": [["đã cập nhật"]]}, headers={"Authorization": f"Bearer {token}"}, timeout=30)
            answer.raise_for_status()
    finally:
        fake.set_quota()
    fake.clock.advance(3600)
    return len(chosen)


def bench(departments: int, folder: Path) -> list[dict]:
    folder.mkdir(parents=True, exist_ok=True)
    with FakeGoogle(seed=1) as fake:
        fake.clock.set(START)
        fake.clock.freeze()
        fake.make_service_account_key(folder / "key.json", email=ACCOUNT)
        drive = fake.create_shared_drive("OKR", {ADMIN: "organizer", ACCOUNT: "fileOrganizer", TEAM: "writer"})
        folder_id = fake.create_folder("OKR", owner=ADMIN, parent=drive)
        (folder / "okrsheets.toml").write_text(config_text(departments, folder_id), encoding="utf-8")
        before = os.environ.get(API_URL_ENV)
        os.environ[API_URL_ENV] = fake.url
        try:
            config = load_config(folder / "okrsheets.toml")
            plan = build_plan(config)
            now = datetime(2026, 11, 20, 9, 0)
            results = [run_case("provision-new", fake, lambda: provision(plan, patient(open_backend(config), fake, 1), now=now))]
            fake.clock.advance(120)  # the next run starts with an empty quota window, as it would the next night
            results.append(run_case("provision-unchanged", fake, lambda: provision(plan, patient(open_backend(config), fake, 2), now=now)))
            fake.clock.advance(120)
            results.append(run_case("rollup-all", fake, lambda: run_rollup(config, AS_OF, backend=patient(open_backend(config), fake, 3))))
            type_some(fake, config, 0.05, departments)
            results.append(run_case("rollup-5pct", fake, lambda: run_rollup(config, AS_OF, backend=patient(open_backend(config), fake, 4))))
        finally:
            if before is None:
                os.environ.pop(API_URL_ENV, None)
            else:
                os.environ[API_URL_ENV] = before
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--departments", type=int, nargs="+", default=[14, 300, 1000])
    args = parser.parse_args(argv)
    lines = []
    with tempfile.TemporaryDirectory(prefix="okrsheets-google-bench-") as tmp:
        for n in args.departments:
            print(f"== {n} departments", flush=True)
            for result in bench(n, Path(tmp) / f"n{n}"):
                kinds = ", ".join(f"{endpoint} {count}" for endpoint, count in sorted(result["by_endpoint"].items()))
                print(f"  {result['case']}: {kinds}  (real {result['real']:.1f} s)", flush=True)
                lines.append(f"{result['case']} {n}: requests {result['requests']}, 429s {result['429s']}, "
                             f"simulated {result['simulated']:.0f} s, floor {result['floor']:.0f} s, ratio {result['ratio']:.2f}")
    print()
    for line in lines:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
