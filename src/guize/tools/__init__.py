"""The tools over checked rules: lint, fmt, diff, coverage, testing, reports. Each reads the
compiler's output; none is needed to run a compiled policy, and the compiler never imports them."""
