"""Receivers that keep the core in step whichever road changed it: each
person's Django groups follow their memberships (an action, the admin, a
shell); and every sign-in, failed sign-in and two-factor failure leaves an
audit row, whichever page it came through (allauth's, the Wagtail admin's); and a crisis
contact's edit shows on the next page drawn (cms/fragments.py)."""

from allauth.mfa import signals as mfa_signals
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from cms.fragments import bump
from community.actions import sync_membership_groups
from community.audit import audit
from community.models import CrisisContact, Membership, User


@receiver(post_save, sender=Membership)
@receiver(post_delete, sender=Membership)
def membership_changed(sender, instance: Membership, **kwargs) -> None:
    sync_membership_groups(instance.user, instance.pathway)


@receiver(user_logged_in)
def audit_sign_in(sender, request, user, **kwargs) -> None:
    audit(user, "sign_in", target=user)


@receiver(user_login_failed)
def audit_failed_sign_in(sender, credentials, request=None, **kwargs) -> None:
    """Who the attempt named, when that is an account here; never the
    address typed (it may be a stranger's), nor the password."""
    typed = credentials.get("email") or credentials.get("username") or ""
    account = (
        User.objects.filter(email__iexact=typed).first()
        if isinstance(typed, str) and typed
        else None
    )
    # Nobody proved who they were: no actor; the account tried is the target.
    audit(None, "sign_in.failed", target=account, known_account=account is not None)


@receiver(mfa_signals.authentication_failed)
def audit_two_factor_failure(sender, user, authenticator=None, **kwargs) -> None:
    audit(
        user,
        "two_factor.failed",
        target=user,
        method=getattr(authenticator, "type", ""),
        reauthentication=bool(kwargs.get("reauthentication", False)),
    )


@receiver(mfa_signals.authenticator_added)
@receiver(mfa_signals.authenticator_removed)
def audit_two_factor_change(sender, user, authenticator, **kwargs) -> None:
    added = kwargs["signal"] is mfa_signals.authenticator_added
    audit(
        user,
        "two_factor.added" if added else "two_factor.removed",
        target=user,
        method=authenticator.type,
    )


@receiver(post_save, sender=CrisisContact)
@receiver(post_delete, sender=CrisisContact)
def crisis_contact_changed(sender, instance: CrisisContact, **kwargs) -> None:
    # One family for all pathways: national contacts are in every pathway's
    # fragment, and contacts change a few times a year.
    bump("crisis")
