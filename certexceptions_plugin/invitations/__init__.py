"""Bulk invitations from a CSV roster, and each learner's external (institutional) id in a course."""
