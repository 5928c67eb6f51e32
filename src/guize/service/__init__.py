"""guize serve: an HTTP JSON API over a folder of .rule files (optional extra `serve`)."""
