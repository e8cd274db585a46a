"""Middleware of the whole application."""


def private_pages(get_response):
    """Every response to a signed-in user — register pages, exports, PDFs, evidence — is kept out
    of shared caches and off the disk of the browser (Cache-Control: private, no-store), unless the
    view chose its own caching. One rule for all, rather than a decorator per view: nearly every
    page behind the login shows an enterprise's register or someone's personal data, and a view
    added later must not leak by forgetting a decorator. Static files never get here (WhiteNoise
    answers them first) and stay cacheable."""

    def middleware(request):
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            response["Cache-Control"] = "private, no-store"
        return response

    return middleware
