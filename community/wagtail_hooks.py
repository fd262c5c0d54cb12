"""Pathways in the Wagtail admin, for site administrators. Creating one there
walks the same road as code: saving it makes its groups, landing page and
permissions (home.signals), and each edit brings them in step
(home.wagtail_hooks). Each wing adds its own admin parts in its own
wagtail_hooks.py (presents, the moderation queues, undelivered
notifications), registered by community/apps.py.

The audit log, read-only: site administrators read every row, a service lead
their own pathways' rows (community.audit.audit_rows_for), filtered by person,
pathway, action and date, and exported as CSV or a spreadsheet."""

import json

import django_filters
from django.contrib.admin.utils import unquote
from django.contrib.auth.models import Permission
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils.timezone import localtime
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.generic.models import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from community.audit import audit, audit_pathways_for, audit_rows_for, can_read_audit
from community.models import AuditEvent, Pathway


class PathwayViewSet(SnippetViewSet):
    model = Pathway
    icon = "group"
    menu_label = "Pathways"
    list_display = ["name", "slug", "minimum_age", "allow_join_requests"]
    search_fields = ["name", "slug"]
    panels = [
        FieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("description"),
        FieldPanel("minimum_age"),
        FieldPanel("premoderation_threshold"),
        FieldPanel("rule_packs"),
        FieldPanel("watched_words"),
        FieldPanel("direct_messages_allowed"),
        FieldPanel("allow_join_requests"),
        FieldPanel("support_chat_opens"),
        FieldPanel("support_chat_closes"),
        FieldPanel("reports_to_hide"),
        FieldPanel("alert_acknowledge_minutes"),
        FieldPanel("urgent_acknowledge_minutes"),
        FieldPanel("out_of_hours_email"),
        FieldPanel("out_of_hours_phone"),
        FieldPanel("hold_all_when_unstaffed"),
        FieldPanel("easy_read_by_default"),
    ]


register_snippet(PathwayViewSet)


@hooks.register("after_create_snippet")
def audit_a_new_pathway(request, instance):
    if isinstance(instance, Pathway):
        audit(request.user, "pathway.create", pathway=instance, target=instance)


@hooks.register("after_edit_snippet")
def audit_a_pathway_edit(request, instance):
    if isinstance(instance, Pathway):
        audit(request.user, "pathway.settings", pathway=instance, target=instance)


# The audit log ------------------------------------------------------------------


class AuditPermissionPolicy(BasePermissionPolicy):
    """Audit rows are read, never added, changed or deleted from the admin:
    "view" for those `can_read_audit` allows, each row only when it is theirs
    to read (`audit_rows_for`); nothing else for anyone."""

    def user_has_permission(self, user, action):
        return action == "view" and can_read_audit(user)

    def user_has_permission_for_instance(self, user, action, instance):
        return action == "view" and audit_rows_for(user).filter(pk=instance.pk).exists()

    def instances_user_has_any_permission_for(self, user, actions):
        if "view" not in actions:
            return AuditEvent.objects.none()
        return audit_rows_for(user)

    def users_with_any_permission(self, actions):
        from community.models import User

        return User.objects.none()


register_permission_policy(AuditEvent, AuditPermissionPolicy(AuditEvent))


def _readable_pathways(request):
    return audit_pathways_for(request.user) if request else Pathway.objects.none()


class AuditFilterSet(WagtailFilterSet):
    person = django_filters.NumberFilter(
        label=_("Person (their number)"),
        method="filter_person",
        help_text=_("Rows where this person acted, or was acted on."),
    )
    pathway = django_filters.ModelChoiceFilter(
        label=_("Pathway"), queryset=_readable_pathways
    )
    action = django_filters.CharFilter(
        label=_("Action"),
        lookup_expr="startswith",
        help_text=_("An action, or how it starts: alert. sign_in staff.viewed"),
    )
    created_at = django_filters.DateFromToRangeFilter(
        label=_("Date"), widget=DateRangePickerWidget
    )

    class Meta:
        model = AuditEvent
        fields: list[str] = []

    def filter_person(self, queryset, name, value):
        person = int(value)
        return queryset.filter(
            Q(actor_id=person) | Q(target_type="community.user", target_id=str(person))
        )


class AuditIndexView(IndexView):
    def get_base_queryset(self):
        return audit_rows_for(self.request.user)


class AuditInspectView(InspectView):
    def get_object(self, queryset=None):
        # Another pathway's row answers as a missing one (decision 2).
        return get_object_or_404(
            audit_rows_for(self.request.user), pk=unquote(str(self.pk))
        )


def _details(event):
    data = json.dumps(event.data) if event.data else ""
    return " ".join(part for part in (event.reason, data) if part)


def _actor(event):
    if event.actor is None:
        return "—"
    return f"#{event.actor_id} {event.actor.display_name}"


class AuditViewSet(ModelViewSet):
    model = AuditEvent
    icon = "list-ul"
    menu_label = _("Audit log")
    menu_order = 170
    add_to_admin_menu = True
    index_view_class = AuditIndexView
    inspect_view_class = AuditInspectView
    inspect_view_enabled = True
    inspect_view_fields = [
        "created_at",
        "action",
        "actor",
        "pathway",
        "target_type",
        "target_id",
        "reason",
        "data",
    ]
    copy_view_enabled = False
    list_per_page = 50
    ordering = ["-created_at"]
    filterset_class = AuditFilterSet
    list_display = [
        Column(
            "created_at",
            label=_("When"),
            accessor=lambda e: f"{localtime(e.created_at):%Y-%m-%d %H:%M:%S}",
        ),
        Column("action", label=_("Action")),
        Column("actor", label=_("Who"), accessor=_actor),
        Column(
            "pathway",
            label=_("Pathway"),
            accessor=lambda e: e.pathway.name if e.pathway else "—",
        ),
        Column(
            "target",
            label=_("What"),
            accessor=lambda e: f"{e.target_type} {e.target_id}".strip() or "—",
        ),
        Column(
            "details",
            label=_("Details"),
            accessor=lambda e: " ".join(
                part
                for part in (e.reason, json.dumps(e.data) if e.data else "")
                if part
            ),
        ),
    ]
    list_export = [
        "created_at",
        "action",
        "actor_id",
        "pathway_id",
        "target_type",
        "target_id",
        "reason",
        "data",
    ]
    export_headings = {"actor_id": "person", "pathway_id": "pathway"}
    export_filename = "harbour-audit"

    def get_permissions_to_register(self):
        # Nothing to grant: the policy above decides, from roles.
        return Permission.objects.none()

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("inspect/<str:pk>/", self.inspect_view, name="inspect"),
        ]


@hooks.register("register_admin_viewset")
def register_audit_viewset():
    return AuditViewSet("audit")
