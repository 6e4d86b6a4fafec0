"""The layer gallery: which layers to show, and a labelled contact sheet of the results."""
import re

import numpy as np
import PIL.Image
import PIL.ImageDraw
import PIL.ImageFont

BRANCHES = re.compile(r"^inception_[^/]+/(1x1|3x3_reduce|3x3|5x5_reduce|5x5|pool|pool_proj)$")


def gallery_layers(names, include_branches=False):
    """GoogLeNet's inception outputs (and, if asked, their reduce and pool branches), in net order.

    A model without '/output' layers gets every name: any model's layer list works.
    """
    outputs = [n for n in names if n.endswith("/output")]
    if not outputs:
        return list(names)
    return [n for n in names if n.endswith("/output") or (include_branches and BRANCHES.search(n))]


def tile_name(index, layer):
    """'03-inception_4c-output.jpg': sortable, and safe as a file name."""
    return f"{index:02d}-{re.sub(r'[^A-Za-z0-9_.]+', '-', layer)}.jpg"


def contact_sheet(tiles, columns=4, tile_width=256, label_height=22):
    """[(label, H x W x 3 image or None)] -> one RGB image of labelled, equally sized tiles."""
    heights = [img.shape[0] * tile_width / img.shape[1] for _, img in tiles if img is not None]
    tile_height = int(round(max(heights))) if heights else tile_width
    rows = (len(tiles) + columns - 1) // columns
    sheet = PIL.Image.new("RGB", (columns * tile_width, rows * (tile_height + label_height)), "white")
    draw = PIL.ImageDraw.Draw(sheet)
    font = PIL.ImageFont.load_default()
    for k, (label, img) in enumerate(tiles):
        x, y = (k % columns) * tile_width, (k // columns) * (tile_height + label_height)
        if img is not None:
            tile = PIL.Image.fromarray(np.uint8(np.clip(img, 0, 255)))
            sheet.paste(tile.resize((tile_width, tile_height), PIL.Image.BILINEAR), (x, y))
        else:
            draw.rectangle([x, y, x + tile_width - 1, y + tile_height - 1], fill=(230, 230, 230))
        draw.text((x + 4, y + tile_height + 4), label, fill="black", font=font)
    return np.asarray(sheet)
