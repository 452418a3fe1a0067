"""A miniature CLIP trained on captioned digits (notebook 06, C42): the mini SD's text encoder.

CLIP (Radford et al. 2021) has two towers, an image encoder and a text encoder, each ending in
a projection to a shared space. Training pulls each image towards its own caption and away from
the other captions in the batch: with unit vectors u_i (images), v_j (texts) and a learnable
temperature τ, the logits are L_ij = (u_i · v_j) / τ and the loss is InfoNCE in both directions,
½ [CE(L, diag) + CE(Lᵀ, diag)]. Stable Diffusion v1 keeps only the text tower and uses its
last hidden states (77 × 768 in SD, 77 × 32 here) as the UNet's ``encoder_hidden_states``.

With ``colours=True`` every digit is drawn in a random allowed ink and background colour each step
and paired with a caption from ``course_utils.data.compositions`` naming some of digit, ink and
background, so the text tower learns colour words and which noun each one belongs to (C53).

Images: the 64×64 RGB digits of ``course_utils.data.transforms`` in [−1, 1], which is exactly what the
saved ``CLIPImageProcessor`` (no resize, mean = std = 0.5) makes of a 64×64 PIL image.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from course_utils.data.captions import DIGIT_WORDS, ZERO_SHOT_TEMPLATE, all_captions, caption, caption_ids
from course_utils.data.colours import COLOUR_NAMES, render_digits, render_training_batch
from course_utils.data.compositions import (
    CANONICAL_TEMPLATE,
    caption_table,
    compose_caption,
    draw_caption_ids,
)
from course_utils.data.transforms import digits_to_rgb64
from course_utils.training.loop import train_loop

TEXT_HIDDEN = 32  # SD v1's CLIP ViT-L/14 text tower: 768


def mini_clip_config():
    """Both towers: text 4 layers × 32 wide over SD v1's 49,408-token vocabulary and 77 positions;
    vision a ViT with 8×8 patches on 64×64 images (64 patches), 4 layers × 64 wide; shared space 32-d."""
    from transformers import CLIPConfig

    text = dict(vocab_size=49408, max_position_embeddings=77, hidden_size=TEXT_HIDDEN, intermediate_size=4 * TEXT_HIDDEN,
                num_hidden_layers=4, num_attention_heads=4, bos_token_id=49406, eos_token_id=49407,
                pad_token_id=49407, projection_dim=32)
    vision = dict(image_size=64, patch_size=8, num_channels=3, hidden_size=64, intermediate_size=256,
                  num_hidden_layers=4, num_attention_heads=4, projection_dim=32)
    return CLIPConfig(text_config=text, vision_config=vision, projection_dim=32)


def build_mini_clip(seed: int = 0):
    from transformers import CLIPModel

    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return CLIPModel(mini_clip_config())


def image_processor():
    """Keeps 64×64 digits as they are and maps [0, 255] → [−1, 1] (mean = std = 0.5 per channel)."""
    from transformers import CLIPImageProcessor

    return CLIPImageProcessor(do_resize=True, size={"shortest_edge": 64}, do_center_crop=True,
                              crop_size={"height": 64, "width": 64}, image_mean=[0.5] * 3, image_std=[0.5] * 3)


def contrastive_loss(image_embeds: torch.Tensor, text_embeds: torch.Tensor, logit_scale: torch.Tensor) -> torch.Tensor:
    """CLIP's symmetric InfoNCE over a batch of B matching (image, text) pairs (CLIP paper, Fig. 3)."""
    image_embeds = F.normalize(image_embeds, dim=-1)  # (B, D) unit vectors
    text_embeds = F.normalize(text_embeds, dim=-1)  # (B, D)
    logits = logit_scale.exp() * image_embeds @ text_embeds.T  # (B, B): row i = image i vs every text
    targets = torch.arange(len(logits), device=logits.device)  # the match sits on the diagonal
    return (F.cross_entropy(logits, targets) + F.cross_entropy(logits.T, targets)) / 2


def image_embeds(model, pixel_values: torch.Tensor) -> torch.Tensor:
    """The vision tower's projected embedding of each image: (B, 3, 64, 64) → (B, 32)."""
    output = model.get_image_features(pixel_values=pixel_values.to(model.device))
    return output if isinstance(output, torch.Tensor) else output.pooler_output  # transformers 5: an output object


def text_embeds(model, input_ids: torch.Tensor) -> torch.Tensor:
    """The text tower's projected embedding (of the end-of-text token) per caption: (B, 77) → (B, 32)."""
    output = model.get_text_features(input_ids=input_ids.to(model.device))
    return output if isinstance(output, torch.Tensor) else output.pooler_output


def tokenize_captions(tokenizer, captions: list[str]) -> torch.Tensor:
    """Captions → (N, 77) token ids, padded with <|endoftext|> as SD's pipeline pads them."""
    return tokenizer(captions, padding="max_length", max_length=tokenizer.model_max_length,
                     truncation=True, return_tensors="pt").input_ids


def train_mini_clip(model, tokenizer, pixels, labels, *, captions=None, colours: bool = False, words=DIGIT_WORDS,
                    num_steps: int, lock_text: bool = False,
                    batch_size: int = 128, learning_rate: float = 1e-3, seed: int = 0, device=None,
                    checkpoint_dir=None, checkpoint_every: int = 250, progress: bool = True, max_seconds=None,
                    stop_at_step=None) -> list[float]:
    """Contrastive training on digits, each image paired with a randomly drawn caption.

    ``pixels``: uint8 images (N, 28, 28) from ``course_utils.data.digits.load_digits``; ``labels``: their classes.
    Plain (``colours=False``): white-on-black images, captions from ``captions``, every (template, class)
    caption template-major (default ``all_captions()``). ``colours=True``: each image in a fresh allowed
    ink/background pair every step, with a caption from ``compositions.caption_table(words=words)``
    (``words``: the class names, the digits' by default).

    ``lock_text=True`` freezes the text tower (``model.text_model``) and trains the rest: the image tower,
    both projections and the temperature. A UNet trained on the text tower's hidden states stays valid,
    since they do not change; only how well images and captions match does (LiT, Zhai et al. 2022, locks
    the other tower).
    """
    labels = torch.as_tensor(labels).long()
    for parameter in model.text_model.parameters():
        parameter.requires_grad_(not lock_text)  # AdamW skips parameters without a gradient
    if colours:
        caption_tokens = tokenize_captions(tokenizer, caption_table(words=words))  # (3000, 77) for the digits
        images = None
    else:
        captions = list(captions or all_captions())
        caption_tokens = tokenize_captions(tokenizer, captions)  # (T · 10, 77)
        images = digits_to_rgb64(pixels)  # (N, 3, 64, 64) in [−1, 1]
    device = torch.device(device) if device is not None else None

    def loss_fn(index, generator):
        if colours:
            batch, ink, background = render_training_batch(pixels[index.numpy()], labels[index], generator)
            which = draw_caption_ids(labels[index], ink, background, generator, words=words)  # (B,) no dropout
        else:
            batch, which = images[index], caption_ids(labels[index], generator, num_templates=len(captions) // 10)
        return contrastive_loss(image_embeds(model, batch),  # (B, 32)
                                text_embeds(model, caption_tokens[which]),  # (B, 32)
                                model.logit_scale)

    settings = dict(model="mini_clip", captions="compositions" if colours else captions)
    if lock_text:
        settings["lock_text"] = True  # a run with the text tower locked never resumes one without, nor the reverse
    return train_loop(model, loss_fn, num_examples=len(labels), num_steps=num_steps, batch_size=batch_size,
                      learning_rate=learning_rate, settings=settings, warmup_steps=min(100, num_steps // 10),
                      decay=True, weight_decay=0.1, checkpoint_dir=checkpoint_dir, checkpoint_every=checkpoint_every,
                      seed=seed, device=device, progress=progress, max_seconds=max_seconds,
                      stop_at_step=stop_at_step, desc="mini CLIP")


@torch.no_grad()
def similarity(model, tokenizer, pixel_values: torch.Tensor, texts: list[str]) -> torch.Tensor:
    """Cosine similarities (N_images, N_texts) between images in [−1, 1] and texts."""
    images = F.normalize(image_embeds(model, pixel_values), dim=-1)  # (N_images, 32)
    captions = F.normalize(text_embeds(model, tokenize_captions(tokenizer, texts)), dim=-1)  # (N_texts, 32)
    return (images @ captions.T).cpu()  # (N_images, N_texts)


def zero_shot_accuracy(model, tokenizer, pixels, labels, template: str = ZERO_SHOT_TEMPLATE,
                       words=DIGIT_WORDS) -> float:
    """Classify each image as the class whose caption ("a handwritten digit {word}") it is most similar to."""
    texts = [caption(d, template, words) for d in range(len(words))]
    scores = similarity(model.eval(), tokenizer, digits_to_rgb64(pixels), texts)  # (N, 10)
    return (scores.argmax(dim=1) == torch.as_tensor(labels)).float().mean().item()


def attribute_accuracy(model, tokenizer, pixels, labels, ink, background,
                       template: str = CANONICAL_TEMPLATE, words=DIGIT_WORDS) -> dict[str, float]:
    """Zero-shot accuracy per attribute on coloured digits: ``{"digit": …, "ink": …, "background": …}``.

    For each attribute, every image is compared with the captions that name its other two
    attributes correctly and this one in every possible way (10 digits, or the 6 colours other than
    the other attribute's), e.g. for ink: "a red seven on a blue background", "a yellow seven on a
    blue background", …; the most similar caption is the prediction.
    """
    labels, ink, background = (torch.as_tensor(v).long() for v in (labels, ink, background))
    scores = {}
    images = render_digits(pixels, ink, background)  # (N, 3, 64, 64)
    for attribute, options in (("digit", range(len(words))), ("ink", range(len(COLOUR_NAMES))),
                               ("background", range(len(COLOUR_NAMES)))):
        right = []
        for i in range(len(labels)):
            truth = dict(digit=int(labels[i]), ink=int(ink[i]), background=int(background[i]))
            other = truth["background"] if attribute == "ink" else truth["ink"] if attribute == "background" else None
            choices = [o for o in options if o != other]
            texts = [compose_caption(**dict(truth, **{attribute: o}), template=template, words=words) for o in choices]
            best = similarity(model.eval(), tokenizer, images[i:i + 1], texts).argmax().item()
            right.append(choices[best] == truth[attribute])
        scores[attribute] = sum(right) / len(right)
    return scores
