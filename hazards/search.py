"""The register's search: one stored text per row (Hazard.search_text) and the query over it.

On PostgreSQL the text is searched with Russian full-text search (stems, so "покрытия" finds
"покрытие"), each word also as a prefix ("противоскользящ" finds "противоскользящее покрытие"),
against the text's Russian and unstemmed vectors, stored beside it in a generated column with a GIN
index (migration hazards 0006): the list checks a stored vector per row of the enterprise, never
recomputes one, however many measures and comments the rows have. Elsewhere (SQLite in
development and tests) each word must occur in the text; both sides are casefolded in Python,
because SQLite's LIKE folds the case of ASCII letters only, not of Cyrillic ones."""

import re
from collections.abc import Iterable

from django.contrib.postgres.search import SearchQuery, SearchVector, SearchVectorField
from django.db import connection
from django.db.models import Expression

# The text search configurations of the index; the query must use the same ones to use it.
# Russian stems find other forms of a word ("покрытия" → "покрытие"); the unstemmed words
# beside them let a prefix longer than the stem match ("противоскользящ" → "противоскользящее",
# whose Russian stem is only "противоскользя").
CONFIGS = ("russian", "simple")


class StoredSearchVector(Expression):
    """The rows' stored vector (the generated column search_vector of migration hazards 0006, on
    PostgreSQL only, so it is no model field): of the query's own table, whatever its alias."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        table = compiler.quote_name_unless_alias(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name('search_vector')}", []


def search_vector():
    """The expression of the stored vector (migration hazards 0006): the text's vectors in every
    configuration of CONFIGS."""
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
        return queryset.alias(search_vector=StoredSearchVector()).filter(search_vector=combined)
    for word in query_words:
        queryset = queryset.filter(search_text__contains=word)
    return queryset
