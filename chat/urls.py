from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
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
