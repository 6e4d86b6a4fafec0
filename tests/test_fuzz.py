"""Property-based tests (Hypothesis) over the argument parsers, the expression parser and the image
loader; scripts/fuzz_inputs.py runs the same properties for 10^5 examples and more."""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import fuzz_properties as fp

EXAMPLES = settings(max_examples=200, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@EXAMPLES
@given(st.sampled_from(sorted(fp.PARSERS)), fp.argvs)
def test_parsers_refuse_in_one_line_or_give_usable_numbers(command, argv):
    fp.check_parser(command, argv)


@EXAMPLES
@given(fp.texts)
def test_expressions_give_bounded_objectives_or_a_dream_error(text):
    fp.check_expression(text)


@EXAMPLES
@given(fp.image_files())
@example((b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x05UUO\x00\x00\x00\x01\x08\x02\x00\x00\x00\xa0\x1a\x8b\xa4\x00\x00'
          b'\x00\x0bIDATx\x9cc`@\x05\x00\x00\x10\x00\x019\xbd\x8fe\x00\x00\x00\x00IEND\xaeB`\x82', ".png"))
# ^ 89478479x1, found in CI: Pillow's decoder raised MemoryError
def test_image_loader_gives_finite_pixels_or_a_dream_error(image):
    data, suffix = image
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        fp.check_image(path)
