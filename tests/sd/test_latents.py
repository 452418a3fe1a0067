"""course_utils.sd.latents (encode_image / decode_latents) and the notebook-03 checks, on the mini SD VAE."""

import copy

import pytest
import torch
from diffusers import AutoencoderKL
from diffusers.image_processor import VaeImageProcessor
from PIL import Image

from course_utils import config, pretrained
from course_utils.checks import vae_latent_space
from course_utils.data import sources
from course_utils.sd.latents import check_image_size, decode_latents, encode_image, to_pil, vae_scale_factor


@pytest.fixture(scope="module")
def vae():
    return AutoencoderKL.from_pretrained(pretrained.mini_sd_dir(), subfolder="vae").eval()


@pytest.fixture(scope="module")
def photo():
    return sources.load_sample_photo(64, "flower")


def seeded(seed=0):
    return torch.Generator().manual_seed(seed)


def test_scale_factor_and_latent_shape(vae, photo):
    assert vae_scale_factor(vae) == 8
    latents = encode_image(vae, photo, generator=seeded())
    assert latents.shape == (1, 4, 8, 8)  # (B, 4, H/8, W/8)
    assert latents.dtype == vae.dtype and latents.device == vae.device


def test_encode_matches_diffusers_preprocessing_and_scaling(vae, photo):
    pixels = VaeImageProcessor().preprocess(photo)  # the library's PIL → [−1, 1]
    with torch.no_grad():
        expected = vae.encode(pixels).latent_dist.sample(generator=seeded()) * vae.config.scaling_factor
    torch.testing.assert_close(encode_image(vae, photo, generator=seeded()), expected)


def test_tensor_input_in_zero_one_equals_pil_input(vae, photo):
    tensor = VaeImageProcessor().preprocess(photo) / 2 + 0.5  # (1, 3, 64, 64) in [0, 1]
    from_pil = encode_image(vae, photo, generator=seeded())
    torch.testing.assert_close(encode_image(vae, tensor, generator=seeded()), from_pil)
    torch.testing.assert_close(encode_image(vae, tensor[0], generator=seeded()), from_pil)  # (3, H, W) too


def test_batch_of_pil_images(vae, photo):
    other = sources.load_sample_photo(64, "china")
    latents = encode_image(vae, [photo, other], generator=seeded())
    assert latents.shape == (2, 4, 8, 8)


def test_generator_makes_the_sample_repeatable(vae, photo):
    first = encode_image(vae, photo, generator=seeded(1))
    assert torch.equal(first, encode_image(vae, photo, generator=seeded(1)))
    assert not torch.equal(first, encode_image(vae, photo, generator=seeded(2)))


def test_decode_matches_diffusers_postprocessing(vae):
    latents = torch.randn(2, 4, 8, 8, generator=seeded())
    with torch.no_grad():
        decoded = vae.decode(latents / vae.config.scaling_factor).sample
    expected = VaeImageProcessor().postprocess(decoded, output_type="pt")  # the library's [−1, 1] → [0, 1]
    images = decode_latents(vae, latents)
    torch.testing.assert_close(images, expected)
    assert images.shape == (2, 3, 64, 64)
    assert images.dtype == torch.float32 and images.device.type == "cpu"
    assert images.min() >= 0 and images.max() <= 1


def test_round_trip_to_pil(vae, photo):
    images = to_pil(decode_latents(vae, encode_image(vae, photo, generator=seeded())))
    assert len(images) == 1 and images[0].size == (64, 64) and images[0].mode == "RGB"


def test_half_precision_vae_gets_half_inputs_and_gives_float32_images(vae, photo):
    vae16 = copy.deepcopy(vae).to(torch.float16)  # a cuda run would use fp16; CPU runs it too
    latents16 = encode_image(vae16, photo, generator=seeded())
    assert latents16.dtype == torch.float16
    # float16 against the course's dtype: the coarser of the two rounds, through the whole encoder or decoder
    coarser = max(torch.float16, vae.dtype, key=lambda dtype: torch.finfo(dtype).eps)
    tol = config.tolerance(coarser, low_precision_ulps=20)
    torch.testing.assert_close(latents16.float(), encode_image(vae, photo, generator=seeded()).float(), **tol)
    images = decode_latents(vae16, latents16)
    assert images.dtype == torch.float32 and images.device.type == "cpu"
    torch.testing.assert_close(images, decode_latents(vae, latents16.float()), **tol)


@pytest.mark.parametrize(
    ("height", "width", "suggestion"),
    [(510, 510, "504×504 or 512×512"), (64, 60, "64×56 or 64×64"), (5, 5, "8×8")],
)
def test_bad_size_names_the_nearest_valid_sizes(height, width, suggestion):
    with pytest.raises(ValueError, match=f"multiples of 8. Resize or crop it to {suggestion}"):
        check_image_size(height, width)


def test_encode_rejects_an_image_whose_size_is_not_a_multiple_of_8(vae):
    image = Image.new("RGB", (60, 64))  # PIL sizes are (width, height)
    with pytest.raises(ValueError, match=r"The image is 64×60 .* 64×56 or 64×64"):
        encode_image(vae, image)


def test_encode_rejects_minus_one_to_one_tensors(vae):
    tensor = torch.rand(1, 3, 64, 64) * 2 - 1
    with pytest.raises(ValueError, match=r"values must be in \[0, 1\].*\(image \+ 1\) / 2"):
        encode_image(vae, tensor)


def test_encode_rejects_uint8_style_values_and_wrong_types(vae):
    with pytest.raises(ValueError, match=r"image / 255"):
        encode_image(vae, torch.rand(1, 3, 64, 64) * 255)
    with pytest.raises(TypeError, match="PIL image"):
        encode_image(vae, "photo.png")
    with pytest.raises(ValueError, match=r"\(B, 3, H, W\)"):
        encode_image(vae, torch.rand(1, 1, 64, 64))


def test_decode_rejects_tensors_that_are_not_latents(vae):
    with pytest.raises(ValueError, match=r"Expected latents of shape \(B, 4, h, w\)"):
        decode_latents(vae, torch.rand(1, 3, 64, 64))


# --- the notebook-03 exercises' checks ------------------------------------------------------------

def test_check_latent_shape(vae, capsys):
    def right(vae, batch_size, height, width):
        f = 2 ** (len(vae.config.block_out_channels) - 1)
        return (batch_size, vae.config.latent_channels, height // f, width // f)

    def wrong(vae, batch_size, height, width):  # forgets the channels
        return (batch_size, 3, height // 8, width // 8)

    def stub(vae, batch_size, height, width):
        raise NotImplementedError

    assert vae_latent_space.check_latent_shape(right, vae) is True
    assert vae_latent_space.check_latent_shape(wrong, vae) is False
    out = capsys.readouterr().out
    assert "the VAE makes (1, 4, 4, 4)" in out and "latent_channels" in out
    assert vae_latent_space.check_latent_shape(stub, vae) is None


def test_check_kl():
    def right(mean, logvar):
        return 0.5 * (mean**2 + logvar.exp() - 1 - logvar).sum(dim=[1, 2, 3])

    def not_summed(mean, logvar):
        return 0.5 * (mean**2 + logvar.exp() - 1 - logvar)

    def wrong_sign(mean, logvar):
        return 0.5 * (mean**2 + logvar.exp() - 1 + logvar).sum(dim=[1, 2, 3])

    def stub(mean, logvar):
        raise NotImplementedError

    assert vae_latent_space.check_kl(right) is True
    assert vae_latent_space.check_kl(not_summed) is False
    assert vae_latent_space.check_kl(wrong_sign) is False
    assert vae_latent_space.check_kl(stub) is None
