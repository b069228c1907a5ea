"""The HTTP server: the app and its SPARQL endpoint (``server``), pages and data at resource IRIs
(``linkeddata``), content negotiation (``negotiation``) and limits per connection (``connections``).

May import every package but ``cli``.
"""
