"""Communication: the media plan and its timing rules, publication consent, the work queue."""
