"""Bulk certificate exceptions (the LMS's certificate allowlist) from a CSV file."""
