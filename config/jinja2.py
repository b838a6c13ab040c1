"""Jinja2 environment for Django's Jinja2 template backend.

settings.TEMPLATES entry::

    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "config.jinja2.environment",
            "context_processors": [
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
            ],
        },
    }

Templates can import every GOV.UK Frontend v6 component macro from the
``govuk-frontend-jinja`` package, e.g.::

    {% from "govuk_frontend_jinja/components/button/macro.html" import govukButton %}

and render Django form fields with the adapter below::

    {{ govuk_error_summary(form) }}
    {{ govuk_field(form["email"]) }}
    {{ govuk_field(form["name"], label={"classes": "govuk-label--l", "isPageHeading": True}) }}

A date (config/forms_dates.py: GovukDateField, GovukDateTimeField) renders as govukDateInput: a fieldset whose
legend is the label, one box per part, only the wrong boxes marked; its error-summary link goes to the first
wrong box (#id_<field>_day, _month, _year, _hour or _minute).
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable
from typing import Any

import jinja2
from django import forms
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import QueryDict
from django.templatetags.static import static
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from markupsafe import Markup, escape

from config.forms_dates import GovukDateField, GovukDateWidget

MACROS = "govuk_frontend_jinja/components/{}/macro.html"

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


# ---------------------------------------------------------------------------
# Environment
# ---------------------------------------------------------------------------


# Globals an app above config gives every template, registered in its AppConfig.ready() so that config
# imports no app: ``wording(referral.workforce)`` and ``for_workforce(text, workforce)`` (allegations).
_app_globals: dict[str, Callable[..., Any]] = {}


def register_global(name: str, function: Callable[..., Any]) -> None:
    """Offer `function` to every template as `name` (call it from an AppConfig.ready())."""
    existing = _app_globals.get(name)
    if existing is not None and existing is not function:
        raise ValueError(f"Two template globals are called {name!r}")
    _app_globals[name] = function


def environment(**options: Any) -> jinja2.Environment:
    # Keep Django's loader (DIRS + app "jinja2" dirs) first, then the GOV.UK
    # macros under the "govuk_frontend_jinja/" prefix (as the package README does).
    django_loader = options.pop("loader", None)
    loaders = [django_loader] if django_loader is not None else []
    loaders.append(
        jinja2.PrefixLoader({"govuk_frontend_jinja": jinja2.PackageLoader("govuk_frontend_jinja")})
    )
    options["loader"] = jinja2.ChoiceLoader(loaders)
    options["autoescape"] = True
    options["extensions"] = list(
        dict.fromkeys([*options.get("extensions", []), "jinja2.ext.do", "jinja2.ext.loopcontrols"])
    )
    # The GOV.UK macros are ports of Nunjucks, where a missing parameter is just
    # "undefined". Django defaults to DebugUndefined when DEBUG is on, which
    # prints "{{ no such element ... }}" into the page; ChainableUndefined also
    # lets `params.label.text` work when `label` is missing. An explicitly
    # configured policy (e.g. StrictUndefined) is kept.
    if options.get("undefined") in (None, jinja2.Undefined, jinja2.DebugUndefined):
        options["undefined"] = jinja2.ChainableUndefined

    env = jinja2.Environment(**options)
    env.globals.update(_app_globals)
    env.globals.update(
        static=kept_static,
        url=url,
        localtime=localtime,
        csp_nonce_for=csp_nonce_for,
        querystring=querystring,
        govuk_field=functools.partial(govuk_field, env),
        govuk_error_summary=functools.partial(govuk_error_summary, env),
        govuk_field_params=govuk_field_params,
        govuk_macro=functools.partial(govuk_macro, env),
        govuk_kept=functools.partial(govuk_kept, env),
        govuk_pagination=functools.partial(govuk_pagination, env),
    )
    env.filters.update(
        localtime=localtime,
        date=govuk_date,
        datetime=govuk_datetime,
        time=govuk_time,
    )
    return env


@functools.lru_cache(maxsize=256)
def kept_static(path: str) -> str:
    """``{{ static("govuk/app.css") }}``: Django's static(), looked up once per process for each file (every page
    asks for the same three): the storage's address for a file (its manifest's hashed name in production) does
    not change while the process runs. A test that changes the static settings empties it (_static_settings)."""
    return static(path)


@receiver(setting_changed)
def _static_settings(*, setting: str, **kwargs: Any) -> None:
    if setting in ("STATIC_URL", "STATIC_ROOT", "STORAGES", "STATICFILES_DIRS", "FORCE_SCRIPT_NAME"):
        kept_static.cache_clear()


def url(viewname: str, *args: Any, **kwargs: Any) -> str:
    """``{{ url("allegations:detail", allegation.pk) }}`` or with kwargs."""
    if not args and not kwargs:  # the same address on every page: looked up once (issue 19)
        return plain_url(viewname)
    return reverse(viewname, args=args or None, kwargs=kwargs or None)


def plain_url(viewname: str) -> str:
    """The address of a view that takes no arguments, looked up once per process for each script prefix and
    URLconf (the navigation's links, a template's ``url()``): the URLconf does not change while the process runs."""
    return _plain_url(viewname, get_script_prefix(), get_urlconf() or settings.ROOT_URLCONF)


@functools.lru_cache(maxsize=512)
def _plain_url(viewname: str, prefix: str, urlconf: str) -> str:
    return reverse(viewname, urlconf=urlconf)


def localtime(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def querystring(request: Any, **changes: Any) -> str:
    """The request's query string with ``changes`` applied ("?a=1&page=2").

    A change to None removes the key. Returns "?" alone if nothing is left,
    which still links to the same path.
    """
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for key, value in changes.items():
        if value is None:
            query.pop(key, None)
        elif isinstance(value, (list, tuple)):
            query.setlist(key, [str(v) for v in value])
        else:
            query[key] = str(value)
    return "?" + query.urlencode()


def csp_nonce_for(request: Any = None, nonce: Any = None) -> str:
    """The CSP nonce as a string, or "" when there is none.

    Django 6's ContentSecurityPolicyMiddleware puts a LazyNonce on
    request._csp_nonce (and the csp context processor exposes it as
    ``csp_nonce``). A LazyNonce is falsy until it is first turned into a
    string, and only a generated nonce is added to the header, so it must be
    str()-ed, not tested with ``if``.
    """
    if nonce is None or isinstance(nonce, jinja2.Undefined):
        nonce = getattr(request, "_csp_nonce", None) if request else None
    return "" if nonce is None else str(nonce)


# ---------------------------------------------------------------------------
# Dates and times, GOV.UK style ("23 November 2026", "2:05pm"), in the current
# time zone (settings.TIME_ZONE = "Europe/London").
# ---------------------------------------------------------------------------


def govuk_date(value: dt.date | dt.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = localtime(value)
    return _date_words(value)


def govuk_time(value: dt.datetime | dt.time | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = localtime(value)
    return _time_words(value)


def govuk_datetime(value: dt.datetime | None) -> str:
    if value is None or value == "":
        return ""
    if not isinstance(value, dt.datetime):
        return govuk_date(value)
    value = localtime(value)  # once, not again for the date and the time
    return f"{_date_words(value)} at {_time_words(value)}"


def govuk_date_and_time(value: dt.datetime, tz: dt.tzinfo) -> tuple[str, str]:
    """(govuk_date(value), govuk_time(value)) for an aware ``value``, converted once to ``tz``, the current time zone
    that the caller looked up once for a whole list (looking it up took half of what a queue row cost)."""
    value = value.astimezone(tz)
    return _date_words(value), _time_words(value)


def _date_words(value: dt.date) -> str:
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def _time_words(value: dt.datetime | dt.time) -> str:
    if value.hour == 0 and value.minute == 0:
        return "midnight"
    if value.hour == 12 and value.minute == 0:
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}:{value.minute:02d}{suffix}"


# ---------------------------------------------------------------------------
# Django forms → GOV.UK Frontend macros
# ---------------------------------------------------------------------------


def govuk_macro(env: jinja2.Environment, component: str, macro: str | None = None):
    """The macro for a component, e.g. govuk_macro("input") → govukInput."""
    if macro is None:
        macro = "govuk" + "".join(part.capitalize() for part in component.split("-"))
    return getattr(env.get_template(MACROS.format(component)).module, macro)


def field_id(bound_field: forms.BoundField) -> str:
    """The id of the field's (first) input: the target of error-summary links.

    Django's RadioSelect/CheckboxSelectMultiple return "" from id_for_label
    (no <label for> on the group), so fall back to auto_id; the adapter gives
    the first radio/checkbox exactly this id.
    """
    if isinstance(bound_field.field.widget, GovukDateWidget):
        wrong = _date_error_parts(bound_field)
        return f"{bound_field.auto_id or bound_field.html_name}_{(wrong or bound_field.field.widget.parts)[0]}"
    return bound_field.id_for_label or bound_field.auto_id or bound_field.html_name


def _date_error_parts(bound_field: forms.BoundField) -> tuple[str, ...]:
    """The boxes of a date input to mark: the ones the field found wrong, or all of them for an error about the
    whole date (in the future, too early), or none without errors."""
    if not bound_field.errors:
        return ()
    field = bound_field.field
    return tuple(getattr(field, "error_parts", ()) or ()) or tuple(field.widget.parts)


_PART_WIDTHS = {"day": 2, "month": 2, "year": 4, "hour": 2, "minute": 2}


def _date_input_params(bound_field: forms.BoundField, label_text: str) -> dict:
    """govukDateInput parameters: a fieldset whose legend is the label, the hint with an example, one box per part
    (typed text shown again as typed), only the wrong boxes marked."""
    widget = bound_field.field.widget
    value = bound_field.value()
    if isinstance(value, (list, tuple)):
        texts = ["" if v is None else str(v) for v in value]
    else:
        texts = ["" if v is None else v for v in widget.decompress(value)]
    wrong = _date_error_parts(bound_field)
    base_id = bound_field.auto_id or bound_field.html_name
    items = []
    for part, text in zip(widget.parts, texts):
        classes = f"govuk-input--width-{_PART_WIDTHS[part]}"
        if part in wrong:
            classes += " govuk-input--error"
        items.append({
            "id": f"{base_id}_{part}",
            "name": f"{bound_field.html_name}_{part}",
            "label": part.capitalize(),
            "value": text,
            "classes": classes,
        })
    field = bound_field.field
    hint = field.hint(bound_field.help_text) if isinstance(field, GovukDateField) else "For example, 27 3 2026"
    params: dict[str, Any] = {
        "id": base_id,
        "fieldset": {"legend": {"text": label_text, "classes": "govuk-fieldset__legend--s"}},
        "hint": {"text": hint},
        "items": items,
    }
    if bound_field.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in bound_field.errors)}
    return params


def _merge(params: dict, extra: dict) -> dict:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(params.get(key), dict):
            params[key] = {**params[key], **value}
        elif key == "label" and isinstance(value, str) and isinstance(params.get("label"), dict):
            params["label"] = {**params["label"], "text": value}
        else:
            params[key] = value
    return params


def _widget_attrs(bound_field: forms.BoundField) -> dict:
    widget = bound_field.field.widget
    attrs = dict(bound_field.build_widget_attrs(widget.attrs))
    # GOV.UK: no browser validation bubbles, no silent maxlength truncation,
    # no autofocus (it fights the error summary, which takes focus)
    # aria-describedby/aria-invalid: Django adds its own ids; the macros set the right ones
    for key in ("required", "maxlength", "id", "cols", "autofocus", "aria-describedby", "aria-invalid"):
        attrs.pop(key, None)
    return attrs


def _component_for(widget: forms.Widget) -> str:
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.Select):  # also SelectMultiple, NullBooleanSelect
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.PasswordInput):
        return "password-input"
    if isinstance(widget, forms.FileInput):
        return "file-upload"
    return "input"


def _choice_options(bound_field: forms.BoundField) -> list[dict]:
    """Flattened options {value, label, selected} (optgroups are flattened)."""
    widget = bound_field.field.widget
    value = widget.format_value(bound_field.value())
    if type(widget).optgroups is forms.widgets.ChoiceWidget.optgroups:
        return _plain_options(widget, value)
    options = []
    for _group, group_options, _index in widget.optgroups(bound_field.html_name, value):
        options.extend(group_options)
    return options


def _plain_options(widget: forms.widgets.ChoiceWidget, value: list[str]) -> list[dict]:
    """What ChoiceWidget.optgroups gives, flattened, without building each option's attributes (which the macros do
    not read): the same values, labels and selection (one option at most unless the widget takes several)."""
    options = []
    has_selected = False
    multiple = widget.allow_multiple_selected
    for option_value, option_label in widget.choices:
        if option_value is None:
            option_value = ""
        choices = option_label if isinstance(option_label, (list, tuple)) else [(option_value, option_label)]
        for subvalue, sublabel in choices:
            selected = (not has_selected or multiple) and str(subvalue) in value
            has_selected |= selected
            options.append({"value": subvalue, "label": sublabel, "selected": selected})
    return options


def _input_value(bound_field: forms.BoundField, input_type: str) -> Any:
    value = bound_field.value()
    if value is None or value == "":
        return None
    if input_type == "date" and isinstance(value, dt.date):
        if isinstance(value, dt.datetime):
            value = localtime(value).date()
        return value.isoformat()
    if input_type == "datetime-local" and isinstance(value, dt.datetime):
        return localtime(value).strftime("%Y-%m-%dT%H:%M")
    return bound_field.field.widget.format_value(value)


def govuk_field_params(bound_field: forms.BoundField, **extra: Any) -> dict:
    """Parameters for the GOV.UK macro matching the field's widget.

    ``extra`` is merged in last (one level deep for dicts), so
    ``label={"isPageHeading": True, "classes": "govuk-label--l"}`` keeps the text.
    The returned dict has a private "_component" key naming the macro's
    component ("input", "radios", ...); govuk_field pops it.
    """
    field = bound_field.field
    widget = field.widget
    label_text = str(bound_field.label) if bound_field.label else ""
    if isinstance(widget, GovukDateWidget):
        params = _date_input_params(bound_field, label_text)
        params["_component"] = "date-input"
        label = extra.pop("label", None)  # a label given by a template becomes the legend
        if isinstance(label, str):
            params["fieldset"]["legend"]["text"] = label
        elif isinstance(label, dict):
            legend = params["fieldset"]["legend"]
            legend.update({k: v for k, v in label.items() if k in ("text", "html", "classes", "isPageHeading")})
            legend["classes"] = str(legend.get("classes", "")).replace("govuk-label--", "govuk-fieldset__legend--")
        return _merge(params, extra)
    component = _component_for(widget)
    first_id = field_id(bound_field)
    attrs = _widget_attrs(bound_field)
    classes = attrs.pop("class", None)

    params: dict[str, Any] = {"name": bound_field.html_name}
    if bound_field.help_text:
        params["hint"] = {"text": str(bound_field.help_text)}
    if bound_field.errors:
        params["errorMessage"] = {"text": " ".join(str(e) for e in bound_field.errors)}
    if classes:
        params["classes"] = classes

    if component in ("radios", "checkboxes"):
        options = [o for o in _choice_options(bound_field) if str(o["value"]) != ""]
        # A field may carry a hint for each choice (``field.choice_hints = {value: text}``): shown under it.
        choice_hints = getattr(field, "choice_hints", None) or {}
        items = []
        for index, option in enumerate(options):
            item = {
                "value": str(option["value"]),
                "text": str(option["label"]),
                "checked": bool(option["selected"]),
            }
            if str(option["value"]) in choice_hints:
                item["hint"] = {"text": str(choice_hints[str(option["value"])])}
            if index == 0:
                item["id"] = first_id
            items.append(item)
        params.update(
            idPrefix=first_id,
            items=items,
            fieldset={"legend": {"text": label_text, "classes": "govuk-fieldset__legend--s"}},
        )
    elif component == "checkbox":
        component = "checkboxes"
        item = {
            "value": "true",
            "text": label_text,
            "checked": bool(widget.check_test(bound_field.value())),
            "id": first_id,
        }
        if "hint" in params:
            item["hint"] = params.pop("hint")
        params.update(idPrefix=first_id, items=[item])
    elif component == "select":
        params.update(
            id=first_id,
            label={"text": label_text, "classes": "govuk-label--s"},
            items=[
                {
                    "value": str(o["value"]),
                    "text": str(o["label"]),
                    "selected": bool(o["selected"]),
                }
                for o in _choice_options(bound_field)
            ],
        )
        if getattr(widget, "allow_multiple_selected", False):
            attrs["multiple"] = True
    elif component == "hidden":
        params.update(id=first_id, value=widget.format_value(bound_field.value()))
    else:
        params.update(id=first_id, label={"text": label_text, "classes": "govuk-label--s"})
        if component == "textarea":
            value = bound_field.value()
            params["value"] = "" if value is None else str(value)
            rows = attrs.pop("rows", None)
            if rows and str(rows) != "10":  # 10 is Django's default; GOV.UK's is 5
                params["rows"] = rows
        elif component == "password-input":
            if getattr(widget, "render_value", False) and bound_field.value():
                params["value"] = str(bound_field.value())
        elif component == "file-upload":
            pass
        else:
            if isinstance(widget, forms.DateTimeInput):
                input_type = "datetime-local"
            elif isinstance(widget, forms.DateInput):
                input_type = "date"
            else:
                input_type = getattr(widget, "input_type", "text") or "text"
            if input_type != "text":
                params["type"] = input_type
            value = _input_value(bound_field, input_type)
            if value is not None:
                params["value"] = value
        for key in ("autocomplete", "inputmode", "spellcheck", "pattern"):
            if key in attrs:
                params[key] = attrs.pop(key)

    if attrs.pop("disabled", False):
        params["disabled"] = True
    if attrs:
        params["attributes"] = attrs
    params["_component"] = component
    return _merge(params, extra)


def govuk_field(env: jinja2.Environment, bound_field: forms.BoundField, **extra: Any) -> Markup:
    """Render a bound field with its GOV.UK macro (see govuk_field_params)."""
    shared = not extra and _is_shared(bound_field)
    if shared:
        widget = bound_field.field.widget
        value = widget.format_value(bound_field.value())
        key = (_SHARED, bound_field.field, bound_field.html_name, bound_field.auto_id,
               tuple(value) if isinstance(value, list) else value)
        rendered = _RENDERED.get(key)
        if rendered is not None and not bound_field.errors:
            return rendered
    params = govuk_field_params(bound_field, **extra)
    component = params.pop("_component")
    if component == "hidden":
        value = params.get("value")
        return Markup('<input type="hidden" name="{}" id="{}"{}>').format(
            params["name"],
            params["id"],
            Markup(' value="{}"').format(value) if value not in (None, "") else "",
        )
    if component not in _KEPT_FIELDS or "errorMessage" in params:
        return Markup(govuk_macro(env, component)(params))
    if component == "input" and params.get("value") not in (None, ""):
        return Markup(govuk_macro(env, component)(params))
    rendered = govuk_kept(env, component, params)
    if shared:  # the same markup, kept for the shared field's own key as well (never a typed value or an error)
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = rendered
    return rendered


_SHARED = object()  # marks a key of a shared field's markup in _RENDERED


def _is_shared(bound_field: forms.BoundField) -> bool:
    """Whether the field is one that every form of its class shares and nothing changes: the fields of a form class
    whose base_fields say which of them are ``copied`` for each form (allegations.filters._SharedFields, a list's
    filters), when this form holds the class's own field, not a copy. Then its markup depends only on the field,
    its name, its id and the value chosen, and govuk_field keeps it for those without working out the macro's
    parameters each time (issue 19: a tenth of the triage queue's Python)."""
    form = bound_field.form
    return getattr(type(form).base_fields, "copied", None) is not None and \
        type(form).base_fields.get(bound_field.name) is bound_field.field


def govuk_kept(env: jinja2.Environment, component: str, params: dict) -> Markup:
    """A GOV.UK component rendered once for these parameters, then kept: ``{{ govuk_kept("button", {...}) }}`` for
    what is the same page after page (a button, a list's filters). Never for what a person typed (see _RENDERED)."""
    try:
        key = (component, _frozen(params))
    except TypeError:  # a value that is not plain text, a number or markup: rendered each time
        return Markup(govuk_macro(env, component)(params))
    rendered = _RENDERED.get(key)
    if rendered is None:
        rendered = Markup(govuk_macro(env, component)(params))
        if len(_RENDERED) >= _RENDERED_MAX:
            _RENDERED.clear()
        _RENDERED[key] = rendered
    return rendered


# Components' markup, kept for the same parameters (issue 19: a macro call costs far more than a look-up). The
# macros are pure functions of their parameters, so what is kept is exactly what the macro would render again: a
# list's filters render the same options for everyone, page after page. Of form fields only choices, and boxes with
# nothing typed in them, are kept: never what a person typed (a value or an error message about it), which must not
# outlive the request. At most _RENDERED_MAX pieces; when full it starts again.
_RENDERED: dict[tuple, Markup] = {}
_RENDERED_MAX = 512
_KEPT_FIELDS = frozenset({"select", "radios", "checkboxes", "input"})


_LEAVES = frozenset({str, Markup, int, float, bool, type(None)})


def _frozen(value: Any) -> tuple:
    """The parameters as a key: each value with its type, so that 1, 1.0, True and "1" are different keys. A leaf
    is frozen where it is met rather than by a call of its own (a select's options are hundreds of leaves)."""
    kind = type(value)
    if kind is dict:
        return (dict, *[(key, (type(item), item) if type(item) in _LEAVES else _frozen(item))
                        for key, item in value.items()])
    if kind is list or kind is tuple:
        return (list, *[(type(item), item) if type(item) in _LEAVES else _frozen(item) for item in value])
    if kind in _LEAVES:
        return (kind, value)
    raise TypeError(f"not kept: {kind.__name__}")


def govuk_pagination(env: jinja2.Environment, page_obj: Any, request: Any,
                     landmark_label: str = "Pagination") -> Markup:
    """govukPagination for a Django Page (templates/includes/pagination.html): the links keep the rest of the query
    string (filters, sort) and replace only the page. Nothing for a single page.

    A CappedPaginator (allegations/paging.py) that has not counted to the end offers no last page; a page read by
    position (paging.KeysetPage) has no number, and its own links. The markup is kept (govuk_kept) for the shape of
    the pagination (its numbers, the current one, previous and next) with a marker for each address, and the
    addresses, escaped as the macro escapes them, are put in place of the markers on each request: a macro call per
    page was most of what the pagination cost (issue 19), and what a person typed into the address is never kept."""
    if not page_obj or page_obj.paginator.num_pages <= 1:
        return Markup("")
    paginator = page_obj.paginator
    if hasattr(page_obj, "links"):
        numbers = page_obj.links()
    elif hasattr(paginator, "links"):
        numbers = paginator.links(page_obj.number)
    else:
        numbers = paginator.get_elided_page_range(page_obj.number, on_each_side=1, on_ends=1)
    hrefs: list[str] = []

    def marker(href: str) -> str:
        hrefs.append(href)
        return f"{_HREF}{len(hrefs) - 1}{_HREF}"

    # querystring(request, page=n, after=None, before=None) for each number, with the query copied once.
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    query.pop("after", None)
    query.pop("before", None)
    items: list[dict] = []
    for number in numbers:
        if number == paginator.ELLIPSIS:
            items.append({"ellipsis": True})
        else:
            query["page"] = str(number)
            items.append({"number": number, "href": marker("?" + query.urlencode()),
                          "current": number == page_obj.number})
    params: dict[str, Any] = {"items": items, "landmarkLabel": landmark_label}
    # Previous and next as the page says (by position past the first pages), else by number.
    if page_obj.has_previous():
        previous = (querystring(request, **page_obj.previous_query()) if hasattr(page_obj, "previous_query")
                    else querystring(request, page=page_obj.previous_page_number()))
        params["previous"] = {"href": marker(previous)}
    if page_obj.has_next():
        following = (querystring(request, **page_obj.next_query()) if hasattr(page_obj, "next_query")
                     else querystring(request, page=page_obj.next_page_number()))
        params["next"] = {"href": marker(following)}
    kept = govuk_kept(env, "pagination", params)
    addresses = [escape(href) for href in hrefs]
    return Markup(_HREF_MARKER.sub(lambda found: addresses[int(found.group(1))], kept))


# A private-use character, which no escaping changes, around each address's number in kept pagination markup.
_HREF = "\ue000"
_HREF_MARKER = re.compile(f"{_HREF}([0-9]+){_HREF}")


def govuk_error_summary(env: jinja2.Environment, form: forms.BaseForm, *others: Any, **extra: Any) -> Markup:
    """govukErrorSummary for one or more bound forms (or formsets): one entry per
    error, each field error linking to the id of its (first) input; non-field and
    hidden-field errors have no link. Renders nothing when there are no errors."""
    all_forms: list[forms.BaseForm] = []
    for item in (form, *others):
        if hasattr(item, "forms"):  # a formset
            all_forms.extend(item.forms)
            all_forms.append(_NonFormErrors(item))
        elif item is not None:
            all_forms.append(item)
    error_list: list[dict] = []
    for each in all_forms:
        if isinstance(each, _NonFormErrors):
            error_list.extend({"text": str(e)} for e in each.formset.non_form_errors())
            continue
        if not each.is_bound or not each.errors:
            continue
        error_list.extend({"text": str(e)} for e in each.non_field_errors())
        for bound_field in each:
            if not bound_field.errors:
                continue
            if bound_field.is_hidden:
                error_list.extend(
                    {"text": f"{bound_field.label}: {e}" if bound_field.label else str(e)}
                    for e in bound_field.errors
                )
                continue
            href = "#" + field_id(bound_field)
            error_list.extend({"text": str(e), "href": href} for e in bound_field.errors)
    if not error_list:
        return Markup("")
    params = _merge({"titleText": "There is a problem", "errorList": error_list}, extra)
    return Markup(govuk_macro(env, "error-summary")(params))


class _NonFormErrors:
    def __init__(self, formset):
        self.formset = formset


__all__ = [
    "environment",
    "field_id",
    "govuk_date",
    "govuk_date_and_time",
    "govuk_datetime",
    "govuk_error_summary",
    "govuk_field",
    "govuk_field_params",
    "govuk_kept",
    "govuk_time",
    "querystring",
]
