from django.urls import path

from community.forums import views as forum_views
from community.insights import views as insight_views
from community.moderation import views as moderation_views
from community.notifications import views as notification_views
from community.rights import views as rights_views
from community.safetyplan import views as plan_views
from community.social import views as social_views
from community.survey import views as survey_views
from community.web import views

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
    # Forums
    path("community/<slug:slug>/forums/", forum_views.forum_list, name="forums"),
    path(
        "community/<slug:slug>/forums/<slug:forum_slug>/",
        forum_views.forum,
        name="forum",
    ),
    path("community/<slug:slug>/topics/<int:pk>/", forum_views.topic, name="topic"),
    path(
        "community/<slug:slug>/topics/<int:pk>/follow/",
        social_views.follow,
        name="follow",
    ),
    path(
        "community/<slug:slug>/topics/<int:pk>/flags/",
        social_views.topic_flags,
        name="topic_flags",
    ),
    path(
        "community/<slug:slug>/unanswered/",
        social_views.unanswered,
        name="unanswered",
    ),
    path(
        "community/<slug:slug>/report/<slug:kind>/<int:pk>/",
        forum_views.report,
        name="report",
    ),
    path(
        "community/<slug:slug>/react/<slug:kind>/<int:pk>/",
        social_views.react,
        name="react",
    ),
    path(
        "community/<slug:slug>/edit/<slug:kind>/<int:pk>/",
        social_views.edit,
        name="edit",
    ),
    path(
        "community/<slug:slug>/history/<slug:kind>/<int:pk>/",
        social_views.history,
        name="history",
    ),
    # The helpfulness survey
    path("community/<slug:slug>/survey/", survey_views.survey, name="survey"),
    # Timelines
    path(
        "community/<slug:slug>/timeline/",
        social_views.pathway_timeline,
        name="timeline",
    ),
    path("feed/", social_views.feed, name="feed"),
    # Moderation, alerts and the rota
    path("moderation/", moderation_views.moderation_home, name="moderation"),
    path("community/<slug:slug>/moderation/", moderation_views.queue, name="queue"),
    path(
        "community/<slug:slug>/moderation/cases/<int:pk>/",
        moderation_views.case,
        name="case",
    ),
    path(
        "community/<slug:slug>/moderation/cases/<int:pk>/clear/",
        moderation_views.clear_review,
        name="clear_review",
    ),
    path(
        "community/<slug:slug>/alerts/<int:pk>/", moderation_views.alert, name="alert"
    ),
    path("community/<slug:slug>/rota/", moderation_views.rota, name="rota"),
    path(
        "community/<slug:slug>/deliveries/<int:pk>/retry/",
        moderation_views.retry_delivery,
        name="retry_delivery",
    ),
    path(
        "community/<slug:slug>/rota/<int:pk>/remove/",
        moderation_views.remove_shift,
        name="remove_shift",
    ),
    # Insights for service leads and the trust
    path("insights/", insight_views.index, name="insights_index"),
    path("insights/overview/", insight_views.overview, name="insights_overview"),
    path(
        "insights/overview/<slug:key>.csv",
        insight_views.overview_csv,
        name="insights_overview_csv",
    ),
    path(
        "community/<slug:slug>/insights/",
        insight_views.pathway_insights,
        name="insights",
    ),
    path(
        "community/<slug:slug>/insights/<slug:key>.csv",
        insight_views.pathway_csv,
        name="insights_csv",
    ),
    # People and personal safety
    path("people/<int:user_id>/", social_views.profile, name="profile"),
    path(
        "people/<int:user_id>/present/",
        social_views.send_present,
        name="send_present",
    ),
    path("people/<int:user_id>/picture/", social_views.picture, name="picture"),
    path("wall/<int:pk>/reply/", social_views.wall_reply, name="wall_reply"),
    path("wall/<int:pk>/remove/", social_views.wall_remove, name="wall_remove"),
    path("account/profile/", social_views.profile_settings, name="profile_settings"),
    path("account/easy-read/", views.easy_read_settings, name="easy_read"),
    path(
        "people/<int:user_id>/<slug:action>/",
        moderation_views.person_action,
        name="person_action",
    ),
    path("account/safety/", moderation_views.my_safety, name="my_safety"),
    # The member's safety plan, and the plans shared with a clinician
    path("account/safety-plan/", plan_views.plan, name="safety_plan"),
    path("account/safety-plan/share/", plan_views.share, name="safety_plan_share"),
    path(
        "account/safety-plan/offline/",
        plan_views.keep_offline,
        name="safety_plan_offline",
    ),
    path("account/safety-plan/print/", plan_views.print_plan, name="safety_plan_print"),
    path(
        "account/safety-plan/<slug:step>/",
        plan_views.step,
        name="safety_plan_step",
    ),
    path("safety-plans/shared/", plan_views.shared_list, name="shared_plans"),
    path(
        "safety-plans/shared/<int:pk>/",
        plan_views.shared_plan,
        name="shared_plan",
    ),
    path("notifications/", moderation_views.notifications, name="notifications"),
    path(
        "notifications/since/",
        moderation_views.notifications_since,
        name="notifications_since",
    ),
    path(
        "account/notifications/",
        notification_views.notification_settings,
        name="notification_settings",
    ),
    path(
        "account/notifications/push/",
        notification_views.add_push_subscription,
        name="push_subscribe",
    ),
    path(
        "account/notifications/push/remove/",
        notification_views.remove_push_subscription,
        name="push_unsubscribe",
    ),
    path(
        "account/notifications/push/renew/",
        notification_views.renew_push_subscription,
        name="push_renew",
    ),
    path("safety/words/", moderation_views.risk_phrases, name="risk_phrases"),
    # Data rights: a copy of one's data, closing an account
    path("account/data/", rights_views.my_data, name="my_data"),
    path(
        "account/data/<str:export_id>/download/",
        rights_views.download_export,
        name="download_export",
    ),
    path(
        "account/data/<str:export_id>/delete/",
        rights_views.delete_export,
        name="delete_export",
    ),
    path("account/close/", rights_views.close_account, name="close_account"),
    path("account/closed/", rights_views.account_closed, name="account_closed"),
    path("accounts-to-close/", rights_views.close_accounts, name="close_accounts"),
    path(
        "accounts-to-close/<str:user_id>/",
        rights_views.close_account_for,
        name="close_account_for",
    ),
    # Consent and privacy information
    path("privacy/", views.privacy, name="privacy"),
    path("consent/", views.consent, name="consent"),
    path("legal/<slug:document>/", views.legal_document, name="current_document"),
    path(
        "legal/<slug:document>/<slug:version>/",
        views.legal_document,
        name="legal_document",
    ),
]
