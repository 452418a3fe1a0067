"""The one resumable training loop of the course (notebook 02's UNet, notebook 06's CLIP, VAE, UNet).

Every model is trained the same way: shuffle the data once per epoch, take a batch of indices,
let a ``loss_fn`` turn them into a loss, take an AdamW step. What differs between models is only
the ``loss_fn``. With ``checkpoint_dir`` the loop saves everything needed to continue bit for
bit (weights, optimizer, data order, random states; see ``course_utils.training.checkpoints``) every
``checkpoint_every`` steps, and a later call with the same folder resumes where it stopped, so a
crash or a closed laptop costs at most ``checkpoint_every`` steps.

Mixed precision follows ``config.get_dtype`` (``COURSE_DTYPE`` overrides it): the weights and
the optimizer stay float32, and the forward pass runs under ``torch.autocast`` in float16 (with
a gradient scaler, so small gradients do not round to zero) or bfloat16 (float32's exponent
range: no scaler needed); float32 means no autocast. On a GPU the default is float16. On the CPU
the default is float32; ``COURSE_DTYPE=float16`` there runs the GPU's recipe, scaler included, to
rehearse it: slower than float32 on most CPUs, which lack fast float16 arithmetic.

The loop runs through Hugging Face accelerate (``course_utils.training.processes``): launched as N
processes (``accelerate launch``, ``torchrun``, ``notebook_launcher``) each process trains on its
shard of every batch and the gradients are averaged, so every process keeps the same weights;
``batch_size`` is the global batch. Mixed precision comes from accelerate (the dtype above), except
float16 on the CPU, which accelerate lacks and the loop rehearses itself. Only the main process
prints, shows progress and writes checkpoints; every process can resume from them.
"""

from __future__ import annotations

import math
import time

import torch

from course_utils import config
from course_utils.arguments import finite_real, whole_number
from course_utils.errors import TrainingDivergedError
from course_utils.training.checkpoints import (
    check_checkpoint_dir,
    check_writable,
    latest_checkpoint,
    load_checkpoint,
    non_finite_weights,
    save_checkpoint,
)
from course_utils.training.processes import (
    average_gradients,
    check_divisible,
    cpu_float16_rehearsal,
    mean_over_processes,
    release,
    shard,
    shard_generator,
    training_accelerator,
)
from course_utils.training.seeding import seed_everything


def learning_rate_at(step: int, learning_rate: float, warmup_steps: int, num_steps: int, decay: bool) -> float:
    """Linear warm-up over ``warmup_steps``, then constant or (``decay``) a cosine down to 10 %."""
    if step < warmup_steps:
        return learning_rate * (step + 1) / warmup_steps
    if not decay:
        return learning_rate
    progress = (step - warmup_steps) / max(1, num_steps - warmup_steps)
    return learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def _not_a_string(value) -> str:
    return f" (a number, not the string {value!r})" if isinstance(value, str) else ""


def check_loop_settings(num_examples: int, num_steps, batch_size, learning_rate, checkpoint_every,
                        max_seconds, warmup_steps=0, max_grad_norm=None, ema_decay=None, stop_at_step=None,
                        seed=0, weight_decay=0.01) -> dict:
    """Refuse a setting that would fail later or train nothing; return them as plain Python ints and floats."""
    given = dict(num_steps=num_steps, batch_size=batch_size, checkpoint_every=checkpoint_every,
                 warmup_steps=warmup_steps, seed=seed)
    ints = {name: whole_number(value) for name, value in given.items()}
    for name in ("num_steps", "checkpoint_every"):
        if ints[name] is None or ints[name] < 1:
            raise ValueError(f"{name}={given[name]!r} must be a positive int{_not_a_string(given[name])}, "
                             f"e.g. {name}=100.")
    num_steps = ints["num_steps"]
    if ints["batch_size"] is None or not 1 <= ints["batch_size"] <= num_examples:
        raise ValueError(f"batch_size={batch_size!r} must be an int from 1 to the dataset size ({num_examples} "
                         f"examples){_not_a_string(batch_size)}; use a smaller batch_size.")
    if ints["warmup_steps"] is None or not 0 <= ints["warmup_steps"] <= num_steps:
        raise ValueError(f"warmup_steps={warmup_steps!r} must be an int from 0 to num_steps={num_steps}.")
    if ints["seed"] is None or not 0 <= ints["seed"] < 2**32:
        raise ValueError(f"seed={seed!r} must be an int from 0 to 2**32 − 1 (numpy's range), e.g. seed=0.")
    if stop_at_step is not None and (whole_number(stop_at_step) is None or not 1 <= whole_number(stop_at_step) <= num_steps):
        raise ValueError(f"stop_at_step={stop_at_step!r} must be an int from 1 to num_steps={num_steps}, or None.")
    floats = {name: finite_real(value) for name, value in (("learning_rate", learning_rate), ("max_seconds", max_seconds),
              ("max_grad_norm", max_grad_norm), ("ema_decay", ema_decay), ("weight_decay", weight_decay))}
    if floats["learning_rate"] is None or not floats["learning_rate"] > 0:
        raise ValueError(f"learning_rate={learning_rate!r} must be positive and finite, e.g. 1e-3"
                         f"{_not_a_string(learning_rate)}.")
    if max_seconds is not None and (floats["max_seconds"] is None or not floats["max_seconds"] > 0):
        raise ValueError(f"max_seconds={max_seconds!r} must be positive and finite, or None for no time limit.")
    if max_grad_norm is not None and (floats["max_grad_norm"] is None or not floats["max_grad_norm"] > 0):
        raise ValueError(f"max_grad_norm={max_grad_norm!r} must be positive and finite (e.g. 1.0), or None for "
                         "no clipping.")
    if ema_decay is not None and (floats["ema_decay"] is None or not 0 < floats["ema_decay"] < 1):
        raise ValueError(f"ema_decay={ema_decay!r} must lie strictly between 0 and 1 (e.g. 0.999), or None for no EMA.")
    if floats["weight_decay"] is None or floats["weight_decay"] < 0:
        raise ValueError(f"weight_decay={weight_decay!r} must be a finite number ≥ 0 (e.g. 0.01).")
    return dict(ints, stop_at_step=whole_number(stop_at_step), **floats)


def autocast_dtype(device: torch.device, dtype: torch.dtype | None = None) -> torch.dtype | None:
    """The dtype the forward pass autocasts to (``dtype``, or ``config.get_dtype``), None for float32."""
    dtype = dtype or config.get_dtype(device)
    if dtype not in (torch.float32, torch.float16, torch.bfloat16):
        raise ValueError(f"dtype={dtype} cannot be trained in; use torch.float32, torch.float16 or torch.bfloat16.")
    return None if dtype == torch.float32 else dtype


def train_loop(model, loss_fn, *, num_examples: int, num_steps: int, batch_size: int, learning_rate: float,
               settings: dict, warmup_steps: int = 0, decay: bool = False, weight_decay: float = 0.01,
               max_grad_norm: float | None = None, ema_decay: float | None = None,
               checkpoint_dir=None, checkpoint_every: int = 250, seed: int = 0, device=None, dtype=None,
               progress: bool = True, max_seconds: float | None = None, stop_at_step: int | None = None,
               gradient_accumulation_steps: int = 1, desc: str = "training") -> list[float]:
    """Train ``model`` for ``num_steps`` steps in total; returns the loss of every step from step 0.

    ``loss_fn(index, generator)`` gets the batch's example indices (B,) (CPU, long) and the data
    generator (for augmentation, caption or label dropout) and returns a scalar loss. ``settings``
    is stored in each checkpoint; resuming with different settings is refused. ``dtype`` is the
    autocast dtype (default ``config.get_dtype(device)``; see the module's docstring).
    ``max_grad_norm`` clips the gradients' global norm before each step. ``ema_decay`` keeps an
    exponential moving average of the weights (diffusers' ``EMAModel``, whose decay is 0 at the first
    update and min(ema_decay, n/(n + 9)) at the n-th after it, so the average starts as a copy of the
    first trained weights); it
    is checkpointed, and the model holds the averaged weights when the call returns. The call returns early after ``max_seconds``
    or on reaching step ``stop_at_step``, with a checkpoint, so calling it again continues. A NaN or
    inf loss (or weights) stops the run with ``TrainingDivergedError`` before anything diverged is
    saved; ``checkpoint_dir`` must be writable and outside the installed package (checked before step 1).
    ``gradient_accumulation_steps`` splits each process's share of a batch into that many smaller
    passes whose gradients add up before the step: the same update with less memory.
    """
    # 1. check the inputs (before anything is read or written)
    checked = check_loop_settings(num_examples, num_steps, batch_size, learning_rate, checkpoint_every, max_seconds,
                                  warmup_steps, max_grad_norm, ema_decay, stop_at_step, seed, weight_decay)
    num_steps, batch_size, checkpoint_every, warmup_steps, seed, stop_at_step = (checked[k] for k in (
        "num_steps", "batch_size", "checkpoint_every", "warmup_steps", "seed", "stop_at_step"))
    learning_rate, max_seconds, max_grad_norm, ema_decay, weight_decay = (checked[k] for k in (
        "learning_rate", "max_seconds", "max_grad_norm", "ema_decay", "weight_decay"))
    if checkpoint_dir is not None:
        checkpoint_dir = check_checkpoint_dir(checkpoint_dir)  # never inside the package
    settings = dict(settings, batch_size=batch_size, learning_rate=learning_rate, seed=seed,
                    dataset_size=num_examples, warmup_steps=warmup_steps, decay=decay, weight_decay=weight_decay)
    settings.update({k: v for k, v in (("max_grad_norm", max_grad_norm), ("ema_decay", ema_decay)) if v is not None})

    # 2. the processes (accelerate), model, optimizer and mixed-precision scaler on the device
    device = torch.device(device) if device is not None else config.get_device()
    amp_dtype = autocast_dtype(device, dtype)  # None: plain float32
    accelerator = training_accelerator(device, amp_dtype)
    rank, world, main = accelerator.process_index, accelerator.num_processes, accelerator.is_main_process
    accumulation = whole_number(gradient_accumulation_steps)
    if accumulation is None or accumulation < 1:
        raise ValueError(f"gradient_accumulation_steps={gradient_accumulation_steps!r} must be a positive int, e.g. 1.")
    check_divisible(batch_size, world, accumulation)
    if world > 1 and accelerator.device.type != "cpu":
        device = accelerator.device  # each process its own GPU: cuda:0, cuda:1, …
    model.to(device).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=weight_decay)
    rehearsal = cpu_float16_rehearsal(device, amp_dtype)
    scaler = accelerator.scaler or torch.amp.GradScaler(device.type, enabled=rehearsal)  # float16: a loss scaler

    def autocast():
        if amp_dtype is None or rehearsal:  # float32 (autocast off), or float16 rehearsed on the CPU
            return torch.autocast(device.type, dtype=amp_dtype or torch.float32, enabled=amp_dtype is not None)
        return accelerator.autocast()
    data_generator = torch.Generator()  # data order and every random choice of the loss_fn
    ema = None
    if ema_decay is not None:
        from diffusers.training_utils import EMAModel

        ema = EMAModel(model.parameters(), decay=ema_decay)  # a shadow copy, updated after each step

    # 3. start fresh, or resume from the last checkpoint
    saved = load_checkpoint(checkpoint_dir, model, optimizer, scaler, data_generator, settings, device, ema) \
        if checkpoint_dir is not None else None
    if saved is None:
        seed_everything(seed)
        data_generator.manual_seed(seed)
        step, losses, order, position = 0, [], torch.randperm(num_examples, generator=data_generator), 0
    else:
        step, losses, order, position = saved
        if step > num_steps:
            raise ValueError(f"The checkpoint in {checkpoint_dir} is at step {step}, past num_steps={num_steps}; "
                             "ask for num_steps ≥ that, or use a fresh checkpoint_dir.")
        if progress and main:
            print(f"Resuming from step {step} (checkpoint in {checkpoint_dir}).")
    end = num_steps if stop_at_step is None else stop_at_step  # this call's last step
    if checkpoint_dir is not None and step < end and main:
        check_writable(checkpoint_dir)  # fail now, not after the steps have run
    start = time.perf_counter()

    def diverged(what: str) -> TrainingDivergedError:
        return TrainingDivergedError(divergence_message(what, learning_rate, amp_dtype, checkpoint_dir))

    # 4. the loop: batch of indices → loss → update (under autocast unless float32)
    from tqdm.auto import tqdm

    bar = tqdm(total=num_steps, initial=step, disable=not (progress and main), desc=desc)
    while step < end:
        if position + batch_size > len(order):  # new epoch: a new shuffled order
            order, position = torch.randperm(num_examples, generator=data_generator), 0
        index = order[position:position + batch_size]  # (B,) the global batch, the same on every process
        position += batch_size
        for group in optimizer.param_groups:
            group["lr"] = learning_rate_at(step, learning_rate, warmup_steps, num_steps, decay)
        generator = shard_generator(data_generator, rank, world)
        optimizer.zero_grad(set_to_none=True)
        step_loss = 0.0
        for part in shard(index, rank, world).chunk(accumulation):  # (B / N / accumulation,) each
            with autocast():
                loss = loss_fn(part, generator)
            if not (isinstance(loss, torch.Tensor) and loss.ndim == 0):
                raise ValueError(f"loss_fn returned {type(loss).__name__} {tuple(getattr(loss, 'shape', ()))}; it "
                                 "must return a scalar tensor, e.g. ((prediction - target) ** 2).mean().")
            loss = loss / accumulation if accumulation > 1 else loss
            scaler.scale(loss).backward()
            step_loss = step_loss + loss.detach()
        if not math.isfinite(loss_value := mean_over_processes(accelerator, step_loss)):  # before the weights change
            bar.close()
            raise diverged(f"The loss became {loss_value} at step {step + 1} of {num_steps}")
        average_gradients(accelerator, model)  # several processes: every gradient becomes their mean
        if max_grad_norm is not None:
            scaler.unscale_(optimizer)  # clip the true gradients, not the scaled ones
            torch.nn.utils.clip_grad_norm_(model.parameters(), max_grad_norm)
        scaler.step(optimizer)
        scaler.update()
        if ema is not None:
            ema.step(model.parameters())
        losses.append(loss_value)
        step += 1
        bar.update(1)
        if step % 10 == 0:
            bar.set_postfix(loss=f"{losses[-1]:.4f}")
        out_of_time = max_seconds is not None and time.perf_counter() - start > max_seconds
        pause = out_of_time or step == end
        if pause or (checkpoint_dir is not None and step % checkpoint_every == 0):
            if bad := non_finite_weights(model, ema):  # a finite loss, but the update overflowed
                bar.close()
                raise diverged(f"After step {step} of {num_steps} {bad[0]} (and {len(bad) - 1} more tensors) "
                               "hold NaN or inf")
        if checkpoint_dir is not None and (step % checkpoint_every == 0 or pause):
            if main:
                save_checkpoint(checkpoint_dir, step, model, optimizer, scaler, data_generator, settings,
                                losses, order, position, ema)
            accelerator.wait_for_everyone()
        if pause:
            break
    bar.close()
    if ema is not None:
        ema.copy_to(model.parameters())  # sample with the averaged weights
    model.eval()
    release(accelerator)  # one process: leave no accelerate state behind (notebook_launcher needs none)
    return losses


def divergence_message(what: str, learning_rate: float, amp_dtype, checkpoint_dir) -> str:
    """Why a run stopped with NaN or inf, the fixes (learning rate, then dtype) and which checkpoint survives."""
    dtype = "float32, no autocast" if amp_dtype is None else f"{str(amp_dtype).removeprefix('torch.')} autocast"
    fix = f"Lower the learning rate, e.g. ÷10 to learning_rate={learning_rate / 10:g}"
    if amp_dtype == torch.float16:
        fix += (", or train in bfloat16 or float32, whose range float16 lacks (dtype=torch.bfloat16 or "
                "COURSE_DTYPE=bfloat16; dtype=torch.float32 or COURSE_DTYPE=float32)")
    elif amp_dtype == torch.bfloat16:
        fix += ", or train in float32 (dtype=torch.float32 or COURSE_DTYPE=float32)"
    kept = latest_checkpoint(checkpoint_dir) if checkpoint_dir is not None else None
    saved = "" if checkpoint_dir is None else " No checkpoint had been written yet." if kept is None else (
        f" Nothing from the diverged steps was saved: the last checkpoint, {kept}, is kept. Its settings hold the "
        "learning rate, so train with a new one in a fresh checkpoint_dir (or, if the loss_fn was at fault, fix it "
        "and call again to resume).")
    return f"{what} ({learning_rate=:g}, {dtype}): the training diverged. {fix}." + saved
