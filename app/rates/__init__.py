"""Contribution rates and the time-limited discounts of occupation groups."""
