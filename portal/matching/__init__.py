"""Forms of mentorship, matching mentors with mentees, pairs and groups."""
