"""Run the real ``okrsheets`` command line in this process and report what it opened and parsed.

    python tests/helpers/instrumented_cli.py REPORT.json provision --config ...

Nothing is replaced: the command runs as ``python -m okrsheets`` does. An
audit hook (``sys.addaudithook``) notes every file the process opens (the
workbook reader, openpyxl and XlsxWriter all open files through Python), and
``tomllib.load``/``loads`` are wrapped to note how many characters each call
parsed. At exit REPORT.json holds::

    {"exit": 0, "opened": [[path, mode], ...], "toml": [characters, ...], "modules": [...]}

``modules`` are the okrsheets modules (and openpyxl, XlsxWriter, python-calamine) imported by the end. With
``$INSTRUMENT_VERSION`` set, ``okrsheets.__version__`` is that version
(what an upgrade to a new release changes).
"""

from __future__ import annotations

import json
import os
import sys
import tomllib

WATCHED = {"okrsheets", "openpyxl", "xlsxwriter", "python_calamine"}  # the modules the report lists when imported


def main() -> int:
    report_path, args = sys.argv[1], sys.argv[2:]
    opened: list[list[str]] = []
    parsed: list[int] = []

    def hook(event: str, details: tuple) -> None:
        if event == "open" and isinstance(details[0], (str, bytes, os.PathLike)):
            opened.append([os.fsdecode(details[0]), str(details[1])])

    load, loads = tomllib.load, tomllib.loads

    def counted_load(handle, **kwargs):
        content = handle.read()
        parsed.append(len(content.decode("utf-8")))
        return loads(content.decode("utf-8"), **kwargs)

    def counted_loads(text, **kwargs):
        parsed.append(len(text))
        return loads(text, **kwargs)

    tomllib.load, tomllib.loads = counted_load, counted_loads
    del load
    if os.environ.get("INSTRUMENT_VERSION"):
        import okrsheets

        okrsheets.__version__ = os.environ["INSTRUMENT_VERSION"]
    sys.addaudithook(hook)
    code: int | str | None = 0
    try:
        from okrsheets.cli.main import cli

        cli.main(args, prog_name="okrsheets")
    except SystemExit as exit_:
        code = exit_.code
    finally:
        modules = sorted(name for name in sys.modules if name.split(".")[0] in WATCHED)
        with open(report_path, "w", encoding="utf-8") as handle:
            json.dump({"exit": code or 0, "opened": opened, "toml": parsed, "modules": modules}, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main())
