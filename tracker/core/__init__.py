"""What every domain shares: the database base class, permissions, helpers."""
