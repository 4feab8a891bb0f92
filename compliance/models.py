"""Django finds the compliance areas' models here; each area keeps its own models module."""

from compliance.eligibility.models import SuspensionProposal  # noqa: F401
from compliance.enforcement.models import (  # noqa: F401
    CaseNote,
    EnforcementCase,
    EnforcementStep,
    Penalty,
    StepDocument,
)
from compliance.icp.models import (  # noqa: F401
    ICP,
    EvidencePeriod,
    ICPElement,
    ICPEvaluation,
    ICPEvidence,
    ICPFinding,
)
from compliance.statistics.models import StatisticRow, StatisticsSnapshot  # noqa: F401
