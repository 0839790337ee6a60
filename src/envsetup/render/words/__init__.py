"""Word catalogues: one module per producer of findings (see render/finding_words.py)."""
