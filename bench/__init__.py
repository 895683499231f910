"""Benchmarks, kept out of the application packages: `manage.py bench_sla`,
`manage.py bench_escalation` and `python -m bench.calendar` (see docs/benchmarks.md)."""
