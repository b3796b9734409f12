from django.conf import settings
from django.utils import translation


class UserLanguageMiddleware:
    """Activate the user's chosen language, else the language cookie, else Chinese.

    The browser's Accept-Language is ignored on purpose: Telroom is Chinese first,
    and English is a choice a person makes.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in self.supported:
            language = user.language
        if language is None:
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            language = cookie if cookie in self.supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response
