"""Working without a signal: the service worker, the offline page and the outbox page."""
