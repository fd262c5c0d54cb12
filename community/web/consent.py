"""Consent to the terms of use and the privacy notice: which versions are
current (settings.HARBOUR_DOCUMENTS), whether a person must be asked again,
and recording that they agreed (a Consent row per document, audited)."""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils import timezone

from community.audit import audit
from community.models import Consent, Document, User


def current_versions() -> dict[str, str]:
    """Each document's current version, from settings."""
    documents: dict[str, dict[str, str]] = settings.HARBOUR_DOCUMENTS
    return {name: documents[name]["version"] for name in Document.values}


def signature(versions: dict[str, str]) -> str:
    """What User.consented_versions holds: "privacy:V,terms:V"."""
    return ",".join(f"{name}:{versions[name]}" for name in sorted(versions))


def needs_consent(user: User | AnonymousUser) -> bool:
    """True when a signed-in person has not agreed to every current version.
    Costs no query: it reads the user row the request already has."""
    if not user.is_authenticated:
        return False
    agreed = getattr(user, "consented_versions", "")
    return bool(agreed != signature(current_versions()))


def changed_documents(user: User) -> list[dict[str, str]]:
    """For the consent page: each document whose current version the person
    has not agreed to, with the version they last agreed to ("" if none)."""
    current = current_versions()
    agreed: dict[str, str] = {}
    for consent in user.consents.order_by("accepted_at"):
        agreed[consent.document] = consent.version
    return [
        {
            "document": name,
            "title": str(Document(name).label),
            "version": version,
            "agreed": agreed.get(name, ""),
            "summary": settings.HARBOUR_DOCUMENTS[name]["summary"],
        }
        for name, version in current.items()
        if agreed.get(name) != version
    ]


def do_accept_documents(user: User) -> None:
    """`user` (signed in, on the consent page or at sign-up) agrees to the
    current version of every document: a Consent row for each not yet held,
    the signature on the user row, and one audit row naming the versions."""
    versions = current_versions()
    now = timezone.now()
    with transaction.atomic():
        for name, version in versions.items():
            Consent.objects.get_or_create(
                user=user,
                document=name,
                version=version,
                defaults={"accepted_at": now},
            )
        user.consented_versions = signature(versions)
        user.save(update_fields=["consented_versions"])
        audit(user, "consent.accepted", target=user, versions=user.consented_versions)
