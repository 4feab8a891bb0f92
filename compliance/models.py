"""Django finds the compliance areas' models here; each area keeps its own models module."""

from compliance.enforcement.models import (  # noqa: F401
    EnforcementCase,
    Penalty,
)
from compliance.icp.models import ICPEvaluation  # noqa: F401
from compliance.statistics.models import StatisticRow, StatisticsSnapshot  # noqa: F401, E402
