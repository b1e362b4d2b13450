"""The plugin's models, defined in the rooms that own them."""
from certexceptions_plugin.audit.models import AuditEvent  # noqa: F401
from certexceptions_plugin.bulk.models import BulkOperation  # noqa: F401
from certexceptions_plugin.join_codes.models import JoinCode  # noqa: F401
from certexceptions_plugin.invitations.models import ExternalId  # noqa: F401
from certexceptions_plugin.privacy.models import UnfinishedRetirement  # noqa: F401
