"""Phakhi's HTTP service and command line."""
