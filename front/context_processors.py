"""What every page's layout needs beside the view's own context."""

from django.utils.functional import SimpleLazyObject

from front.selectors import current_strategy


def navigation(request):
    """`nav_strategy`: the strategy the menu links to when the view shows none. Read only if the
    menu uses it (a page with `strategy` in its context never does), so no template tag queries."""
    return {"nav_strategy": SimpleLazyObject(current_strategy)}
