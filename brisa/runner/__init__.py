"""Running one task try: the child process side and its supervisor."""
