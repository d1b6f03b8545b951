"""Workflows that cross domains: the branch decision on a registration (with its refunds and roll-ups)
and the member page with its payments."""
