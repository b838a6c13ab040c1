"""The search page. The query goes in a form posted to the page and is kept in the session, never in the URL:
web servers log URLs, and a search may hold a person's or a child's name. After a search the page redirects to
its results (?results), so the back button from a result returns to them without posting again."""

from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from . import selectors
from .forms import SearchForm

SESSION_KEY = "search_query"


@require_http_methods(["GET", "POST"])
def search(request):
    results = None
    if request.method == "POST":
        form = SearchForm(request.POST)
        if form.is_valid():
            request.session[SESSION_KEY] = form.cleaned_data["q"]
            return redirect(reverse("search:search") + "?results")
    else:
        query = request.session.get(SESSION_KEY, "") if "results" in request.GET else ""
        form = SearchForm(initial={"q": query})
        if query:
            results = selectors.search(user=request.user, query=query)
    return render(request, "search/search.html", {"form": form, "results": results, "limit": selectors.LIMIT})
