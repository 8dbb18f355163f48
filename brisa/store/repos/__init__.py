"""Repositories: the queries of one table family each, bound to one transaction."""
