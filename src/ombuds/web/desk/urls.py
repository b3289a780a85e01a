from django.urls import path

from .views import attachments, auth, cases, inbox, mailboxes

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
    path("w/<slug:slug>/settings/mailboxes/", mailboxes.mailbox_list, name="mailboxes"),
    path("w/<slug:slug>/settings/mailboxes/new/", mailboxes.mailbox_new, name="mailbox_new"),
    path(
        "w/<slug:slug>/settings/mailboxes/<int:mailbox_id>/",
        mailboxes.mailbox_edit,
        name="mailbox_edit",
    ),
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment",
    ),
]
