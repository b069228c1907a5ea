"""The languages pages are written in, and those tried when the data lacks the reader's."""

#: The languages of the pages: every page is written in each.
PAGE_LANGUAGES = ("de", "en", "ja")
#: Languages tried, in order, after the reader's own.
FALLBACK = ("en", "de")
