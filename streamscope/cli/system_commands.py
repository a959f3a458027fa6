"""`streamscope install-deps` and `streamscope doctor`: the system parts the engines need.

Thin click commands over install_deps.py and doctor.py; cli.py adds them to its group.
"""

from __future__ import annotations

import shlex
import subprocess
import sys

import click

from streamscope.config import Config
from streamscope.engines import ENGINE_NAMES
from streamscope.engines.readiness import check_engines
from streamscope.run.doctor import doctor
from streamscope.run.install_deps import (
    InstallError,
    install_command,
    misplaced,
    packages_to_install,
)

engines_option = click.option(
    "--browser", "browsers", multiple=True, type=click.Choice(ENGINE_NAMES),
    help="An engine to check; repeat for several. Default: the `browsers` of the "
         "configuration, else all three.",
)


@click.command("install-deps")
@engines_option
@click.option("--dry-run", is_flag=True, help="Print the one command it would run, and stop.")
@click.pass_obj
def install_deps_command(config: Config, browsers: tuple[str, ...], dry_run: bool) -> int:
    """Install the Debian packages this machine lacks for the engines (sudo where not root):
    browsers, WebKitWebDriver, Xvfb, ffmpeg."""
    results = check_engines([config.engine(name) for name in browsers or config.matrix],
                            paint=True)
    packages = packages_to_install(results)
    for problem in misplaced(results):
        click.echo(f"streamscope: {problem}: no package fixes that; `streamscope doctor` "
                   "says what does", err=True)
    if not packages:
        click.echo("streamscope: nothing to install" + (
            "" if misplaced(results) else ": every part the engines need is here"), err=True)
        return 1 if misplaced(results) else 0
    try:
        command = install_command(packages, results)
    except InstallError as exc:
        raise click.ClickException(str(exc)) from exc
    if dry_run:
        click.echo(shlex.join(command))
        return 0
    click.echo(f"streamscope: installing {' '.join(packages)}", err=True)
    sys.stdout.flush()
    code = subprocess.run(command, check=False).returncode
    if code != 0:
        raise click.ClickException(f"{shlex.join(command)} exited with {code}")
    return 1 if misplaced(results) else 0


@click.command("doctor")
@engines_option
@click.pass_obj
def doctor_command(config: Config, browsers: tuple[str, ...]) -> int:
    """Say, per engine, whether it can run here (browser and version, driver, Xvfb and its
    DAMAGE and MIT-SHM extensions, ffmpeg, measured thresholds); exit 1 with what fixes it."""
    return doctor(config, browsers or config.matrix, click.echo)
