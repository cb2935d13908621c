"""``make bench-load``: Jalon under load and faults, on its own PostgreSQL, Redis, Gunicorn and
queue worker, all on the loopback and thrown away at the end (``python -m tests.bench.load``).

Not a pytest module: it prints figures and PASS/FAIL lines, and is run on demand."""
