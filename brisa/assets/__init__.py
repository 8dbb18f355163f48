"""Data-aware scheduling: asset conditions (pure), recording asset events, and the
scheduler's step that turns queued events into asset-triggered runs."""
