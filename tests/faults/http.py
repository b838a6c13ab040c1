"""A small HTTP client for the fault test: a person's browser without JavaScript (cookies, forms, redirects
followed by hand so that every status is seen)."""

from __future__ import annotations

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Page:
    status: int
    url: str
    body: bytes
    headers: dict

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class _Forms(HTMLParser):
    """Every form on a page: its action and the values a browser would send as they stand."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self._select = None
        self._option = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({"action": a.get("action") or "", "fields": [], "choices": {}})
            return
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            name = a.get("name")
            if not name or kind in ("submit", "button", "file"):
                return
            if kind in ("radio", "checkbox"):
                form["choices"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form["fields"].append((name, a.get("value", "on")))
            else:
                form["fields"].append((name, a.get("value", "")))
        elif tag == "select":
            self._select = [a.get("name"), None, None]  # name, first option, selected option
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea = [a.get("name"), ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, first, selected = self._select
            if name:
                self.forms[-1]["fields"].append((name, selected if selected is not None else (first or "")))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1]["fields"].append((self._textarea[0], self._textarea[1].lstrip("\n")))
            self._textarea = None


def forms_of(html: str) -> list[dict]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


@dataclass
class Browser:
    base: str
    name: str
    pages: list = field(default_factory=list)  # (method, path, status) of every response

    def __post_init__(self):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect)

    def _open(self, method: str, path: str, data: list | None = None) -> Page:
        url = urllib.parse.urljoin(self.base, path)
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        request = urllib.request.Request(url, data=body, method=method)
        if method == "POST":
            request.add_header("Content-Type", "application/x-www-form-urlencoded")
            request.add_header("Referer", url)
        try:
            with self.opener.open(request, timeout=60) as response:
                page = Page(response.status, url, response.read(), dict(response.headers))
        except urllib.error.HTTPError as error:
            page = Page(error.code, url, error.read(), dict(error.headers))
        self.pages.append((method, urllib.parse.urlparse(url).path, page.status))
        return page

    def get(self, path: str) -> Page:
        """Follow redirects as a browser does."""
        page = self._open("GET", path)
        for _ in range(10):
            if page.status not in (301, 302, 303):
                return page
            page = self._open("GET", page.headers["Location"])
        return page

    def post(self, path: str, data: list) -> Page:
        page = self._open("POST", path, data)
        if page.status in (301, 302, 303):
            return self.get(page.headers["Location"])
        return page

    def form(self, page: Page, *, action_contains: str = "", values: dict | None = None, drop=()) -> list:
        """The data a browser would send from the page's form (the first whose action matches), with `values`
        put in place of what is there (a list value for several ticked boxes)."""
        forms = [f for f in forms_of(page.text) if action_contains in f["action"]]
        # The sign-out form in the header comes first on every page of a signed-in person.
        forms = [f for f in forms if "logout" not in f["action"]] or forms
        assert forms, f"no form at {page.url}:\n{page.text[:2000]}"
        chosen = forms[0]
        values = values or {}
        data = [(k, v) for k, v in chosen["fields"] if k not in values and k not in drop]
        for key, value in values.items():
            for item in value if isinstance(value, list) else [value]:
                data.append((key, item))
        return data

    def submit(self, path: str, values: dict | None = None, *, drop=()) -> tuple[Page, list]:
        """Open a form page, fill it in and send it: the page after, and the data sent."""
        page = self.get(path)
        assert page.status == 200, f"{self.name}: GET {path} answered {page.status}"
        data = self.form(page, action_contains="", values=values, drop=drop)
        return self.post(path, data), data

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)
