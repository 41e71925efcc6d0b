"""The errors newsprism raises, grouped by what the caller should do about them.

    NewsprismError
    ├── ItemError              skip this one item (file, URL, feed entry, JSON line) and go on
    │   ├── UnreadableInput    bytes that are not text: binary, undecodable, empty
    │   ├── TooLarge           over a configured size cap (the message names the cap)
    │   ├── NoArticleText      a page or text with nothing that looks like an article
    │   ├── NotAFeed           a feed source that does not parse as RSS/Atom
    │   ├── InvalidRecord      a JSON line that is not valid JSON or breaks the schema
    │   └── FetchError         an HTTP fetch that failed for good (404, refused by robots.txt)
    │       └── TransientFetchError   timeouts, 429, 5xx: worth retrying with back-off
    ├── RequestError           a request for stored data that cannot be answered as asked
    │   ├── InvalidQuery       a filter, page or search query out of range
    │   ├── NotFound           no story, thread or outlet with that id
    │   ├── WritesDisabled     a write to a server started read-only
    │   └── BadToken           a write without the right token
    └── FatalError             stop the run: the store or configuration is unusable
        ├── ConfigError        a setting with a bad value
        ├── SourceNotFound     a path given on the command line does not exist
        ├── StoreError         the database is corrupt, newer than this code, or locked
        └── InvalidRatings     a rating file with bad rows or an unknown scale: none imported

Messages name the bad value and what would be valid. The CLI prints them on one line and exits
with status 1 for user errors; the web layer maps them to HTTP statuses in one place.
"""

from __future__ import annotations


class NewsprismError(Exception):
    """Base class of every error newsprism raises on purpose."""


class ItemError(NewsprismError):
    """One input item cannot be used; the run skips it and goes on."""


class UnreadableInput(ItemError):
    """The bytes are not text we can decode (binary, empty, unknown encoding)."""


class TooLarge(ItemError):
    """The item is larger than a configured cap."""


class NoArticleText(ItemError):
    """Nothing that looks like article text was found."""


class NotAFeed(ItemError):
    """The source does not parse as an RSS or Atom feed."""


class InvalidRecord(ItemError):
    """A JSON Lines record is malformed or lacks a required field."""


class FetchError(ItemError):
    """An HTTP fetch failed and retrying will not help."""


class TransientFetchError(FetchError):
    """An HTTP fetch failed in a way that may succeed later (timeout, 429, 5xx)."""

    def __init__(self, message: str, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RequestError(NewsprismError):
    """A request for stored data cannot be answered as asked (the web answers 4xx)."""


class InvalidQuery(RequestError):
    """A filter, page number or search query is out of range."""


class NotFound(RequestError):
    """No story, thread or outlet has the id asked for."""


class WritesDisabled(RequestError):
    """A write was asked of a read-only server."""


class BadToken(RequestError):
    """A write came without the token the server was started with, or with a wrong one."""


class FatalError(NewsprismError):
    """The run cannot go on."""


class ConfigError(FatalError):
    """A configuration value is invalid."""


class SourceNotFound(FatalError):
    """A source named by the user does not exist."""


class StoreError(FatalError):
    """The article store cannot be used."""


class InvalidRatings(FatalError):
    """A rating file (or scale) with bad rows: nothing from it was imported.

    ``problems`` holds one line per bad row, each starting with its line number.
    """

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        shown = "; ".join(problems[:3]) + ("; ..." if len(problems) > 3 else "")
        super().__init__(f"{source}: nothing imported: {shown}")
