"""Writes NHS.UK frontend's stylesheet without its @font-face rules:

    .venv/bin/python -m cms.deploy.nhsuk_without_fonts

The package's stylesheet takes the Frutiger font from assets.nhs.uk, a third
party every page would call (and the Content-Security-Policy would have to
allow). Frutiger is licensed to the NHS and not ours to serve, so the copy
drops only the @font-face rules: the stylesheet's own font stack
("Frutiger W01", Arial, sans-serif) then falls back to Arial, as the NHS
service manual documents. Run it again after upgrading wagtail-nhsuk-frontend;
tests/community/web/test_install.py fails until the copy matches the package.
Why: docs/decisions/0028-installable-app.md.
"""

import re
from pathlib import Path

import wagtailnhsukfrontend

PACKAGE_CSS = (
    Path(wagtailnhsukfrontend.__file__).parent / "static/wagtailnhsukfrontend/css"
)
OUT = Path(__file__).resolve().parents[2] / "community/static/harbour"
FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")


def without_fonts(css: str) -> str:
    return FONT_FACE.sub("", css)


def main() -> None:
    for source in PACKAGE_CSS.glob("nhsuk-frontend-*.min.css"):
        name = source.name.replace(".min.css", "-nofonts.min.css")
        (OUT / name).write_text(without_fonts(source.read_text()))


if __name__ == "__main__":
    main()
