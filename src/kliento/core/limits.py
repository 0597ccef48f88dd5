"""Limits the web server enforces before Django sees a request (no Django imports here:
`kliento.cli` reads them before Django is set up)."""

# The longest request line gunicorn reads (its own maximum); longer is a 414 from it.
URI_LIMIT = 8190
