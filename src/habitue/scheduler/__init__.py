"""Refreshes by cadence: when each is due (pure), and the runner inside ``habitue serve``."""
