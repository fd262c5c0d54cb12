"""StreamField blocks for Harbour pages: NHS.UK components where they fit."""

from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtailnhsukfrontend.blocks import (
    ActionLinkBlock,
    CardGroupBlock,
    DetailsBlock,
    InsetTextBlock,
    WarningCalloutBlock,
)


class PageBodyBlock(blocks.StreamBlock):
    rich_text = blocks.RichTextBlock(
        features=["h2", "h3", "bold", "italic", "ol", "ul", "link"]
    )
    inset_text = InsetTextBlock()
    warning_callout = WarningCalloutBlock()
    action_link = ActionLinkBlock()
    details = DetailsBlock()
    cards = CardGroupBlock()
    document = blocks.StructBlock(
        [
            ("document", DocumentChooserBlock()),
            ("description", blocks.CharBlock(required=False)),
        ],
        icon="doc-full",
        template="home/blocks/document.html",
    )
