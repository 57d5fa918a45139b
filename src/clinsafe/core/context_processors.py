"""Template context every page needs: the signed-in person's organisations for the menu, and
how many notifications they have not read."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clinsafe.core.notifications import unread_count
from clinsafe.core.permissions import visible_organisations


def navigation(request: HttpRequest) -> dict[str, Any]:
    # Lazy: the queries run only on pages that show the menu.
    user = request.user
    return {
        "nav_organisations": visible_organisations(user),
        "unread_notifications": SimpleLazyObject(
            lambda: unread_count(user) if user.is_authenticated else 0  # type: ignore[arg-type]
        ),
    }
