"""Writes, one module per topic (style.md). Older topics still live beside rsc/ until they move."""
