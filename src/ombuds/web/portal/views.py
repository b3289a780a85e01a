"""The public help center and the buyer portal of one workspace, under /help/<slug>/."""

from __future__ import annotations

import re
from functools import wraps

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ombuds.conversations.models import Case, Status
from ombuds.conversations.selectors import case_by_reference, cases_of_requester, messages_of
from ombuds.conversations.services import receive_customer_message
from ombuds.core.errors import ApplicationError, NotFound
from ombuds.core.html import sanitize_html, text_to_html
from ombuds.core.models import Workspace
from ombuds.intake.chat.setup import chat_account
from ombuds.intake.services import submit_contact_form
from ombuds.marketplace.models import Party
from ombuds.rescue.services import choose_alternative

from . import throttle
from .forms import ContactForm, ReplyForm, SignInForm, add_refusal, incoming_files
from .magic_links import LinkRefused, offer_sign_in_link, read_token
from .rescue_pages import ChooseAlternativeForm, ladder_of_buyer, rescue_for_buyer
from .session import access_portal_party, sign_in, sign_out
from .wording import author_label, customer_status, topic_label

SUBMITTED_KEY = "ombuds.portal.submitted"
_REFERENCE = re.compile(r"^[A-Z][A-Z0-9]{1,7}-\d{1,12}$")


def _page(
    request: HttpRequest,
    template: str,
    workspace: Workspace,
    *,
    buyer: Party | None = None,
    status: int = 200,
    **context,
) -> HttpResponse:
    context.update(workspace=workspace, buyer=buyer)
    return render(request, f"web/portal/{template}", context, status=status)


def help_center(view):
    """Resolve the workspace of the URL; an unknown slug is a 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, **kwargs):
        workspace = get_object_or_404(Workspace, slug=slug)
        return view(request, workspace, **kwargs)

    return wrapper


def portal_buyer(view):
    """Only for a buyer signed in to this workspace's portal; others are asked to sign in."""

    @wraps(view)
    @help_center
    def wrapper(request: HttpRequest, workspace: Workspace, **kwargs):
        buyer = access_portal_party(request, workspace)
        if buyer is None:
            return redirect("web:portal_request", slug=workspace.slug)
        return view(request, workspace, buyer, **kwargs)

    return wrapper


def _own_case(workspace: Workspace, buyer: Party, reference: str) -> Case:
    # Someone else's case is as absent as a case that does not exist: a 404 either way,
    # so a reference cannot be probed.
    try:
        case = case_by_reference(workspace=workspace, reference=reference)
    except NotFound:
        raise Http404 from None
    if case.requester_id != buyer.pk:
        raise Http404
    return case


# -- help center ------------------------------------------------------------------------


@require_GET
@help_center
def home(request, workspace):
    return _page(
        request,
        "home.html",
        workspace,
        buyer=access_portal_party(request, workspace),
        offers_chat=chat_account(workspace) is not None,
    )


@require_http_methods(["GET", "POST"])
@help_center
def contact(request, workspace):
    buyer = access_portal_party(request, workspace)
    initial = {"order_number": request.GET.get("order", "")[:100]}
    if buyer is not None:
        initial.update(email=buyer.email, name=buyer.name)
    if request.method == "GET":
        return _page(
            request, "contact.html", workspace, buyer=buyer, form=ContactForm(initial=initial)
        )

    form = ContactForm(request.POST, request.FILES, initial=initial)
    if not form.is_valid():
        status = 400 if form.caught_bot() else 422
        return _page(request, "contact.html", workspace, buyer=buyer, form=form, status=status)
    if not throttle.allow_client(
        request, f"contact:{workspace.pk}", limit=throttle.CONTACT_PER_ADDRESS
    ):
        form.add_error(
            None, _("Too many requests from your network. Please try again in a few minutes.")
        )
        return _page(request, "contact.html", workspace, buyer=buyer, form=form, status=429)
    data = form.cleaned_data
    try:
        case = submit_contact_form(
            workspace=workspace,
            email=data["email"],
            name=data["name"],
            topic=data["topic"],
            message=data["message"],
            order_number=data["order_number"],
            language=get_language() or "",
            files=incoming_files(data["attachments"]),
        )
    except ApplicationError as error:
        add_refusal(form, error)
        return _page(
            request, "contact.html", workspace, buyer=buyer, form=form, status=error.status
        )

    # The case is committed; now keep the thank-you page's promise of a link by mail.
    offer_sign_in_link(workspace=workspace, email=data["email"], case_reference=case.reference)
    request.session[SUBMITTED_KEY] = {
        "workspace": workspace.pk,
        "reference": case.reference,
        "email": data["email"],
    }
    return redirect("web:help_contact_sent", slug=workspace.slug)


@require_GET
@help_center
def contact_sent(request, workspace):
    submitted = request.session.get(SUBMITTED_KEY)
    if not isinstance(submitted, dict) or submitted.get("workspace") != workspace.pk:
        return redirect("web:help_contact", slug=workspace.slug)
    return _page(
        request,
        "contact_sent.html",
        workspace,
        buyer=access_portal_party(request, workspace),
        reference=submitted["reference"],
        email=submitted["email"],
    )


# -- sign in ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@help_center
def portal_request(request, workspace):
    if access_portal_party(request, workspace) is not None:
        return redirect("web:portal_cases", slug=workspace.slug)
    if request.method == "GET":
        return _page(request, "sign_in.html", workspace, form=SignInForm())
    form = SignInForm(request.POST)
    if not form.is_valid():
        return _page(request, "sign_in.html", workspace, form=form, status=422)
    if not throttle.allow_client(request, f"link:{workspace.pk}", limit=throttle.LINKS_PER_ADDRESS):
        form.add_error(None, _("Too many requests from your network. Please try again later."))
        return _page(request, "sign_in.html", workspace, form=form, status=429)
    # Known or not, the answer is the same page.
    offer_sign_in_link(workspace=workspace, email=form.cleaned_data["email"])
    return redirect("web:portal_sent", slug=workspace.slug)


@require_GET
@help_center
def portal_sent(request, workspace):
    return _page(request, "sign_in_sent.html", workspace)


@require_GET
@help_center
def portal_login(request, workspace, token):
    try:
        identity = read_token(token, workspace=workspace)
    except LinkRefused as refused:
        status = 403 if refused.reason == LinkRefused.OTHER_WORKSPACE else 400
        return _page(request, "link_refused.html", workspace, reason=refused.reason, status=status)
    sign_in(request, identity)
    reference = request.GET.get("case", "")
    if _REFERENCE.match(reference):
        return redirect("web:portal_case", slug=workspace.slug, reference=reference)
    dispute = request.GET.get("dispute", "")
    if _REFERENCE.match(dispute):
        return redirect("web:portal_dispute", slug=workspace.slug, reference=dispute)
    return redirect("web:portal_cases", slug=workspace.slug)


@require_POST
@help_center
def portal_logout(request, workspace):
    sign_out(request)
    messages.info(request, _("You are signed out."))
    return redirect("web:help_home", slug=workspace.slug)


# -- portal -----------------------------------------------------------------------------


@require_GET
@portal_buyer
def cases(request, workspace, buyer):
    rows = [
        {
            "case": case,
            "status": customer_status(case.status),
            "subject": case.subject,
            "topic": topic_label(case),
        }
        for case in cases_of_requester(workspace=workspace, party=buyer)
    ]
    return _page(request, "cases.html", workspace, buyer=buyer, rows=rows)


def _case_page(
    request, workspace, buyer, case, *, form=None, choice_form=None, status=200
) -> HttpResponse:
    entries = [
        {
            "message": message,
            "author": author_label(message, buyer=buyer, workspace=workspace),
            "mine": message.author_party_id == buyer.pk,
            # Stored bodies are sanitized on the way in; cleaning again on the way out
            # keeps this page safe from any row written by another path.
            "html": sanitize_html(message.body_html or text_to_html(message.body_text)),
        }
        for message in messages_of(case, include_notes=False)
    ]
    own_order = case.order if case.order and case.order.buyer_id == buyer.pk else None
    rescue = rescue_for_buyer(case, buyer)
    if rescue is not None and rescue.can_choose and choice_form is None:
        choice_form = ChooseAlternativeForm(
            initial={"option": rescue.choice} if rescue.choice is not None else {}
        )
    return _page(
        request,
        "case.html",
        workspace,
        buyer=buyer,
        case=case,
        case_status=customer_status(case.status),
        subject=case.subject,
        topic=topic_label(case),
        entries=entries,
        own_order=own_order,
        closed=case.status == Status.CLOSED,
        form=form or ReplyForm(),
        rescue=rescue,
        choice_form=choice_form,
        status=status,
    )


def _case_url(workspace: Workspace, case: Case) -> str:
    return reverse("web:portal_case", kwargs={"slug": workspace.slug, "reference": case.reference})


@require_http_methods(["GET", "POST"])
@portal_buyer
def case_detail(request, workspace, buyer, reference):
    case = _own_case(workspace, buyer, reference)
    form = ReplyForm()
    status = 200
    if request.method == "POST":
        form = ReplyForm(request.POST, request.FILES)
        status = 422
        if form.is_valid():
            try:
                receive_customer_message(
                    case=case,
                    party=buyer,
                    body=form.cleaned_data["body"],
                    channel="web",
                    files=incoming_files(form.cleaned_data["attachments"]),
                    language=get_language() or "",
                )
            except ApplicationError as error:
                add_refusal(form, error)
                status = error.status
            else:
                messages.success(request, _("Thank you, your message was added to your request."))
                return redirect(_case_url(workspace, case) + "#latest")
        case.refresh_from_db(fields=["status", "updated_at"])
    return _case_page(request, workspace, buyer, case, form=form, status=status)


@require_POST
@portal_buyer
def rescue_choose(request, workspace, buyer, reference):
    """The buyer picks one of the proposed alternatives; the desk confirms the booking."""
    case = _own_case(workspace, buyer, reference)
    ladder = ladder_of_buyer(case, buyer)
    if ladder is None:
        raise Http404
    form = ChooseAlternativeForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            choose_alternative(ladder=ladder, party=buyer, option_index=form.cleaned_data["option"])
        except ApplicationError as error:
            # The service's refusals are written for the buyer, in the page's language.
            form.add_error(None, error.message)
            status = error.status
        else:
            messages.success(
                request,
                _("Thank you, we have your choice. The desk will confirm the booking."),
            )
            return redirect(_case_url(workspace, case) + "#rescue")
    return _case_page(request, workspace, buyer, case, choice_form=form, status=status)


@require_GET
@portal_buyer
def attachment(request, workspace, buyer, reference, attachment_id):
    case = _own_case(workspace, buyer, reference)
    # Looked up among the public messages of the buyer's own case: a file of an internal
    # note, or of any other case, is simply not there.
    found = next(
        (
            file
            for message in messages_of(case, include_notes=False)
            for file in message.attachments.all()
            if file.pk == attachment_id
        ),
        None,
    )
    if found is None:
        raise Http404
    response = FileResponse(
        found.file.open("rb"),
        as_attachment=True,
        filename=found.filename,
        content_type=found.content_type or "application/octet-stream",
    )
    # Even if a browser were talked into rendering the file, it runs nothing and loads nothing.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
