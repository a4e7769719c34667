"""simvec's numba kernels (private): blocked top-k search, best-match alignment, analogies.

* :mod:`simvec.kernels.topk`: ``dot_topk`` (blocked dot product fused with a top-k merge) and
  ``topk_rows``; behind ``most_similar``, the all-pairs table and the analogy benchmark.
* :mod:`simvec.kernels.best_match`: ``BestMatch``, weighted best-match alignment of every
  document against every other (the ``best_match`` / ``sif_best_match`` keyword methods).
* :mod:`simvec.kernels.analogy`: ``solve_analogies`` (3CosAdd / 3CosMul) and the question reader.
* :mod:`simvec.kernels.sets`: ``sorted_intersection_size`` (the Jaccard kernels' merge).

Users reach them through the public API (``KeyedVectors.most_similar``,
``simvec.all_pairs_topk``, ``simvec.evaluate_word_analogies``).
"""

__all__: list[str] = []
