"""The web dashboard: server-rendered pages (and their JSON twins) over a read-only archive."""
