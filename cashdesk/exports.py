"""Excel exports built in the background: a row per request, the file under MEDIA_ROOT.

The request only writes the Export row and enqueues its task, so a year of a big
workshop never holds a web worker; the page shows a spinner and polls until the file is
ready. The file is written by openpyxl's write-only workbook (rows go straight to disk).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.text import slugify
from django_scopes import scope

from accounts.models import Branch, Membership
from cashdesk import excel, reports
from cashdesk.models import Export, ExportStatus

logger = logging.getLogger(__name__)
KEEP = dt.timedelta(days=2)


def export_dir(workshop_id: int) -> Path:
    return Path(settings.MEDIA_ROOT) / "exports" / str(workshop_id)


def export_request(
    *,
    by: Membership,
    what: str,
    period: reports.Period,
    branch: Branch | None,
    payroll_id: int | None = None,
    member_id: int | None = None,
) -> Export:
    """Record the export and queue its building (after the commit, so the worker sees it)."""
    from cashdesk.tasks import build_export

    if what not in excel.EXPORTS:
        raise ValueError(f"unknown export {what!r}")
    export = Export.objects.create(
        workshop_id=by.workshop_id,
        what=what,
        requested_by=by,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        params={
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "branch": branch.pk if branch else None,
            "payroll": payroll_id,
            "member": member_id,
        },
    )
    transaction.on_commit(
        lambda: build_export.enqueue(workshop_id=export.workshop_id, export_id=export.pk)
    )
    return export


def run(workshop_id: int, export_id: int) -> str:
    """Build the file of the export (in the worker, or at once under the immediate backend)."""
    with scope(workshop=workshop_id):
        export = Export.objects.select_related("workshop").get(
            workshop_id=workshop_id, pk=export_id
        )
        params = export.params
        period = reports.Period(
            dt.date.fromisoformat(params["start"]), dt.date.fromisoformat(params["end"])
        )
        branch = (
            Branch.objects.filter(workshop=export.workshop, pk=params.get("branch")).first()
            if params.get("branch")
            else None
        )
        folder = export_dir(export.workshop_id)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{uuid.uuid4().hex}.xlsx"
        kwargs = {}
        if export.what == "payroll" and params.get("payroll"):
            kwargs["payroll_id"] = params["payroll"]
        if export.what == "work" and params.get("member"):
            kwargs["member"] = Membership.objects.filter(
                workshop=export.workshop, pk=params["member"]
            ).first()
        try:
            with translation.override(export.language):
                excel.build(export.what, export.workshop, period, branch, path, **kwargs)
                title = str(excel.EXPORTS[export.what][0]())
        except Exception as exc:
            logger.exception("export %s failed", export_id)
            path.unlink(missing_ok=True)
            Export.objects.filter(pk=export.pk).update(
                status=ExportStatus.FAILED, error=str(exc)[:300]
            )
            raise
        name = f"{slugify(title, allow_unicode=True) or 'export'}-{period.start}-{period.end}.xlsx"
        Export.objects.filter(pk=export.pk).update(
            status=ExportStatus.DONE, file=str(path.relative_to(settings.MEDIA_ROOT)), filename=name
        )
        _sweep(export.workshop_id)
        return name


def _sweep(workshop_id: int) -> None:
    """Forget files older than two days: an export is fetched right after it is built."""
    old = Export.objects.filter(workshop_id=workshop_id, created_at__lt=timezone.now() - KEEP)
    for row in old.exclude(file=""):
        (Path(settings.MEDIA_ROOT) / row.file).unlink(missing_ok=True)
    old.delete()
