"""Data-parallel training: one model, several processes, through Hugging Face accelerate (notebook 06, C57).

Every process holds the same model and, each step, the same global batch of example indices (one
seed gives all of them the same shuffled order). Then:

1. process r keeps its shard of the batch, the r-th of N equal slices;
2. it computes the loss on its shard and backpropagates;
3. the gradients are averaged over the processes (an *all-reduce*), so every process holds the
   gradient of the whole batch's mean loss, takes the same AdamW step and keeps the same weights.

On one process steps 1 and 3 do nothing, so the same loop trains on a laptop, one GPU or eight.
accelerate's ``Accelerator`` starts the processes' group (NCCL between GPUs, gloo between CPU
processes), places each process on its device, supplies mixed precision (autocast and, for
float16, a gradient scaler) and the all-reduce. (``accelerator.prepare(model)`` would wrap the
model in PyTorch's DistributedDataParallel, which overlaps the same all-reduce with the backward
pass; the course averages after the backward pass instead, the same arithmetic, so a ``loss_fn``
can keep calling the model it was written for.)

Launch N processes with ``accelerate launch --num_processes N script.py`` on GPUs,
``torchrun --nproc_per_node N script.py`` on CPUs or GPUs, or ``accelerate.notebook_launcher(fn,
num_processes=N)`` from a notebook with several GPUs.
"""

from __future__ import annotations

import torch

ACCELERATE_PRECISION = {None: "no", torch.float16: "fp16", torch.bfloat16: "bf16"}  # autocast dtype → accelerate's name


def training_accelerator(device: torch.device, amp_dtype: torch.dtype | None):
    """The ``Accelerator`` for a run on ``device`` with autocast ``amp_dtype`` (None: float32).

    accelerate fixes the mixed precision once per process; a single process that trains again in
    another dtype (a test, a rehearsal) starts a fresh state. accelerate offers no float16 on the CPU:
    there the loop rehearses the GPU's float16 recipe itself (``cpu_float16_rehearsal``).
    """
    from accelerate import Accelerator
    from accelerate.state import AcceleratorState, PartialState

    mixed = "no" if cpu_float16_rehearsal(device, amp_dtype) else ACCELERATE_PRECISION[amp_dtype]
    try:
        return Accelerator(cpu=device.type == "cpu", mixed_precision=mixed)
    except ValueError as err:
        if "already been initialized" not in str(err):
            raise
        if PartialState().num_processes > 1:
            raise ValueError(f"This launch already trains with {AcceleratorState().mixed_precision} mixed precision on "
                             f"{PartialState().device}; a run with several processes keeps one dtype and device. Set "
                             "COURSE_DTYPE (or dtype=) the same for every training call, or launch the calls "
                             "separately.") from err
        AcceleratorState._reset_state(reset_partial_state=True)
        return Accelerator(cpu=device.type == "cpu", mixed_precision=mixed)


def release(accelerator) -> None:
    """After a run on one process, forget accelerate's process-wide state.

    A notebook can then still start several processes with ``accelerate.notebook_launcher``, which
    refuses to once an ``Accelerator`` exists in the notebook's own process. A launched run keeps its
    state: its processes stay a group until they exit.
    """
    from accelerate.state import AcceleratorState

    if accelerator.num_processes == 1:
        AcceleratorState._reset_state(reset_partial_state=True)


def cpu_float16_rehearsal(device: torch.device, amp_dtype: torch.dtype | None) -> bool:
    """float16 on the CPU: the GPU's recipe (autocast + gradient scaler) run where accelerate has none."""
    return device.type == "cpu" and amp_dtype == torch.float16


def check_divisible(batch_size: int, num_processes: int, gradient_accumulation_steps: int) -> None:
    """Every process must get an equal share of every batch, or the averaged gradient is not the batch's."""
    parts = num_processes * gradient_accumulation_steps
    if batch_size % parts:
        lower, upper = batch_size // parts * parts, (batch_size // parts + 1) * parts
        raise ValueError(f"batch_size={batch_size} does not split into {num_processes} process(es) × "
                         f"{gradient_accumulation_steps} accumulation step(s) = {parts} equal parts; use a multiple "
                         f"of {parts}, e.g. batch_size={upper}" + (f" or {lower}." if lower else "."))


def shard(index: torch.Tensor, rank: int, num_processes: int) -> torch.Tensor:
    """This process's equal slice of the global batch's indices: (B,) → (B / N,)."""
    return index.chunk(num_processes)[rank] if num_processes > 1 else index


def shard_generator(data_generator: torch.Generator, rank: int, num_processes: int) -> torch.Generator:
    """The generator this step's ``loss_fn`` draws from (noise, timesteps, dropout).

    One process: the data generator itself. Several: a generator seeded from the shared data generator
    plus the rank, so the processes draw different numbers while the checkpointed data generator alone
    still decides every draw (a resumed run draws what the uninterrupted one would have).
    """
    if num_processes == 1:
        return data_generator
    seed = int(torch.randint(0, 2**62, (1,), generator=data_generator))  # the same on every process
    return torch.Generator().manual_seed(seed + rank)


def average_gradients(accelerator, model) -> None:
    """All-reduce: every process's gradients become their mean over the processes (one flat message)."""
    if accelerator.num_processes == 1:
        return
    params = [p for p in model.parameters() if p.requires_grad]
    for p in params:
        if p.grad is None:  # a parameter this shard did not use: it contributes zero
            p.grad = torch.zeros_like(p)
    flat = torch.cat([p.grad.flatten() for p in params])  # (total parameters,)
    flat = accelerator.reduce(flat, reduction="mean")
    for p, g in zip(params, flat.split([p.numel() for p in params])):
        p.grad.copy_(g.view_as(p.grad))


def mean_over_processes(accelerator, value: torch.Tensor) -> float:
    """A scalar averaged over the processes (the whole batch's loss when every shard is equal)."""
    if accelerator.num_processes == 1:
        return value.item()
    return accelerator.reduce(value.detach().float().reshape(1), reduction="mean").item()
