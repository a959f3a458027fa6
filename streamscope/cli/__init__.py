"""The command line: `streamscope run / repro / threshold / report / compare / doctor /
install-deps` (commands.py, system_commands.py) and what they print (console.py)."""

from streamscope.cli.commands import cli, main

__all__ = ["cli", "main"]
