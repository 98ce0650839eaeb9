"""Shop backend: a small FastAPI app bundled with asyncguard as a worked example.

Lines that asyncguard reports end with ``# expect: CODE``; see ../README.md.
"""
