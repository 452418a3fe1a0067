"""Data-parallel training with real processes on the CPU (torchrun, gloo): the same weights everywhere,
the same result as one process with the same global batch, and resuming across processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from course_utils.training.processes import check_divisible, shard, shard_generator

WORKER = Path(__file__).with_name("two_process_worker.py")


def launch(out: Path, processes: int, *args) -> list[dict]:
    """Run the worker in ``processes`` real processes; return each one's weights, losses and draws."""
    env = dict(os.environ, OMP_NUM_THREADS="1")
    command = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}",
               str(WORKER), str(out), *map(str, args)]
    if processes == 1:  # a plain process: no launcher, no process group
        command = [sys.executable, str(WORKER), str(out), *map(str, args)]
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return [torch.load(out / f"rank{r}.pt", weights_only=True) for r in range(processes)]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("processes")
    return dict(one=launch(root / "one", 1), two=launch(root / "two", 2), root=root)


def test_two_processes_hold_identical_weights_and_match_one_process(runs):
    (one,), (rank0, rank1) = runs["one"], runs["two"]
    assert rank0["world"] == rank1["world"] == 2
    for name, weight in rank0["weights"].items():
        assert torch.equal(weight, rank1["weights"][name])  # the all-reduce: every process took the same step
        torch.testing.assert_close(weight, one["weights"][name], rtol=1e-5, atol=1e-6)  # float sums in another order
    assert rank0["losses"] == rank1["losses"]  # the global batch's loss, logged alike everywhere
    torch.testing.assert_close(torch.tensor(rank0["losses"]), torch.tensor(one["losses"]), rtol=1e-5, atol=1e-6)
    moved = (rank0["weights"]["weight"] - one["weights"]["weight"]).abs().max()
    assert moved < 1e-5 and one["losses"][-1] < one["losses"][0]  # it trained, and alike


def test_the_processes_draw_different_random_numbers(runs):
    rank0, rank1 = runs["two"]
    assert rank0["draws"] != rank1["draws"]  # each shard its own noise, timesteps and dropout


def test_a_two_process_run_resumes_from_its_checkpoint(runs):
    root = runs["root"]
    checkpoints = root / "checkpoints"
    launch(root / "first", 2, "--checkpoint-dir", checkpoints, "--stop-at-step", 3)
    assert sorted(p.name for p in checkpoints.iterdir()) == ["step_00000003"]  # written once, by the main process
    resumed = launch(root / "resumed", 2, "--checkpoint-dir", checkpoints)
    for result in resumed:
        assert result["losses"] == runs["two"][0]["losses"]  # steps 1–3 from the checkpoint, 4–6 trained again
        for name, weight in result["weights"].items():
            assert torch.equal(weight, runs["two"][0]["weights"][name])
        assert result["draws"] == runs["two"][int(result is resumed[1])]["draws"][3:]  # the same numbers drawn


def test_gradient_accumulation_gives_the_same_update(runs):
    (accumulated,) = launch(runs["root"] / "accumulated", 1, "--accumulation", 4)
    (one,) = runs["one"]
    for name, weight in accumulated["weights"].items():
        torch.testing.assert_close(weight, one["weights"][name], rtol=1e-5, atol=1e-6)


def test_a_batch_that_does_not_split_evenly_names_the_fix():
    check_divisible(8, 2, 2)
    with pytest.raises(ValueError, match=r"batch_size=10 does not split into 2 process\(es\) × 2 .* = 4 equal parts.*e\.g\. batch_size=12 or 8"):
        check_divisible(10, 2, 2)


def test_shards_cover_the_batch_and_generators_differ_per_process():
    index = torch.arange(8)
    assert torch.equal(torch.cat([shard(index, r, 2) for r in range(2)]), index)
    assert shard(index, 0, 1) is index
    data = torch.Generator().manual_seed(0)
    assert shard_generator(data, 0, 1) is data  # one process: exactly the single-process draws
    draws = []
    for rank in (0, 1):
        data.manual_seed(0)
        draws.append(torch.rand(3, generator=shard_generator(data, rank, 2)))
    assert not torch.equal(*draws)


def test_one_process_leaves_no_accelerate_state_so_notebook_launcher_still_works():
    from accelerate.state import AcceleratorState

    from course_utils.training.loop import train_loop

    model = torch.nn.Linear(2, 1)
    model.config = {"in_features": 2, "out_features": 1}
    data = torch.randn(8, 2, generator=torch.Generator().manual_seed(0))
    train_loop(model, lambda index, generator: model(data[index]).pow(2).mean(), num_examples=8, num_steps=2,
               batch_size=4, learning_rate=1e-2, settings={}, device="cpu", progress=False)
    assert len(AcceleratorState._shared_state) == 0  # notebook_launcher refuses to start once an Accelerator exists
