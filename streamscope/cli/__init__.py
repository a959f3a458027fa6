"""The command line: `streamscope run / repro / threshold / report / compare / doctor /
install-deps` (commands.py, system_commands.py) and what they print (console.py)."""

# isort: off
# First: the CPU sample that tells whether the machine is quiet spans the CLI's own imports.
from streamscope.run import other_work  # noqa: F401
from streamscope.cli.commands import cli, main
# isort: on

__all__ = ["cli", "main"]
