"""asyncguard: find, explain and fix blocking calls in async Python web code."""

__version__ = "0.1.0"
