"""guize inside other data engines: DuckDB (guize.engines.duckdb)."""
