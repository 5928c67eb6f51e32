"""`python -m guize`: the same as the `guize` command."""

from guize.entry import main

main()
