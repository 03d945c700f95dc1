"""The synthetic corpus (``emotune make-synthetic``)."""

SYNTHETIC_MARKER = "emotune_synthetic.json"
