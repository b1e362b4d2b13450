"""External-id bulk invites from a CSV file."""
