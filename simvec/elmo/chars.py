"""Character ids of tokens as the original ELMo computes them.

Every token becomes 50 integers: a begin-of-word mark, the token's UTF-8 bytes (at most 48), an
end-of-word mark and padding, each shifted by +1 so that 0 means "no token here" (padding of the
sentence). The sentence boundary tokens ``<S>`` / ``</S>`` are *not* added here: the model adds
them (:class:`simvec.elmo.bilm.ElmoBiLm`), as AllenNLP's ``_ElmoCharacterEncoder`` does.

This mirrors AllenNLP's ``ELMoCharacterMapper`` (``allennlp/data/token_indexers/elmo_indexer.py``)
and bilm-tf's ``UnicodeCharsVocabulary`` (``bilm/data.py``): byte ids 0-255, then 256 begin of
sentence, 257 end of sentence, 258 begin of word, 259 end of word, 260 padding, all +1.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", NAACL,
   arXiv:1802.05365.
.. [2] AllenNLP, ``allennlp/data/token_indexers/elmo_indexer.py`` and
   ``allennlp/modules/elmo.py`` (``batch_to_ids``).
.. [3] bilm-tf, ``bilm/data.py`` (``UnicodeCharsVocabulary``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

import numpy as np

from simvec.errors import SimvecValueError

__all__ = [
    "MAX_WORD_LENGTH",
    "BOS_TOKEN",
    "EOS_TOKEN",
    "BOS_CHAR_IDS",
    "EOS_CHAR_IDS",
    "word_to_char_ids",
    "batch_to_ids",
    "as_token_lists",
]

log = logging.getLogger(__name__)

MAX_WORD_LENGTH = 50
"""Character positions per token (``max_characters_per_token`` of every released model)."""

# The original ids, before the +1 shift (bilm-tf's numbering).
_BEGIN_OF_SENTENCE = 256
_END_OF_SENTENCE = 257
_BEGIN_OF_WORD = 258
_END_OF_WORD = 259
_PADDING = 260

BOS_TOKEN = "<S>"
EOS_TOKEN = "</S>"

LONG_TOKEN_POLICIES = ("truncate", "raise")


def _boundary(char: int) -> np.ndarray:
    ids = np.full(MAX_WORD_LENGTH, _PADDING, dtype=np.int64)
    ids[0], ids[1], ids[2] = _BEGIN_OF_WORD, char, _END_OF_WORD
    return ids + 1


BOS_CHAR_IDS = _boundary(_BEGIN_OF_SENTENCE)
"""int64 (50,): the character ids of ``<S>`` (already shifted by +1)."""
EOS_CHAR_IDS = _boundary(_END_OF_SENTENCE)
"""int64 (50,): the character ids of ``</S>`` (already shifted by +1)."""


def word_to_char_ids(word: str, *, on_long_token: str = "truncate") -> np.ndarray:
    """The 50 character ids of one token.

    Parameters
    ----------
    word : str
        The token. ``"<S>"`` and ``"</S>"`` map to the sentence boundary ids, as in AllenNLP.
    on_long_token : {"truncate", "raise"}
        A token of more than 48 UTF-8 bytes does not fit: ``"truncate"`` keeps its first 48
        bytes (the original's behaviour; a multi-byte character may be cut), ``"raise"`` raises.

    Returns
    -------
    numpy.ndarray, int64, shape (50,)
        ``[259, b0+1, b1+1, ..., 260, 261, 261, ...]``: begin-of-word, bytes, end-of-word,
        padding, all shifted by +1 (0 is reserved for "no token").

    Raises
    ------
    SimvecValueError
        ``word`` is empty or not a string, or too long with ``on_long_token="raise"``.

    Examples
    --------
    >>> word_to_char_ids("a")[:4].tolist()
    [259, 98, 260, 261]
    """
    if not isinstance(word, str) or not word:
        raise SimvecValueError(f"a token must be a non-empty string, got {word!r}")
    if word == BOS_TOKEN:
        return BOS_CHAR_IDS.copy()
    if word == EOS_TOKEN:
        return EOS_CHAR_IDS.copy()
    encoded = word.encode("utf-8", "ignore")
    room = MAX_WORD_LENGTH - 2
    if len(encoded) > room:
        if on_long_token == "raise":
            raise SimvecValueError(
                f"token {word[:20]!r}... has {len(encoded)} UTF-8 bytes; ELMo keeps at most {room} "
                "(pass on_long_token='truncate' to keep the first 48 bytes, as the original does)"
            )
        if on_long_token != "truncate":
            raise SimvecValueError(
                f"on_long_token must be one of {LONG_TOKEN_POLICIES}, got {on_long_token!r}"
            )
        encoded = encoded[:room]
    ids = np.full(MAX_WORD_LENGTH, _PADDING, dtype=np.int64)
    ids[0] = _BEGIN_OF_WORD
    ids[1 : len(encoded) + 1] = np.frombuffer(encoded, dtype=np.uint8)
    ids[len(encoded) + 1] = _END_OF_WORD
    return ids + 1


def as_token_lists(sentences, *, name: str = "sentences") -> list[list[str]]:
    """Normalise the input: a whitespace string or a list of tokens per sentence.

    Parameters
    ----------
    sentences : str, sequence of str, or sequence of sequence of str
        One string (one sentence), a list of strings (each split on whitespace), or a list of
        token lists.

    Returns
    -------
    list of list of str

    Raises
    ------
    SimvecValueError
        An element is neither a string nor a sequence of non-empty strings.
    """
    if isinstance(sentences, str):
        return [sentences.split()]
    if not isinstance(sentences, Iterable):
        raise SimvecValueError(
            f"{name} must be a string, a list of strings or a list of token lists, "
            f"got {type(sentences).__name__}"
        )
    out = []
    for i, s in enumerate(sentences):
        if isinstance(s, str):
            out.append(s.split())
        elif isinstance(s, Sequence) and all(isinstance(t, str) and t for t in s):
            out.append(list(s))
        else:
            raise SimvecValueError(
                f"{name}[{i}] must be a whitespace-separated string or a list of non-empty "
                f"strings, got {s!r:.80}"
            )
    return out


def batch_to_ids(
    sentences,
    *,
    max_sentence_length: int | None = None,
    on_long_token: str = "truncate",
    allow_empty: bool = False,
    return_tensors: str = "pt",
):
    """Character ids of a batch of sentences, padded with 0.

    Mirrors AllenNLP's ``allennlp.modules.elmo.batch_to_ids``: sentence boundary tokens are not
    added (the model adds them).

    Parameters
    ----------
    sentences : list of list of str, or list of str
        Tokenised sentences (strings are split on whitespace).
    max_sentence_length : int, optional
        Refuse sentences with more tokens (memory and time grow with the longest sentence).
    on_long_token : {"truncate", "raise"}
        Tokens of more than 48 UTF-8 bytes: keep the first 48 bytes (the original) or raise.
    allow_empty : bool
        If False (default) an empty sentence raises; if True it becomes a row of zeros, which
        the model treats as the sentence ``<S> </S>`` (AllenNLP's behaviour).
    return_tensors : {"pt", "np"}
        A ``torch.LongTensor`` (needs torch) or a numpy int64 array.

    Returns
    -------
    torch.Tensor or numpy.ndarray, int64, shape (batch, max_tokens, 50)
        ``ids[i, j]`` are the character ids of token j of sentence i; 0 beyond each sentence.

    Raises
    ------
    SimvecValueError
        An empty sentence (unless ``allow_empty``), a sentence longer than
        ``max_sentence_length``, a token too long with ``on_long_token="raise"``, bad input types.

    Examples
    --------
    >>> batch_to_ids([["a", "b"], ["c"]], return_tensors="np").shape
    (2, 2, 50)
    """
    if return_tensors not in ("pt", "np"):
        raise SimvecValueError(f"return_tensors must be 'pt' or 'np', got {return_tensors!r}")
    sents = as_token_lists(sentences)
    for i, s in enumerate(sents):
        if not s and not allow_empty:
            raise SimvecValueError(
                f"sentence {i} is empty; ELMo needs at least one token (drop it, or pass "
                "allow_empty=True to embed it as '<S> </S>')"
            )
        if max_sentence_length is not None and len(s) > max_sentence_length:
            raise SimvecValueError(
                f"sentence {i} has {len(s)} tokens, more than max_sentence_length="
                f"{max_sentence_length}; split it or raise the limit"
            )
    width = max((len(s) for s in sents), default=0)
    ids = np.zeros((len(sents), width, MAX_WORD_LENGTH), dtype=np.int64)
    cache: dict[str, np.ndarray] = {}
    for i, s in enumerate(sents):
        for j, tok in enumerate(s):
            row = cache.get(tok)
            if row is None:
                row = cache[tok] = word_to_char_ids(tok, on_long_token=on_long_token)
            ids[i, j] = row
    if return_tensors == "np":
        return ids
    from simvec.elmo._torch import torch

    return torch.from_numpy(ids)
