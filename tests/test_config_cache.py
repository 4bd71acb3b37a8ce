"""The config cache (okrsheets/config_cache.py, docs/nightly.md "The config cache"): a command on a config that
has not changed reads the parsed config and its plan back instead of parsing the TOML and building the plan,
and gets exactly what the normal path gives; anything that could make a difference means the normal path.

Each test has its own cache folder (tests/conftest.py points XDG_CACHE_HOME at it). "Parsed" below is seen by
a spy on `parse_config` and `TemplateLibrary.load` (the real ones run): in-process through monkeypatch, in a
real `python -m okrsheets` process through the wrapper `SPY`.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import stat
import subprocess
import sys
import weakref
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

import okrsheets.config as config_module
from okrsheets import config_cache
from okrsheets.config import load_config
from okrsheets.errors import ConfigError
from okrsheets.jobs.scheduler import build_schedule
from okrsheets.plan import build_plan, load_config_with_plan_problems
from okrsheets.templates import TemplateLibrary

from .helpers.nightly import write_config

REPO = Path(__file__).resolve().parent.parent
VALUES = """
[[departments]]
key = "hr"
name = "Phòng Nhân sự"
template = "hr"
owners = ["thu.pham@senvang.vn"]
values."O1.KR1" = { target = 12 }

[[departments]]
key = "sales"
name = "Phòng Kinh doanh"
template = "sales"
owners = ["hung.le@senvang.vn"]
"""  # sales fills nothing: its plan has warnings (unfilled slots), and they must come back too


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """How often this process parsed a config file and loaded a template library (each a spy around the real one)."""
    counts = {"config": 0, "templates": 0}
    real_parse, real_load = config_module.parse_config, TemplateLibrary.load

    def parse_config(data, source=None):
        counts["config"] += 1
        return real_parse(data, source)

    def load(cls, *args, **kwargs):
        counts["templates"] += 1
        return real_load(*args, **kwargs)

    monkeypatch.setattr(config_module, "parse_config", parse_config)
    monkeypatch.setattr(TemplateLibrary, "load", classmethod(load))
    return counts


def entries(folder: Path) -> list[Path]:
    return sorted((folder / "okrsheets").glob("config-*.pickle"))


def load_and_plan(path: Path):
    config = load_config(path)
    return config, build_plan(config)


# ---------------------------------------------------------------- a hit is the normal path's result


def test_a_second_load_reads_the_config_and_its_plan_back_equal_to_the_parsed_ones(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    first, first_plan = load_and_plan(path)
    assert parsed == {"config": 1, "templates": 1}
    second, second_plan = load_and_plan(path)
    assert parsed == {"config": 1, "templates": 1}  # neither parsed nor planned again
    assert second is not first and second == first and second.source == path
    assert second_plan == first_plan and second_plan.config is second
    assert second_plan.warnings == first_plan.warnings and len(first_plan.warnings) > 3  # sales' unfilled slots
    assert second.department("sales") == first.department("sales")
    with pytest.MonkeyPatch.context() as off:
        off.setenv("OKRSHEETS_CACHE", "off")
        assert load_and_plan(path) == (first, first_plan)  # what the normal path gives
    # the folder is the user's alone (0700), each entry 0600
    [entry] = entries(own_cache_folder)
    assert stat.S_IMODE(os.stat(entry.parent).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(entry).st_mode) == 0o600


def test_a_plan_is_given_back_only_for_the_very_config_object_it_was_built_for(tmp_path, parsed):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    config = load_config(path)
    changed = replace(config, departments=config.departments[:1])  # equal fields but one: a config of its own
    assert [d.key for d in build_plan(changed).departments] == ["hr"]
    assert parsed["templates"] == 2
    assert [d.key for d in build_plan(config).departments] == ["hr", "sales"]
    assert parsed["templates"] == 2


def test_the_cache_lets_go_of_a_plan_given_back_so_the_rollup_can_free_it(tmp_path, parsed, own_cache_folder):
    """The rollup drops its plan before writing the summary (peak memory): nothing here may keep it alive."""
    path = write_config(tmp_path, departments=VALUES)
    expected = build_plan(load_config(path))
    for _ in range(2):  # (each load reads the entry anew)
        config = load_config(path)
        plan = build_plan(config)
        assert plan == expected
        department = weakref.ref(plan.departments[0])
        del plan
        gc.collect()
        assert department() is None and config.department("hr")
    assert parsed["templates"] == 1
    written = only_entry(own_cache_folder).stat().st_mtime_ns
    assert build_plan(config) == expected  # the plan is built again for the same config: equal,
    assert parsed["templates"] == 2 and only_entry(own_cache_folder).stat().st_mtime_ns == written  # and not written again


def test_a_config_the_caller_lets_go_of_is_freed(tmp_path):
    """`okrsheets schedule` reads the config every night: the cache must not keep each night's alive."""
    path = write_config(tmp_path, departments=VALUES)
    for _ in range(2):  # parsed, then read back
        config = load_config(path)
        build_plan(config)
        gone = weakref.ref(config)
        del config
        gc.collect()
        assert gone() is None


SPY = """
import atexit, sys
import okrsheets.config
from okrsheets.templates import TemplateLibrary
counts = {"config": 0, "templates": 0}
real_parse, real_load = okrsheets.config.parse_config, TemplateLibrary.load
def parse_config(data, source=None):
    counts["config"] += 1
    return real_parse(data, source)
def load(cls, *args, **kwargs):
    counts["templates"] += 1
    return real_load(*args, **kwargs)
okrsheets.config.parse_config = parse_config
TemplateLibrary.load = classmethod(load)
atexit.register(lambda: print("PARSED", counts["config"], counts["templates"], file=sys.stderr))
from okrsheets.cli.main import cli
cli(sys.argv[1:], prog_name="okrsheets")
"""


def okrsheets_process(*args: str, env: dict[str, str] | None = None, pythonpath: Path = REPO) -> tuple[subprocess.CompletedProcess, tuple[int, int]]:
    """``python -m okrsheets ARGS`` with the spy; what it printed, and (configs parsed, template libraries loaded)."""
    run = subprocess.run([sys.executable, "-c", SPY, *args], capture_output=True, text=True, timeout=300,
                         cwd=pythonpath, env={**os.environ, "PYTHONPATH": str(pythonpath), **(env or {})})  # (-c: the cwd first)
    spied = [line.split() for line in run.stderr.splitlines() if line.startswith("PARSED ")]
    assert len(spied) == 1, run.stderr[-3000:]
    return run, (int(spied[0][1]), int(spied[0][2]))


def test_check_config_in_a_second_process_prints_the_same_from_the_cache(tmp_path, own_cache_folder):
    path = str(write_config(tmp_path, departments=VALUES))
    first, counts = okrsheets_process("check-config", "--config", path)
    assert first.returncode == 0, first.stderr[-2000:]
    assert counts == (1, 1)
    assert len(entries(own_cache_folder)) == 1
    second, counts = okrsheets_process("check-config", "--config", path)
    assert counts == (0, 0)
    assert (second.stdout, second.returncode) == (first.stdout, 0) and "Phòng Kinh doanh" in second.stdout
    assert second.stderr.replace("PARSED 0 0", "") == first.stderr.replace("PARSED 1 1", "")


def test_a_rollup_from_the_cache_gives_the_rollup_of_a_parsed_config(tmp_path):
    path = str(write_config(tmp_path, departments=VALUES))
    provisioned, counts = okrsheets_process("provision", "--config", path, "--create")
    assert provisioned.returncode == 0, provisioned.stderr[-2000:]
    assert counts[0] == 1  # the provision store's quick path is not taken on a first run: the config is parsed
    results = {}
    for cache in ("on", "off", "on"):
        run, counts = okrsheets_process("rollup", "--config", path, "--as-of", "2026-11-16", "--json",
                                         env={"OKRSHEETS_CACHE": cache})
        assert run.returncode == 0, run.stderr[-2000:]
        assert counts == ((0, 0) if cache == "on" else (1, 1))  # provision kept the config and plan
        result = json.loads(run.stdout)
        for key in ("started_at", "finished_at"):
            result.pop(key)
        results.setdefault(cache, []).append(result)
    assert results["on"][0] == results["off"][0] == results["on"][1]
    assert [d["key"] for d in results["on"][0]["departments"]] == ["hr", "sales"]
    assert list(tmp_path.rglob("*.pickle")) == []  # nothing kept in the quarter folder (nor beside the config)


def test_lint_from_the_cache_finds_what_it_finds_in_a_parsed_config(tmp_path):
    path = str(write_config(tmp_path, departments=VALUES))
    off, counts = okrsheets_process("lint", "--config", path, "--json", env={"OKRSHEETS_CACHE": "off"})
    assert counts == (1, 1)  # (lint loads the library and hands it to build_plan)
    okrsheets_process("check-config", "--config", path)
    on, counts = okrsheets_process("lint", "--config", path, "--json")
    assert counts == (0, 1)  # lint's own library; the plan, the one check-config built from the same template files
    assert (on.stdout, on.returncode) == (off.stdout, off.returncode) and json.loads(on.stdout)


# ---------------------------------------------------------------- what means a parse again


def test_an_edited_value_is_parsed_and_seen(tmp_path, parsed):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    path.write_text(path.read_text(encoding="utf-8").replace("target = 12", "target = 15"), encoding="utf-8")
    config, plan = load_and_plan(path)
    assert parsed == {"config": 2, "templates": 2}
    assert plan.department("hr").key_results[0].target == 15.0
    assert config.department("hr").values["O1.KR1"].target == 15.0


def test_an_edited_comment_alone_means_a_parse_too(tmp_path, parsed):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    path.write_text("# edited\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    load_and_plan(path)
    assert parsed == {"config": 2, "templates": 2}


OWN_SET = (REPO / "sheet_templates" / "hr.toml").read_text(encoding="utf-8").replace('key = "hr"', 'key = "our_hr"')


def test_a_template_edited_or_added_in_templates_dir_builds_the_plan_again_from_the_cached_config(tmp_path, parsed):
    own = tmp_path / "own-sets"
    own.mkdir()
    (own / "our_hr.toml").write_text(OWN_SET, encoding="utf-8")
    path = write_config(tmp_path, top='templates_dir = "own-sets"', departments=VALUES.replace('template = "hr"', 'template = "our_hr"'))
    _, plan = load_and_plan(path)
    assert plan.department("hr").key_results[0].text == "thu hút 12 ứng viên chất lượng cao cho mỗi vị trí tuyển dụng."
    (own / "our_hr.toml").write_text(OWN_SET.replace("thu hút {target} ứng viên", "mời {target} ứng viên"), encoding="utf-8")
    config, plan = load_and_plan(path)
    assert parsed == {"config": 1, "templates": 2}  # the config from the cache, its plan built again
    assert plan.department("hr").key_results[0].text == "mời 12 ứng viên chất lượng cao cho mỗi vị trí tuyển dụng."
    load_and_plan(path)
    assert parsed == {"config": 1, "templates": 2}  # and kept
    (own / "our_sales.toml").write_text(OWN_SET.replace('key = "our_hr"', 'key = "our_sales"'), encoding="utf-8")
    load_and_plan(path)
    assert parsed == {"config": 1, "templates": 3}


def test_a_built_in_template_edited_builds_the_plan_again(tmp_path, monkeypatch, parsed):
    builtin = tmp_path / "builtin"
    shutil.copytree(REPO / "sheet_templates", builtin)
    monkeypatch.setattr("okrsheets.templates.builtin_dir", lambda: builtin)  # a copy, to edit
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    hr = builtin / "hr.toml"
    hr.write_text(hr.read_text(encoding="utf-8").replace("thu hút {target} ứng viên", "mời {target} ứng viên"), encoding="utf-8")
    _, plan = load_and_plan(path)
    assert parsed == {"config": 1, "templates": 2}
    assert plan.department("hr").key_results[0].text.startswith("mời 12 ứng viên")


def test_another_okrsheets_module_means_a_parse(tmp_path, own_cache_folder):
    """A copy of okrsheets (package and shipped files) whose module is touched, as an upgrade would."""
    copy = tmp_path / "okrsheets-copy"
    shutil.copytree(REPO / "okrsheets", copy / "okrsheets", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(REPO / "sheet_templates", copy / "sheet_templates")
    shutil.copy(REPO / "config.example.toml", copy)
    path = str(write_config(tmp_path, departments=VALUES))
    assert okrsheets_process("check-config", "--config", path, pythonpath=copy)[1] == (1, 1)
    assert okrsheets_process("check-config", "--config", path, pythonpath=copy)[1] == (0, 0)
    module = copy / "okrsheets" / "words" / "en.py"
    os.utime(module, ns=(module.stat().st_atime_ns, module.stat().st_mtime_ns + 1_000_000_000))
    assert okrsheets_process("check-config", "--config", path, pythonpath=copy)[1] == (1, 1)
    assert okrsheets_process("check-config", "--config", path, pythonpath=copy)[1] == (0, 0)


@pytest.mark.parametrize("name", config_cache.ENVIRONMENT)
def test_each_environment_variable_parsing_reads_means_a_parse_when_it_changes(name, tmp_path, monkeypatch, parsed):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    monkeypatch.setenv(name, os.environ.get(name, "") + "-changed")
    load_and_plan(path)
    assert parsed["config"] == 2


def test_home_changes_where_a_folder_under_home_is(tmp_path, monkeypatch):
    path = write_config(tmp_path, departments=VALUES)
    path.write_text(path.read_text(encoding="utf-8").replace('folder = "okr"', 'folder = "~/okr"'), encoding="utf-8")
    monkeypatch.setenv("HOME", str(tmp_path / "ann"))
    assert load_and_plan(path)[0].quarter_folder == tmp_path / "ann" / "okr" / "2026-Q4"
    monkeypatch.setenv("HOME", str(tmp_path / "bao"))
    assert load_and_plan(path)[0].quarter_folder == tmp_path / "bao" / "okr" / "2026-Q4"


# ---------------------------------------------------------------- what parsing checks outside the file


def test_a_templates_dir_removed_since_is_the_problem_the_normal_path_tells(tmp_path, parsed):
    own = tmp_path / "own-sets"
    own.mkdir()
    (own / "our_hr.toml").write_text(OWN_SET, encoding="utf-8")
    path = write_config(tmp_path, top='templates_dir = "own-sets"')
    load_and_plan(path)
    shutil.rmtree(own)
    with pytest.raises(ConfigError) as cached:
        load_config_with_plan_problems(path)
    with pytest.MonkeyPatch.context() as off:
        off.setenv("OKRSHEETS_CACHE", "off")
        with pytest.raises(ConfigError) as normal:
            load_config_with_plan_problems(path)
    assert cached.value.problems == normal.value.problems and "templates_dir" in cached.value.problems[0]


def test_a_google_key_file_replaced_by_another_kind_is_the_problem_the_normal_path_tells(tmp_path, parsed):
    key = tmp_path / "key.json"
    key.write_text('{"type": "service_account", "private_key": "k", "client_email": "a@b.iam.gserviceaccount.com"}')
    path = write_config(tmp_path, departments=VALUES)
    path.write_text(path.read_text(encoding="utf-8").replace(
        'kind = "excel"', 'kind = "google"\nfolder_id = "f1"\nservice_account_file = "key.json"'), encoding="utf-8")
    assert load_and_plan(path)[0].google.service_account_file == key
    assert load_and_plan(path)[0].google.service_account_file == key
    assert parsed["config"] == 1
    key.write_text('{"installed": {"client_id": "x"}}')  # an OAuth client, not a key
    with pytest.raises(ConfigError) as cached:
        load_config(path)
    assert parsed["config"] == 2 and "backend.service_account_file" in cached.value.problems[0]


def test_a_config_with_a_problem_is_never_kept(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES.replace('template = "sales"', 'template = "nope"'))
    for _ in range(2):
        with pytest.raises(ConfigError, match="nope"):
            load_and_plan(path)
    assert parsed["config"] == 2 and entries(own_cache_folder) == []


def test_the_schedule_sees_a_config_edited_between_nights(tmp_path):
    path = write_config(tmp_path, departments=VALUES)
    config, _ = load_and_plan(path)
    nights = []
    now = datetime(2026, 11, 20, 9, 0, tzinfo=config.tz)
    loop, _ = build_schedule(config, lambda fresh, trigger: nights.append(build_plan(fresh)), clock=lambda: now,
                             sleep=lambda seconds: None)
    assert loop.run_once("schedule")
    path.write_text(path.read_text(encoding="utf-8").replace("target = 12", "target = 15"), encoding="utf-8")
    assert loop.run_once("schedule")
    assert [n.department("hr").key_results[0].target for n in nights] == [12.0, 15.0]


# ---------------------------------------------------------------- a cache that cannot be trusted is ignored


def only_entry(folder: Path) -> Path:
    [entry] = entries(folder)
    return entry


@pytest.mark.parametrize("damage", ["a byte changed", "cut short", "not an entry", "empty"])
def test_a_damaged_entry_means_the_normal_path_and_is_written_again(damage, tmp_path, parsed, own_cache_folder, capfd):
    path = write_config(tmp_path, departments=VALUES)
    expected = load_and_plan(path)
    entry = only_entry(own_cache_folder)
    data = bytearray(entry.read_bytes())
    if damage == "a byte changed":
        at = data.index("Phòng Kinh doanh".encode())  # the department's name in the pickle
        data[at] ^= 0x01
    elif damage == "cut short":
        data = data[: len(data) * 2 // 3]
    elif damage == "not an entry":
        data = bytearray(b"\x80\x05 not json\n" + bytes(data))
    else:
        data = bytearray()
    entry.write_bytes(bytes(data))
    assert load_and_plan(path) == expected
    assert parsed == {"config": 2, "templates": 2}
    assert capfd.readouterr() == ("", "")  # nothing said
    assert load_and_plan(path) == expected and parsed["config"] == 2  # written again whole


def test_an_entry_others_may_write_is_ignored(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    entry = only_entry(own_cache_folder)
    os.chmod(entry, 0o620)
    load_and_plan(path)
    assert parsed["config"] == 2
    assert stat.S_IMODE(os.stat(entry).st_mode) == 0o600  # replaced by the normal path's own
    os.chmod(entry, 0o602)
    load_and_plan(path)
    assert parsed["config"] == 3


def test_a_cache_folder_others_may_write_is_neither_read_nor_written(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    entry = only_entry(own_cache_folder)
    os.chmod(entry.parent, 0o770)
    written = entry.stat().st_mtime_ns
    load_and_plan(path)
    assert parsed["config"] == 2 and entry.stat().st_mtime_ns == written
    os.chmod(entry.parent, 0o700)
    load_and_plan(path)
    assert parsed["config"] == 2


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file to another user needs root")
def test_an_entry_or_folder_owned_by_another_user_is_ignored(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    entry = only_entry(own_cache_folder)
    os.chown(entry, 65534, 65534)
    load_and_plan(path)
    assert parsed["config"] == 2  # (and replaced by this user's own)
    assert os.stat(entry).st_uid == os.getuid()
    os.chown(entry.parent, 65534, 65534)
    load_and_plan(path)
    load_and_plan(path)
    assert parsed["config"] == 4 and os.stat(entry).st_uid == os.getuid()


def test_an_entry_that_is_a_link_is_ignored(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    entry = only_entry(own_cache_folder)
    elsewhere = tmp_path / "elsewhere.pickle"
    entry.rename(elsewhere)
    entry.symlink_to(elsewhere)
    load_and_plan(path)
    assert parsed["config"] == 2


def test_a_temporary_file_a_killed_write_left_is_removed_by_the_next_write(tmp_path, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    folder = own_cache_folder / "okrsheets"
    left = folder / ".config-0123.abcd1234.pickle.tmp"
    left.write_bytes(b"half an entry")
    os.utime(left, (1_000_000_000, 1_000_000_000))
    path.write_text(path.read_text(encoding="utf-8").replace("target = 12", "target = 13"), encoding="utf-8")
    load_and_plan(path)
    assert not left.exists() and len(entries(own_cache_folder)) == 1


def test_deleting_the_cache_folder_is_safe(tmp_path, parsed, own_cache_folder):
    path = write_config(tmp_path, departments=VALUES)
    expected = load_and_plan(path)
    shutil.rmtree(own_cache_folder / "okrsheets")
    assert load_and_plan(path) == expected and parsed["config"] == 2
    assert len(entries(own_cache_folder)) == 1


# ---------------------------------------------------------------- where, and off


def test_okrsheets_cache_off_reads_and_writes_no_cache(tmp_path, monkeypatch, parsed, own_cache_folder):
    monkeypatch.setenv("OKRSHEETS_CACHE", "off")
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    load_and_plan(path)
    assert parsed == {"config": 2, "templates": 2}
    assert not (own_cache_folder / "okrsheets").exists()


def test_the_cache_is_off_where_files_have_no_owner_id(tmp_path, monkeypatch, parsed, own_cache_folder):
    monkeypatch.delattr(os, "getuid")  # as on Windows
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    load_and_plan(path)
    assert parsed["config"] == 2 and not (own_cache_folder / "okrsheets").exists()


def test_without_an_absolute_xdg_cache_home_the_cache_is_in_the_home_folder(tmp_path, monkeypatch, parsed):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")  # not absolute: ignored, as the XDG spec says
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    load_and_plan(path)
    assert parsed["config"] == 1
    assert len(entries(tmp_path / "home" / ".cache")) == 1
    monkeypatch.delenv("XDG_CACHE_HOME")
    load_and_plan(path)
    assert parsed["config"] == 1


def test_nothing_is_kept_beside_the_config_or_in_the_quarter_folder(tmp_path):
    path = write_config(tmp_path, departments=VALUES)
    before = sorted(p.name for p in tmp_path.iterdir())
    load_and_plan(path)
    load_and_plan(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == before == ["okrsheets.toml"]


# ---------------------------------------------------------------- what docs/nightly.md says


def guide() -> str:
    text = (REPO / "docs" / "nightly.md").read_text(encoding="utf-8")
    return " ".join(text[text.index("## The config cache"):].split())


def test_the_guide_names_the_folder_the_variables_and_the_switch():
    said = guide()
    assert ("keeps the parsed config and its plan in the cache folder of the user who runs it: "
            "`$XDG_CACHE_HOME/okrsheets`, else `~/.cache/okrsheets`") in said
    listed = said[said.index("the environment variables the config's parsing reads:"):].split(";")[0]
    assert [name.strip("`") for name in listed.replace(" and ", ", ").split(": ")[1].split(", ")] == list(config_cache.ENVIRONMENT)
    assert "`OKRSHEETS_CACHE=off` in the environment (for the timer, in `/etc/okrsheets/okrsheets.env`) turns the cache off" in said
    assert "EnvironmentFile=-/etc/okrsheets/okrsheets.env" in (REPO / "scripts" / "okrsheets-rollup.service").read_text()


def test_the_okrsheets_users_cache_is_inside_the_timers_writable_paths(monkeypatch):
    assert "(for the `okrsheets` user above, `/srv/okrsheets/.cache/okrsheets`, inside the timer's `ReadWritePaths`)" in guide()
    assert "useradd --system --home-dir /srv/okrsheets" in (REPO / "docs" / "nightly.md").read_text(encoding="utf-8")
    service = (REPO / "scripts" / "okrsheets-rollup.service").read_text(encoding="utf-8")
    assert "\nUser=okrsheets\n" in service and "\nReadWritePaths=/srv/okrsheets\n" in service
    monkeypatch.setenv("HOME", "/srv/okrsheets")  # (systemd sets HOME to the User='s home)
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert config_cache.cache_folder() == Path("/srv/okrsheets/.cache/okrsheets")


@pytest.mark.parametrize("command", [["check-config"], ["lint"], ["provision", "--create"], ["rollup", "--as-of", "2026-11-16"]])
def test_each_command_that_builds_the_plan_keeps_it(command, tmp_path, own_cache_folder):
    """(a rollup of workbooks never provisioned fails, after its plan is built)"""
    path = str(write_config(tmp_path, departments=VALUES))
    okrsheets_process(command[0], "--config", path, *command[1:])
    assert len(entries(own_cache_folder)) == 1
    assert okrsheets_process("check-config", "--config", path)[1] == (0, 0)


def test_another_python_means_a_parse(tmp_path, monkeypatch, parsed):
    path = write_config(tmp_path, departments=VALUES)
    load_and_plan(path)
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    load_and_plan(path)
    assert parsed["config"] == 2
