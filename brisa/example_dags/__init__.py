"""Example DAGs shipped with Brisa (loaded when ``include_examples`` is on)."""
