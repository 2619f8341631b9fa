"""Phakhi's benchmark: `python -m bench --sizes 100k,1m --http` (see bench/run.py)."""
