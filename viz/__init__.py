"""Pictures of the graph: maps and network views."""
