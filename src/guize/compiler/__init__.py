"""The compiler: parse → check → generate. Nothing here is needed to run a compiled policy."""
