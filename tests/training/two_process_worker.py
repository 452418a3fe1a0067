"""Run by tests/training/test_processes.py under ``torchrun --nproc_per_node N``: one process of a data-parallel run.

Trains a small linear regression with the course's ``train_loop`` and writes this process's
weights and losses to ``OUT/rank{r}.pt``. The loss draws no random numbers, so one process with the
same global batch must reach the same weights (up to float rounding).
"""

import argparse
import os
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from course_utils.training.loop import train_loop  # noqa: E402


class Regression(torch.nn.Linear):
    config = {"in_features": 4, "out_features": 1}  # checkpoints store the model's config


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--num-steps", type=int, default=6)
    parser.add_argument("--stop-at-step", type=int, default=None)
    parser.add_argument("--checkpoint-dir", default=None)
    parser.add_argument("--accumulation", type=int, default=1)
    args = parser.parse_args()
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(64, 4, generator=generator)  # (N, 4)
    targets = inputs @ torch.tensor([[1.0], [-2.0], [0.5], [3.0]]) + 0.1  # (N, 1)
    torch.manual_seed(0)
    model = Regression(4, 1)
    draws = []

    def loss_fn(index, data_generator):
        draws.append(torch.rand(1, generator=data_generator).item())  # what this process would draw noise from
        return (model(inputs[index]) - targets[index]).pow(2).mean()

    losses = train_loop(model, loss_fn, num_examples=64, num_steps=args.num_steps, batch_size=8, learning_rate=0.05,
                        settings={}, device="cpu", progress=False, checkpoint_dir=args.checkpoint_dir,
                        checkpoint_every=3, stop_at_step=args.stop_at_step, gradient_accumulation_steps=args.accumulation)
    rank = int(os.environ.get("RANK", 0))
    args.out.mkdir(parents=True, exist_ok=True)
    torch.save(dict(weights={k: v.detach().clone() for k, v in model.state_dict().items()}, losses=losses,
                    draws=draws, world=int(os.environ.get("WORLD_SIZE", 1))), args.out / f"rank{rank}.pt")


if __name__ == "__main__":
    main()
