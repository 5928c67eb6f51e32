"""The compiler stages: parse → check → lower → codegen / batchgen, chained by the driver.
Nothing here is needed to run a compiled policy; the tools (lint, fmt, diff…) live in guize.tools."""
