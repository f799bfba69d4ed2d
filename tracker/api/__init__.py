"""JSON API v1: the same operations, permissions and audit as the pages, for other systems."""
