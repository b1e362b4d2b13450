"""Bulk certificate exceptions, external-id bulk invites and course join codes for the Open edX LMS."""

__version__ = "0.1.0"
