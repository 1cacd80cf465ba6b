"""The trained judge: does this post genuinely praise the brand, and is it safe to reward?

``text`` prepares a post exactly as the model was trained on it, ``encoder`` runs the
shipped ONNX model, ``bands`` turns its calibrated probabilities into auto / review / none
with the vetoes that fired, and ``provider`` is the sentiment provider built from them.
docs/judgement.md is the model card."""
