"""Training and evaluation of the judge (``make train-judgement``): the data, pinned by
sha256, and the script that turns it into the shipped model (docs/judgement.md)."""
