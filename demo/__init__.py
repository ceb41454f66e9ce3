"""``make demo``: a small county end to end through all three services (``demo/run.py``)."""
