"""Imported by tests/cli/test_engine.py through Engine(preload=...) only."""
