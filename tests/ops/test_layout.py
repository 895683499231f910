"""The module structure keeps its promises (docs/architecture.md): ORM and driver internals
only in common/bulk.py, no private names imported across modules, and the domain apps'
write and read modules never reach up into the interfaces (api, web)."""

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
APPS = [app for app in settings.INSTALLED_APPS if "." not in app]
INTERNALS = re.compile(r"\._state\b|\brun_on_commit\b|\bpsycopg\b")
# Modules that hold domain logic (as opposed to views, forms, admin, commands).
DOMAIN = re.compile(r"/(services|selectors|signals|receivers|events|tasks|models)(\.py|/)")


def _sources():
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path, path.relative_to(ROOT).as_posix()


def test_orm_and_driver_internals_only_in_common_bulk():
    found = [
        f"{name}:{number}"
        for path, name in _sources()
        if name != "common/bulk.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if INTERNALS.search(line.split("#")[0])
    ]
    assert found == []


def test_no_private_names_imported_across_modules():
    found = []
    for path, name in _sources():
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                private = [a.name for a in node.names if a.name.startswith("_")]
                if private:
                    found.append(f"{name}:{node.lineno} {node.module} {private}")
    assert found == []


def test_domain_modules_do_not_import_the_interfaces():
    found = []
    for path, name in _sources():
        if not DOMAIN.search("/" + name) or name.split("/")[0] in ("api", "web"):
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            modules = []
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                modules = [node.module]
            elif isinstance(node, ast.Import):
                modules = [a.name for a in node.names]
            found += [
                f"{name}:{node.lineno} {m}" for m in modules if m.split(".")[0] in ("api", "web")
            ]
    assert found == []
