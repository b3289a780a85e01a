from django.urls import path

from .views import attachments, auth, cases, channels, inbox

# Included by ombuds.web.urls into the "web" namespace at the site root.
urlpatterns = [
    path("", auth.home, name="home"),
    path("login/", auth.LoginView.as_view(), name="login"),
    path("logout/", auth.LogoutView.as_view(), name="logout"),
    path("w/<slug:slug>/", auth.workspace_home, name="workspace"),
    path("w/<slug:slug>/inbox/", inbox.inbox, name="inbox"),
    path("w/<slug:slug>/cases/<str:reference>/", cases.case_detail, name="case"),
    path("w/<slug:slug>/cases/<str:reference>/reply/", cases.case_reply, name="case_reply"),
    path("w/<slug:slug>/cases/<str:reference>/note/", cases.case_note, name="case_note"),
    path(
        "w/<slug:slug>/cases/<str:reference>/properties/",
        cases.case_properties,
        name="case_properties",
    ),
    path("w/<slug:slug>/cases/<str:reference>/call/", cases.case_call, name="case_call"),
    path("w/<slug:slug>/cases/<str:reference>/merge/", cases.party_merge, name="party_merge"),
    path("w/<slug:slug>/cases/<str:reference>/unmerge/", cases.party_unmerge, name="party_unmerge"),
    path("w/<slug:slug>/channels/", channels.channel_list, name="channels"),
    path("w/<slug:slug>/channels/new/", channels.channel_edit, name="channel_new"),
    path("w/<slug:slug>/channels/<int:pk>/", channels.channel_edit, name="channel"),
    path(
        "w/<slug:slug>/channels/<int:pk>/telegram-webhook/",
        channels.channel_register_webhook,
        name="channel_telegram_webhook",
    ),
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
]
