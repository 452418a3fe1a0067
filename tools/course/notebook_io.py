"""Execute and clean notebooks: shared by `make course` and the maintainer tool refresh_notebook."""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from jupyter_core.paths import jupyter_runtime_dir
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHECK_MARK = "# NBVAL_CHECK_OUTPUT"


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))


class QuietShutdownKernelManager(AsyncKernelManager):
    """A kernel manager that does not interrupt the kernel it is about to shut down.

    jupyter_client sends SIGINT before its shutdown request, in case the kernel is busy. A kernel whose
    cells have all run is idle, and if the signal lands while it answers a last message it logs
    "ERROR | KeyboardInterrupt caught in kernel." into the build log of a notebook that succeeded. An
    interrupt while cells run (a cell past the timeout) still goes through. On Linux and macOS the kernel
    talks over Unix sockets in Jupyter's runtime folder rather than over local TCP, which ipykernel warns
    about once per kernel.
    """

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        socket = Path(jupyter_runtime_dir()) / f"k-{uuid.uuid4().hex[:8]}"  # absolute: kernel and client agree
        if os.name == "posix" and len(str(socket)) < 90:  # a Unix socket's path may not be much longer
            socket.parent.mkdir(parents=True, exist_ok=True)
            self.transport, self.ip = "ipc", str(socket)  # no "running over TCP without encryption" warning

    async def _async_interrupt_kernel(self) -> None:
        if self.shutting_down:
            return
        await super()._async_interrupt_kernel()


def execute(path: Path, timeout: int = 1800) -> nbformat.NotebookNode:
    """Run every cell top to bottom in a fresh kernel, from the notebooks/ folder."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3", kernel_manager_class=QuietShutdownKernelManager,
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    return nb


def is_checked(cell) -> bool:
    return cell.cell_type == "code" and CHECK_MARK in cell.source


def strip(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop outputs and counts except in nbval-checked cells (tagged keep_output for nbstripout).

    nbval skips a cell with no execution count, so checked cells keep a fixed count of 1.
    """
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        cell.execution_count = 1 if is_checked(cell) else None
        if is_checked(cell):
            cell.metadata["keep_output"] = True
            for out in cell.outputs:
                if "execution_count" in out:
                    out["execution_count"] = 1
        else:
            cell.metadata.pop("keep_output", None)
            cell.outputs = []
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    return nb
