"""Blueprints: each view parses parameters, calls the search core once, renders."""
