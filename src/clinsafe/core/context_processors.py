"""Template context every page needs: the signed-in person's organisations, for the menu."""

from typing import Any

from django.http import HttpRequest

from clinsafe.core.permissions import visible_organisations


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: the query runs only on pages that show the menu.
    return {"nav_organisations": visible_organisations(request.user)}
