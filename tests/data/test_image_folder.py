"""course_utils.data.image_folder: reading a learner's folder of captioned pictures (datasets' imagefolder layout)."""

import json

import numpy as np
import pytest
import torch
from PIL import Image

from course_utils.data.image_folder import CaptionedImages, load_image_folder
from course_utils.errors import DataFolderError

RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)


def write_folder(folder, pictures, lines=None):
    """Save ``{file name: PIL image}`` and a metadata.jsonl (by default one line per picture, captioned by name)."""
    folder.mkdir(exist_ok=True)
    for name, image in pictures.items():
        image.save(folder / name)
    if lines is None:
        lines = [{"file_name": name, "text": f"a picture called {name}"} for name in pictures]
    (folder / "metadata.jsonl").write_text("".join(
        (line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines))
    return folder


def solid(colour, size=(64, 64), mode="RGB"):
    return Image.new(mode, size, colour)


@pytest.fixture
def good_folder(tmp_path):
    pictures = {"b.png": solid(GREEN), "a.png": solid(RED), "c.png": solid(BLUE)}
    lines = [{"file_name": "c.png", "text": "a blue square"}, {"file_name": "a.png", "text": "a red square"},
             {"file_name": "b.png", "text": "a green square"}]
    return write_folder(tmp_path / "pictures", pictures, lines)


def test_good_folder_loads_in_metadata_order(good_folder):
    data = load_image_folder(good_folder)
    assert isinstance(data, CaptionedImages) and len(data) == 3 and data.notes == []
    assert data.images.shape == (3, 3, 64, 64) and data.images.dtype == torch.float32
    assert data.captions == ["a blue square", "a red square", "a green square"]
    expected = torch.tensor([[-1.0, -1.0, 1.0], [1.0, -1.0, -1.0], [-1.0, 1.0, -1.0]])  # blue, red, green
    assert torch.equal(data.images[:, :, 10, 20], expected)
    assert data.images.min() >= -1 and data.images.max() <= 1
    assert load_image_folder(str(good_folder), resolution=32).images.shape == (3, 3, 32, 32)


def test_pixels_map_as_x_over_127_5_minus_1(tmp_path):
    pixels = np.arange(64 * 64 * 3, dtype=np.int64).reshape(64, 64, 3) % 256
    folder = write_folder(tmp_path / "ramp", {"ramp.png": Image.fromarray(pixels.astype(np.uint8))})
    images = load_image_folder(folder).images  # (1, 3, 64, 64)
    expected = torch.from_numpy(pixels).permute(2, 0, 1).float() / 127.5 - 1
    assert torch.allclose(images[0], expected)


def test_same_captions_and_order_as_datasets_imagefolder(good_folder, tmp_path):
    datasets = pytest.importorskip("datasets")
    ours = load_image_folder(good_folder)
    try:  # the imagefolder loader ships inside datasets and needs no network
        theirs = datasets.load_dataset("imagefolder", data_dir=str(good_folder), split="train",
                                       cache_dir=str(tmp_path / "cache"))
    except ConnectionError as err:
        pytest.skip(f"datasets wanted the network: {err}")
    assert list(theirs["text"]) == ours.captions
    first = torch.from_numpy(np.array(theirs[0]["image"].convert("RGB"))).permute(2, 0, 1).float() / 127.5 - 1
    assert torch.equal(first, ours.images[0])


def test_missing_folder_and_a_file_are_refused(tmp_path):
    with pytest.raises(DataFolderError, match="does not exist; check the path"):
        load_image_folder(tmp_path / "nowhere")
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(DataFolderError, match="is a file, not a folder"):
        load_image_folder(tmp_path / "notes.txt")


def test_no_metadata_says_what_to_write(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataFolderError, match="is empty") as caught:
        load_image_folder(tmp_path / "empty")
    assert '{"file_name": "0001.png", "text": "a red circle"}' in str(caught.value)
    (tmp_path / "loose").mkdir()
    solid(RED).save(tmp_path / "loose" / "0001.png")
    with pytest.raises(DataFolderError, match="holds 1 picture but no metadata.jsonl") as caught:
        load_image_folder(tmp_path / "loose")
    assert "Add a file metadata.jsonl" in str(caught.value)


def test_bad_json_names_the_line(tmp_path):
    lines = [{"file_name": "a.png", "text": "a red square"}, "{'file_name': 'b.png', 'text': 'green'}"]
    folder = write_folder(tmp_path / "f", {"a.png": solid(RED), "b.png": solid(GREEN)}, lines)
    with pytest.raises(DataFolderError, match="Line 2 of .* is not valid JSON") as caught:
        load_image_folder(folder)
    assert "use double quotes" in str(caught.value)
    write_folder(folder, {}, [{"file_name": "a.png", "text": "a red square"}, '["b.png", "green"]'])
    with pytest.raises(DataFolderError, match="Line 2 .* not an object"):
        load_image_folder(folder)


def test_caption_column_under_another_name_is_renamed(tmp_path):
    folder = write_folder(tmp_path / "f", {"a.png": solid(RED)}, [{"file_name": "a.png", "caption": "red"}])
    with pytest.raises(DataFolderError, match='has no "text" column .* "caption" column: rename it to "text"'):
        load_image_folder(folder)
    write_folder(folder, {}, [{"file_name": "a.png", "Prompt": "red"}])
    with pytest.raises(DataFolderError, match='"Prompt" column: rename it to "text"'):
        load_image_folder(folder)
    write_folder(folder, {}, [{"file_name": "a.png", "colour": "red"}])
    with pytest.raises(DataFolderError, match='Add the caption as "text" .*colour'):
        load_image_folder(folder)
    write_folder(folder, {}, [{"file_name": "a.png", "text": 7}])
    with pytest.raises(DataFolderError, match='"text" must be the caption as a string'):
        load_image_folder(folder)


def test_file_name_column_missing(tmp_path):
    folder = write_folder(tmp_path / "f", {"a.png": solid(RED)}, [{"text": "red"}])
    with pytest.raises(DataFolderError, match='Line 1 .* has no "file_name" column'):
        load_image_folder(folder)
    write_folder(folder, {}, [{"image": "a.png", "text": "red"}])
    with pytest.raises(DataFolderError, match='"image" column: rename it to "file_name"'):
        load_image_folder(folder)


def test_metadata_listing_no_pictures(tmp_path):
    folder = write_folder(tmp_path / "f", {"a.png": solid(RED)}, ["", "  "])
    with pytest.raises(DataFolderError, match="lists no pictures"):
        load_image_folder(folder)


def test_missing_or_broken_picture_is_named(tmp_path):
    lines = [{"file_name": "a.png", "text": "red"}, {"file_name": "B.png", "text": "green"}]
    folder = write_folder(tmp_path / "f", {"a.png": solid(RED), "b.png": solid(GREEN)}, lines)
    with pytest.raises(DataFolderError, match=r"B\.png, listed on line 2 .* does not exist .*'b\.png'") as caught:
        load_image_folder(folder)
    assert "remove line 2" in str(caught.value)
    (folder / "b.png").unlink()
    (folder / "B.png").write_text("not a picture")
    with pytest.raises(DataFolderError, match=r"B\.png, listed on line 2 .* does not open as a picture") as caught:
        load_image_folder(folder)
    assert "Remove line 2" in str(caught.value)


@pytest.mark.parametrize("resolution, advice", [(60, "use 56 or 64"), (100, "use 96 or 104"), (64.0, "use 64"),
                                                (0, "or 64"), (-8, "or 64"), (True, "or 64"), ("64", "or 64"),
                                                (float("inf"), "or 64")])
def test_resolution_must_be_a_positive_multiple_of_8(good_folder, resolution, advice):
    with pytest.raises(DataFolderError, match=f"multiple of 8.*{advice}"):
        load_image_folder(good_folder, resolution=resolution)


def test_fewer_pictures_than_min_images(good_folder):
    assert len(load_image_folder(good_folder, min_images=3)) == 3
    with pytest.raises(DataFolderError, match="holds 3 pictures, fewer than the 8 .*lower --batch-size to 3"):
        load_image_folder(good_folder, min_images=8)
    with pytest.raises(DataFolderError, match="min_images=0"):
        load_image_folder(good_folder, min_images=0)


def test_modes_are_converted_to_rgb_with_notes(tmp_path):
    rgba = solid((255, 0, 0, 0), mode="RGBA")  # fully transparent → white
    rgba.putpixel((0, 0), (255, 0, 0, 255))  # one opaque red pixel
    palette = solid(RED).convert("P")
    sixteen = Image.fromarray(np.full((64, 64), 128 * 257, dtype=np.uint16))
    pictures = {"rgb.png": solid(BLUE), "grey.png": solid(51, mode="L"), "grey2.png": solid(0, mode="L"),
                "rgba.png": rgba, "la.png": solid((0, 0), mode="LA"), "p.png": palette, "16.png": sixteen}
    data = load_image_folder(write_folder(tmp_path / "f", pictures))
    assert data.notes == ["2 of 7 images were greyscale and were converted to RGB",
                          "2 of 7 images were transparent (with an alpha channel) and were composited on a white "
                          "background and converted to RGB",
                          "1 of 7 images was palette-based (mode P) and was converted to RGB",
                          "1 of 7 images was 16-bit greyscale and was reduced to 8 bits and converted to RGB"]
    grey, _, rgba, la, palette, sixteen = (data.images[i] for i in range(1, 7))
    assert torch.allclose(grey, torch.full_like(grey, 51 / 127.5 - 1), atol=1e-6)
    assert torch.equal(rgba[:, 0, 0], torch.tensor([1.0, -1.0, -1.0])) and torch.equal(rgba[:, 5, 5], torch.ones(3))
    assert torch.equal(la, torch.ones_like(la))
    assert torch.equal(palette[:, 3, 3], torch.tensor([1.0, -1.0, -1.0]))
    assert torch.allclose(sixteen, torch.full_like(sixteen, 128 / 127.5 - 1), atol=1e-6)


def test_other_sizes_are_center_cropped_and_resized(tmp_path):
    wide = solid(RED, size=(96, 64))
    wide.paste(GREEN, (16, 0, 80, 64))  # the middle 64×64 square is green
    pictures = {"wide.png": wide, "big.png": solid(BLUE, size=(128, 128)), "small.png": solid(RED, size=(16, 16)),
                "ok.png": solid(GREEN)}
    data = load_image_folder(write_folder(tmp_path / "f", pictures))
    assert data.images.shape == (4, 3, 64, 64)
    assert torch.equal(data.images[0], torch.tensor([-1.0, 1.0, -1.0]).view(3, 1, 1).expand(3, 64, 64))
    assert torch.allclose(data.images[1], torch.tensor([-1.0, -1.0, 1.0]).view(3, 1, 1).expand(3, 64, 64))
    assert data.notes == ["3 of 4 images were not 64×64 and were center-cropped and resized",
                          "1 of 4 images was smaller than 64 pixels on a side and was enlarged (enlarged "
                          "pictures look blurry)"]


def test_exif_orientation_is_applied(tmp_path):
    tall = solid(RED, size=(64, 64))
    tall.paste(BLUE, (0, 0, 32, 64))  # left half blue; orientation 6 turns it 90° clockwise: top half blue
    exif = Image.Exif()
    exif[0x0112] = 6
    (tmp_path / "f").mkdir()
    tall.save(tmp_path / "f" / "photo.png", exif=exif)
    (tmp_path / "f" / "metadata.jsonl").write_text(json.dumps({"file_name": "photo.png", "text": "a photo"}))
    data = load_image_folder(tmp_path / "f")
    assert data.notes == ["1 of 1 image was turned upright, as the camera's EXIF orientation tag says"]
    assert torch.equal(data.images[0, :, 5, 40], torch.tensor([-1.0, -1.0, 1.0]))
