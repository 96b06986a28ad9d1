"""Docs cannot drift: every setting, table and view is documented where users look."""

from __future__ import annotations

from conftest import REPO
from service.settings import documented


def test_every_setting_is_in_the_readme() -> None:
    readme = (REPO / "README.md").read_text()
    missing = [name for name, _, _ in documented() if f"`{name}`" not in readme]
    assert not missing, f"document these settings in README.md: {missing}"


def test_every_table_and_view_is_in_sql_readme(db) -> None:
    doc = (REPO / "sql" / "README.md").read_text()
    with db.reading() as cur:
        names = [r[0] for r in cur.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main'").fetchall()]
        macros = [r[0] for r in cur.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE function_type = 'table_macro' "
            "AND NOT internal").fetchall()]
    missing = [n for n in names + macros
               if f"`{n}`" not in doc and f"`{n}(" not in doc and n != "schema_migrations"]
    assert not missing, f"document these in sql/README.md: {missing}"


def test_no_backtracking_regex_in_the_service() -> None:
    offenders = [str(p.relative_to(REPO)) for p in (REPO / "service").rglob("*.py")
                 for line in p.read_text().splitlines()
                 if line.strip() in {"import re", "from re import"} or line.strip().startswith("from re import")]
    assert not offenders, f"use google-re2 (import re2), which runs in linear time: {offenders}"
