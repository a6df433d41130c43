"""The book's TwoLayerNet (sec. 5.7) in NumPy, timed the way bench/run.mjs times the others.

Layers as in the book's common/layers.py and common/functions.py (Affine, Relu, SoftmaxWithLoss),
the net as in ch05/two_layer_net.py, and plain SGD (W -= lr * dW). Reads the batch and the
initial params that run.mjs wrote (raw little-endian f64) and prints one JSON object.

usage: python3 numpy_two_layer_net.py DIR DTYPE WARMUP MIN_ITERS MIN_MS MAX_ITERS [PARTS]

PARTS: what to time, "step,forward" (the default), "step" or "forward".
"""
import json
import os
import sys
import time
from collections import OrderedDict

import numpy as np


def softmax(x):
    if x.ndim == 2:
        x = x.T
        x = x - np.max(x, axis=0)
        y = np.exp(x) / np.sum(np.exp(x), axis=0)
        return y.T
    x = x - np.max(x)
    return np.exp(x) / np.sum(np.exp(x))


def cross_entropy_error(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


class Relu:
    def __init__(self):
        self.mask = None

    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0
        return dout


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        self.original_x_shape = x.shape
        x = x.reshape(x.shape[0], -1)
        self.x = x
        return np.dot(self.x, self.W) + self.b

    def backward(self, dout):
        dx = np.dot(dout, self.W.T)
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return dx.reshape(*self.original_x_shape)


class SoftmaxWithLoss:
    def __init__(self):
        self.loss = None
        self.y = None
        self.t = None

    def forward(self, x, t):
        self.t = t
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        if self.t.size == self.y.size:
            dx = (self.y - self.t) / batch_size
        else:
            dx = self.y.copy()
            dx[np.arange(batch_size), self.t] -= 1
            dx = dx / batch_size
        return dx


class TwoLayerNet:
    def __init__(self, params):
        self.params = params
        self.layers = OrderedDict()
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"])
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"])
        self.lastLayer = SoftmaxWithLoss()

    def predict(self, x):
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        y = self.predict(x)
        return self.lastLayer.forward(y, t)

    def gradient(self, x, t):
        self.loss(x, t)
        dout = 1
        dout = self.lastLayer.backward(dout)
        for layer in reversed(list(self.layers.values())):
            dout = layer.backward(dout)
        return {
            "W1": self.layers["Affine1"].dW,
            "b1": self.layers["Affine1"].db,
            "W2": self.layers["Affine2"].dW,
            "b2": self.layers["Affine2"].db,
        }


def measure(fn, warmup, min_iters, min_ms, max_iters):
    first = None
    for i in range(warmup):
        r = fn()
        if i == 0:
            first = r
    samples = []
    start = time.perf_counter()
    while len(samples) < max_iters and (
        len(samples) < min_iters or (time.perf_counter() - start) * 1000 < min_ms
    ):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return samples, first


def blas_info():
    info = {"numpy": np.__version__}
    try:
        cfg = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        info["blas"] = f'{cfg.get("name")} {cfg.get("version")}'
    except Exception:  # older numpy: no dicts mode
        pass
    try:  # threadpoolctl, where installed, tells what is loaded and how many threads it uses
        from threadpoolctl import threadpool_info

        info["threadpools"] = [
            {k: p.get(k) for k in ("internal_api", "version", "num_threads", "architecture")}
            for p in threadpool_info()
        ]
    except Exception:
        pass
    try:  # numpy's bundled scipy-openblas: the kernel set it picked and its thread count
        import ctypes
        import glob

        libs = glob.glob(os.path.join(os.path.dirname(np.__file__), "..", "numpy.libs", "libscipy_openblas*"))
        if libs:
            lib = ctypes.CDLL(libs[0])
            for suffix in ("64_", ""):
                name = getattr(lib, f"scipy_openblas_get_corename{suffix}", None)
                threads = getattr(lib, f"scipy_openblas_get_num_threads{suffix}", None)
                if name and threads:
                    name.restype = ctypes.c_char_p
                    info["openblas_core"] = name().decode()
                    info["openblas_threads"] = threads()
                    break
    except Exception:
        pass
    return info


def load_problem(argv):
    """The batch, the initial params and the timing rule that run.mjs passed (see usage)."""
    folder, dtype, warmup, min_iters, min_ms, max_iters = argv[1:7]
    parts = argv[7].split(",") if len(argv) > 7 else ["step", "forward"]
    timing = (int(warmup), int(min_iters), float(min_ms), int(max_iters))
    dt = np.float32 if dtype == "f32" else np.float64
    meta = json.load(open(os.path.join(folder, "meta.json")))

    def read(name):
        shape = meta[name]
        return np.fromfile(os.path.join(folder, name + ".bin"), dtype="<f8").reshape(shape).astype(dt)

    x, t = read("x"), read("t")
    params = {k: read(k) for k in ("W1", "b1", "W2", "b2")}
    return x, t, params, dt(meta["lr"]), dt, parts, timing


def run_and_report(step, forward, parts, timing, params, check_dtype):
    """Times the parts asked for and prints the JSON run.mjs reads; `moved` says whether the
    steps really changed W2 (a step that skipped its update would leave it alone)."""
    W2_before = params["W2"].copy()
    out = {"info": blas_info()}
    if "step" in parts:
        out["step"], out["loss0"] = measure(step, *timing)
        out["moved"] = bool(np.any(params["W2"] != W2_before))
    if "forward" in parts:
        out["forward"], first = measure(forward, *timing)
        out.setdefault("loss0", first)
    check_dtype()
    print(json.dumps(out))


def main():
    x, t, params, lr, dt, parts, timing = load_problem(sys.argv)
    net = TwoLayerNet(params)

    def step():
        grads = net.gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= lr * grads[key]
        return float(net.lastLayer.loss)

    def forward():
        return float(net.loss(x, t))

    def check_dtype():
        assert net.params["W1"].dtype == dt and net.lastLayer.y.dtype == dt, "dtype drifted"

    run_and_report(step, forward, parts, timing, net.params, check_dtype)


if __name__ == "__main__":
    main()
