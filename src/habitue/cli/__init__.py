"""The ``habitue`` command line (Typer + Rich): parse, call the Workspace, render."""
