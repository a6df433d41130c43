"""The same TwoLayerNet step as numpy_two_layer_net.py, written the way a NumPy user would write it
lean: `@` on the arrays as they are (`.T` views, no transposed copies), one `exp` for the softmax,
the loss by log-sum-exp, the ReLU mask applied in place, and in-place SGD updates.

Same data, same timing loop, same JSON out as the book's script (run.mjs runs both the same way).

usage: python3 numpy_lean_two_layer_net.py DIR DTYPE WARMUP MIN_ITERS MIN_MS MAX_ITERS [PARTS]
"""
import sys

import numpy as np

from numpy_two_layer_net import load_problem, run_and_report


def logits(x, W1, b1, W2, b2):
    """The hidden activations h = relu(x@W1 + b1) and the logits y = h@W2 + b2."""
    h = x @ W1
    h += b1
    np.maximum(h, 0, out=h)
    y = h @ W2
    y += b2
    return h, y


def softmax_loss(y, t):
    """Turns y into the softmax in place (one exp) and returns the mean cross-entropy against t.

    With z = y - max(y) row by row, log softmax(y) = z - log(sum(exp(z))), so for rows of t that
    sum to 1 the loss is (sum of log(sum(exp(z))) - sum(t * z)) / N.
    """
    y -= y.max(axis=1, keepdims=True)
    tz = np.vdot(t, y)
    np.exp(y, out=y)
    s = y.sum(axis=1, keepdims=True)
    y /= s
    return (np.log(s).sum() - tz) / y.shape[0]


def main():
    x, t, params, lr, dt, parts, timing = load_problem(sys.argv)
    W1, b1, W2, b2 = (params[k] for k in ("W1", "b1", "W2", "b2"))
    n = x.shape[0]

    def step():
        nonlocal W1, b1, W2, b2  # `-=` below updates these arrays in place; it only rebinds the names to them
        h, p = logits(x, W1, b1, W2, b2)
        loss = softmax_loss(p, t)
        dy = p
        dy -= t
        dy /= n
        dW2 = h.T @ dy
        db2 = dy.sum(axis=0)
        dh = dy @ W2.T
        dh *= h > 0
        dW1 = x.T @ dh
        db1 = dh.sum(axis=0)
        W1 -= lr * dW1
        b1 -= lr * db1
        W2 -= lr * dW2
        b2 -= lr * db2
        return float(loss)

    def forward():
        _, p = logits(x, W1, b1, W2, b2)
        return float(softmax_loss(p, t))

    def check_dtype():
        _, p = logits(x, W1, b1, W2, b2)
        assert W1.dtype == dt and p.dtype == dt, "dtype drifted"

    run_and_report(step, forward, parts, timing, params, check_dtype)


if __name__ == "__main__":
    main()
