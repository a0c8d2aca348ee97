"""Use cases: transaction boundaries, permission checks and audit, callable from HTTP, CLI and tests."""
