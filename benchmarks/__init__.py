"""Benchmarks, kept outside the app: each module with a main is run as `python -m benchmarks.<name>`."""
