"""The system parts: each need checked, what installs it, and what doctor says is missing."""

import sys

import pytest
from click.testing import CliRunner

from streamscope.cli.commands import cli
from streamscope.config import load_config
from streamscope.engines.needs import Check, Part, check_file
from streamscope.engines.readiness import Readiness, check_engines
from streamscope.run import install_deps
from streamscope.run.doctor import fixes
from streamscope.run.install_deps import (
    InstallError,
    install_command,
    misplaced,
    packages_to_install,
)

BROWSER = Part("browser", "system_executable", "chromium")
DEBIAN = 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n'


def _missing(engine: str, package: str, setting: str = "") -> Readiness:
    return Readiness(engine, (Check("browser", "", "/x is missing", package, setting),
                              Check("display", "xvfb 21", package="xvfb")))


def test_a_part_at_its_packages_path_is_fixed_by_the_package():
    check = check_file(BROWSER, "/nonexistent/chromium", "/nonexistent/chromium")
    assert not check.ok and check.package == "chromium" and not check.setting
    assert str(check) == "browser /nonexistent/chromium is missing"


def test_a_part_a_setting_moved_is_fixed_by_the_setting():
    check = check_file(BROWSER, "/nonexistent/chromium", "/usr/bin/chromium")
    assert not check.ok and check.setting == "system_executable"


def test_a_part_that_is_there_names_its_version():
    check = check_file(BROWSER, sys.executable, "/usr/bin/chromium")
    assert check.ok and check.found.startswith("Python 3.") and sys.executable in check.found


def test_each_missing_package_is_installed_once_and_a_moved_part_by_none():
    results = [_missing("firefox", "firefox-esr"), _missing("webkit", "webkit2gtk-driver"),
               _missing("chromium", "chromium", setting="system_executable"),
               Readiness("webkit2", (Check("ffmpeg", "", "not on PATH", "ffmpeg"),
                                     Check("driver", "", "/y is missing", "webkit2gtk-driver")))]
    assert packages_to_install(results) == ["firefox-esr", "webkit2gtk-driver", "ffmpeg"]
    assert misplaced(results) == ["chromium browser /x is missing"]


def test_the_one_command_uses_sudo_where_not_root(tmp_path, monkeypatch):
    (tmp_path / "os-release").write_text(DEBIAN)
    monkeypatch.setattr(install_deps.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(install_deps.shutil, "which", lambda name: f"/usr/bin/{name}")
    command = install_command(["chromium", "xvfb"], [], tmp_path / "os-release")
    assert command == ["sudo", "sh", "-c", "apt-get update -qq && DEBIAN_FRONTEND=noninteractive "
                       "apt-get install -y -qq chromium xvfb"]
    monkeypatch.setattr(install_deps.os, "geteuid", lambda: 0)
    assert install_command(["xvfb"], [], tmp_path / "os-release")[:2] == ["sh", "-c"]


def test_without_root_or_sudo_the_error_gives_the_command(tmp_path, monkeypatch):
    (tmp_path / "os-release").write_text(DEBIAN)
    monkeypatch.setattr(install_deps.os, "geteuid", lambda: 1000)
    monkeypatch.setattr(install_deps.shutil, "which", lambda name: None)
    with pytest.raises(InstallError, match="as root, run sh -c 'apt-get update"):
        install_command(["xvfb"], [], tmp_path / "os-release")


@pytest.mark.parametrize("text, named", [
    ('PRETTY_NAME="Fedora Linux 41"\nID=fedora\n', "Fedora Linux 41"),
    ('PRETTY_NAME="Ubuntu 24.04 LTS"\nID=ubuntu\nID_LIKE=debian\n', "Ubuntu 24.04 LTS"),
    ("", "an unknown system"),
])
def test_an_unknown_distribution_is_one_line_listing_what_is_needed(tmp_path, text, named):
    (tmp_path / "os-release").write_text(text)
    results = [_missing("firefox", "firefox-esr"),
               Readiness("webkit", (Check("ffmpeg", "", "ffmpeg is not on PATH", "ffmpeg"),))]
    with pytest.raises(InstallError) as caught:
        install_command(packages_to_install(results), results, tmp_path / "os-release")
    message = str(caught.value)
    assert "\n" not in message and named in message
    assert "firefox browser /x is missing" in message
    assert "webkit ffmpeg ffmpeg is not on PATH" in message


def test_the_fix_for_a_moved_part_names_the_file_and_the_table(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.streamscope.engines.chromium]\nsystem_executable = "/x"\n')
    results = [_missing("chromium", "chromium", setting="system_executable")]
    (fix,) = fixes(load_config(path), results)
    assert fix.startswith(f"set system_executable under [tool.streamscope.engines.chromium] in "
                          f"{path} to the file's path, or remove it for Debian's, which "
                          f"chromium puts at /usr/bin/chromium")


def test_doctor_exits_1_naming_a_browser_that_is_not_there(tmp_path):
    config = tmp_path / "playwright.config.toml"
    config.write_text('[engines.chromium]\nsystem_executable = "/nonexistent/chromium"\n')
    result = CliRunner().invoke(cli, ["--config", str(config), "doctor", "--browser",
                                      "chromium"])
    assert result.exit_code == 1
    line, fix = result.output.splitlines()
    assert line == "chromium  cannot run: browser /nonexistent/chromium is missing"
    assert fix.startswith(f"fix: set system_executable under [engines.chromium] in {config}")


def test_without_paint_a_headless_engine_needs_no_display_nor_ffmpeg():
    config = load_config().with_engine_settings(system_executable=sys.executable)
    (result,) = check_engines([config.engine("chromium")], paint=False)
    assert [check.need for check in result.checks] == ["browser"] and result.ok


def test_a_remote_engine_needs_nothing_here():
    config = load_config().with_engine_settings(connect="ws://127.0.0.1:9/",
                                                system_executable="/nonexistent/chromium")
    (result,) = check_engines([config.engine("chromium")], paint=True)
    assert result.checks == (Check("endpoint", "ws://127.0.0.1:9/"),)
