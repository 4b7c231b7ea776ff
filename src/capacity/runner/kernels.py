"""Kernel managers: every notebook runs on this project's Python, spawned or forked.

:data:`KERNEL_MANAGERS` maps the ``--kernel`` choice to the manager class the engines
(:mod:`capacity.runner.engines`) hand to nbclient.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from jupyter_client.kernelspec import KernelSpec
from jupyter_client.manager import AsyncKernelManager

from capacity import project


class ProjectKernelManager(AsyncKernelManager):
    """Kernel manager that always starts the kernel on this project's Python.

    Whatever kernelspecs the machine has (a ``python3`` in ``~/.local/share/jupyter``
    pointing at another interpreter, conda kernels, none at all: papermill #251, #761),
    the notebook runs on ``sys.executable`` of the process running the suite, i.e. the
    project's virtual environment.
    """

    @property
    def kernel_spec(self) -> KernelSpec:  # noqa: D102 - overrides the kernelspec lookup
        if self._kernel_spec is None:
            self._kernel_spec = KernelSpec(
                name="capacity",
                argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                display_name=f"capacity ({sys.prefix})",
                language="python",
                interrupt_mode="signal",
                metadata={},
                # The kernel runs in a folder under the reports (maybe outside the project):
                # relative parameter and data paths must still count from the project folder.
                env={project.ENV_VAR: str(project.project_root()).replace("$", "$$")},
            )
        return self._kernel_spec

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        # Kernels write warnings (and their last words when they crash) to stderr: keep those
        # in the run's kernel log instead of interleaving them with the progress display.
        log = os.environ.get("CAPACITY_KERNEL_LOG")
        if not log or "stderr" in kw:
            await super()._async_launch_kernel(kernel_cmd, **kw)
            return
        Path(log).parent.mkdir(parents=True, exist_ok=True)
        with open(log, "a", encoding="utf-8") as handle:  # the child keeps its own copy
            kw["stderr"] = handle
            kw.setdefault("stdout", handle)
            await super()._async_launch_kernel(kernel_cmd, **kw)


class ForkKernelManager(ProjectKernelManager):
    """Like :class:`ProjectKernelManager`, but forks each new kernel from a preloaded zygote.

    See :mod:`capacity.runner.fork`: same fresh kernel per notebook, about 3 s less CPU each.
    """

    async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
        from capacity.runner.fork import Zygote

        provisioner = self.provisioner
        process = Zygote.get().fork(
            kernel_cmd,
            env=kw.get("env"),
            cwd=str(kw["cwd"]) if kw.get("cwd") else None,
            log=os.environ.get("CAPACITY_KERNEL_LOG"),
        )
        provisioner.process = process
        provisioner.pid = process.pid
        provisioner.pgid = process.pid  # the child calls setsid()
        provisioner.cwd = kw.get("cwd")
        self._reconcile_connection_info(provisioner.connection_info)


#: Kernel start methods: ``spawn`` a new interpreter, or ``fork`` from a preloaded zygote.
KERNEL_MANAGERS = {"spawn": ProjectKernelManager, "fork": ForkKernelManager}
