"""HTML mail bodies as safe plain text (stdlib html.parser, no markup survives).

Scripts, styles and the head are dropped with their content; block elements and <br> become
line breaks; a link keeps its target after its text ("text (https://...)"); an image keeps
its alt text. With drop_quotes, quoted history that clients mark up is dropped too: Gmail's
`gmail_quote` container, `<blockquote type="cite">` (Apple Mail, Thunderbird) and Outlook's
`divRplyFwdMsg` header block with everything after it.
"""
from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP_CONTENT = {"script", "style", "head", "title", "template", "noscript", "object",
                "iframe", "svg"}
VOID = {"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed",
        "source", "track", "wbr", "param"}
BLOCK = {"p", "div", "tr", "li", "ul", "ol", "table", "h1", "h2", "h3", "h4", "h5", "h6",
         "blockquote", "pre", "section", "article", "header", "footer", "dl", "dt", "dd",
         "address", "center", "form", "fieldset", "body", "html"}
PARAGRAPH = {"p", "blockquote", "pre", "table", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6"}
SAFE_LINK = re.compile(r"^(https?:|mailto:)", re.I)


def _is_quote(tag: str, attrs: dict) -> bool:
    classes = (attrs.get("class") or "").split()
    if "gmail_quote" in classes or "gmail_quote_container" in classes:
        return True
    if tag == "blockquote" and (attrs.get("type") or "").lower() == "cite":
        return True
    return False


class _Text(HTMLParser):
    def __init__(self, drop_quotes: bool):
        super().__init__(convert_charrefs=True)
        self.drop_quotes = drop_quotes
        self.out: list[str] = []
        self.stack: list[str] = []
        self.skip_at: int | None = None      # stack depth where skipped content started
        self.links: list[tuple[int, str]] = []  # (stack depth, href) of open <a>
        self.link_text: list[str] = []
        self.stopped = False                 # Outlook's reply header: nothing after counts

    def _skipping(self) -> bool:
        return self.skip_at is not None or self.stopped

    def handle_starttag(self, tag, attrs_list):
        attrs = {k: (v or "") for k, v in attrs_list}
        if self.drop_quotes and not self._skipping() and (
                attrs.get("id") in ("divRplyFwdMsg", "appendonsend")):
            self.stopped = True
        if tag in VOID:
            if self._skipping():
                return
            if tag == "br":
                self.out.append("\n")
            elif tag == "hr":
                self._break(1)
            elif tag == "img" and attrs.get("alt"):
                self.out.append(attrs["alt"])
            return
        self.stack.append(tag)
        if self._skipping():
            return
        if tag in SKIP_CONTENT or (self.drop_quotes and _is_quote(tag, attrs)):
            self.skip_at = len(self.stack)
            return
        if tag in BLOCK:
            self._break(2 if tag in PARAGRAPH else 1)
        if tag == "td" or tag == "th":
            self.out.append(" ")
        if tag == "a":
            self.links.append((len(self.stack), attrs.get("href", "")))
            self.link_text = []

    def handle_startendtag(self, tag, attrs_list):
        if tag in VOID:
            self.handle_starttag(tag, attrs_list)

    def handle_endtag(self, tag):
        if tag in VOID or tag not in self.stack:
            return
        while self.stack:
            depth = len(self.stack)
            open_tag = self.stack.pop()
            if self.skip_at is not None and depth <= self.skip_at:
                self.skip_at = None
            elif not self._skipping():
                self._close(open_tag, depth)
            if open_tag == tag:
                break

    def _close(self, tag: str, depth: int):
        if tag == "a" and self.links and self.links[-1][0] == depth:
            _, href = self.links.pop()
            text = "".join(self.link_text).strip()
            if href and SAFE_LINK.match(href) and href != text and \
                    href.removeprefix("mailto:") != text:
                self.out.append(f" ({href})")
        if tag in BLOCK:
            self._break(2 if tag in PARAGRAPH else 1)

    def _break(self, count: int):
        """End the current line (and leave `count - 1` blank lines) unless the text already
        ends so: nested blocks make one break, not one per element."""
        tail = "".join(self.out[-8:]).rstrip(" \t")
        have = len(tail) - len(tail.rstrip("\n"))
        if not tail and not any(self.out):
            return
        self.out.append("\n" * max(0, count - have))

    def handle_data(self, data):
        if self._skipping():
            return
        text = data if "pre" in self.stack else re.sub(r"\s+", " ", data)
        self.out.append(text)
        if self.links:
            self.link_text.append(text)


def html_to_text(html: str, drop_quotes: bool = False) -> str:
    parser = _Text(drop_quotes)
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.out).replace("\xa0", " ").split("\n")]
    text = "\n".join(lines)
    text = re.sub(r"\n{3,}", "\n\n", text)
    return text.strip()
