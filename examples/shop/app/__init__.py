"""Shop backend: a small FastAPI app bundled with asyncguard as a worked example.

Every line that asyncguard should report carries an "expect" comment naming the rule;
see ../README.md.
"""
