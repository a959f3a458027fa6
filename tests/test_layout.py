"""The package's stages import only the stages before them (README, Layout): no back-edges."""

import ast
from pathlib import Path

import pytest

import streamscope

PACKAGE = Path(streamscope.__file__).parent
# In order; a module may import its own stage and those before it. The faces share a rank:
# the plugin and the CLI both show the report.
STAGES = [
    ("errors", "files", "wording", "deadline", "validation", "priority"),
    ("engines",),
    ("recording", "config"),
    ("paint",),
    ("record",),
    ("judge",),
    ("prove",),
    ("run",),
    ("cli", "plugin", "report", "assertions"),
]
RANK = {name: rank for rank, names in enumerate(STAGES) for name in names}


def _stage(dotted: str) -> str:
    return dotted.split(".")[1]


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return {n for n in names if n.startswith("streamscope.") and n != "streamscope.demo_server"
            and not n.startswith("streamscope.demo_server.")}


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


def test_every_stage_is_ranked():
    stages = {p.relative_to(PACKAGE).parts[0].removesuffix(".py") for p in MODULES}
    assert stages == set(RANK)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_a_later_stage(path):
    own = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
    later = sorted(name for name in _imports(path)
                   if _stage(name) in RANK and RANK[_stage(name)] > RANK[own])
    assert later == [], f"{own} imports a later stage"
