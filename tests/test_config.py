import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from streamscope.config import Config, find_config_file, load_config
from streamscope.engines import ENGINE_NAMES

ROOT = Path(__file__).parent.parent


def test_the_projects_matrix_loads_and_names_every_engine():
    config = load_config(ROOT / "playwright.config.toml")
    assert config.browsers == config.matrix == ENGINE_NAMES
    assert config.engines["firefox"].system_channel == "moz-firefox"
    assert config.engine("chromium").viewport == config.viewport


def _toml(value):
    return list(value) if isinstance(value, tuple) else value


def test_the_projects_file_repeats_no_default():
    # Each default lives in the code: a line of the file that says it again drifts from it.
    data = tomllib.loads((ROOT / "playwright.config.toml").read_text())
    defaults = Config()
    tables = {f"[{name}]": (values, getattr(defaults, name)) for name, values in data.items()
              if name not in ("browsers", "engines")}
    tables.update({f"[engines.{name}]": (values, defaults.engines[name])
                   for name, values in data.get("engines", {}).items()})
    repeated = [f"{table} {key}" for table, (values, default) in tables.items()
                for key, value in values.items() if _toml(getattr(default, key)) == value]
    assert repeated == []


def test_the_projects_commented_examples_are_settings(tmp_path):
    # Uncommented, every example line is a known setting of the right type.
    text = (ROOT / "playwright.config.toml").read_text()
    examples = re.sub(r"(?m)^# (?=\[[\w.]+\]$|\w+ = )", "", text)
    assert examples != text
    path = tmp_path / "playwright.config.toml"
    path.write_text(examples)
    config = load_config(path)
    assert config.engines["webkit"].webdriver_url and config.paint.method == "video"


def test_defaults_hold_without_a_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert find_config_file() is None
    assert load_config() == Config()


def test_the_file_overrides_the_defaults(tmp_path):
    path = tmp_path / "playwright.config.toml"
    path.write_text('browsers = ["webkit"]\n[recording]\ntimeout_s = 5\n'
                    '[engines.chromium]\nargs = ["--x"]\n')
    config = load_config(path)
    assert config.browsers == ("webkit",)
    assert config.recording.timeout_s == 5
    assert config.recording.settle_ms == Config().recording.settle_ms
    assert config.engines["chromium"].args == ("--x",)
    assert config.engines["chromium"].system_executable == "/usr/bin/chromium"


def test_one_engine_may_be_named_alone_not_in_a_list(tmp_path):
    path = tmp_path / "playwright.config.toml"
    path.write_text('browsers = "chromium"\n')
    assert load_config(path).browsers == ("chromium",)


@pytest.mark.parametrize("text, message", [
    ("[recording]\ntimeout = 5\n", "unknown setting(s) timeout"),
    ('browsers = ["safari"]\n', "unknown engine(s) safari"),
    ('browsers = "safari"\n', "unknown engine(s) safari"),
    ("browsers = 3\n", "browsers must be a list of engine names, got 3"),
    ("browsers = [3]\n", "browsers must be a list of engine names, got [3]"),
    ("[engines.chromium]\nexecutable = 'x'\n", "unknown setting(s) executable"),
    ("[engines.chromium]\nheaded = true\n", "unknown setting(s) headed"),
    ("[engines.chromium]\nsystem_driver = 'x'\n", "unknown setting(s) system_driver"),
    ("[engines.safari]\nargs = []\n", "[engines.safari]: unknown engine"),
    ('[recording]\ntimeout_s = "x"\n', "timeout_s must be a valid number, got 'x'"),
    ("[recording]\ntimeout_s = true\n", "timeout_s must be a valid number, got True"),
    ('[engines.chromium]\nargs = "--x"\n', "args must be a valid array, got '--x'"),
    ("[engines.chromium]\nargs = [1]\n", "args[0] must be a valid string, got 1"),
    ('[viewport]\nwidth = 1.5\n', "width must be a valid integer, got 1.5"),
    ('[engines.chromium]\nconnect = "http://x"\n', "connect must be a ws:// or wss:// URL"),
    ('[engines.webkit]\nwebdriver_url = "x"\n', "[engines.webkit]: webdriver_url must be"),
    ('[engines.webkit]\nremote_display = "x"\n', "remote_display must be an X display"),
    ("[engines.webkit]\nwebdriver_sessions = 0\n", "webdriver_sessions must be 1 or more"),
    ('[engines.webkit]\nconnect = "ws://x"\n', "unknown setting(s) connect"),
    ('[paint]\nmethod = "film"\n', "method must be one of damage, video, got 'film'"),
])
def test_a_bad_setting_is_named(tmp_path, text, message):
    path = tmp_path / "playwright.config.toml"
    path.write_text(text)
    with pytest.raises(ValueError, match=re.escape(message)):
        load_config(path)


def test_the_nearest_file_is_found_from_a_subfolder(tmp_path):
    (tmp_path / "playwright.config.toml").write_text("")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    assert find_config_file(sub) == tmp_path / "playwright.config.toml"


def test_cli_overrides_the_timeout():
    assert Config().with_timeout(3).recording.timeout_s == 3
    assert Config().with_timeout(None) == Config()


def test_an_unknown_engine_is_refused():
    with pytest.raises(ValueError, match="unknown browser 'safari'"):
        Config().engine("safari")


def test_without_a_matrix_every_engine_runs_but_none_is_imposed(tmp_path):
    path = tmp_path / "playwright.config.toml"
    path.write_text("[recording]\ntimeout_s = 5\n")
    config = load_config(path)
    assert config.browsers is None
    assert config.matrix == ENGINE_NAMES



def test_the_file_points_engines_at_a_fleet(tmp_path):
    path = tmp_path / "playwright.config.toml"
    path.write_text('[engines.firefox]\nconnect = "ws://127.0.0.1:3000/"\n'
                    '[engines.webkit]\nwebdriver_url = "http://127.0.0.1:4444"\n'
                    'remote_display = ":99"\nwebdriver_sessions = 2\n')
    engines = load_config(path).engines
    assert engines["firefox"].connect == "ws://127.0.0.1:3000/"
    assert engines["chromium"].connect == ""
    assert (engines["webkit"].webdriver_url, engines["webkit"].remote_display) == (
        "http://127.0.0.1:4444", ":99")
    assert engines["webkit"].concurrent_sessions() == 2
    assert engines["webkit"].remote_screen == ":99"
    assert engines["firefox"].concurrent_sessions() is None
    assert engines["firefox"].remote_screen == ""


def test_cli_flags_set_a_setting_on_every_engine_that_has_it():
    config = Config().with_engine_settings(connect="ws://127.0.0.1:3000/", remote_display=":5",
                                           webdriver_url=None)
    assert [config.engines[n].connect for n in ("chromium", "firefox")] == [
        "ws://127.0.0.1:3000/"] * 2
    assert {config.engines[n].remote_display for n in ENGINE_NAMES} == {":5"}
    assert config.engines["webkit"].webdriver_url == ""
    assert config.engines["chromium"].args == Config().engines["chromium"].args
    with pytest.raises(ValueError, match="connect must be"):
        Config().with_engine_settings(connect="127.0.0.1:3000")
    with pytest.raises(ValueError, match="no engine has a setting 'frobnicate'"):
        Config().with_engine_settings(frobnicate="x")


def test_a_pyprojects_tool_streamscope_table_takes_the_same_keys(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "app"\n[tool.streamscope]\nbrowsers = ["webkit"]\n'
        '[tool.streamscope.engines.webkit]\nsystem_driver = "/opt/WebKitWebDriver"\n')
    (tmp_path / "tests").mkdir()
    path = find_config_file(tmp_path / "tests")
    assert path == tmp_path / "pyproject.toml"
    config = load_config(path)
    assert config.browsers == ("webkit",)
    assert config.engines["webkit"].system_driver == "/opt/WebKitWebDriver"
    assert config.source == path


def test_a_pyproject_without_the_table_is_passed_by(tmp_path):
    (tmp_path / "playwright.config.toml").write_text('browsers = ["firefox"]\n')
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "pyproject.toml").write_text('[project]\nname = "app"\n')
    assert find_config_file(tmp_path / "app") == tmp_path / "playwright.config.toml"


@pytest.mark.parametrize("text, message", [
    ("[tool.streamscope.engines.chromium]\nexecutable = 'x'\n",
     "pyproject.toml: [tool.streamscope.engines.chromium]: unknown setting(s) executable"),
    ("[tool.streamscope]\nbrowser = ['webkit']\n",
     "pyproject.toml: [tool.streamscope]: unknown key(s) browser"),
    ("[tool.streamscope.recording]\ntimeout_s = 'soon'\n",
     "pyproject.toml: [tool.streamscope.recording]: timeout_s must be a valid number"),
])
def test_a_bad_key_in_pyproject_names_the_file_and_the_table(tmp_path, text, message):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(ValueError) as caught:
        load_config(find_config_file(tmp_path))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_an_unknown_top_level_key_is_named(tmp_path):
    path = tmp_path / "playwright.config.toml"
    path.write_text("[recordin]\ntimeout_s = 5\n")
    with pytest.raises(ValueError, match=r"playwright.config.toml: unknown key\(s\) recordin"):
        load_config(path)


def test_a_folder_configured_twice_is_refused(tmp_path):
    (tmp_path / "playwright.config.toml").write_text("")
    (tmp_path / "pyproject.toml").write_text("[tool.streamscope]\nbrowsers = ['webkit']\n")
    with pytest.raises(ValueError, match="configure streamscope: keep one"):
        find_config_file(tmp_path)


def test_reading_the_config_imports_no_engine(tmp_path):
    # The registry is data; an engine's module (and Playwright or Selenium with it) is
    # imported when the engine is created: `streamscope report` and the config need neither.
    path = tmp_path / "playwright.config.toml"
    path.write_text('[engines.webkit]\nwebdriver_url = "http://grid:4444"\n')
    modules = ("playwright", "selenium", "streamscope.engines.chromium",
               "streamscope.engines.firefox", "streamscope.engines.webkit")
    check = ("import sys; from pathlib import Path; from streamscope.config import load_config; "
             f"load_config(Path({str(path)!r})); "
             f"print(sorted(m for m in {modules!r} if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", check], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
