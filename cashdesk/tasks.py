"""Background work of the cash desk, run by `manage.py db_worker`: Excel files of a period."""

from __future__ import annotations

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def build_export(*, workshop_id: int, export_id: int) -> str:
    """Build the Excel file of one Export row; the page polling it offers the download."""
    from cashdesk import exports

    return exports.run(workshop_id, export_id)
