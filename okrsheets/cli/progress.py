"""Progress of a long provision or rollup: a bar on a terminal, one log line per 10% otherwise.

The estimate comes from the quota's pace (Google: ``[backend] read_quota_per_user``
and the other three, 60 requests a minute by default), since on Google the
quota, not the machine, sets how long a run takes: "đọc 120/300 phòng ban,
còn khoảng 3 phút". On Excel there is no quota and no estimate.
"""

from __future__ import annotations

import logging
import math
import sys
from typing import TYPE_CHECKING

import click

from okrsheets.words import say

if TYPE_CHECKING:  # click names its progress bar's class only here (click.termui does the same)
    from click._termui_impl import ProgressBar

log = logging.getLogger("okrsheets")


def pace_per_minute(config, kinds: tuple[str, ...] = ("read",)) -> int | None:
    """Requests a minute the run may send (the tightest quota among ``kinds``), None without a quota (Excel)."""
    google = config.google
    if config.backend != "google" or google is None:
        return None
    limits = {"read": (google.read_quota_per_user, google.read_quota_per_project),
              "write": (google.write_quota_per_user, google.write_quota_per_project)}
    return min(min(limits[kind]) for kind in kinds)


def time_left(language: str, remaining: int, per_minute: int | None) -> str:
    """", còn khoảng 3 phút" for ``remaining`` departments at ``per_minute`` (one request each); "" without a pace."""
    if not per_minute or remaining <= 0:
        return ""
    minutes = math.ceil(remaining / per_minute)
    return say(language, "progress_left", minutes=minutes)


class Progress:
    """``progress(done, total)`` for provision and rollup: a bar when stderr is a terminal, else a line per 10%.

    Without a terminal the line is a log line (``to_log``: the rollup and the schedule log to stderr and the
    quarter's ``okrsheets.log``), or, for a command that keeps no log (provision), a line on stderr.
    """

    def __init__(self, language: str, verb: str, per_minute: int | None = None, *, terminal: bool | None = None,
                 to_log: bool = True):
        self.language, self.verb, self.per_minute, self.to_log = language, verb, per_minute, to_log
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.bar: ProgressBar[str | None] | None = None
        self.logged = 0  # tenths already logged

    def line(self, done: int, total: int) -> str:
        return say(self.language, "progress_line", verb=say(self.language, self.verb), done=done, total=total,
                   left=time_left(self.language, total - done, self.per_minute))

    def __enter__(self) -> Progress:
        return self

    def __call__(self, done: int, total: int) -> None:
        if total < 5:
            return
        if not self.terminal:
            tenth = done * 10 // total
            if tenth > self.logged:
                self.logged = tenth
                if self.to_log:
                    log.info("%s", self.line(done, total))
                else:
                    click.echo(self.line(done, total), err=True)
            return
        if self.bar is None and done >= total:  # finished (or nothing to do): no bar drawn again
            return
        if self.bar is None:  # "[##########----------]  đọc 120/300 phòng ban, còn khoảng 3 phút"
            self.bar = click.progressbar(length=total, file=sys.stderr, show_percent=False, show_eta=False,
                                         item_show_func=lambda text: text, bar_template="[%(bar)s]  %(info)s",
                                         update_min_steps=0)  # drawn at 0 too: the estimate shows from the start
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos, self.line(done, total))
        if done >= total:  # finished now: what the run prints next (the summary, a warning) starts on a new line
            self.__exit__(None, None, None)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            self.bar.__exit__(*exc)
            self.bar = None
