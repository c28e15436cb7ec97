"""The start page's work queue and the bell: what a user should do and what happened to them."""
