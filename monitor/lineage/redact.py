"""Keep secrets out of lineage: URL passwords and known secret values become ***."""

from __future__ import annotations

import re
from collections.abc import Iterable

# scheme://user:password@host — the user part may be empty; stops at quotes and spaces
# so JSON text with a host:port next to an unrelated "@" is left alone.
_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@\"]*:)[^@\s/\"]+@")


def scrub(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with URL passwords and the given secret values replaced by ***."""
    text = _URL_PASSWORD.sub(lambda m: m.group("head") + "***@", text)
    for secret in secrets:
        if secret:
            text = text.replace(secret, "***")
    return text
