"""The product's URLs and error handlers, plus views that fail, for the error-page tests
(`@pytest.mark.urls("tests.error_urls")`): a page that raises, and one that answers a bad request."""

from django.core.exceptions import BadRequest
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns as product_urlpatterns  # noqa: F401


def broken(request):
    raise RuntimeError("a bug in a view")


def bad(request):
    raise BadRequest("a request that makes no sense")


urlpatterns = [path("test-errors/broken/", broken), path("test-errors/bad/", bad), *product_urlpatterns]
