"""course_utils.mini_sd.latent_table: every training digit in every allowed colour pair, encoded once."""

import pytest
import torch

from course_utils.data import colours, digits, transforms
from course_utils.mini_sd import mini_vae
from course_utils.mini_sd.latent_table import LatentTable, encode_digits


def test_every_allowed_pair_once_and_never_a_held_out_cell():
    px, lb = digits.load_digits("train")
    px, lb = px[:6], lb[:6]
    vae = mini_vae.build_mini_vae()
    table = encode_digits(vae, px, lb)
    assert len(table) == sum(len(colours.allowed_pairs(int(d))) for d in lb)  # 33 or 34 rows per digit
    assert table.means.shape == table.stds.shape == (len(table), 4, 8, 8) and (table.stds > 0).all()
    cells = list(zip(table.digit.tolist(), table.ink.tolist(), table.background.tolist()))
    assert not any(colours.is_held_out(*cell) for cell in cells)
    for d in set(lb.tolist()):  # each digit's rows cover exactly its allowed pairs
        mine = {(i, b) for dd, i, b in cells if dd == d}
        assert mine == set(colours.allowed_pairs(d))
    # row k is the encoding of its digit drawn in its colours
    n, k = 1, len(colours.allowed_pairs(int(lb[0]))) + 5  # rows are digit-major: digit 1's sixth pair
    assert table.digit[k] == lb[n]
    mean, std = mini_vae.encode_latent_dist(vae, colours.render_digits(px[n:n + 1], table.ink[k:k + 1],
                                                                       table.background[k:k + 1]))
    # encoded in a batch vs alone: the convolutions may sum in another order, so float32 rounding differs
    torch.testing.assert_close(table.means[k], mean[0], rtol=1e-4, atol=1e-5)
    torch.testing.assert_close(table.stds[k], std[0], rtol=1e-4, atol=1e-5)


def test_plain_digits_one_row_each():
    px, lb = digits.load_digits("test")
    vae = mini_vae.build_mini_vae()
    table = encode_digits(vae, px[:5], lb[:5], colours=False)
    assert len(table) == 5 and table.ink is None and table.background is None
    mean, _ = mini_vae.encode_latent_dist(vae, transforms.digits_to_rgb64(px[:5]))
    assert torch.equal(table.means, mean)
    moved = table.to("cpu")
    assert isinstance(moved, LatentTable) and moved.ink is None


def test_a_few_pairs_per_digit_for_a_live_run():
    px, lb = digits.load_digits("train")
    vae = mini_vae.build_mini_vae()
    table = encode_digits(vae, px[:10], lb[:10], pairs_per_digit=2, seed=1)
    assert torch.equal(table.digit, torch.as_tensor(lb[:10]).repeat_interleave(2))  # two rows per digit, in order
    cells = list(zip(table.digit.tolist(), table.ink.tolist(), table.background.tolist()))
    assert not any(colours.is_held_out(*c) for c in cells)
    again = encode_digits(vae, px[:10], lb[:10], pairs_per_digit=2, seed=1)
    assert torch.equal(again.ink, table.ink) and torch.equal(again.background, table.background)
    other = encode_digits(vae, px[:10], lb[:10], pairs_per_digit=2, seed=2)
    assert not torch.equal(other.ink, table.ink)
    for bad in (0, 1.5, "2"):
        with pytest.raises(ValueError, match="pairs_per_digit"):
            encode_digits(vae, px[:2], lb[:2], pairs_per_digit=bad)
