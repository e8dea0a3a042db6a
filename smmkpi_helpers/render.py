"""Render executed notebooks and the evaluation index as self-contained, safe HTML.

Everything a manager shares goes through here, with three guarantees (``docs/evaluate.md``):

* **Offline.** Pages load nothing from the network: nbconvert's ``lab`` template is used without
  its MathJax, require.js, mermaid and widget-manager scripts (all from CDNs), figures are
  embedded as ``data:`` URIs, and each page carries a Content-Security-Policy (:data:`CSP`) that
  forbids scripts and any network load, so even a mistake elsewhere cannot call out.
* **No live markup from the data.** Every HTML or Markdown *output* of a notebook is sanitised
  (:func:`sanitize_html`: an allow-list of tags and attributes; ``<script>``, ``<style>``, event
  handlers and non-``data:`` images are removed), JavaScript and widget outputs are dropped, and
  the index page escapes every text it shows. Markdown *cells* are the notebooks' own prose and
  are rendered as written.
* **No personal data.** E-mail addresses and phone numbers in outputs (text, tables, streams,
  error messages) are replaced by ``[email]`` and ``[phone]`` (:func:`mask_outputs`, the same
  rule as :func:`smmkpi_helpers.privacy.mask_personal`), in the executed ``.ipynb`` as well as in
  the HTML.

The cells a reader does not need are left out of the HTML: the widget cell (tag
``interactive``), the cell papermill injects (tag ``injected-parameters``) and, when code is
hidden, the ``parameters`` cell. Code inputs are hidden unless ``show_code`` is set.
"""

from __future__ import annotations

import base64
import copy
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

from .privacy import mask_personal, safe_text

__all__ = [
    "CSP",
    "HIDDEN_TAGS",
    "NotebookRenderer",
    "index_html",
    "mask_html_text",
    "mask_outputs",
    "notebook_html",
    "prepare_for_html",
    "sanitize_html",
]

#: Content-Security-Policy of every page: no scripts, no network; inline styles and data: images.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
#: Cells left out of every HTML rendering (the widget picker and papermill's injected values).
HIDDEN_TAGS = ("interactive", "injected-parameters")
#: The tag of papermill's error-marker cells (replaced by one plain banner in HTML).
ERROR_MARKER_TAG = "papermill-error-cell-tag"
#: The record outputs of :mod:`smmkpi_helpers.record` (machine-readable, never shown).
RECORD_MIME = "application/vnd.smmkpi.record+json"
#: Output MIME types kept in HTML; anything else (JavaScript, widgets, mermaid...) is dropped.
_SHOWN_MIMES = (
    "text/html",
    "text/markdown",
    "text/plain",
    "text/latex",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/svg+xml",
)

_ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd"),
        *("del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "hr", "i", "img"),
        *("h1", "h2", "h3", "h4", "h5", "h6", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q"),
        *("s", "samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody"),
        *("td", "tfoot", "th", "thead", "tr", "u", "ul", "var"),
    }
)
_GLOBAL_ATTRIBUTES = frozenset({"class", "id", "title", "style", "align", "lang", "dir"})
_TAG_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign"},
    "th": {"colspan", "rowspan", "valign", "scope"},
    "table": {"border", "cellpadding", "cellspacing"},
    "col": {"span"},
    "colgroup": {"span"},
    "ol": {"start", "type"},
    "details": {"open"},
}
_CSS_PROPERTIES = (
    "background-color",
    "border",
    "border-bottom",
    "border-collapse",
    "border-color",
    "border-left",
    "border-right",
    "border-style",
    "border-top",
    "border-width",
    "color",
    "display",
    "font-family",
    "font-size",
    "font-style",
    "font-weight",
    "height",
    "margin",
    "margin-bottom",
    "margin-left",
    "margin-right",
    "margin-top",
    "max-width",
    "min-width",
    "padding",
    "padding-bottom",
    "padding-left",
    "padding-right",
    "padding-top",
    "text-align",
    "text-decoration",
    "vertical-align",
    "white-space",
    "width",
)
_DATA_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|svg\+xml);base64,[A-Za-z0-9+/=\s]*$")
# whole elements whose content must not survive as text either
_DROP_BLOCKS = re.compile(
    r"<(script|style|template|noscript|iframe|object|embed)\b[^>]*>.*?</\1\s*>",
    re.IGNORECASE | re.DOTALL,
)
_TAG = re.compile(r"(<[^>]*>)")

# The lab template, minus every script it would fetch from a CDN, plus the CSP.
_TEMPLATE_NAME = "smmkpi.html.j2"
_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js -%}\n"
    f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
    '<meta name="referrer" content="no-referrer">\n'
    "{%- endblock html_head_js -%}\n"
    "{% block jupyter_widgets %}{% endblock jupyter_widgets %}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
)


def _allowed_attribute(tag: str, name: str, value: str) -> bool:
    if tag == "a" and name == "href":
        lowered = value.strip().lower()
        return lowered.startswith(("#", "http://", "https://"))
    if tag == "img" and name == "src":
        return bool(_DATA_IMAGE.match(value.strip()))
    return name in _GLOBAL_ATTRIBUTES or name in _TAG_ATTRIBUTES.get(tag, ())


@lru_cache(maxsize=1)
def _cleaner():
    import bleach
    from bleach.css_sanitizer import CSSSanitizer

    return bleach.sanitizer.Cleaner(
        tags=_ALLOWED_TAGS,
        attributes=_allowed_attribute,
        protocols=frozenset({"http", "https", "data"}),
        strip=True,
        strip_comments=True,
        css_sanitizer=CSSSanitizer(allowed_css_properties=_CSS_PROPERTIES),
    )


def sanitize_html(markup: str) -> str:
    """Return ``markup`` with only harmless tags and attributes left.

    Scripts, style sheets, frames and embedded objects are removed with their content; other
    tags outside the allow-list are removed and their text kept; event handlers (``onerror``...),
    ``javascript:`` links and images that are not ``data:`` URIs are removed. Escaped text
    (``&lt;script&gt;``) stays text.

    Parameters
    ----------
    markup : str
        An HTML fragment (an output of a notebook).

    Returns
    -------
    str
        The cleaned fragment.

    Examples
    --------
    >>> sanitize_html('<p onclick="x()">hi<script>alert(1)</script></p><img src=x onerror=y>')
    '<p>hi</p><img>'
    """
    return _cleaner().clean(_DROP_BLOCKS.sub("", markup))


def mask_html_text(markup: str) -> str:
    """Return ``markup`` with e-mail addresses and phone numbers masked in its text only.

    Tags and their attributes (where ``data:`` images live) are left untouched; the text between
    them goes through :func:`smmkpi_helpers.privacy.mask_personal`.

    Examples
    --------
    >>> mask_html_text('<td title="x">call +7 (912) 345-67-89</td><td>ivan@example.ru</td>')
    '<td title="x">call [phone]</td><td>[email]</td>'
    """
    parts = _TAG.split(markup)
    return "".join(p if i % 2 else mask_personal(p) for i, p in enumerate(parts))


def _text(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def mask_outputs(nb) -> None:
    """Mask personal data in every output of ``nb``, in place (records are left as they are).

    Masks ``text/plain``, ``text/markdown`` and the text of ``text/html`` outputs, streams, and
    the message and traceback of errors.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook.
    """
    for cell in nb.get("cells", ()):
        for output in cell.get("outputs", ()) or ():
            kind = output.get("output_type")
            if kind == "stream":
                output["text"] = mask_personal(_text(output.get("text", "")))
            elif kind == "error":
                output["evalue"] = mask_personal(str(output.get("evalue", "")))
                output["traceback"] = [mask_personal(t) for t in output.get("traceback", [])]
            elif kind in ("display_data", "execute_result"):
                data = output.get("data", {})
                for mime in ("text/plain", "text/markdown", "text/latex"):
                    if mime in data:
                        data[mime] = mask_personal(_text(data[mime]))
                if "text/html" in data:
                    data["text/html"] = mask_html_text(_text(data["text/html"]))


def _markdown_html(text: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(text)


def _svg_img(svg: str) -> str:
    encoded = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return f'<img src="data:image/svg+xml;base64,{encoded}" alt="figure">'


def _clean_output(output, *, show_code: bool):
    """Return the output ready for HTML, or None to drop it."""
    kind = output.get("output_type")
    if kind == "stream":
        if output.get("name") == "stderr" and not show_code:
            return None  # warnings and logs belong in the .ipynb, not in a manager's page
        return output
    if kind == "error":
        return output
    if kind not in ("display_data", "execute_result"):
        return None
    data = {k: v for k, v in output.get("data", {}).items() if k in _SHOWN_MIMES}
    if "text/markdown" in data and "text/html" not in data:
        data["text/html"] = _markdown_html(_text(data["text/markdown"]))
    data.pop("text/markdown", None)
    if "image/svg+xml" in data:
        svg = data.pop("image/svg+xml")
        if "text/html" not in data:
            data["text/html"] = _svg_img(_text(svg))
    if "text/html" in data:
        data["text/html"] = sanitize_html(mask_html_text(_text(data["text/html"])))
    if not data:
        return None
    output = copy.copy(output)
    output["data"] = data
    output["metadata"] = {}
    return output


def _failure_banner(nb):
    """Return a Markdown cell that says, in plain words, that the notebook stopped on an error."""
    import nbformat

    error = None
    for cell in nb.cells:  # the failed cell's last error (a timeout follows KeyboardInterrupt)
        errors = [o for o in cell.get("outputs", []) or [] if o.get("output_type") == "error"]
        if errors:
            error = errors[-1]
            break
    what = ""
    if error is not None:
        what = f" ({safe_text(error.get('ename', ''))}: {safe_text(error.get('evalue', ''))})"
    return nbformat.v4.new_markdown_cell(
        f"**This report is incomplete: a step failed{what}.** The error is shown where it "
        "happened; the steps after it did not run. Send the executed notebook (`.ipynb`) to "
        "whoever maintains the notebooks."
    )


def prepare_for_html(nb, *, show_code: bool = False, hidden_tags: Iterable[str] = HIDDEN_TAGS):
    """Return a copy of ``nb`` with only what a reader should see.

    Drops the cells tagged ``interactive`` and ``injected-parameters`` (and ``parameters`` when
    code is hidden), record and widget outputs, JavaScript, and ``stderr`` streams when code is
    hidden; sanitises and masks every HTML and Markdown output; turns SVG into ``data:`` images;
    removes widget state; replaces papermill's two error markers by one plain banner ("This
    report is incomplete: a step failed (...)") at the top.

    Parameters
    ----------
    nb : NotebookNode
        An executed notebook (left unchanged).
    show_code : bool, default False
        Keep code inputs and the ``parameters`` cell.
    hidden_tags : iterable of str
        Tags of cells to leave out.

    Returns
    -------
    NotebookNode
    """
    hidden = set(hidden_tags) | (set() if show_code else {"parameters"})
    out = copy.deepcopy(nb)
    out.metadata.pop("widgets", None)
    cells = []
    banner_done = False
    for cell in out.cells:
        tags = set(cell.get("metadata", {}).get("tags", []))
        if ERROR_MARKER_TAG in tags:  # papermill's markers: one plain banner instead
            if not banner_done:
                cells.append(_failure_banner(nb))
                banner_done = True
            continue
        if hidden & tags:
            continue
        if cell.get("cell_type") == "code":
            outputs = [_clean_output(o, show_code=show_code) for o in cell.get("outputs", [])]
            cell["outputs"] = [o for o in outputs if o is not None]
            if not show_code and not cell["outputs"]:
                continue  # nothing to show: not even an empty box
        cells.append(cell)
    out.cells = cells
    mask_outputs(out)
    return out


class NotebookRenderer:
    """Turn executed notebooks into self-contained HTML pages (one exporter, reused).

    Parameters
    ----------
    show_code : bool, default False
        Show code inputs and prompts (``--show-code``).

    Examples
    --------
    >>> renderer = NotebookRenderer()                                  # doctest: +SKIP
    >>> page = renderer.render(nbformat.read("out/anna/03-engagement.ipynb", 4))  # doctest: +SKIP
    """

    def __init__(self, *, show_code: bool = False) -> None:
        self.show_code = show_code
        self._exporter = None

    def _get_exporter(self):
        if self._exporter is None:
            from jinja2 import DictLoader
            from nbconvert import HTMLExporter

            hide = not self.show_code
            self._exporter = HTMLExporter(
                template_name="lab",
                template_file=_TEMPLATE_NAME,
                extra_loaders=[DictLoader({_TEMPLATE_NAME: _TEMPLATE})],
                exclude_input=hide,
                exclude_input_prompt=hide,
                exclude_output_prompt=hide,
                exclude_anchor_links=True,
                embed_images=True,
                theme="light",
                mathjax_url="",
                require_js_url="",
                mermaid_js_url="",
                mermaid_layout_elk_js_url="",
                jquery_url="",
                jupyter_widgets_base_url="",
                widget_renderer_url="",
                html_manager_semver_range="",
            )
        return self._exporter

    def render(self, nb, *, title: str | None = None) -> str:
        """Return the HTML page of an executed notebook.

        Parameters
        ----------
        nb : NotebookNode
            The executed notebook (left unchanged).
        title : str, optional
            The page title (escaped); default: the notebook's file name.

        Returns
        -------
        str
            A complete HTML document.
        """
        shown = prepare_for_html(nb, show_code=self.show_code)
        if title is not None:
            shown.metadata["title"] = title
        body, _ = self._get_exporter().from_notebook_node(shown)
        return body


def notebook_html(nb, *, show_code: bool = False, title: str | None = None) -> str:
    """Return the HTML page of an executed notebook (see :class:`NotebookRenderer`)."""
    return NotebookRenderer(show_code=show_code).render(nb, title=title)


# ------------------------------------------------------------------------------------------
# The index page
# ------------------------------------------------------------------------------------------

_INDEX_CSS = """
body { font-family: -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 2em auto; max-width: 78em; color: #222; line-height: 1.45; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.2em; margin-top: 1.8em; }
.meta { color: #555; font-size: 0.92em; }
table { border-collapse: collapse; margin: 0.8em 0; font-size: 0.92em; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.55em; vertical-align: top; }
th { background: #f3f3f3; text-align: left; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.failed td { background: #fff1f0; }
.bad { color: #b00020; font-weight: bold; }
.ok { color: #1b5e20; }
.links a { margin-right: 0.6em; white-space: nowrap; }
code { background: #f6f6f6; padding: 0 0.2em; }
"""


def _num(value, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "&ndash;"
    try:
        return f"{float(value):.{digits}f}"
    except (TypeError, ValueError):
        return html.escape(str(value))


def _link(href: str, label: str) -> str:
    return f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>'


def index_html(
    *,
    title: str,
    period: Mapping,
    rows: Sequence[Mapping],
    families: Sequence[str],
    data: Mapping,
    parameters: Mapping,
    team_link: str | None = None,
    problems: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    """Return the index page of an evaluation: the team table and links to every report.

    Every value is escaped (text from the data also masked), so the page shows names and
    labels as text whatever they hold.

    Parameters
    ----------
    title : str
        The page heading.
    period : mapping
        ``{"label", "start", "end"}``.
    rows : sequence of mapping
        One per specialist: ``specialist``, ``name`` (or None to hide it), ``status``,
        ``overall_score``, ``family_scores`` (``{family: {"score"}}``), ``integrity_score``,
        ``flags`` (``{"warning": n, "critical": n}``), ``profile`` (text), ``links``
        (``[(label, relative href)]``), ``failed`` (notebook names).
    families : sequence of str
        The KPI families, in column order.
    data : mapping
        ``{"name", "fingerprint"}`` of the dataset.
    parameters : mapping
        Generation parameters shown under the title (``business_goal``, ``audience``...).
    team_link : str, optional
        Relative link to the team report.
    problems : sequence of str
        Failures to show above the table (plain text).
    notes : sequence of str
        Other plain-text notes.

    Returns
    -------
    str
        A complete HTML document with inline CSS and no script.
    """
    esc = html.escape
    out = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="referrer" content="no-referrer">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>{_INDEX_CSS}</style>",
        "</head>",
        "<body>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">Period <strong>{esc(str(period.get("label", "")))}</strong> '
        f"({esc(str(period.get('start', '')))} to {esc(str(period.get('end', '')))}); "
        f"data <code>{esc(str(data.get('name', '')))}</code>, fingerprint "
        f"<code>{esc(str(data.get('fingerprint', ''))[:16])}</code>.</p>",
    ]
    shown = [f"{esc(str(k))}: <code>{esc(str(v))}</code>" for k, v in parameters.items()]
    if shown:
        out.append(f'<p class="meta">Parameters: {"; ".join(shown)}.</p>')
    if team_link:
        out.append(f"<p>{_link(team_link, 'Team report: everyone side by side')}</p>")
    if problems:
        out.append("<h2>Problems</h2><ul>")
        out += [f'<li class="bad">{safe_text(p)}</li>' for p in problems]
        out.append("</ul>")
    out.append("<h2>Scores</h2>")
    out.append(
        '<p class="meta">Scores are 0-100: attainment of each KPI of the account\'s '
        "business-goal profile, capped at 100 per KPI and weighted; &ndash; means not judged. "
        "Integrity is 100 when no check found gamed numbers; flags count warnings and critical "
        "findings.</p>"
    )
    head = ["Specialist", "Overall"] + [f.capitalize() for f in families]
    head += ["Integrity", "Flags", "Profile", "Status", "Reports"]
    out.append("<table><thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in head) + "</tr>")
    out.append("</thead><tbody>")
    for row in rows:
        failed = row.get("status") != "ok"
        who = esc(str(row["specialist"]))
        if row.get("name"):
            who += f"<br><small>{safe_text(row['name'])}</small>"
        fam = row.get("family_scores") or {}
        cells = [who, _num(row.get("overall_score"))]
        cells += [_num((fam.get(f) or {}).get("score")) for f in families]
        flags = row.get("flags") or {}
        flag_text = (
            f"{int(flags.get('critical', 0))} critical, {int(flags.get('warning', 0))} warning"
            if flags
            else "&ndash;"
        )
        status = esc(str(row.get("status", "")))
        if row.get("failed"):
            status += "<br><small>failed: " + esc(", ".join(row["failed"])) + "</small>"
        links = " ".join(_link(href, label) for label, href in row.get("links", ()))
        cells += [
            _num(row.get("integrity_score")),
            flag_text,
            safe_text(row.get("profile") or ""),
            f'<span class="{"bad" if failed else "ok"}">{status}</span>',
            f'<span class="links">{links}</span>',
        ]
        classes = ["", "num"] + ["num"] * len(families) + ["num", "", "", "", ""]
        tds = "".join(
            f'<td class="{c}">{v}</td>' if c else f"<td>{v}</td>"
            for c, v in zip(classes, cells, strict=True)
        )
        out.append(f'<tr class="{"failed" if failed else ""}">{tds}</tr>')
    out.append("</tbody></table>")
    if notes:
        out.append("<h2>Notes</h2><ul>")
        out += [f"<li>{safe_text(n)}</li>" for n in notes]
        out.append("</ul>")
    out.append(
        '<p class="meta">Every page opens offline. Executed notebooks (<code>.ipynb</code>) '
        "hold the code and every number; <code>results.json</code> holds the scores "
        "machine-readably; <code>manifest.json</code> the status and timing of each job.</p>"
    )
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
