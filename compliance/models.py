"""Django finds the compliance areas' models here; each area keeps its own models module."""

from compliance.eligibility.models import SuspensionProposal  # noqa: F401
from compliance.enforcement.models import (  # noqa: F401
    EnforcementCase,
    Penalty,
)
from compliance.icp.models import ICPEvaluation  # noqa: F401
