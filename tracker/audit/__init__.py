"""The append-only, hash-chained event log, its verification and checkpoints."""
