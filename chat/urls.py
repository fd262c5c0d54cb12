from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/<int:room_id>/", views.room, name="direct"),
    path("messages/with/<int:user_id>/", views.start_direct, name="start_direct"),
    path(
        "chat/<int:room_id>/<int:seq>/edit/",
        views.edit_message,
        name="edit_message",
    ),
    path(
        "chat/<int:room_id>/<int:seq>/<str:action>/",
        views.message_action,
        name="message_action",
    ),
    path("community/<slug:slug>/chat/", views.room, name="room"),
    path("community/<slug:slug>/support/", views.support, name="support"),
    path(
        "community/<slug:slug>/support/queue/",
        views.support_queue,
        name="support_queue",
    ),
    path(
        "community/<slug:slug>/support/<int:room_id>/",
        views.room,
        name="support_room",
    ),
    path(
        "community/<slug:slug>/support/<int:room_id>/<str:action>/",
        views.support_action,
        name="support_action",
    ),
]
