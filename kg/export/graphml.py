"""Exporter: to be written."""
