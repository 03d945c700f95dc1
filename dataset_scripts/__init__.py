"""Dataset builders: official releases -> emotune's unified emotion schema, as Parquet + dataset card.

Every builder's output loads offline with ``datasets.load_dataset(folder, config)``.

* ``builders.BUILDERS``: the ``emotune build-dataset`` registry (source name -> folder builder).
* ``mtg_jamendo``, ``deam``, ``pmemo``, ``emomusic``: one module per source (layouts, labels, scales);
  ``unified.build_unified`` turns them into one dataset folder, ``unified_card`` writes its card.
* ``hub_layout.write_dataset_folder`` / ``push_to_hub``: the Parquet + card writer every builder uses.
* ``skips``: the skip report; ``splits``: the shipped split files; ``schema``: the ``datasets.Features``.
* ``catalogue``: the MER survey's dataset table as data; ``synthetic``: ``emotune make-synthetic``.
"""
