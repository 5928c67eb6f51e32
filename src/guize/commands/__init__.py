"""CLI commands that live in their own modules; each module exposes a click `command`."""
