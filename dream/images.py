"""Reading any image into the notebook's float RGB array, and writing results atomically."""
import contextlib
import io
import json
import os
import struct
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import PIL.Image
import PIL.ImageOps
from PIL.PngImagePlugin import PngInfo

from .errors import DreamError
from .network.memory import check_fits

WRITABLE = {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG"}
LOAD_BYTES_PER_PIXEL = 32  # the decoded image (up to 16-bit RGBA) and its float32 RGB copy
META_KEY = "dream"  # PNG text chunk; JPEG files carry the same JSON as their comment


@contextlib.contextmanager
def c_stderr_silenced():
    """Discard what C decoders write straight to the process's stderr (libtiff's "More samples per
    pixel than can be decoded"): a damaged file gets dream's one line, not the library's too."""
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def load_image(path, budget=None):
    """H x W x 3 float32 RGB in 0..255, from any format PIL reads.

    Plain 8-bit RGB gives exactly the notebook's np.float32(PIL.Image.open(path)).
    Grayscale, palette and CMYK images are converted, transparency is laid on
    white, 16-bit images are scaled to 0..255, and EXIF rotation is applied. budget: the
    bytes its decoding may take (a run's, from dream.runs.budget); None: no bound but Pillow's.
    """
    try:
        with warnings.catch_warnings():
            # Pillow warns about images over 89 MP and refuses those over 179 MP (the memory check
            # below decides for the first, the refusal below words the second), and warns about
            # damaged metadata it skips: none of that may add lines to the CLI's one.
            warnings.simplefilter("ignore")
            with c_stderr_silenced(), PIL.Image.open(path) as img:
                width, height = img.size
                check_fits(LOAD_BYTES_PER_PIXEL * width * height, f"reading the {width}x{height} image {path}",
                           "use a smaller image", budget)
                img.load()
                img = PIL.ImageOps.exif_transpose(img)
    except PIL.Image.DecompressionBombError:
        raise DreamError(f"{path}: refused as a possible decompression bomb: it claims more than "
                         f"{2 * PIL.Image.MAX_IMAGE_PIXELS} pixels") from None
    except FileNotFoundError:
        raise DreamError(f"input image not found: {path}") from None
    except IsADirectoryError:
        raise DreamError(f"input is a directory, not an image: {path}") from None
    except MemoryError:  # Pillow's own allocation refused (one 89-megapixel row, found by the fuzzer)
        raise DreamError(f"cannot read image {path}: not enough memory to decode it") from None
    except PIL.UnidentifiedImageError:
        raise DreamError(f"not an image (or a format PIL cannot read): {path}") from None
    except PermissionError:
        raise DreamError(f"cannot read image {path}: permission denied") from None
    except OSError as e:
        if e.errno is not None:  # the file system's refusal, not the decoder's
            raise DreamError(f"cannot read image {path}: {e.strerror}") from None
        raise DreamError(f"cannot read image {path}: corrupt or truncated ({e})") from None
    except (SyntaxError, ValueError, EOFError, IndexError, struct.error, ZeroDivisionError) as e:
        # Pillow's decoders raise more than OSError on malformed files
        raise DreamError(f"cannot read image {path}: corrupt or truncated ({type(e).__name__}: {e})") from None
    if img.mode == "F" and not np.isfinite(np.asarray(img)).all():  # float TIFFs can hold NaN and inf
        raise DreamError(f"image {path} holds NaN or infinite pixel values")
    return to_rgb_array(img)


class _NamedBytes(io.BytesIO):
    """A file's bytes in memory that name themselves in messages as the file did."""
    def __init__(self, data, name):
        super().__init__(data)
        self.name = name

    def __str__(self):
        return self.name


def decode_image(data, name, budget=None):
    """load_image of a file's bytes (as sent to a worker); name: the file's, for messages."""
    return load_image(_NamedBytes(data, name), budget)


def to_rgb_array(img):
    """A PIL image of any mode as H x W x 3 float32 RGB in 0..255."""
    if img.mode == "RGB":
        return np.float32(img)
    if img.mode.startswith("I;16") or img.mode == "I":
        gray = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or gray.max() > 255 else 255.0
        gray = np.clip(gray * (255.0 / top), 0, 255)
        return np.float32(np.dstack([gray] * 3))
    if img.mode == "F":
        gray = np.clip(np.asarray(img, dtype=np.float64), 0, 255)
        return np.float32(np.dstack([gray] * 3))
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = PIL.Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return np.float32(PIL.Image.alpha_composite(white, rgba).convert("RGB"))
    return np.float32(img.convert("RGB"))


def to_uint8(arr):
    return np.uint8(np.clip(arr, 0, 255))


def check_writable(path):
    """Raise DreamError unless `path` has an extension we can write and a folder to go in."""
    path = Path(path)
    if path.suffix.lower() not in WRITABLE:
        raise DreamError(f"output {path}: unsupported extension {path.suffix!r}; use .jpg or .png")
    if not path.parent.resolve().is_dir():
        raise DreamError(f"output folder does not exist: {path.parent}")


def save_image(arr, path, metadata=None):
    """Write an H x W x 3 image atomically (temp file, then rename), with JSON metadata."""
    path = Path(path)
    check_writable(path)
    try:
        data = encode_image(arr, path.suffix, metadata)
    except OSError as e:
        raise DreamError(f"cannot write {path}: {e.strerror or e}") from None
    write_atomically(path, data)


def encode_image(arr, suffix, metadata=None):
    """The bytes save_image writes for an image of this suffix (.jpg, .png): where the image is
    dreamed (a worker) need not be where it is written."""
    fmt = WRITABLE[suffix.lower()]
    img = PIL.Image.fromarray(to_uint8(arr))
    text = json.dumps(metadata or {}, sort_keys=True)
    out = io.BytesIO()
    if fmt == "PNG":
        info = PngInfo()
        info.add_text(META_KEY, text)
        img.save(out, fmt, pnginfo=info)
    else:
        img.save(out, fmt, quality=95, comment=text.encode())
    return out.getvalue()


def write_atomically(path, data):
    """data into path through a temporary file and a rename: never half-written under its name."""
    path = Path(path)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as e:
        raise DreamError(f"cannot write {path}: {e.strerror or e}") from None
    finally:
        if tmp and os.path.exists(tmp):
            os.unlink(tmp)


def read_metadata(path):
    """The metadata save_image wrote, or None if there is none (or the file is not an image)."""
    try:
        with PIL.Image.open(path) as img:
            raw = img.info.get(META_KEY) or img.info.get("comment")
    except (OSError, SyntaxError, ValueError):
        return None
    if isinstance(raw, bytes):
        raw = raw.decode(errors="replace")
    try:
        return json.loads(raw) if raw else None
    except json.JSONDecodeError:
        return None
