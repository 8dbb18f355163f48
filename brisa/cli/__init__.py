"""Command line: arguments -> Settings -> wiring. Exit codes are decided in ``errors.py``."""
