"""``python -m habitue``: the same as the ``habitue`` command."""

from habitue.cli.app import main

main()
