"""Monitoring twice a year: questionnaires, campaigns, answers, results and the reports."""
