"""Rehearse full mode offline: SD v1.5, CLIP ViT-B/32 and Fashion-MNIST at full size, with random contents.

Full mode downloads SD v1.5 (``config.SD_MODEL_ID``), CLIP ViT-B/32 (``config.CLIP_MODEL_ID``, notebook
04) and Fashion-MNIST (``config.FASHION_MNIST_ID``, notebook 02). This script builds each of them with
its exact architecture and random weights (configs: ``course_utils/sd/architecture.py``, copied from the hub
repos' JSON files) and writes them into a local Hugging Face cache in the hub's layout
(``tools/models/hub_cache.py``). Then, with ``HF_HUB_OFFLINE=1`` and ``COURSE_MODE=full``, it runs the course's
unchanged loading code against that cache:

1. SD v1.5: the parameter counts (UNet 859,520,964; VAE 83,653,863; text encoder 123,060,480),
   ``loading.load_pipeline``, one 512-px step of ``course_utils.sd.generate.generate`` and of the pipeline (equal?),
   with load time, time per part and peak memory;
2. CLIP ViT-B/32: its count (151,277,313), ``loading.load_clip``, one image and two texts;
3. Fashion-MNIST: a stand-in of the same layout and size (60,000 + 10,000 28×28 images under the hub's
   class names; the pixels are the course's MNIST digits) where ``datasets.load_dataset`` finds it
   offline; then notebook 02's cells up to its data preparation run in full mode.

Random weights prove the plumbing (ids, layout, shapes, dtypes, time, memory), not the pictures.
Everything goes to ``--hf-home`` (default ``build/rehearsal-hf-home``), never your own Hugging Face
cache: with SD v1.5 "cached" there, ``COURSE_MODE=full`` (or ``auto`` on a GPU) would load its random weights.
The device and dtype are the course's (``COURSE_DEVICE``, ``COURSE_DTYPE``; on a CPU: float32).

    OMP_NUM_THREADS=1 .venv/bin/python tools/models/rehearse_full_size.py     # build once (~5 GB), then check
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tools" / "models")]
DEFAULT_HOME = ROOT / "build" / "rehearsal-hf-home"
PROMPT = "a watercolor painting of a lighthouse at sunset"
STANDIN_SIZES = {"train": 60_000, "test": 10_000}  # Fashion-MNIST's published split sizes
STANDIN_NOTE = ("# STAND-IN, not Fashion-MNIST\n\nWritten by tools/models/rehearse_full_size.py: the MNIST digits of "
                "course_utils.data.digits, repeated to Fashion-MNIST's split sizes, under its class names.")


# --- building (step 0) ---------------------------------------------------------------------------

def build_components(device="cpu") -> dict:
    """SD v1.5's UNet, VAE and text encoder and CLIP ViT-B/32, random weights, on ``device`` (``meta``: no memory)."""
    import torch

    from course_utils.sd import architecture

    with torch.device(device):
        models = {name: architecture.build(name) for name in architecture.COMPONENTS}
        models["clip"] = architecture.build_clip()
    return models


def expected_counts() -> dict:
    from course_utils.sd import architecture

    return {**architecture.SD15_PARAM_COUNTS, "clip": architecture.CLIP_VIT_B32_PARAM_COUNT}


def parameter_counts(models: dict) -> dict:
    from course_utils.sd import architecture

    return {name: architecture.count_parameters(model) for name, model in models.items()}


def fashion_mnist_standin(sizes: dict = STANDIN_SIZES) -> dict:
    """``{split: (images, labels)}``: 28×28 grayscale PIL images cycling through the course's digits."""
    import numpy as np
    from PIL import Image

    from course_utils.data import digits

    pixels, labels = digits.load_digits("train")  # (4500, 28, 28) uint8, (4500,)
    splits = {}
    for split, n in sizes.items():
        index = np.arange(n) % len(labels)
        splits[split] = ([Image.fromarray(pixels[i], mode="L") for i in index], labels[index].tolist())
    return splits


def build_cache(hf_home: Path) -> None:
    """Write the three repos into ``hf_home`` (runs in a child process, so its memory is not counted below)."""
    import datasets
    import hub_cache

    from course_utils import config
    from course_utils.data import sources

    start = time.perf_counter()
    models = build_components("cpu")
    counts = parameter_counts(models)
    assert counts == expected_counts(), f"parameter counts {counts} != published {expected_counts()}"
    hub_cache.write_sd_repo(hf_home, config.SD_MODEL_ID, models["unet"], models["vae"], models["text_encoder"])
    hub_cache.write_clip_repo(hf_home, config.CLIP_MODEL_ID, models["clip"])
    features = datasets.Features({"image": datasets.Image(),
                                  "label": datasets.ClassLabel(names=list(sources.FASHION_MNIST_CLASSES))})
    hub_cache.write_image_dataset(hf_home, config.FASHION_MNIST_ID, "fashion_mnist", fashion_mnist_standin(),
                                  features, STANDIN_NOTE)
    (hf_home / "BUILT").write_text("random weights and a stand-in dataset: a rehearsal cache, not the hub's files\n")
    print(f"built the rehearsal cache in {time.perf_counter() - start:.0f} s: {hf_home}")


# --- checking (steps 1-3) --------------------------------------------------------------------------

def peak_rss_gib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20  # Linux reports KiB


def timed_modules(modules: dict) -> dict:
    """Accumulate each module's forward time in seconds (pre- and post-forward hooks)."""
    times = {name: [] for name in modules}
    for name, module in modules.items():
        module.register_forward_pre_hook(lambda *_, n=name: times[n].append(-time.perf_counter()))
        module.register_forward_hook(lambda *_, n=name: times[n].__setitem__(-1, times[n][-1] + time.perf_counter()))
    return times


def check_sd(size: int) -> dict:
    import torch

    from course_utils import config
    from course_utils.sd import architecture, loading
    from course_utils.sd.generate import generate

    mode, reason = config.get_mode(), config.mode_reason()
    assert mode == "full", f"COURSE_MODE=full resolved to {mode} ({reason}), not full"
    device, dtype = config.get_device(), config.get_dtype()
    start = time.perf_counter()
    pipe = loading.load_pipeline(device=device, dtype=dtype)
    figures = {"mode": f"{mode} ({reason})", "device": str(device), "dtype": str(dtype).removeprefix("torch."),
               "load s": round(time.perf_counter() - start, 1),
               "peak RSS after load GiB (safetensors maps the weights, read on first use)": round(peak_rss_gib(), 2)}
    counts = {name: architecture.count_parameters(getattr(pipe, name)) for name in architecture.COMPONENTS}
    assert counts == architecture.SD15_PARAM_COUNTS, counts
    figures["parameters"] = counts
    figures["weights GiB"] = round(sum(p.numel() * p.element_size() for name in architecture.COMPONENTS
                                       for p in getattr(pipe, name).parameters()) / 2**30, 2)
    times = timed_modules({"text encoder": pipe.text_encoder, "UNet step": pipe.unet, "VAE decode": pipe.vae.decoder})
    kwargs = dict(height=size, width=size, num_inference_steps=1, guidance_scale=7.5)
    start = time.perf_counter()
    ours = generate(pipe, PROMPT, generator=torch.Generator().manual_seed(0), **kwargs)
    figures["generate s"] = round(time.perf_counter() - start, 1)
    figures.update({f"{name} s": [round(t, 2) for t in ts] for name, ts in times.items()})
    start = time.perf_counter()
    theirs = pipe(PROMPT, generator=torch.Generator().manual_seed(0), output_type="pt", **kwargs).images
    figures["pipeline s"] = round(time.perf_counter() - start, 1)
    figures["image"] = tuple(ours.shape)
    figures["generate == pipeline"] = torch.equal(ours, theirs)
    figures["max |generate - pipeline|"] = (ours.float() - theirs.float()).abs().max().item()
    figures["peak RSS GiB"] = round(peak_rss_gib(), 2)
    if device.type == "cuda":
        figures["peak cuda GiB"] = round(torch.cuda.max_memory_allocated() / 2**30, 2)
    assert figures["generate == pipeline"] or device.type != "cpu", "generate and the pipeline differ on the CPU"
    return figures


def check_clip() -> dict:
    import torch

    from course_utils import config
    from course_utils.data.sources import load_sample_photo
    from course_utils.sd import architecture, loading

    start = time.perf_counter()
    clip, processor = loading.load_clip(device=config.get_device())
    figures = {"load s": round(time.perf_counter() - start, 1), "parameters": architecture.count_parameters(clip)}
    assert figures["parameters"] == architecture.CLIP_VIT_B32_PARAM_COUNT, figures
    inputs = processor(text=["a photo of a flower", "a photo of a dog"], images=[load_sample_photo(512)],
                       return_tensors="pt", padding=True).to(clip.device)
    start = time.perf_counter()
    with torch.no_grad():
        logits = clip(**inputs).logits_per_image  # (1 image, 2 texts)
    figures.update({"pixel_values": tuple(inputs["pixel_values"].shape), "logits": tuple(logits.shape),
                    "forward s": round(time.perf_counter() - start, 2)})
    return figures


def check_notebook_02_data() -> dict:
    """Notebook 02's cells in full mode, from the top to the one that prepares the test split."""
    import nbformat
    from nbclient import NotebookClient

    path = ROOT / "notebooks" / "02_class_conditioned_unet.ipynb"
    nb = nbformat.read(path, as_version=4)
    last = next(i for i, cell in enumerate(nb.cells) if "to_training_tensors(test_ds)" in cell.source)
    nb.cells = nb.cells[: last + 1]
    start = time.perf_counter()
    NotebookClient(nb, timeout=1800, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    printed = [out.get("text", "") for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    lines = [line for text in printed for line in text.splitlines()
             if "training and" in line or line.startswith(("training images", "mode full", "Course mode"))]
    return {"cells run": sum(cell.cell_type == "code" for cell in nb.cells),
            "seconds": round(time.perf_counter() - start, 1), "printed": lines}


def machine() -> str:
    import torch

    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    gpu = torch.cuda.get_device_name() if torch.cuda.is_available() else "no GPU"
    return (f"{platform.machine()}, {os.cpu_count()} cores, {ram:.0f} GiB RAM, {gpu}; torch {torch.__version__} "
            f"with {torch.get_num_threads()} thread(s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--hf-home", type=Path, default=DEFAULT_HOME, help="the rehearsal cache (not your own)")
    parser.add_argument("--size", type=int, default=512, help="height = width of the one step (SD v1.5: 512)")
    parser.add_argument("--rebuild", action="store_true", help="write the cache again")
    parser.add_argument("--build-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    hf_home = args.hf_home.resolve()
    if hf_home == (Path.home() / ".cache" / "huggingface").resolve():
        sys.exit("Refusing to write random weights into your own Hugging Face cache; pick another --hf-home.")
    # before any Hugging Face library is imported: its cache, offline, and the course in full mode
    os.environ.update(HF_HOME=str(hf_home), HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1", COURSE_MODE="full",
                      COURSE_WIDGETS="static", PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    for variable in ("HF_HUB_CACHE", "HF_DATASETS_CACHE", "HUGGINGFACE_HUB_CACHE"):
        os.environ.pop(variable, None)
    if args.build_only:
        return build_cache(hf_home)
    if args.rebuild or not (hf_home / "BUILT").exists():
        subprocess.run([sys.executable, __file__, "--hf-home", str(hf_home), "--build-only"], check=True)
    size = sum(f.stat().st_size for f in hf_home.rglob("*") if f.is_file() and not f.is_symlink())
    print("machine:", machine())
    print(f"rehearsal cache: {hf_home} ({size / 2**30:.1f} GiB)")
    for title, check in (("SD v1.5", lambda: check_sd(args.size)), ("CLIP ViT-B/32", check_clip),
                         ("notebook 02, Fashion-MNIST stand-in", check_notebook_02_data)):
        figures = check()
        print(f"\n{title}:")
        for key, value in figures.items():
            print(f"  {key}: {value}")


if __name__ == "__main__":
    main()
