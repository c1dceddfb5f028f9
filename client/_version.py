"""The version of the installed graviti-mock distribution, for the X-Source header."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("graviti-mock")
except PackageNotFoundError:  # run from a source checkout that was never installed
    __version__ = "0+unknown"
