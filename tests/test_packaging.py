"""What the wheel installs: every package of the checkout, under the one top-level name."""

import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SETUPTOOLS = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]


def _packages_under(folder: Path, name: str) -> set[str]:
    return {".".join((name, *init.parent.relative_to(folder).parts))
            for init in folder.rglob("__init__.py")}


def test_every_package_folder_is_in_the_wheel():
    found = _packages_under(REPO / "streamscope", "streamscope") | _packages_under(
        REPO / "server", "streamscope.demo_server")
    assert found == set(SETUPTOOLS["packages"])


def test_the_only_top_level_name_is_streamscope():
    assert {name.split(".")[0] for name in SETUPTOOLS["packages"]} == {"streamscope"}
    assert SETUPTOOLS["package-dir"] == {"streamscope.demo_server": "server"}


def test_every_data_file_of_a_package_is_in_the_wheel():
    """Templates, scripts and styles a package reads at run time match its package-data."""
    data = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"]
    for package, folder in (("streamscope", REPO / "streamscope"),
                            ("streamscope.demo_server", REPO / "server")):
        files = {p for p in folder.rglob("*") if p.suffix in (".html", ".js", ".css")}
        matched = {p for pattern in data[package] for p in folder.glob(pattern)}
        assert files == matched, f"{package}: {sorted(map(str, files - matched))}"
