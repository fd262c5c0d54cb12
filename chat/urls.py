from django.urls import path

from . import views

app_name = "chat"

urlpatterns = [
    path("community/<slug:slug>/chat/", views.room, name="room"),
]
