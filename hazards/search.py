"""The register's search: one stored text per row (Hazard.search_text) and the query over it.

On PostgreSQL the text is searched with Russian full-text search (stems, so "покрытия" finds
"покрытие"), each word also as a prefix ("противоскользящ" finds "противоскользящее покрытие"),
through a GIN index on the text's Russian and unstemmed vectors (migration hazards 0004): the list
stays one indexed lookup however many measures and comments the rows have. Elsewhere (SQLite in
development and tests) each word must occur in the text; both sides are casefolded in Python,
because SQLite's LIKE folds the case of ASCII letters only, not of Cyrillic ones."""

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection

# The text search configurations of the index; the query must use the same ones to use it.
# Russian stems find other forms of a word ("покрытия" → "покрытие"); the unstemmed words
# beside them let a prefix longer than the stem match ("противоскользящ" → "противоскользящее",
# whose Russian stem is only "противоскользя").
CONFIGS = ("russian", "simple")


def search_vector():
    """The expression the GIN index is built on (migration hazards 0004) and the query uses."""
    first, *others = (SearchVector("search_text", config=config) for config in CONFIGS)
    for vector in others:
        first = first + vector
    return first


# Words of the query: letters, digits and the dots and hyphens inside codes ("13.2", "3-С1").
# Anything else (quotes, & | ! : * parentheses) is never passed to the tsquery parser.
_WORD = re.compile(r"\w[\w.\-]*", re.UNICODE)
MAX_WORDS = 10


def normalise(text: str) -> str:
    """Casefolded, with ё as е (Russian texts write both) and runs of spaces as one."""
    return " ".join(text.casefold().replace("ё", "е").split())


def document(parts: Iterable[str | None]) -> str:
    """The stored search text of a row from its searchable texts."""
    return normalise(" ".join(part for part in parts if part))


def words(query: str) -> list[str]:
    found = [word.strip(".-") for word in _WORD.findall(normalise(query))]
    return [word for word in found if word][:MAX_WORDS]


def _word_query(word: str):
    # Quoted, so that the tsquery parser reads the word as one term; then a prefix (:*).
    term = f"'{word}':*"
    first, *others = (SearchQuery(term, search_type="raw", config=config) for config in CONFIGS)
    for query in others:
        first = first | query
    return first


def search(queryset, query: str):
    """The rows of ``queryset`` whose search text holds every word of ``query``."""
    query_words = words(query)
    if not query_words:
        return queryset
    if connection.vendor == "postgresql":
        combined = _word_query(query_words[0])
        for word in query_words[1:]:
            combined = combined & _word_query(word)
        return queryset.alias(search_vector=search_vector()).filter(search_vector=combined)
    for word in query_words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
