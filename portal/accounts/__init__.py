"""User accounts: login, roles, passwords, lock-out and one-time passwords."""
