"""The centre's details and texts that are settings, not code."""
