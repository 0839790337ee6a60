"""envsetup: from fresh install to a verified PyTorch GPU environment."""

__version__ = "0.1.0"
