"""Training: ``train.py`` (``python -m modeling.training``) and what it runs.

* :mod:`.engine`: the shared, model-independent machinery (the Accelerate loop, recipes as YAML,
  multi-source batches, resumable checkpoints, the log, ``--push-to-hub``, a run's outputs);
* :mod:`.recipes`: one package per model family (``music2emo``, ``music2emo_dynamic``, ``video2music``),
  each with its training recipes, the data they read and its evaluation;
* :mod:`.cli`: the command (recipes by name, ``evaluate`` by model type); ``train.py`` calls it.

The recipe files of ``configs/`` ship inside the package (``modeling/training/configs``).
"""
