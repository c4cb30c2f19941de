"""kteach.engine.numbers: how each kind of place writes a number."""
import numpy as np
import pytest

from kteach.engine.numbers import as_written, readable, readable_size, significant


@pytest.mark.parametrize("x, text", [(0, "0.0000"), (0.25, "0.2500"), (-1234.5, "-1234.5000"),
                                     (1.23456e-5, "1.235e-05"), (123456.0, "1.235e+05"),
                                     (np.float32(0.001), "0.0010")])
def test_readable_lines_values_up_with_four_decimals(x, text):
    assert readable(x) == text


def test_significant_keeps_labels_short():
    assert (significant(0.25), significant(1 / 3), significant(123456.0)) == \
        ("0.25", "0.3333", "1.235e+05")
    assert significant(1 / 3, digits=2) == "0.33"


def test_as_written_is_how_a_learner_types_it():
    assert [as_written(x) for x in (0.001, 0.9, 1e-7, 1, np.float32(0.5))] == \
        ["0.001", "0.9", "1e-07", "1", "0.5"]


def test_readable_size_divides_by_1024():
    assert [readable_size(n) for n in (84, 13_865, 2.55 * 1024 ** 2, 1024 ** 5)] == \
        ["84.00 B", "13.54 KB", "2.55 MB", "1.00 PB"]
