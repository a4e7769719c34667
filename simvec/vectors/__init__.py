"""Word vectors: the KeyedVectors store, file formats and named pretrained sources."""

from simvec.vectors.keyed import KeyedVectors

__all__ = ["KeyedVectors"]
