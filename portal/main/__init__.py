"""The dashboard, the health check and the pages every role shares."""
