from django.urls import path

from . import rescue
from .views import (
    attachments,
    auth,
    automation,
    case_tools,
    cases,
    channels,
    chargebacks,
    chats,
    disputes,
    inbox,
    mailboxes,
    money,
    money_report,
    payments,
    policy,
    reports,
    routing,
    service_levels,
)

SL = "w/<slug:slug>/service-levels"
service_level_urls = [
    path(f"{SL}/", service_levels.service_levels, name="service_levels"),
    path(f"{SL}/policies/new/", service_levels.policy_edit, name="sla_policy_new"),
    path(f"{SL}/policies/<int:policy_id>/", service_levels.policy_edit, name="sla_policy"),
    path(
        f"{SL}/policies/<int:policy_id>/delete/",
        service_levels.policy_delete,
        name="sla_policy_delete",
    ),
    path(
        f"{SL}/policies/<int:policy_id>/move/", service_levels.policy_move, name="sla_policy_move"
    ),
    path(f"{SL}/start-clocks/", service_levels.start_clocks, name="sla_start_clocks"),
    path(f"{SL}/calendars/new/", service_levels.calendar_edit, name="sla_calendar_new"),
    path(f"{SL}/calendars/<int:calendar_id>/", service_levels.calendar_edit, name="sla_calendar"),
    path(
        f"{SL}/calendars/<int:calendar_id>/delete/",
        service_levels.calendar_delete,
        name="sla_calendar_delete",
    ),
    path(
        f"{SL}/calendars/<int:calendar_id>/closures/",
        service_levels.closure_add,
        name="sla_closure_add",
    ),
    path(
        f"{SL}/calendars/<int:calendar_id>/closures/<int:closure_id>/delete/",
        service_levels.closure_delete,
        name="sla_closure_delete",
    ),
    path(
        f"{SL}/teams/<int:team_id>/calendar/",
        service_levels.team_calendar,
        name="sla_team_calendar",
    ),
    path("w/<slug:slug>/reports/sla/", reports.sla_report, name="sla_report"),
    path("w/<slug:slug>/reports/sla/csat-target/", reports.csat_target, name="sla_csat_target"),
]

DSP = "w/<slug:slug>/disputes"
dispute_urls = [
    path(f"{DSP}/", disputes.dispute_list, name="disputes"),
    path(f"{DSP}/report/", disputes.dispute_report, name="dispute_report"),
    path(f"{DSP}/<str:reference>/", disputes.dispute_detail, name="dispute"),
    path(
        f"{DSP}/<str:reference>/files/<int:number>/",
        disputes.dispute_evidence,
        name="dispute_file",
    ),
    path(
        f"{DSP}/<str:reference>/evidence/<int:number>/visibility/",
        disputes.evidence_visibility,
        name="dispute_evidence_visibility",
    ),
    path(
        f"{DSP}/<str:reference>/decision/preview/",
        disputes.decision_preview,
        name="dispute_decision_preview",
    ),
    path(f"{DSP}/<str:reference>/<slug:action>/", disputes.dispute_act, name="dispute_act"),
]

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
        "w/<slug:slug>/cases/<str:reference>/rescue/<slug:action>/",
        rescue.rescue_act,
        name="rescue_act",
    ),
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
        "w/<slug:slug>/cases/<str:reference>/macro/",
        case_tools.macro_preview,
        name="case_macro",
    ),
    path("w/<slug:slug>/cases/<str:reference>/tasks/", case_tools.task_create, name="task_create"),
    path(
        "w/<slug:slug>/cases/<str:reference>/tasks/<int:number>/",
        case_tools.task_update,
        name="task_update",
    ),
    path(
        "w/<slug:slug>/cases/<str:reference>/tasks/<int:number>/email/",
        case_tools.task_email,
        name="task_email",
    ),
    path("w/<slug:slug>/automation/", automation.automation_home, name="automation"),
    path(
        "w/<slug:slug>/automation/install/",
        automation.install_automation_defaults,
        name="automation_install",
    ),
    path("w/<slug:slug>/automation/triggers/new/", automation.trigger_edit, name="trigger_new"),
    path("w/<slug:slug>/automation/triggers/<int:pk>/", automation.trigger_edit, name="trigger"),
    path(
        "w/<slug:slug>/automation/triggers/<int:pk>/delete/",
        automation.trigger_delete,
        name="trigger_delete",
    ),
    path(
        "w/<slug:slug>/automation/time-rules/new/", automation.time_rule_edit, name="time_rule_new"
    ),
    path(
        "w/<slug:slug>/automation/time-rules/<int:pk>/", automation.time_rule_edit, name="time_rule"
    ),
    path(
        "w/<slug:slug>/automation/time-rules/<int:pk>/delete/",
        automation.time_rule_delete,
        name="time_rule_delete",
    ),
    path("w/<slug:slug>/automation/webhooks/", automation.webhooks_page, name="webhooks"),
    path(
        "w/<slug:slug>/automation/webhooks/<int:pk>/retry/",
        automation.webhook_retry,
        name="webhook_retry",
    ),
    path("w/<slug:slug>/macros/", automation.macro_list, name="macros"),
    path("w/<slug:slug>/macros/new/", automation.macro_edit, name="macro_new"),
    path("w/<slug:slug>/macros/<int:pk>/", automation.macro_detail, name="macro"),
    path("w/<slug:slug>/macros/<int:pk>/edit/", automation.macro_edit, name="macro_edit"),
    path("w/<slug:slug>/tasks/", automation.task_list, name="tasks"),
    path("w/<slug:slug>/notifications/", automation.notification_list, name="notifications"),
    path(
        "w/<slug:slug>/notifications/read/",
        automation.notifications_read,
        name="notifications_read",
    ),
    path("w/<slug:slug>/chats/", chats.live_chat_list, name="live_chats"),
    path(
        "w/<slug:slug>/cases/<str:reference>/timeline/",
        chats.chat_timeline,
        name="case_timeline",
    ),
    path("w/<slug:slug>/chargebacks/", chargebacks.chargeback_list, name="chargebacks"),
    path(
        "w/<slug:slug>/chargebacks/<int:pk>/evidence/",
        chargebacks.chargeback_evidence,
        name="chargeback_evidence",
    ),
    path(
        "w/<slug:slug>/chargebacks/<int:pk>/evidence/submit/",
        chargebacks.chargeback_submit,
        name="chargeback_submit",
    ),
    path(
        "w/<slug:slug>/chargebacks/<int:pk>/evidence/<str:field>.pdf",
        chargebacks.chargeback_document,
        name="chargeback_document",
    ),
    path("w/<slug:slug>/payments/", payments.payment_providers, name="payment_providers"),
    path(
        "w/<slug:slug>/payments/new/", payments.payment_provider_edit, name="payment_provider_new"
    ),
    path(
        "w/<slug:slug>/payments/<int:pk>/", payments.payment_provider_edit, name="payment_provider"
    ),
    path(
        "w/<slug:slug>/payments/calls/<int:pk>/retry/",
        payments.payment_call_retry,
        name="payment_call_retry",
    ),
    path(
        "w/<slug:slug>/cases/<str:reference>/money/refund/", money.case_refund, name="case_refund"
    ),
    path(
        "w/<slug:slug>/cases/<str:reference>/money/credit/", money.case_credit, name="case_credit"
    ),
    path("w/<slug:slug>/approvals/", money.approvals_queue, name="approvals"),
    path(
        "w/<slug:slug>/approvals/<int:approval_id>/decide/",
        money.approval_decide,
        name="approval_decide",
    ),
    path("w/<slug:slug>/money/", money_report.money_report, name="money_report"),
    path("w/<slug:slug>/policy/", policy.policy, name="policy"),
    path("w/<slug:slug>/routing/", routing.overview, name="routing"),
    path("w/<slug:slug>/routing/presence/", routing.presence_switch, name="routing_presence"),
    path("w/<slug:slug>/routing/manage/", routing.manage, name="routing_manage"),
    path(
        "w/<slug:slug>/routing/agents/<int:user_id>/",
        routing.agent_settings,
        name="routing_agent",
    ),
    path(
        "w/<slug:slug>/routing/agents/<int:user_id>/hand-over/",
        routing.hand_over_now,
        name="routing_hand_over",
    ),
    path("w/<slug:slug>/routing/queues/new/", routing.queue_new, name="routing_queue_new"),
    path(
        "w/<slug:slug>/routing/queues/<int:queue_id>/",
        routing.queue_edit,
        name="routing_queue",
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
    path(
        "w/<slug:slug>/attachments/<int:attachment_id>/inline/",
        attachments.attachment_inline,
        name="attachment_inline",
    ),
    path(
        "w/<slug:slug>/messages/<int:message_id>/original.eml",
        attachments.message_original,
        name="message_original",
    ),
    *service_level_urls,
    *dispute_urls,
]
