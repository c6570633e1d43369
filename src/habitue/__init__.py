"""Habitué — an open-source audience CRM for cultural venues."""

__version__ = "0.1.0"
