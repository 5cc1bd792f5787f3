"""Reports: the inspection record and the monitoring report, executed by papermill in batch.

Usage::

    from audit_lib.reports import run_inspection_reports, run_monitoring_report
    run_inspection_reports(db_url, year=2025, out="reports/2025")

The report notebooks are thin: they call :class:`InspectionRecord` and
:class:`MonitoringReport`, which compute every number a report shows.
"""

from audit_lib.reports._monitoring import MonitoringReport
from audit_lib.reports._record import InspectionRecord
from audit_lib.reports._runner import (
    Job,
    Outcome,
    plan_inspection_jobs,
    plan_monitoring_jobs,
    run,
    run_inspection_reports,
    run_monitoring_report,
)

__all__ = [
    "InspectionRecord",
    "Job",
    "MonitoringReport",
    "Outcome",
    "plan_inspection_jobs",
    "plan_monitoring_jobs",
    "run",
    "run_inspection_reports",
    "run_monitoring_report",
]
