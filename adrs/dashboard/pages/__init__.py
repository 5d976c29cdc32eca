"""The dashboard's pages: each builds its data (served as JSON under ``/api``) and the
extra pieces its template draws (charts, highlighted code, diffs)."""
