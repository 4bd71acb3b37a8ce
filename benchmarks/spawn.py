"""Run one command and report what the kernel measured for it: ``python -S spawn.py OUT -- ARGV...``.

The benchmarks start every timed process through this small launcher rather
than from their own, larger process: on Linux a process's peak RSS
(``ru_maxrss``) starts at the peak of the process it was forked from, so a
command started from the benchmark itself would report at least the
benchmark's own memory. This launcher is a bare interpreter (``-S``: no site
packages), so the floor it leaves is a few MiB, below any Python process.

OUT receives one JSON object: wall seconds from the fork to the reaping, CPU
seconds (user + system of the command and of the processes it waited for),
ru_maxrss in KiB (the largest single process of that tree) and the exit code.
"""

import json
import os
import sys
import time


def main() -> int:
    out, separator, *argv = sys.argv[1:]
    assert separator == "--" and argv, __doc__
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            os.execvp(argv[0], argv)
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - started
    with open(out, "w", encoding="utf-8") as handle:
        json.dump({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "maxrss_kib": usage.ru_maxrss,
                   "returncode": os.waitstatus_to_exitcode(status)}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
