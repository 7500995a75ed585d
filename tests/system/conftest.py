"""pytest fixtures for the system tests (see hvtest.py for the helpers)."""

import os

import pytest

import hvtest


def pytest_configure(config):
    config.addinivalue_line("markers", "soak: long runs, only in `make soak` (HV_SOAK=1)")


def pytest_collection_modifyitems(config, items):
    """Tests marked soak run only under HV_SOAK=1 (make soak); elsewhere they
    are deselected, not skipped: they are not part of `make test` at all."""
    if os.environ.get("HV_SOAK") == "1":
        return
    keep = [item for item in items if "soak" not in item.keywords]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[item for item in items if "soak" in item.keywords])
        items[:] = keep


@pytest.fixture
def qemu_factory(request):
    """qemu_factory(args, name=None, **kw) -> hvtest.Qemu.  Every QEMU it
    started is closed at teardown, whether the test passed or not.  Logs are
    named after the test (with -2, -3... for further QEMUs in one test)."""
    started = []

    def make(args, name=None, **kwargs):
        base = name or request.node.name
        if not name and started:
            base = f"{base}-{len(started) + 1}"
        qemu = hvtest.Qemu(args, name=base, **kwargs)
        started.append(qemu)
        return qemu

    yield make
    for qemu in started:
        qemu.close()


@pytest.fixture(params=hvtest.QEMU_VERSIONS, ids=lambda v: f"qemu{v}")
def qemu_version(request):
    """The QEMU version matrix: every test using this runs once per version
    label; the 7.2 run is skipped (only it, only) when its binary is absent."""
    version = request.param
    if version == hvtest.QEMU_OLD and not os.access(hvtest.qemu_old(), os.X_OK):
        pytest.skip(hvtest.QEMU_OLD_MISSING)
    return version


@pytest.fixture
def qemu_bin(qemu_version):
    """The QEMU executable for the current qemu_version."""
    return hvtest.qemu_binary(qemu_version)
