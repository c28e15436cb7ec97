"""People: the bases of mentors and mentees, legal representatives and personal-data consents."""
