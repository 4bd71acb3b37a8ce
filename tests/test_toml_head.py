"""`toml_head`: a config's top-level keys and the tables asked for, without parsing its departments."""

from __future__ import annotations

import tomllib

from okrsheets.toml_head import toml_head

CONFIG = '''# Công ty Sen Vàng
company = "Công ty Sen Vàng"
language = "en"
quarter = "2026-Q4"
admin_emails = [
  "a@senvang.example",
]
[backend]
kind = "excel"
folder = "okr"   # beside the config

[[departments]]
key = "d1"
values."O1.KR1" = { target = 10 }
  [ quarter ]
name = "not the top-level key: a table after the departments"
[scoring]
green = 0.7
'''


def test_the_head_holds_the_top_level_keys_and_the_tables_asked_for_only():
    head = toml_head(CONFIG, ("backend",))
    assert head == {"company": "Công ty Sen Vàng", "language": "en", "quarter": "2026-Q4",
                    "admin_emails": ["a@senvang.example"], "backend": {"kind": "excel", "folder": "okr"}}
    assert toml_head(CONFIG) == {k: v for k, v in head.items() if k != "backend"}


def test_a_table_asked_for_is_found_wherever_it_is_and_parsed_as_tomllib_parses_it():
    text = CONFIG.replace('quarter = "2026-Q4"\n', "")
    assert toml_head(text, ("quarter", "scoring"))["quarter"] == tomllib.loads(text)["quarter"] == {
        "name": "not the top-level key: a table after the departments"}
    assert toml_head(text, ("scoring",))["scoring"] == {"green": 0.7}


def test_a_line_of_a_multi_line_array_that_starts_with_a_bracket_makes_a_head_that_does_not_parse():
    text = 'language = "vi"\nmatrix = [\n  [1, 2],\n]\n[backend]\nfolder = "okr"\n'
    assert tomllib.loads(text)["backend"] == {"folder": "okr"}
    assert toml_head(text, ("backend",)) is None  # taken for a table's start: the caller goes the normal way
