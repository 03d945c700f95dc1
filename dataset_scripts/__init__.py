"""Dataset builders: official releases -> emotune's unified emotion schema, as Parquet + dataset card.

Every builder's output loads offline with ``datasets.load_dataset(folder, config)``.
"""
