"""Draws Harbour's app icons (run once; the PNGs are committed):

    .venv/bin/python -m cms.deploy.make_icons

A calm mark: a white harbour arm sheltering a quiet wave, on NHS blue. Every
icon is full-bleed blue with the mark inside the central 60%, so the same
drawing serves "any", "maskable" (a phone may cut it to a circle: the safe
zone is the central 80%) and the apple-touch-icon (iOS draws no transparency).
Drawn four times larger and scaled down, so the edges are smooth.
"""

import math
from pathlib import Path

from PIL import Image, ImageDraw

NHS_BLUE = (0, 94, 184)  # #005eb8, the NHS palette's blue
WHITE = (255, 255, 255)
OUT = Path(__file__).resolve().parents[2] / "community/static/harbour/icons"
# file name -> size in pixels; the manifest and base.html name these.
ICONS = {
    "icon-32.png": 32,
    "icon-192.png": 192,
    "icon-512.png": 512,
    "icon-maskable-512.png": 512,
    "apple-touch-icon-180.png": 180,
}
SCALE = 4


def dot(pen: ImageDraw.ImageDraw, big: int, x: float, y: float, r: float) -> None:
    pen.ellipse(
        [(x - r) * big, (y - r) * big, (x + r) * big, (y + r) * big], fill=WHITE
    )


def draw(size: int) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGB", (big, big), NHS_BLUE)
    pen = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> list[float]:
        return [x0 * big, y0 * big, x1 * big, y1 * big]

    # The harbour arm: a thick arc open below, like a sheltering wall, with
    # round ends where the boats come in.
    width = 0.075
    pen.arc(
        box(0.22, 0.22, 0.78, 0.78),
        start=150,
        end=390,
        fill=WHITE,
        width=round(width * big),
    )
    middle = 0.28 - width / 2  # PIL draws the stroke inside the box
    for angle in (150, 30):
        x = 0.5 + middle * math.cos(math.radians(angle))
        y = 0.5 + middle * math.sin(math.radians(angle))
        dot(pen, big, x, y, width / 2)
    # The quiet water inside: two gentle waves, round at both ends.
    stroke = 0.04
    for level in (0.52, 0.63):
        points = [
            (0.35 + 0.30 * i / 48, level + 0.022 * math.sin(2 * math.pi * 1.5 * i / 48))
            for i in range(49)
        ]
        pen.line(
            [(x * big, y * big) for x, y in points],
            fill=WHITE,
            width=round(stroke * big),
            joint="curve",
        )
        for x, y in (points[0], points[-1]):
            dot(pen, big, x, y, stroke / 2)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size in ICONS.items():
        draw(size).save(OUT / name, optimize=True)


if __name__ == "__main__":
    main()
