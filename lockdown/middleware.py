from django.conf import settings
from django.utils import translation
from django.utils.cache import add_never_cache_headers


class ChineseFirstLocaleMiddleware:
    """Chinese unless the person chose English with the language switch (a cookie).

    Django's LocaleMiddleware would follow the browser's Accept-Language; committee laptops often
    run English systems, and the interface must still open in Chinese.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response


# The site's own pages load scripts, styles and images from this origin only, and no inline code
# (templates/ has none; app.js sets no inline styles). The admin, the browsable API and the API's
# docs page are other projects' templates with inline <style> blocks and style attributes: there,
# inline styles (not scripts) are allowed too.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
INLINE_STYLE_POLICY = CONTENT_SECURITY_POLICY.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
INLINE_STYLE_PATHS = ("/admin/", "/api/")


class PrivacyHeadersMiddleware:
    """A Content-Security-Policy on every answer, and for a logged-in account `Cache-Control:
    no-store`: its pages, API answers and exports hold names, numbers and illnesses, which a shared
    laptop's browser must not keep. Static files are served before this (WhiteNoise) and cached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        policy = INLINE_STYLE_POLICY if request.path.startswith(INLINE_STYLE_PATHS) else CONTENT_SECURITY_POLICY
        response.headers.setdefault("Content-Security-Policy", policy)
        if request.user.is_authenticated:
            add_never_cache_headers(response)
        return response
