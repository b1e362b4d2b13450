"""Who did what to whom, when: one log line and one ``AuditEvent`` row per change."""
