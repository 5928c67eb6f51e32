"""`python -m guize`: the same as the `guize` command."""

from guize.cli import main

main(prog_name="guize")
