"""Reports: the inspection record and the monitoring report, executed by papermill in batch.

Usage::

    from audit_lib.reports import run_inspection_reports, run_monitoring_report
    run_inspection_reports(db_url, "reports/2025", year=2025)   # one record per final visit

The report notebooks are thin: they call :class:`VisitRecord` (the record of one
visit, read as it was finalized) and :class:`MonitoringReport`, which compute
every number a report shows.
"""

from audit_lib.reports._monitoring import MonitoringReport
from audit_lib.reports._record import VisitRecord
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
    "Job",
    "MonitoringReport",
    "Outcome",
    "VisitRecord",
    "plan_inspection_jobs",
    "plan_monitoring_jobs",
    "run",
    "run_inspection_reports",
    "run_monitoring_report",
]
