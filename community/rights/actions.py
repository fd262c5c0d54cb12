"""A member's rights over their data: asking for a copy of it (made by a
background job, told through a notice), and closing their account, by
themselves or by a staff member on their written request. Every change is
audited, never with member text."""

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task

from community.actions import InvalidInput, Refused
from community.audit import audit
from community.models import Pathway, User
from community.notifications.actions import notify
from community.notifications.deliveries import BACKEND
from community.rights.erasure import erase_person
from community.rights.exports import build_zip
from community.rights.models import DataExport, ExportState
from community.rights.permissions import access_account_to_close

logger = logging.getLogger(__name__)

# One request at a time: a second ask while one is being made is refused.
EXPORTS_PER_DAY = 3


def retention_days(kind: str) -> int:
    """How many days `kind` is kept (settings.HARBOUR_RETENTION_DAYS)."""
    return int(settings.HARBOUR_RETENTION_DAYS[kind])


def do_request_export(user: User) -> DataExport:
    """Ask for a copy of `user`'s data: stores the request and, once it
    commits, queues `make_export` on the worker's queue. Raises `Refused`
    while one is being made or after EXPORTS_PER_DAY asks in a day (each
    walks all their data). Audited as "rights.export_requested"."""
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()
        mine = DataExport.objects.filter(user=user)
        if mine.filter(state=ExportState.PENDING).exists():
            raise Refused(
                _("Your copy is being prepared. We'll tell you when it's ready.")
            )
        since = timezone.now() - timedelta(days=1)
        if mine.filter(requested_at__gte=since).count() >= EXPORTS_PER_DAY:
            raise Refused(
                _("You have asked for a copy several times today. Please try tomorrow.")
            )
        export = DataExport.objects.create(user=user)
        audit(user, "rights.export_requested", target=export)
        export_id = str(export.pk)
        transaction.on_commit(lambda: make_export.enqueue(export_id), robust=True)
    return export


@task(backend=BACKEND)
def make_export(export_id: str) -> str:
    """The worker's task: build the zip of a pending export and tell its
    owner. Returns its state."""
    return do_make_export(export_id)


def do_make_export(export_id: str) -> str:
    """Build the zip for the pending export `export_id`, store it (default
    storage: a private bucket in production), mark it ready with its expiry
    and notify its owner in the site (a notice linking to their account
    page). A failure marks it failed and tells them to ask again. Returns the
    export's state, or "skipped" when it is not pending (done or gone)."""
    with transaction.atomic():
        export = (
            DataExport.objects.select_for_update()
            .filter(pk=export_id, state=ExportState.PENDING)
            .select_related("user")
            .first()
        )
        if export is None:
            return "skipped"
        user = export.user
        url = reverse("community:my_data")
        try:
            payload = build_zip(user)
            export.file.save(f"{export.pk}.zip", ContentFile(payload), save=False)
        except Exception:  # noqa: BLE001 - told to the member, logged
            logger.exception("Could not make data export %s", export.pk)
            export.state = ExportState.FAILED
            export.save(update_fields=["state"])
            notify(
                user,
                None,
                "export_failed",
                _("We couldn't prepare a copy of your data. Please ask again."),
                url,
            )
            return export.state
        now = timezone.now()
        export.state = ExportState.READY
        export.size = len(payload)
        export.ready_at = now
        export.expires_at = now + timedelta(days=retention_days("exports"))
        export.save()
        notify(
            user,
            None,
            "export_ready",
            _("A copy of your data is ready to download."),
            url,
        )
        audit(None, "rights.export_ready", target=export, size=export.size)
    return export.state


def do_delete_export(user: User, export: DataExport) -> None:
    """Delete `user`'s own export `export` (from `access_export`) and its
    file, once the deletion commits."""
    with transaction.atomic():
        name = export.file.name
        storage = export.file.storage
        export.delete()
        audit(user, "rights.export_deleted", target=export)
        if name:
            transaction.on_commit(lambda: storage.delete(name), robust=True)


def _close(user: User, *, remove_posts: bool, by: User, reason: str) -> None:
    exports = list(DataExport.objects.filter(user=user))
    # One audit row per pathway they belonged to, so each pathway's lead
    # finds it in their own pathway's audit (read before erasure ends them).
    pathways: list[Pathway | None] = [
        *Pathway.objects.filter(memberships__user=user).distinct()
    ] or [None]
    counts = erase_person(user, remove_posts=remove_posts)
    for export in exports:
        name, storage = export.file.name, export.file.storage
        export.delete()
        if name:
            transaction.on_commit(partial(storage.delete, name), robust=True)
    for pathway in pathways:
        audit(
            by,
            "rights.account_closed",
            pathway=pathway,
            target=user,
            reason=reason,
            posts="removed" if remove_posts else "kept",
            by_staff=by.pk != user.pk,
            erased=counts,
        )


def do_close_account(user: User, *, remove_posts: bool) -> None:
    """Close `user`'s own account (the view has re-authenticated them): their
    personal data is erased or anonymised (`erasure.erase_person`), their
    posts' words removed with `remove_posts` or kept under "Former member",
    every session ended. Audited as "rights.account_closed" (counts only)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if not locked.is_active:
            raise Refused(_("This account is already closed."))
        _close(locked, remove_posts=remove_posts, by=locked, reason="")


def check_closure_reason(reason: object) -> str:
    """The reason a staff member gives for closing an account, stripped;
    `InvalidInput` when it is missing or longer than an audit row keeps."""
    text = str(reason or "").strip()
    if not text:
        raise InvalidInput(
            _("Please say why: for example, the date of the member's written request.")
        )
    if len(text) > 500:
        raise InvalidInput(_("Please keep the reason under 500 characters."))
    return text


def do_close_account_for(
    staff: User, user_id: object, *, remove_posts: bool, reason: object
) -> User:
    """Close the account `user_id` on the member's written request: `staff`
    must be allowed (`access_account_to_close`: an administrator, or a lead
    for a member of their pathway; Http404 otherwise) and give a reason
    (`check_closure_reason`). As `do_close_account`, audited with `staff` as
    the actor and the reason. Returns the closed (anonymised) account."""
    text = check_closure_reason(reason)
    with transaction.atomic():
        target = access_account_to_close(staff, user_id)
        locked: User = User.objects.select_for_update().get(pk=target.pk)
        _close(locked, remove_posts=remove_posts, by=staff, reason=text)
    return locked
