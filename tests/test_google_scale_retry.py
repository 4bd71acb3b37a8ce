"""Google at scale: the quota pace (pacing.py), bounded retries (retry.py) and their [backend] settings."""

from __future__ import annotations

import pytest

from okrsheets.backends.google.pacing import Pacer, QuotaLimits, bucket
from okrsheets.backends.google.retry import Patience
from okrsheets.config import ConfigError, load_config
from okrsheets.jobs.rollup import score_quarter

from .helpers.team_backends import AS_OF, team_backend


class Clock:
    """Seconds on a clock that only the sleeps move."""

    def __init__(self) -> None:
        self.now, self.sleeps = 0.0, []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.mark.parametrize("method, url, expected", [
    ("get", "https://sheets.googleapis.com/v4/spreadsheets/abc", "read"),
    ("get", "https://sheets.googleapis.com/v4/spreadsheets/abc/values/A1", "read"),
    ("post", "https://sheets.googleapis.com/v4/spreadsheets/abc/values:batchGet", "read"),
    ("post", "https://sheets.googleapis.com/v4/spreadsheets/abc:batchUpdate", "write"),
    ("put", "https://sheets.googleapis.com/v4/spreadsheets/abc/values/A1", "write"),
    ("post", "https://sheets.googleapis.com/v4/spreadsheets", "write"),
    ("get", "https://www.googleapis.com/drive/v3/files", "drive"),
    ("post", "https://www.googleapis.com/drive/v3/files/abc/permissions", "drive"),
    ("post", "https://oauth2.googleapis.com/token", ""),
])
def test_each_request_is_counted_in_googles_bucket(method, url, expected):
    assert bucket(method, url) == expected


def test_150_reads_go_at_60_a_minute_and_writes_have_their_own_bucket():
    clock = Clock()
    pacer = Pacer(QuotaLimits(), clock, clock.sleep)
    times = []
    for number in range(150):
        pacer.wait_turn("get", "https://sheets.googleapis.com/v4/spreadsheets/x")
        times.append(clock.now)
        if number == 10:
            pacer.wait_turn("post", "https://sheets.googleapis.com/v4/spreadsheets/x:batchUpdate")
            assert clock.now == 0  # a write does not wait for the reads
    assert times[59] == 0 and times[60] == 60 and times[119] == 60 and times[120] == 120 and times[149] == 120
    assert clock.sleeps == [60, 60]


def test_the_tighter_of_the_user_and_project_limits_paces_the_run():
    clock = Clock()
    pacer = Pacer(QuotaLimits(read_per_user=60, read_per_project=20), clock, clock.sleep)
    for _ in range(41):
        pacer.wait_turn("get", "https://sheets.googleapis.com/v4/spreadsheets/x")
    assert clock.now == 120


def test_waits_between_tries_grow_with_full_jitter_up_to_64_seconds():
    patience = Patience(random=lambda: 1.0)
    assert [patience.backoff(n) for n in range(1, 10)] == [1, 2, 4, 8, 16, 32, 64, 64, 64]
    patience = Patience(random=lambda: 0.25)
    assert [patience.backoff(n) for n in range(1, 4)] == [0.25, 0.5, 1.0]


def test_google_retry_after_is_honoured(tmp_path):
    """Google says "Retry-After: 7": the next try waits 7 s, not the jittered back-off."""
    with team_backend("google", tmp_path) as team:
        fake = team.fake
        fake.clock.freeze()
        backend = team.backend()
        waits: list[float] = []
        backend.sleep = lambda s: (waits.append(s), fake.clock.advance(s))
        backend.clock = fake.clock.now
        backend.location("kinh-doanh")
        fake.inject_fault("429", nth=1, retry_after=7, path="/spreadsheets/")
        result = score_quarter(team.plan, backend, AS_OF)
        assert all(d.readable for d in result.departments)
        assert waits == [7.0]


def _config(tmp_path, lines: str):
    (tmp_path / "key.json").write_text('{"type": "service_account", "private_key": "k", "client_email": "a@b.iam.gserviceaccount.com"}')
    (tmp_path / "okrsheets.toml").write_text(
        'company = "X"\nlanguage = "en"\n[quarter]\nname = "2026-Q4"\n[backend]\nkind = "google"\nfolder_id = "f"\n'
        f'service_account_file = "key.json"\n{lines}\n'
        '[[departments]]\nkey = "a"\ntemplate = "hr"\n', encoding="utf-8")
    return load_config(tmp_path / "okrsheets.toml")


def test_the_limits_default_to_googles_quotas_and_can_be_set(tmp_path):
    google = _config(tmp_path, "").google
    assert (google.max_tries, google.deadline_minutes, google.read_quota_per_user, google.read_quota_per_project,
            google.write_quota_per_user, google.write_quota_per_project) == (6, 120.0, 60, 300, 60, 300)
    google = _config(tmp_path, "max_tries = 3\ndeadline_minutes = 45\nread_quota_per_user = 30\nwrite_quota_per_project = 100").google
    assert (google.max_tries, google.deadline_minutes, google.read_quota_per_user, google.write_quota_per_project) == (3, 45.0, 30, 100)


def test_a_wrong_limit_is_named_with_what_was_found(tmp_path):
    with pytest.raises(ConfigError) as caught:
        _config(tmp_path, 'max_tries = 0\ndeadline_minutes = "soon"\nread_quota_per_user = 2.5')
    text = str(caught.value)
    assert "backend.max_tries: expected a whole number of tries of one request before giving up on it, at least 1, got 0" in text
    assert 'backend.deadline_minutes: expected a number, got "soon"' in text
    assert "backend.read_quota_per_user: expected a whole number of Sheets read requests a minute" in text and "got 2.5" in text
