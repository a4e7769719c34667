"""The layers of the ELMo biLM in PyTorch: character CNN, highway, LSTM with projection.

Each layer mirrors bilm-tf's TensorFlow graph (``bilm/model.py``, ``bilm/training.py``) and
AllenNLP's port (``allennlp/modules/elmo.py``, ``highway.py``, ``lstm_cell_with_projection.py``,
``elmo_lstm.py``). Parameters are stored in PyTorch's conventions (``Linear.weight`` is
``(out, in)``, LSTM gates ordered input, forget, cell, output); :mod:`simvec.elmo.weights`
converts from and to the original HDF5 layout and documents each transpose.

Shapes use ``B`` batch, ``T`` timesteps (tokens), ``P`` projection size, ``C`` LSTM cell size.

References
----------
.. [1] Peters et al. (2018), "Deep contextualized word representations", arXiv:1802.05365.
.. [2] Jozefowicz et al. (2016), "Exploring the limits of language modeling", arXiv:1602.02410
   (character CNN, LSTM with projection and clipping).
.. [3] Srivastava et al. (2015), "Highway networks", arXiv:1505.00387.
.. [4] AllenNLP, ``allennlp/modules/{elmo,elmo_lstm,lstm_cell_with_projection,highway}.py``.
.. [5] bilm-tf, ``bilm/model.py``.
"""

from __future__ import annotations

from simvec.elmo._torch import F, nn, torch

__all__ = ["Highway", "CharCNN", "LstmWithProjection", "ElmoLstm"]

_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh}


class Highway(nn.Module):
    """Highway layers in bilm-tf's form: ``y = g * relu(x W_t + b_t) + (1 - g) * x``.

    ``g = sigmoid(x W_c + b_c)`` is bilm-tf's "carry" gate (it multiplies the transformed
    input; AllenNLP stores the same layer with ``g`` negated, which is why it flips the signs
    of ``W_carry`` and ``b_carry``; simvec keeps bilm-tf's parameters as they are).

    Parameters
    ----------
    dim : int
        Input and output size (the number of CNN filters, 2048 in the released models).
    n_layers : int
        Number of stacked highway layers.

    Call arguments
    --------------
    x : torch.Tensor, float32, shape (..., dim)

    Returns
    -------
    torch.Tensor, float32, shape (..., dim)
    """

    def __init__(self, dim: int, n_layers: int):
        super().__init__()
        self.dim = dim
        self.transform = nn.ModuleList([nn.Linear(dim, dim) for _ in range(n_layers)])
        self.carry = nn.ModuleList([nn.Linear(dim, dim) for _ in range(n_layers)])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for transform, carry in zip(self.transform, self.carry):
            gate = torch.sigmoid(carry(x))
            x = gate * torch.relu(transform(x)) + (1.0 - gate) * x
        return x


class CharCNN(nn.Module):
    """Character CNN token encoder: embed characters, convolve, max-pool, highway, project.

    For each token the 50 character ids are embedded (row 0, padding of the sentence, is a
    fixed zero vector, as in AllenNLP), each filter bank ``(width, n)`` is applied as a 1-D
    convolution without padding, max-pooled over positions and passed through the activation;
    the pooled features (``sum(n)`` of them) go through ``n_highway`` highway layers and a
    linear projection to ``projection_dim``.

    Parameters
    ----------
    filters : list of (int, int)
        ``(width, number)`` of each filter bank (``char_cnn.filters`` of the options).
    char_embedding_dim : int
        ``char_cnn.embedding.dim``.
    n_highway : int
        ``char_cnn.n_highway``.
    projection_dim : int
        Output size ``P`` (``lstm.projection_dim``).
    activation : {"relu", "tanh"}
        Applied after max-pooling (``char_cnn.activation``).
    n_characters : int
        Rows of the character embedding (262: 261 original ids + padding 0).

    Call arguments
    --------------
    char_ids : torch.LongTensor, shape (..., 50)
        From :func:`simvec.elmo.chars.batch_to_ids`.

    Returns
    -------
    torch.Tensor, float32, shape (..., P)
        Token embeddings (computed for padding rows too; callers mask them).
    """

    def __init__(
        self,
        filters,
        char_embedding_dim: int,
        n_highway: int,
        projection_dim: int,
        activation: str = "relu",
        n_characters: int = 262,
    ):
        super().__init__()
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        self.activation = activation
        self.filters = [(int(w), int(n)) for w, n in filters]
        self.char_embedding = nn.Embedding(n_characters, char_embedding_dim, padding_idx=0)
        self.convolutions = nn.ModuleList(
            [nn.Conv1d(char_embedding_dim, n, kernel_size=w, bias=True) for w, n in self.filters]
        )
        self.n_filters = sum(n for _, n in self.filters)
        self.highway = Highway(self.n_filters, n_highway)
        self.projection = nn.Linear(self.n_filters, projection_dim)
        self.projection_dim = projection_dim

    def forward(self, char_ids: torch.Tensor) -> torch.Tensor:
        lead = char_ids.shape[:-1]
        x = self.char_embedding(char_ids.reshape(-1, char_ids.shape[-1]))  # (N, 50, E)
        x = x.transpose(1, 2)  # (N, E, 50): Conv1d wants channels first
        act = _ACTIVATIONS[self.activation]
        pooled = [act(conv(x).amax(dim=-1)) for conv in self.convolutions]  # max over positions
        x = torch.cat(pooled, dim=-1)  # (N, n_filters)
        x = self.projection(self.highway(x))
        return x.reshape(*lead, self.projection_dim)


class LstmWithProjection(nn.Module):
    """One direction of one LSTM layer with a projected, clipped state (bilm-tf's LSTMCell).

    At each step ``t`` (from the end when ``go_forward`` is False)::

        i, f, g, o = x_t W_x + h_{t-1} W_h + b                 (gate order i, f, g, o)
        c_t = clip(sigmoid(i) * tanh(g) + sigmoid(f) * c_{t-1}, cell_clip)
        h_t = clip((sigmoid(o) * tanh(c_t)) W_p, proj_clip)

    Padded steps (``mask`` False) leave the state unchanged and output zeros, so a sequence's
    final state is the state after its own last token; this equals AllenNLP's
    ``LstmCellWithProjection`` on length-sorted batches. The input product ``x W_x`` is computed
    for all steps at once; only the recurrent part loops.

    Parameters
    ----------
    input_size, hidden_size, cell_size : int
        Sizes of ``x_t``, ``h_t`` (the projection) and ``c_t``.
    go_forward : bool
        Direction.
    cell_clip, proj_clip : float or None
        Clip values (``lstm.cell_clip``, ``lstm.proj_clip``); None or 0 disables.

    Call arguments
    --------------
    inputs : torch.Tensor, float32, shape (B, T, input_size)
    mask : torch.BoolTensor, shape (B, T)
        True at real tokens; each row must be a prefix of True values.
    state : tuple of torch.Tensor, optional
        ``(h0 (B, hidden_size), c0 (B, cell_size))``; zeros when None.

    Returns
    -------
    outputs : torch.Tensor, float32, shape (B, T, hidden_size)
        Zeros at padded steps.
    (h, c) : tuple of torch.Tensor
        Final states, shapes (B, hidden_size) and (B, cell_size).
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        cell_size: int,
        go_forward: bool = True,
        cell_clip: float | None = None,
        proj_clip: float | None = None,
    ):
        super().__init__()
        self.input_size, self.hidden_size, self.cell_size = input_size, hidden_size, cell_size
        self.go_forward = go_forward
        self.cell_clip = cell_clip or None
        self.proj_clip = proj_clip or None
        self.input_linearity = nn.Linear(input_size, 4 * cell_size, bias=False)
        self.state_linearity = nn.Linear(hidden_size, 4 * cell_size, bias=True)
        self.state_projection = nn.Linear(cell_size, hidden_size, bias=False)

    def forward(self, inputs, mask, state=None):
        B, T, _ = inputs.shape
        C = self.cell_size
        if state is None:
            h = inputs.new_zeros(B, self.hidden_size)
            c = inputs.new_zeros(B, C)
        else:
            h, c = state
        x_proj = self.input_linearity(inputs)  # (B, T, 4C), hoisted out of the loop
        keep = mask.unsqueeze(-1)
        outputs = [None] * T
        w_h, b_h = self.state_linearity.weight, self.state_linearity.bias
        w_p = self.state_projection.weight
        steps = range(T) if self.go_forward else range(T - 1, -1, -1)
        for t in steps:
            gates = x_proj[:, t] + F.linear(h, w_h, b_h)
            i, f, g, o = gates.split(C, dim=1)
            c_new = torch.sigmoid(i) * torch.tanh(g) + torch.sigmoid(f) * c
            if self.cell_clip:
                c_new = c_new.clamp(-self.cell_clip, self.cell_clip)
            h_new = F.linear(torch.sigmoid(o) * torch.tanh(c_new), w_p)
            if self.proj_clip:
                h_new = h_new.clamp(-self.proj_clip, self.proj_clip)
            m = keep[:, t]
            c = torch.where(m, c_new, c)
            h = torch.where(m, h_new, h)
            outputs[t] = h_new * m
        if T == 0:
            return inputs.new_zeros(B, 0, self.hidden_size), (h, c)
        return torch.stack(outputs, dim=1), (h, c)


class ElmoLstm(nn.Module):
    """Stacked bidirectional LSTM with projection; directions independent, residual between layers.

    The forward stack reads left to right and the backward stack right to left; neither sees
    the other's output (so each is a language model). From the second layer on, each layer's
    input is added to its output (``use_skip_connections``), as in bilm-tf and AllenNLP's
    ``ElmoLstm``.

    With ``stateful=True`` the final states of each batch row are the initial states of the
    same row in the next call, exactly as AllenNLP's ``_EncoderBase`` (rows whose new state is
    all zeros keep the old one; a bigger batch adds zero states, a smaller one uses the first
    rows). This is how bilm-tf and AllenNLP produced the published expected outputs.

    Parameters
    ----------
    input_size, hidden_size, cell_size, num_layers : int
        ``P``, ``P``, ``lstm.dim``, ``lstm.n_layers``.
    cell_clip, proj_clip : float or None
    use_skip_connections : bool
    stateful : bool

    Call arguments
    --------------
    inputs : torch.Tensor, float32, shape (B, T, input_size)
    mask : torch.BoolTensor, shape (B, T)

    Returns
    -------
    torch.Tensor, float32, shape (num_layers, B, T, 2 * hidden_size)
        Each layer's ``[forward; backward]`` outputs, zeros at padded steps.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        cell_size: int,
        num_layers: int,
        cell_clip: float | None = None,
        proj_clip: float | None = None,
        use_skip_connections: bool = True,
        stateful: bool = False,
    ):
        super().__init__()
        self.hidden_size, self.cell_size, self.num_layers = hidden_size, cell_size, num_layers
        self.use_skip_connections = use_skip_connections
        self.stateful = stateful
        self._states = None
        sizes = [input_size] + [hidden_size] * (num_layers - 1)
        self.forward_layers = nn.ModuleList(
            [LstmWithProjection(s, hidden_size, cell_size, True, cell_clip, proj_clip) for s in sizes]
        )
        self.backward_layers = nn.ModuleList(
            [LstmWithProjection(s, hidden_size, cell_size, False, cell_clip, proj_clip) for s in sizes]
        )

    def reset_states(self) -> None:
        """Forget the carried LSTM states (``stateful=True``); the next batch starts from zeros."""
        self._states = None

    def _initial_states(self, batch_size: int):
        """States for the first ``batch_size`` rows, zero-extended (AllenNLP's rule)."""
        if not self.stateful or self._states is None:
            return None
        h, c = self._states
        if batch_size > h.shape[1]:
            h = torch.cat([h, h.new_zeros(h.shape[0], batch_size - h.shape[1], h.shape[2])], 1)
            c = torch.cat([c, c.new_zeros(c.shape[0], batch_size - c.shape[1], c.shape[2])], 1)
            self._states = (h, c)
        return h[:, :batch_size], c[:, :batch_size]

    def _update_states(self, h_new, c_new) -> None:
        """Store the final states; rows with an all-zero new state keep their old one."""
        h_new, c_new = h_new.detach(), c_new.detach()
        if self._states is None:
            self._states = (h_new, c_new)
            return
        h_old, c_old = (s.clone() for s in self._states)
        n = h_new.shape[1]
        used = (h_new[0].sum(-1) != 0.0).to(h_new.dtype).view(1, n, 1)
        h_old[:, :n] = h_new + h_old[:, :n] * (1 - used)
        c_old[:, :n] = c_new + c_old[:, :n] * (1 - used)
        self._states = (h_old, c_old)

    def forward(self, inputs: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        init = self._initial_states(inputs.shape[0])
        H, C = self.hidden_size, self.cell_size
        fwd, bwd = inputs, inputs
        layers, final_h, final_c = [], [], []
        for k, (f_layer, b_layer) in enumerate(zip(self.forward_layers, self.backward_layers)):
            f_state = b_state = None
            if init is not None:
                # stored as [forward | backward] along the last axis, as AllenNLP does
                f_state = (init[0][k, :, :H], init[1][k, :, :C])
                b_state = (init[0][k, :, H:], init[1][k, :, C:])
            f_out, (fh, fc) = f_layer(fwd, mask, f_state)
            b_out, (bh, bc) = b_layer(bwd, mask, b_state)
            if k > 0 and self.use_skip_connections:
                f_out = f_out + fwd
                b_out = b_out + bwd
            fwd, bwd = f_out, b_out
            layers.append(torch.cat([fwd, bwd], dim=-1))
            final_h.append(torch.cat([fh, bh], dim=-1))
            final_c.append(torch.cat([fc, bc], dim=-1))
        if self.stateful:
            self._update_states(torch.stack(final_h), torch.stack(final_c))
        return torch.stack(layers)
