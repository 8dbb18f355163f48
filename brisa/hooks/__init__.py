"""Cross-cutting behaviour of a task try, as pure functions the runner and supervisor call."""
