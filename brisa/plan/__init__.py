"""Pure planners: what should happen now, from serialized DAGs, records and states.

No database, no clock, no DAG code: callers pass in what they read and act on the
answer. ``services`` and ``scheduler`` both use them, so they sit below both.
"""
