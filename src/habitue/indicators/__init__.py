"""Indicator definitions (declarative) and their compiler to Ibis expressions."""
