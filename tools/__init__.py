"""Operator tools: `python -m tools.run` (the embedded default), `tools.token`, the demo data."""
