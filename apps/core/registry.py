"""What each app contributes to the shared shell: navigation entries and home-page cards.

Apps register in their ``ui.py`` (discovered at start-up), so ``core`` never imports a
domain app and each role sees only what its permissions allow.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    section: str
    permissions: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    order: int = 100

    def visible_to(self, user) -> bool:
        if not user.is_authenticated:
            return False
        if self.permissions and not any(user.has_perm(p) for p in self.permissions):
            return False
        return not self.roles or user.has_role(*self.roles)

    @property
    def url(self) -> str:
        return reverse(self.url_name)


@dataclass
class Card:
    """A home-page card: a title, a template and its context."""

    title: str
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100
    url: str = ""


_nav: list[NavItem] = []
_cards: list[Callable[[HttpRequest], Card | None]] = []
_sections: dict[str, tuple[str, int]] = {}


def register_section(key: str, label: str, order: int = 100) -> None:
    _sections[key] = (label, order)


def register_nav(*items: NavItem) -> None:
    _nav.extend(items)


def register_card(builder: Callable[[HttpRequest], Card | None]) -> Callable:
    """Register a function that returns the card for this request, or None."""
    _cards.append(builder)
    return builder


def navigation_for(user) -> list[dict]:
    """Return the sections and items this user may see, in order."""
    sections: dict[str, list[NavItem]] = {}
    for item in sorted(_nav, key=lambda i: i.order):
        if item.visible_to(user):
            sections.setdefault(item.section, []).append(item)
    result = []
    for key, items in sections.items():
        label, order = _sections.get(key, (key, 100))
        result.append({"key": key, "label": label, "order": order, "items": items})
    return sorted(result, key=lambda s: s["order"])


def cards_for(request: HttpRequest) -> list[Card]:
    cards = [card for builder in _cards if (card := builder(request)) is not None]
    return sorted(cards, key=lambda c: c.order)
