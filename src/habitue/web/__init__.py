"""The web interface of Habitué: server-rendered pages (Jinja2 + HTMX, ECharts), in French and
English. :mod:`habitue.web.app` installs it on the API's application."""
