from django.urls import path

from . import views

app_name = "community"

urlpatterns = [
    path("join/", views.join, name="join"),
    path("join/request/", views.join_request, name="join_request"),
    path("join/<str:code>/", views.join_invitation, name="join_invitation"),
    path("community/<slug:slug>/invitations/", views.invitations, name="invitations"),
    path(
        "community/<slug:slug>/invitations/batch/<uuid:batch>/",
        views.invitation_batch,
        name="invitation_batch",
    ),
    path(
        "community/<slug:slug>/invitations/<int:pk>/revoke/",
        views.revoke_invitation,
        name="revoke_invitation",
    ),
    path("community/<slug:slug>/requests/", views.join_requests, name="join_requests"),
    path("community/<slug:slug>/settings/", views.pathway_settings, name="settings"),
]
