"""Group buys: the account's list and the filing of one; a group buy's page with its documents,
what keeps it from approval, staff's decision, its orders (typed or imported), the totals per
building, and its arrival at the gate."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from households.models import Compound
from households.scoping import scope_of
from lockdown.core.errors import ServiceError, errors_text, show_as_message, show_on_form
from supplies import group_buy_selectors, group_buys, uploads
from supplies.forms import DocumentForm, GroupBuyForm, OrderForm, OrdersImportForm, RejectForm
from supplies.models import GroupBuy, GroupBuyDocument


def detail_url(pk):
    return reverse("supplies:group_buy", args=[pk])


def _group_buy(request, pk):
    buy = get_object_or_404(GroupBuy.objects.select_related("compound", "community", "filed_by"), pk=pk)
    if not group_buys.may_see(request.user, buy, scope_of(request)) and not _orders_here(request, buy):
        raise Http404
    return buy


def _orders_here(request, buy):
    """A building leader of a building it serves enters that building's orders: they see it too."""
    scope = scope_of(request)
    return any(group_buys.may_order(request.user, buy, b, scope) for b in buy.buildings.all())


@login_required
def group_buy_list(request):
    context = {
        "buys": group_buy_selectors.group_buys_of(request.user),
        "compounds": group_buy_selectors.compounds_to_file_for(request.user),
        "states": dict(GroupBuy.State.choices),
    }
    return render(request, "supplies/group_buy_list.html", context)


@login_required
def group_buy_file(request, pk):
    compound = get_object_or_404(scope_of(request).filter(Compound.objects.select_related("community")), pk=pk)
    buildings = scope_of(request).filter(compound.buildings.all()).order_by("sort_key", "number")
    form = GroupBuyForm(request.POST or None, buildings=buildings)
    if request.method == "POST" and form.is_valid():
        try:
            buy = group_buys.group_buy_file(actor=request.user, compound=compound, **form.cleaned_data)
        except ServiceError as error:
            show_on_form(form, error)
        else:
            messages.success(request, _("Filed. Add its documents below: staff approve it once they are all there."))
            return redirect(detail_url(buy.pk))
    return render(request, "supplies/group_buy_form.html", {"compound": compound, "form": form})


@login_required
def group_buy_detail(request, pk):
    return _detail_page(request, _group_buy(request, pk))


def _detail_page(request, buy, order_form=None):
    """The group buy's page; with `order_form` bound, the order just typed is shown again with its
    error, or with one button per household where the room may be several."""
    scope = scope_of(request)
    unbound = OrderForm(scope=scope, community_id=buy.community_id, building_ids=())  # finds none
    context = {
        "buy": buy,
        "states": dict(GroupBuy.State.choices),
        "documents": buy.documents.select_related("uploaded_by"),
        "missing": group_buys.missing_documents(buy),
        "is_staff": scope.may_edit_community(buy.community),
        "is_leader": group_buys.leads(request.user, buy, scope),
        "totals": group_buy_selectors.order_totals(buy, scope),
        "orders": group_buy_selectors.orders_of(buy, scope),
        "document_form": DocumentForm(),
        "reject_form": RejectForm(),
        "order_form": order_form or unbound,
        "import_form": OrdersImportForm(),
        "imported": request.session.pop(f"group-buy-import-{buy.pk}", None),
        "steps": buy.events.select_related("actor").order_by("-at", "-id")[:20],
    }
    return render(request, "supplies/group_buy_detail.html", context)


def _step(request, pk, action, done, **kwargs):
    buy = _group_buy(request, pk)
    try:
        result = action(actor=request.user, group_buy=buy, **kwargs)
    except ServiceError as error:
        show_as_message(request, error)
    else:
        messages.success(request, done(result) if callable(done) else done)
    return redirect(detail_url(buy.pk))


@login_required
@require_POST
def document_add(request, pk):
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        show_as_message(request, ServiceError(errors_text(form)))
        return redirect(detail_url(pk))
    return _step(request, pk, group_buys.document_add, _("The document is added."), **form.cleaned_data)


@login_required
def document_file(request, pk):
    """A document opened in the browser, by its leader and the committee's staff only: it names and
    shows the driver and the loaders."""
    document = get_object_or_404(GroupBuyDocument.objects.select_related("group_buy__community"), pk=pk)
    if not group_buys.may_see(request.user, document.group_buy, scope_of(request)):
        raise Http404
    return FileResponse(document.file.open("rb"), content_type=uploads.content_type(document.file))


@login_required
@require_POST
def approve(request, pk):
    return _step(request, pk, group_buys.group_buy_approve, _("Approved: the group buy may launch."))


@login_required
@require_POST
def reject(request, pk):
    form = RejectForm(request.POST)
    if not form.is_valid():
        show_as_message(request, ServiceError(errors_text(form)))
        return redirect(detail_url(pk))
    return _step(request, pk, group_buys.group_buy_reject, _("Rejected: its leader sees why."), **form.cleaned_data)


@login_required
@require_POST
def refile(request, pk):
    return _step(request, pk, group_buys.group_buy_refile, _("Filed again for a decision."))


@login_required
@require_POST
def order_set(request, pk):
    buy = _group_buy(request, pk)
    served = buy.buildings.values_list("pk", flat=True)
    form = OrderForm(request.POST, scope=scope_of(request), community_id=buy.community_id, building_ids=served)
    if not form.is_valid():
        return _detail_page(request, buy, form)
    data = form.cleaned_data
    try:
        group_buys.order_set(
            actor=request.user, group_buy=buy, household=data["target"], items=data["items"], quantity=data["quantity"]
        )
    except ServiceError as error:
        show_on_form(form, error)
        return _detail_page(request, buy, form)
    done = _("%(room)s: order taken back.") if data["quantity"] == 0 else _("%(room)s: saved.")
    messages.success(request, done % {"room": data["target"].label})
    return redirect(f"{detail_url(buy.pk)}#orders")


@login_required
@require_POST
def orders_import(request, pk):
    buy = _group_buy(request, pk)
    form = OrdersImportForm(request.POST, request.FILES)
    try:
        if not form.is_valid():
            raise ServiceError(errors_text(form))
        result = group_buys.orders_import(actor=request.user, group_buy=buy, upload=form.cleaned_data["export"])
    except ServiceError as error:
        show_as_message(request, error)
    else:
        message = ngettext(
            "%(orders)s order of %(households)s household imported.",
            "%(orders)s orders of %(households)s households imported.",
            result.orders,
        )
        messages.success(request, message % {"orders": result.orders, "households": result.households})
        problems = [{"sheet": p.sheet, "line": p.line, "message": p.message} for p in result.problems[:200]]
        request.session[f"group-buy-import-{buy.pk}"] = {"problems": problems, "count": len(result.problems)}
    return redirect(f"{detail_url(buy.pk)}#orders")


@login_required
@require_POST
def arrive(request, pk):
    def done(count):
        message = ngettext(
            "%(count)s parcel recorded at the gate: it goes on the parcels' way, disinfection first.",
            "%(count)s parcels recorded at the gate: they go on the parcels' way, disinfection first.",
            count,
        )
        return message % {"count": count}

    return _step(request, pk, group_buys.group_buy_arrive, done)
