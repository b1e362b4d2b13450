"""
The engine every CSV import shares: read -> resolve -> plan -> apply -> report.

It knows nothing about certificates, invitations or join codes; features provide an :class:`Importer`.
"""
