"""Imports every domain's tables so the metadata is complete for migrations and tests."""

from czujka.analysis import models as analysis_models
from czujka.auth import models as auth_models
from czujka.clients import models as client_models
from czujka.comments import models as comment_models
from czujka.detection import models as detection_models
from czujka.incidents import models as incident_models
from czujka.moderation import models as moderation_models
from czujka.notifications import models as notification_models
from czujka.oncall import models as oncall_models
from czujka.playbooks import models as playbook_models
from czujka.reports import models as report_models
from czujka.sources import models as source_models
from czujka.storage import leases as lease_models
from czujka.storage import secrets as secret_models
from czujka.storage.base import Base

__all__ = [
    "Base",
    "analysis_models",
    "auth_models",
    "client_models",
    "comment_models",
    "detection_models",
    "incident_models",
    "lease_models",
    "moderation_models",
    "notification_models",
    "oncall_models",
    "playbook_models",
    "report_models",
    "secret_models",
    "source_models",
]
