"""The pages' Jinja2 engine in the catalogue's languages: each render gets its language's `_`, and a French
page is set in French typography as a whole (contacts.typography), once, after rendering."""

from __future__ import annotations

from typing import Any

from jinja2 import Template as JinjaTemplate
from litestar.plugins.jinja import JinjaTemplateEngine

from contacts.templating import install, localised
from contacts.typography import french_html


class LocalisedTemplate:
    def __init__(self, template: JinjaTemplate) -> None:
        self.template = template

    def render(self, *args: Any, **context: Any) -> str:
        full = localised(dict(*args, **context))
        page = self.template.render(full)
        return french_html(page) if full["lang"] == "fr" else page


class LocalisedJinjaEngine(JinjaTemplateEngine):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        install(self.engine)

    def get_template(self, template_name: str) -> LocalisedTemplate:  # type: ignore[override]
        return LocalisedTemplate(super().get_template(template_name))
