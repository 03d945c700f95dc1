"""Run code as soon as another library has loaded one of its modules, without importing it first.

``import modeling`` must register emotune's model types with transformers' Auto classes (so that
``AutoModel.from_pretrained(folder)`` loads a saved emotune model without ``trust_remote_code``), yet the
command line must answer ``emotune --help`` in well under a second, and importing transformers' Auto
classes alone takes seconds. :func:`after_import` squares the two: the registration runs the moment the
program itself loads transformers' Auto machinery (or at once, if it already has), so nothing is imported
that the program was not about to import anyway.

How: a finder on :data:`sys.meta_path` watches the imports of one package. It wraps the loader of each of
its modules to count the imports in progress; when the outermost one finishes and one of the trigger
modules is loaded, the finder removes itself and runs the callback once. Running then, and not in the
middle of an import, matters: the callback imports modules of that package, which must not be found
half-initialised.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Sequence
from importlib.abc import Loader, MetaPathFinder

__all__ = ["after_import"]


def _initializing(package: str, finished: str | None = None) -> bool:
    """Whether a module of ``package`` other than ``finished`` (executed, not yet marked done by the import
    system) is being imported right now: also an import that began before the finder was installed."""
    prefix = package + "."
    return any(
        getattr(getattr(module, "__spec__", None), "_initializing", False)
        for name, module in list(sys.modules.items())
        if (name == package or name.startswith(prefix)) and name != finished
    )


class _Watcher(MetaPathFinder):
    """Watches the imports of one package and runs the jobs whose trigger modules have been loaded."""

    def __init__(self, package: str):
        self.package, self.jobs, self.depth = package, [], 0
        self._finding = threading.local()

    def run_ready_jobs(self, finished: str | None = None) -> None:
        if _initializing(self.package, finished):
            return
        ready = [job for job in self.jobs if any(name in sys.modules for name in job[0])]
        self.jobs = [job for job in self.jobs if job not in ready]
        if not self.jobs and self in sys.meta_path:
            sys.meta_path.remove(self)
            _WATCHERS.pop(self.package, None)
        for _, callback in ready:
            callback()

    def find_spec(self, fullname, path=None, target=None):
        if not self.jobs or getattr(self._finding, "active", False):
            return None
        if fullname != self.package and not fullname.startswith(self.package + "."):
            return None
        self._finding.active = True
        try:  # the spec the other finders give, with its loader wrapped
            for finder in sys.meta_path:
                if finder is self or not hasattr(finder, "find_spec"):
                    continue
                spec = finder.find_spec(fullname, path, target)
                if spec is not None:
                    break
            else:
                return None
        finally:
            self._finding.active = False
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _CountingLoader(spec.loader, self)
        return spec


_WATCHERS: dict[str, _Watcher] = {}


class _CountingLoader(Loader):
    """A module's own loader, with the imports in progress counted around ``exec_module``."""

    def __init__(self, loader, watcher: _Watcher):
        self._loader, self._watcher = loader, watcher

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module) -> None:
        watcher = self._watcher
        watcher.depth += 1
        try:
            self._loader.exec_module(module)
        finally:
            watcher.depth -= 1
        if watcher.depth == 0 and watcher.jobs:
            watcher.run_ready_jobs(finished=module.__name__)

    def __getattr__(self, name):  # get_source, is_package, get_resource_reader, ...: the module's loader's
        return getattr(self._loader, name)


def after_import(package: str, triggers: Sequence[str], callback: Callable[[], None]) -> None:
    """Call ``callback()`` once, when one of the modules ``triggers`` (modules of ``package``) has been
    imported and no import of ``package`` is in progress: now, if that is already so."""
    watcher = _WATCHERS.get(package)
    if watcher is None:
        watcher = _WATCHERS[package] = _Watcher(package)
        sys.meta_path.insert(0, watcher)
    watcher.jobs.append((tuple(triggers), callback))
    watcher.run_ready_jobs()
