"""Phakhi's graph layer: compile curated sources into RDF and query them."""
