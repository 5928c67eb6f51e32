"""CLI commands that live in their own modules; each module exposes a click `command`
(except common, the helpers they and cli.py share)."""
