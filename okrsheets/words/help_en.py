"""The command line's help in English (same keys as :mod:`okrsheets.words.help_vi`).

``COMMANDS``: each command's help, by its path ("" is ``okrsheets`` itself,
"templates list" a subcommand); its first sentence is the line the group's
command list shows. ``OPTIONS``: each option's help, by "path --option", or by
"--option" alone for the options every command shares. ``CLICK``: click's own
words (usage, sections, its error messages) as click writes them; English
needs none.
"""

COMMANDS = {
    "": """\
Run your company's OKR cycle in Excel workbooks or Google Sheets.

Once a quarter `provision` builds one sheet per department; every night
`rollup` reads them all and writes the company summary.
""",
    "check-config": """\
Check a config and print the resolved quarter plan.

Lists every department's objectives and key results with their slots
filled, and a warning for each slot still unfilled. Exits 2 with the key
path of every problem when the config is wrong.
""",
    "provision": """\
Create or update one workbook per department for the quarter.

Safe to re-run: unchanged workbooks are not touched, and every value a
team typed is kept (matched by KR ID). KRs removed from the config move
to an archived block. Workbooks open in Excel/LibreOffice or damaged by a
team are skipped with a message (exit 1).
""",
    "rollup": """\
Read every team workbook, score it and write the company summary.

Problems in team sheets become rows of the summary's data-issues sheet;
they never stop the rollup. A summary open in Excel or LibreOffice is left
alone: tonight's is written beside it, and a message says where.

Exit codes: 0 every workbook was read and the summary written; 1 some
workbook could not be read (the summary is still written and shows its
last good reading), or none could be read (nothing is written: run
`provision` first), or nothing could be written; 2 a bad config; 75
another rollup is running.

A workbook unchanged since its last reading (same file size and
modification time, same config) is not opened: its stored reading is
scored again with today's pace. --full opens every workbook.

On Linux, from 100 departments on, workbooks are read by one worker
process per CPU; OKRSHEETS_WORKERS=1 keeps the rollup to one process.
""",
    "demo": """\
Run the whole cycle on a sample company in DIRECTORY (default ./okr-demo).

Provisions one department per built-in template set, simulates a few weeks
of team check-ins (including typical mistakes), runs the nightly rollup and
prints the scores and where the summary is. Safe to re-run.
""",
    "google": """\
Set up and check the Google Sheets backend (see docs/google.md).

Requests go to Google, or to $OKRSHEETS_GOOGLE_API_URL when it is set
(the offline fake; a warning says so on stderr).
""",
    "google login": """\
Sign in with a person's Google account once (auth = "user").

Prints an address (and opens it in the browser unless --no-browser);
sign in there with the Google account the job should act as and allow
access. The refresh token is saved in backend.token_file, readable by you
only (mode 0600); the nightly job uses it from then on. Run it again when
Google revokes the login.
""",
    "google doctor": """\
Check the Google set-up, one line per check, each failure with what to do.

Checks the credentials, prints the address the job runs as (share the
folder with it as Editor), checks the folder (found, a folder, new files
can be created: a test spreadsheet is created and removed), the summary
spreadsheet, and each department's spreadsheet for the quarter (one not
provisioned yet is noted, not a failure). Exits 0 when every check
passes, 1 otherwise.
""",
    "templates": """\
List, show and validate OKR template sets.
""",
    "templates list": """\
List template sets with their objective and key-result counts.
""",
    "templates show": """\
Show a template set's objectives and key results with slots, kinds and units.
""",
    "templates validate": """\
Check template files or folders against the schema (default: the built-in set).

Each problem names the file, the objective or KR ID and the field. Exits 1
when any problem is found.
""",
    "init": """\
Write a starter okrsheets.toml in DIRECTORY (default: the current folder).

In a terminal it asks for the company name, the language of the sheets and
the departments (one per template set, see `okrsheets templates list`).
With --example, or with no terminal attached (a script, a pipe), it writes
the example company, a Vietnamese company with every setting explained.
An existing okrsheets.toml is never overwritten (exit 1).
""",
    "lint": """\
Check the quarter's OKRs against the SMARTER advice and the arithmetic that breaks scores.

One line per finding: severity, config key path, a stable code, why it
matters and how to fix it; then a count. Exits 1 when there is an error,
0 for warnings only, 2 for a config that does not load.
""",
    "schedule": """\
Run the nightly rollup every day at [schedule] run_at, in the foreground.

A long-running alternative to a systemd timer or cron (see docs/nightly.md):
every day at run_at, in the config's timezone (Asia/Ho_Chi_Minh unless
set) whatever the machine's timezone is, it re-reads the config, runs the
rollup, writes the run report and sends the e-mail digest when enabled.

It also runs once at start with --now, or when the last successful rollup
is more than a day old (the machine was off). A failed run is logged and
the schedule goes on; a run that finds another rollup running is skipped.

SIGTERM or Ctrl+C stops it: at once between runs, after the current run
during one (a second signal stops at once). Exits 0. The log goes to
stderr and to okrsheets.log in the quarter folder.
""",
    "status": """\
Show the last nightly run's report and when the next run is due.

The report comes from last-run.json in the quarter folder: start and end
times, success or the reason of the failure, departments read, KRs
scored, data issues, errors, API requests and the summary path. The next
run is the next [schedule] run_at in the config's timezone.

Exit codes: 0 the last run succeeded, 1 it failed or could not read some
departments, 3 there has been no run yet (2 for a config problem, as
everywhere).
""",
    "close-quarter": """\
Freeze the quarter's final scores and make the team workbooks read-only.

Runs a final rollup (as of the quarter's last day, or today when closing
early), keeps its scores as the final record (.okrsheets-closed.json in the
quarter folder; on Excel also company-summary-final.xlsx), then rebuilds
every team workbook with every cell locked and a "quarter closed" banner,
keeping every value typed. `rollup` still works afterwards; `provision`
refuses the closed quarter unless --force. Exit 1 when a workbook could
not be closed (open or damaged).
""",
    "next-quarter": """\
Write next quarter's config from the closed quarter, then check it.

Same departments and settings, comments and layout kept; each KR that was
not finished at close is carried over with start = its final value, the
same target and carried_from = the closed quarter; finished KRs are
dropped. Then runs check-config on the new file (exit 2 if it is wrong).
""",
}

OPTIONS = {
    # every command that has them
    "--help": "Show this message and exit.",
    "--version": "Show the version and exit.",
    "--config": "Config file (default: $OKRSHEETS_CONFIG, then ./okrsheets.toml).",
    # provision
    "provision --dry-run": "Print what would be created or changed; write nothing.",
    "provision --department": "Only this department (repeatable).",
    "provision --force": "Rebuild workbooks whose structure was damaged (a timestamped backup is kept first).",
    "provision --create": "Create the [backend] folder even when its parent folder does not exist (refused otherwise: an unmounted share).",
    # rollup
    "rollup --json": "Print the full result as JSON on stdout (nothing else goes to stdout).",
    "rollup --as-of": "Compute pace and status for this date (YYYY-MM-DD) instead of today.",
    "rollup --wait": "If another rollup is running, wait for it instead of exiting.",
    "rollup --dry-run": "Read and score, print what would be written (summary, history row, state); write nothing.",
    "rollup --force": "Allow an --as-of date outside the quarter (it overwrites the summary and adds a history row).",
    "rollup --full": "Open every workbook, also those unchanged since their last reading.",
    # demo
    "demo --as-of": "Run the demo as if today were this date.",
    "demo --lang": "Language of the sample company, its sheets and of everything printed.",
    "demo --google": "Run the cycle on Google Sheets, against an offline fake of Google started in this process; "
                     "prints the requests of each phase.",
    # google
    "google login --no-browser": "Only print the address to open (for a computer without a browser).",
    "google login --port": "Port of the local server Google redirects to on localhost (0: any free port).",
    # templates
    "templates list --config": "Also list the company's own sets from the config's templates_dir.",
    "templates list --lang": "Language of the names (default: the config's, else $OKRSHEETS_LANG or the system locale).",
    "templates show --config": "Also find the company's own sets from the config's templates_dir.",
    "templates show --lang": "Language of the texts (default: the config's, else $OKRSHEETS_LANG or the system locale).",
    # init, lint, schedule, status
    "init --example": "Write the example company without asking anything.",
    "lint --json": "Print the findings as a JSON list (severity, code, path, message, fix).",
    "schedule --now": "Also run the rollup once right away, then keep the schedule.",
    "status --json": "Print the last-run record and the next run as JSON.",
    # close-quarter, next-quarter
    "close-quarter --force": "Close a quarter already closed again, with a new final rollup.",
    "next-quarter --to": "The new quarter (default: the one after the closed quarter, e.g. 2026-Q4 -> 2027-Q1).",
    "next-quarter --out": "Where to write the new config (default: okrsheets-<quarter>.toml beside the config); never overwritten.",
}

# The usage line's placeholders (click's own, in English).
METAVARS = {"options": "[OPTIONS]", "command": "COMMAND [ARGS]..."}

CLICK: dict[str, str] = {}
