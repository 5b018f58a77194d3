from django.conf import settings
from django.utils import translation


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
