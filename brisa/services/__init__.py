"""Actions shared by the scheduler, the REST API, the UI, the CLI and task runtimes.

Each takes an open transaction and the current time; none commits or reads a clock.
"""
