"""Markup worked out once (issue 19, Python per request): the same markup as the macros and look-ups it replaces."""

from django import forms
from django.template import engines
from django.urls import reverse

from allegations import listing
from allegations.models import Case, Referral, ReferralStatus
from config import jinja2 as adapter


class _Filters(forms.Form):
    q = forms.CharField(label="Reference or name", required=False)
    status = forms.ChoiceField(label="Status", choices=[("", "Any status"), *ReferralStatus.choices], required=False)


def _env():
    return engines["jinja2"].env


def test_a_kept_field_is_the_macros_own_markup():
    env = _env()
    form = _Filters({"status": ReferralStatus.NEW})
    for name in ("q", "status"):
        params = adapter.govuk_field_params(form[name])
        component = params.pop("_component")
        expected = adapter.govuk_macro(env, component)(params)
        assert adapter.govuk_field(env, form[name]) == expected  # rendered by the macro, then kept
        assert adapter.govuk_field(env, form[name]) == expected  # from what was kept
    assert 'value="new" selected' in adapter.govuk_field(env, form["status"])


def test_what_a_person_typed_is_not_kept():
    env = _env()
    adapter._RENDERED.clear()
    typed = _Filters({"q": "Someone's name", "status": "no such status"})
    assert typed.is_valid() is False
    assert "Someone&#39;s name" in adapter.govuk_field(env, typed["q"])
    assert "no such status" in adapter.govuk_field(env, typed["status"])  # the error message repeats it
    assert not any("Someone" in str(key) or "no such status" in str(key) for key in adapter._RENDERED)
    assert adapter._RENDERED == {}


def test_text_and_markup_are_kept_apart():
    env = _env()
    plain = adapter.govuk_kept(env, "button", {"text": "<b>Go</b>"})
    marked = adapter.govuk_kept(env, "button", {"text": adapter.Markup("<b>Go</b>")})
    assert "&lt;b&gt;Go&lt;/b&gt;" in plain
    assert "<b>Go</b>" in marked


def test_the_options_are_djangos_own():
    form = _Filters({"status": ReferralStatus.DISCUSSED})
    widget = form["status"].field.widget
    value = widget.format_value(form["status"].value())
    django_options = [o for _group, options, _index in widget.optgroups("status", value) for o in options]
    assert adapter._plain_options(widget, value) == [
        {"value": o["value"], "label": o["label"], "selected": o["selected"]} for o in django_options
    ]


def test_a_rows_link_and_labels_are_what_reverse_and_get_display_give():
    link = listing.link_maker("allegations:referral_detail")
    for reference in ("MAS-2026-000001", "MAS 1?x=é&y=#z"):
        assert link(reference) == reverse("allegations:referral_detail", args=[reference])
    for status in ReferralStatus.values:
        assert listing.labels(Referral, "status")[status] == Referral(status=status).get_status_display()
    for outcome, _label in Case._meta.get_field("outcome").flatchoices:
        assert listing.labels(Case, "outcome")[outcome] == Case(outcome=outcome).get_outcome_display()


def _macro_pagination(env, page, request):
    """govukPagination's parameters as templates/includes/pagination.html built them before it was kept."""
    items = []
    for number in page.paginator.get_elided_page_range(page.number, on_each_side=1, on_ends=1):
        if number == page.paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            items.append({"number": number, "current": number == page.number,
                          "href": adapter.querystring(request, page=number, after=None, before=None)})
    params = {"items": items, "landmarkLabel": "Pagination"}
    if page.has_previous():
        params["previous"] = {"href": adapter.querystring(request, page=page.previous_page_number())}
    if page.has_next():
        params["next"] = {"href": adapter.querystring(request, page=page.next_page_number())}
    return adapter.govuk_macro(env, "pagination")(params)


def test_kept_pagination_is_the_macros_own_markup_with_each_requests_addresses(rf):
    from django.core.paginator import Paginator

    env = _env()
    adapter._RENDERED.clear()
    template = env.from_string('{% from "includes/pagination.html" import pagination %}{{ pagination(page, request) }}')
    paginator = Paginator(range(200), 10)
    queries = ("", "status=open&page=5", "q=%3Cb%3E%22Someone%27s+name&after=3&page=20", "page=1&sort=person&dir=desc")
    for query in queries:
        request = rf.get("/list/?" + query)
        for number in (1, 2, 5, 19, 20):
            page = paginator.get_page(number)
            expected = _macro_pagination(env, page, request)
            assert template.render(page=page, request=request) == expected  # rendered, then kept
            assert template.render(page=page, request=request) == expected  # from what was kept
    # The addresses (which carry what a person typed in the address) are put in each time, never kept.
    assert not any("Someone" in str(markup) or "status=" in str(markup) for markup in adapter._RENDERED.values())
    assert template.render(page=Paginator(range(5), 10).get_page(1), request=rf.get("/list/")) == ""


def test_the_page_shells_skip_link_and_navigation_are_kept_and_are_the_macros_markup(lado_officer, login, db):
    """base.html: the skip link and the service navigation, the same for the same person on the same section, are
    rendered once and kept (config.jinja2.govuk_kept); what is kept is what the macros draw."""
    env = _env()
    adapter._RENDERED.clear()
    client = login(lado_officer)
    page = client.get(reverse("allegations:case_list")).content.decode()
    kept = {key[0]: markup for key, markup in adapter._RENDERED.items()}
    assert {"skip-link", "service-navigation"} <= set(kept)
    assert kept["skip-link"] == adapter.govuk_macro(env, "skip-link")(
        {"href": "#main-content", "text": "Skip to main content"})
    assert kept["skip-link"] in page and kept["service-navigation"] in page
    assert 'aria-current="page"' in kept["service-navigation"] or "--active" in kept["service-navigation"]
    # Another section: another navigation (the current item moves), kept beside the first.
    other = client.get(reverse("allegations:triage_queue")).content.decode()
    navigations = [m for key, m in adapter._RENDERED.items() if key[0] == "service-navigation"]
    assert len(navigations) == 2 and navigations[1] in other and navigations[0] not in other


def _macro_markup(env, bound_field):
    params = adapter.govuk_field_params(bound_field)
    return adapter.govuk_macro(env, params.pop("_component"))(params)


def test_a_shared_filter_fields_kept_markup_is_the_macros_for_each_value():
    """A list's filter fields that every form shares (filters.KeptFilterSet) are kept for their field, name, id and
    value: for each value, the same markup as the macro gives, and never another value's."""
    from allegations.filters import TriageFilter

    env = _env()
    adapter._RENDERED.clear()
    for data in ({"status": "open"}, {"status": "all", "sector": "schools"}, {"status": ReferralStatus.NEW},
                 {"status": "open"}, {}):
        form = TriageFilter(data, queryset=Referral.objects.none()).form
        for name in ("q", "status", "sector", "workforce", "timing"):
            assert adapter._is_shared(form[name])
            expected = _macro_markup(env, form[name])
            assert adapter.govuk_field(env, form[name]) == expected  # worked out, then kept
            assert adapter.govuk_field(env, form[name]) == expected  # from what was kept
    assert not adapter._is_shared(TriageFilter({}, queryset=Referral.objects.none()).form["officer"])  # each its own
    assert not adapter._is_shared(_Filters({})["status"])  # an ordinary form's fields are its own copies


def test_what_a_person_typed_into_a_shared_filter_field_is_not_kept():
    from allegations.filters import TriageFilter

    env = _env()
    adapter._RENDERED.clear()
    form = TriageFilter({"q": "Someone's name", "status": "no such status"}, queryset=Referral.objects.none()).form
    assert form.is_valid() is False
    assert "Someone&#39;s name" in adapter.govuk_field(env, form["q"])
    assert "no such status" in adapter.govuk_field(env, form["status"])  # the error message repeats it
    assert not any("Someone" in str(key) or "no such status" in str(key) for key in adapter._RENDERED)
    # And a value kept without an error is not given to a form whose same value has one.
    ok = TriageFilter({"status": "open"}, queryset=Referral.objects.none()).form
    adapter.govuk_field(env, ok["status"])
    form = TriageFilter({"status": "open"}, queryset=Referral.objects.none()).form
    form.add_error("status", "A made-up problem")
    assert "A made-up problem" in adapter.govuk_field(env, form["status"])
