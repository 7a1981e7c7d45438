#!/usr/bin/python3
"""Writes the HGQ2 test fixtures of tests/unit/hgq/fixtures/ with Debian's python3-h5py and
python3-numpy (no Keras, no HGQ: neither is packaged).

The files reproduce what HGQ2 (github.com/calad0i/HGQ2 at 88ddffd) and Keras 3 write:
  - .keras: a zip of config.json, metadata.json and model.weights.h5, whose groups are
    layers/<snake_case class>[_n]/vars/<i> with each layer's variables numbered trainable first
    (Keras' Layer.save_own_variables, which HGQ's QLayerBase keeps), the quantizers' under
    layers/<...>/{iq,kq,bq}/quantizer/vars, plus the groups Keras writes for everything else
    (empty vars groups, a Dropout's seed generator, the optimizer);
  - .h5: Keras' legacy model.save(...h5) layout, root attributes model_config, keras_version and
    backend, model_weights/<layer name> with a weight_names attribute listing variable paths
    such as dense_0/dense_0_kq/fixed_point_quantizer_kbi_3/b.
Each layer stores the EBOPs HGQ2 would store, computed here with HGQ2's formula in float32. The
expected import (HGQ's codes of the batch-norm-folded weights and biases, every type, EBOPs) goes
to <fixture>.expected.json, computed here independently of msqx with HGQ2's quantizer written
out in numpy float32 (quantizers/fixed_point: clip, then floor(x 2^f + 0.5), then wrap).

Usage: scripts/make_hgq_fixtures.py [OUT_DIR]   (default tests/unit/hgq/fixtures)
       scripts/make_hgq_fixtures.py --jet OUT_DIR  (a jet-tagger-sized model for timing; not
                                                     committed)
"""

import io
import json
import re
import sys
import zipfile
from pathlib import Path

import h5py
import numpy as np

F32 = np.float32
KERAS_VERSION = "3.10.0"
ZIP_DATE = (2026, 1, 1, 0, 0, 0)


# ---- HGQ2's quantizer and EBOPs, in float32 ------------------------------------------------------

def hgq_round(v):
    """round_conv: numpy's round, half to even."""
    return np.round(np.asarray(v, dtype=F32)).astype(F32)


def kif_of(q):
    """k, i, f of a quantizer's stored variables, rounded as HGQ rounds them."""
    k = np.asarray(q["k"], dtype=F32)
    if q["type"] == "kbi":
        b, i = hgq_round(q["b"]), hgq_round(q["i"])
        return k, i, b - i
    return k, hgq_round(q["i"]), hgq_round(q["f"])


def quantize(x, q):
    """HGQ2's FixedPointQuantizer at inference on float32 x; returns integer codes (x 2^f)."""
    x = np.asarray(x, dtype=F32)
    k, i, f = (np.broadcast_to(a, x.shape).astype(F32) for a in kif_of(q))
    i_eff = np.maximum(i, -f)
    mode = q["overflow"]
    if mode != "WRAP":
        eps = F32(2.0) ** (-f)
        top = F32(2.0) ** i_eff
        hi = top - eps
        lo = -hi * k if mode == "SAT_SYM" else -top * k
        x = np.clip(x, lo, hi)
    scale = F32(2.0) ** f
    code = np.floor(x * scale + F32(0.5)).astype(np.float64)
    if mode == "WRAP":
        width = (i_eff + k + f).astype(np.float64)
        bias = k.astype(np.float64) * 2.0 ** (width - 1)
        code = np.mod(code + bias, 2.0 ** width) - bias
    code = np.where(k + i + f > 0, code, 0.0)
    return code.astype(np.int64)


def bits(q, shape):
    """FixedPointQuantizerBase.bits: b (+ k in SAT mode), broadcast to shape."""
    k, i, f = kif_of(q)
    b = np.maximum(i + f, F32(0))
    if q["overflow"] == "SAT":
        b = b + k
    return np.broadcast_to(b, shape).astype(F32)


def layer_ebops(layer):
    """QDense/QEinsumDense._compute_ebops, float32, stored as uint32."""
    n_in, units = layer["kernel_dense"].shape
    bw_inp = bits(layer["iq"], (1, n_in))
    bw_ker = bits(layer["kq"], layer["kernel_stored"].shape)
    if layer.get("transposed"):
        bw_ker = bw_ker.T
    ebops = np.sum(np.matmul(bw_inp, bw_ker), dtype=F32)
    if layer.get("bq") is not None:
        bw_bias = bits(layer["bq"], (units,))
        ebops = F32(ebops + F32(np.mean(bw_bias, dtype=F32)) * F32(units))
    return int(np.uint32(ebops))


def fold(layer):
    """Kernel [in][units] and bias after HGQ2's batch-norm folding, in float32."""
    kernel = layer["kernel_dense"]
    bias = layer.get("bias")
    bn = layer.get("bn")
    if bn is None:
        return kernel, bias
    gamma = bn.get("gamma")
    var = bn["moving_variance"]
    if layer["class"] == "QBatchNormDense":  # statistics of the inputs
        scaler = (F32(1) if gamma is None else gamma) / np.sqrt(var + F32(bn["epsilon"]))
        fused = scaler[:, None] * kernel
        offset = -np.dot(bn["moving_mean"].astype(np.float64), kernel.astype(np.float64))
        return fused.astype(F32), (bias + offset.astype(F32)).astype(F32)
    scaler = (F32(1) if gamma is None else gamma) / np.sqrt(var + F32(1e-7))  # keras epsilon()
    fused = kernel * scaler[None, :]
    return fused.astype(F32), (bias + (-bn["moving_mean"] * scaler)).astype(F32)


# ---- the fixture model -----------------------------------------------------------------------

def quantizer(kind, overflow, shape, rng, k=1, i_range=(-1, 2), total_range=(0, 7), wrap_i=None):
    """Random per-element bit widths; the floats stored as HGQ trains them (not integers)."""
    i = rng.integers(i_range[0], i_range[1] + 1, size=shape).astype(F32)
    total = rng.integers(total_range[0], total_range[1] + 1, size=shape).astype(F32)
    jitter = rng.choice(np.array([-0.4, -0.25, 0.0, 0.3, 0.5], dtype=F32), size=shape)
    q = {"type": kind, "overflow": overflow, "k": np.broadcast_to(np.asarray(k, np.uint8), shape).copy()}
    if kind == "kbi":
        q["b"] = np.maximum(total, F32(0)) + jitter
        q["i"] = i - jitter * F32(0.5)
    else:
        q["i"] = i + jitter * F32(0.5)
        q["f"] = (total - i) + jitter
    if overflow == "WRAP":
        q["i_decay_speed"] = F32(0.01)
    return q


def qconf(kind, place, overflow):
    config = {"q_type": kind, "place": place, "scaler": None, "qnoise_factor": None,
              "affine": None, "k0": True, "round_mode": "RND", "overflow_mode": overflow,
              "homogeneous_axis": [0] if place == "datalane" else [], "heterogeneous_axis": None,
              "bw_mapper": None, "trainable": True, "is_weight": place == "weight"}
    if kind == "kbi":
        config.update({"b0": 4, "i0": 2, "bc": None, "ic": None, "br": None, "ir": None})
    else:
        config.update({"i0": 2, "f0": 3, "ic": None, "fc": None, "ir": None, "fr": None})
    config["i_decay_speed"] = 0.01 if overflow == "WRAP" else float("inf")
    return {"module": "hgq.quantizer.config", "class_name": "QuantizerConfig",
            "config": config, "registered_name": "hgq>QuantizerConfig"}


def build_model(seed):
    rng = np.random.default_rng(seed)
    n = [6, 5, 4, 3, 2]
    layers = []

    # t1: QEinsumDenseBatchnorm 'bc,cC->bC', ReLU; signed per-feature inputs; weights KBI SAT_SYM.
    k1 = rng.normal(0, 0.6, size=(n[0], n[1])).astype(F32)
    k1[0, 0] = F32(-3.7)  # beyond -(2^(i+f)-1) steps after folding: symmetric saturation
    layers.append({
        "name": "t1", "class": "QEinsumDenseBatchnorm", "equation": "bc,cC->bC", "bias_axes": "C",
        "activation": "relu", "kernel_stored": k1, "kernel_dense": k1,
        "bias": rng.normal(0, 0.3, size=n[1]).astype(F32),
        "bn": {"gamma": rng.uniform(0.5, 1.5, size=n[1]).astype(F32),
               "moving_mean": rng.normal(0, 0.5, size=n[1]).astype(F32),
               "moving_variance": rng.uniform(0.2, 2.0, size=n[1]).astype(F32), "epsilon": 1e-3},
        "iq": quantizer("kif", "WRAP", (1, n[0]), rng, k=1, i_range=(1, 3), total_range=(3, 7)),
        "kq": quantizer("kbi", "SAT_SYM", (n[0], n[1]), rng, i_range=(-1, 1), total_range=(0, 5)),
        "bq": quantizer("kbi", "WRAP", (n[1],), rng, i_range=(0, 2), total_range=(2, 7)),
        "iq_conf": qconf("kif", "datalane", "WRAP"), "kq_conf": qconf("kbi", "weight", "SAT_SYM"),
        "bq_conf": qconf("kbi", "bias", "WRAP")})
    # the smallest element pruned by a zero total (b = 0)
    layers[0]["kq"]["b"][1, 2] = F32(0.3)

    # t2: QBatchNormDense, no activation (a ReLU layer follows); KIF SAT_SYM weights with HGQ's
    # negative totals (down to -22) and zero totals; inputs after a ReLU unsigned but one signed.
    k2 = rng.normal(0, 0.5, size=(n[1], n[2])).astype(F32)
    kq2 = quantizer("kif", "SAT_SYM", (n[1], n[2]), rng, i_range=(-1, 1), total_range=(-3, 6))
    kq2["i"][0, 0], kq2["f"][0, 0] = F32(-10), F32(-12)  # i + f = -22
    kq2["i"][2, 1], kq2["f"][2, 1] = F32(2), F32(-2)     # i + f = 0
    iq2 = quantizer("kif", "WRAP", (1, n[1]), rng, k=0, i_range=(1, 3), total_range=(2, 6))
    iq2["k"][0, 3] = 1  # per-activation signedness
    layers.append({
        "name": "t2", "class": "QBatchNormDense", "units": n[2], "activation": "linear",
        "kernel_stored": k2, "kernel_dense": k2, "bias": rng.normal(0, 0.2, size=n[2]).astype(F32),
        "bn": {"gamma": rng.uniform(0.5, 1.5, size=n[1]).astype(F32),
               "moving_mean": rng.uniform(0, 1.0, size=n[1]).astype(F32),
               "moving_variance": rng.uniform(0.2, 2.0, size=n[1]).astype(F32), "epsilon": 1e-3},
        "iq": iq2, "kq": kq2,
        "bq": quantizer("kbi", "SAT", (n[2],), rng, i_range=(0, 1), total_range=(1, 6)),
        "iq_conf": qconf("kif", "datalane", "WRAP"), "kq_conf": qconf("kif", "weight", "SAT_SYM"),
        "bq_conf": qconf("kbi", "bias", "SAT")})

    # t3: QEinsumDense '...c,oc->...o' (kernel stored [out][in]), ReLU, SAT inputs.
    k3 = rng.normal(0, 0.7, size=(n[3], n[2])).astype(F32)
    layers.append({
        "name": "t3", "class": "QEinsumDense", "equation": "...c,oc->...o", "bias_axes": "o",
        "activation": "relu", "transposed": True, "kernel_stored": k3, "kernel_dense": k3.T.copy(),
        "bias": rng.normal(0, 0.3, size=n[3]).astype(F32),
        "iq": quantizer("kif", "SAT", (1, n[2]), rng, k=0, i_range=(1, 2), total_range=(2, 5)),
        "kq": quantizer("kbi", "SAT_SYM", (n[3], n[2]), rng, i_range=(-1, 1), total_range=(0, 6)),
        "bq": quantizer("kbi", "WRAP", (n[3],), rng, i_range=(0, 1), total_range=(2, 6)),
        "iq_conf": qconf("kif", "datalane", "SAT"), "kq_conf": qconf("kbi", "weight", "SAT_SYM"),
        "bq_conf": qconf("kbi", "bias", "WRAP")})

    # t4: QDense, the logits (no activation, no bias quantizer of another kind).
    k4 = rng.normal(0, 0.8, size=(n[3], n[4])).astype(F32)
    layers.append({
        "name": "t4", "class": "QDense", "units": n[4], "activation": "linear",
        "kernel_stored": k4, "kernel_dense": k4, "bias": rng.normal(0, 0.3, size=n[4]).astype(F32),
        "iq": quantizer("kif", "WRAP", (1, n[3]), rng, k=0, i_range=(1, 3), total_range=(3, 6)),
        "kq": quantizer("kbi", "SAT_SYM", (n[3], n[4]), rng, i_range=(-1, 2), total_range=(1, 6)),
        "bq": quantizer("kbi", "WRAP", (n[4],), rng, i_range=(0, 1), total_range=(3, 6)),
        "iq_conf": qconf("kif", "datalane", "WRAP"), "kq_conf": qconf("kbi", "weight", "SAT_SYM"),
        "bq_conf": qconf("kbi", "bias", "WRAP")})
    for layer in layers:
        layer["ebops"] = layer_ebops(layer)
    return n[0], layers


# ---- Keras configs ---------------------------------------------------------------------------

MODULES = {"QDense": "hgq.layers.core.dense", "QBatchNormDense": "hgq.layers.core.dense",
           "QEinsumDense": "hgq.layers.core.einsum_dense",
           "QEinsumDenseBatchnorm": "hgq.layers.einsum_dense_batchnorm"}


def keras_layer(class_name, config, inbound, module="keras.layers", registered=None):
    entry = {"module": module, "class_name": class_name, "config": config,
             "registered_name": registered, "name": config["name"]}
    if inbound is not None:
        entry["inbound_nodes"] = [{"args": [{"class_name": "__keras_tensor__", "config": {
            "shape": [None, 0], "dtype": "float32", "keras_history": [inbound, 0, 0]}}],
            "kwargs": {"training": False}}]
    return entry


def dense_config(layer):
    c = {"name": layer["name"], "trainable": True, "dtype": "float32",
         "activation": layer["activation"], "enable_ebops": True, "ebops_factor": 1.0,
         "beta0": {"module": "keras.initializers", "class_name": "Constant",
                   "config": {"value": 1e-05}, "registered_name": None},
         "enable_oq": layer["name"] == "t4", "enable_iq": True,
         "oq_conf": qconf("kif", "datalane", "WRAP") if layer["name"] == "t4" else None,
         "iq_conf": layer["iq_conf"], "kq_conf": layer["kq_conf"], "bq_conf": layer["bq_conf"],
         "parallelization_factor": 1}
    if layer["class"] in ("QDense", "QBatchNormDense"):
        c.update({"units": layer["units"], "use_bias": True})
    else:
        c.update({"equation": layer["equation"], "output_shape": [int(layer["kernel_dense"].shape[1])],
                  "bias_axes": layer["bias_axes"]})
    if layer["class"] == "QBatchNormDense":
        c.update({"scale": True, "momentum": 0.99, "epsilon": layer["bn"]["epsilon"]})
    if layer["class"] == "QEinsumDenseBatchnorm":
        c.update({"normalize_axes": None, "momentum": 0.99, "epsilon": layer["bn"]["epsilon"],
                  "center": True, "scale": True})
    return c


def model_config(n_in, layers, sequential, extra_after=None, name="hgq_mlp"):
    """Input, t1, t2, ReLU, Dropout, t3, t4 (and `extra_after` for error fixtures)."""
    entries = [keras_layer("InputLayer", {"name": "input_layer", "batch_shape": [None, n_in],
                                          "dtype": "float32", "sparse": False}, None)]
    previous = "input_layer"

    def add(entry):
        nonlocal previous
        if sequential:
            entry.pop("inbound_nodes", None)
        entries.append(entry)
        previous = entry["name"]

    for layer in layers:
        add(keras_layer(layer["class"], dense_config(layer), previous, MODULES[layer["class"]],
                        "hgq>" + layer["class"]))
        if layer["name"] == "t2":
            add(keras_layer("ReLU", {"name": "relu2", "max_value": None, "negative_slope": 0.0,
                                     "threshold": 0.0}, previous))
            add(keras_layer("Dropout", {"name": "dropout", "rate": 0.1, "seed": None}, previous))
    if extra_after is not None:
        add(extra_after(previous))
    cls = "Sequential" if sequential else "Functional"
    config = {"name": name, "trainable": True, "layers": entries}
    if not sequential:
        config["input_layers"] = [["input_layer", 0, 0]]
        config["output_layers"] = [[previous, 0, 0]]
    return {"module": "keras", "class_name": cls, "config": config, "registered_name": None}


def snake(name):
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


# ---- variables in Keras' order ---------------------------------------------------------------

def own_variables(layer):
    """(name, value) in Layer.save_own_variables order: trainable, then non-trainable."""
    gamma = "bn_gamma" if layer["class"] == "QBatchNormDense" else "gamma"
    out = [("kernel", layer["kernel_stored"]), ("bias", layer["bias"])]
    bn = layer.get("bn")
    if bn is not None:
        out.append((gamma, bn["gamma"]))
    out += [("beta", np.asarray(F32(1e-5))), ("ebops", np.asarray(np.uint32(layer["ebops"])))]
    if bn is not None:
        out += [("moving_mean", bn["moving_mean"]), ("moving_variance", bn["moving_variance"])]
    return out


def quantizer_variables(q):
    kbi, wrap = q["type"] == "kbi", q["overflow"] == "WRAP"
    if kbi:
        order = ["b", "k", "i", "i_decay_speed"] if wrap else ["b", "i", "k"]
    else:
        order = ["f", "k", "i", "i_decay_speed"] if wrap else ["i", "f", "k"]
    return [(name, np.asarray(q[name])) for name in order]


def write_keras_weights(f, layers, drop_quantizer=None):
    f.create_group("vars")
    f.create_group("layers/input_layer/vars")
    counts = {}
    for layer in layers:
        base = snake(layer["class"])
        index = counts.get(base, 0)
        counts[base] = index + 1
        group = "layers/" + base + ("" if index == 0 else f"_{index}")
        vars_group = f.create_group(group + "/vars")
        for i, (_, value) in enumerate(own_variables(layer)):
            vars_group[str(i)] = value
        for which in ("iq", "kq", "bq"):
            f.create_group(f"{group}/{which}/vars")
            if (layer["name"], which) == drop_quantizer:
                continue
            qvars = f.create_group(f"{group}/{which}/quantizer/vars")
            for i, (_, value) in enumerate(quantizer_variables(layer[which])):
                qvars[str(i)] = value
        if layer["name"] == "t4":
            f.create_group(f"{group}/oq/vars")
        if layer["name"] == "t2":
            f.create_group("layers/re_lu/vars")
            f["layers/dropout/seed_generator/vars/0"] = np.array([1337, 0], dtype=np.uint32)
            f.create_group("layers/dropout/vars")
    f["optimizer/vars/0"] = np.asarray(np.int64(4000))  # iterations
    f["optimizer/vars/1"] = np.asarray(F32(5e-3))       # learning rate


def write_keras(path, n_in, layers, extra_after=None, drop_quantizer=None, members=None,
                name="hgq_mlp", edit_config=None):
    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        write_keras_weights(f, layers, drop_quantizer)
    config = model_config(n_in, layers, False, extra_after, name)
    if edit_config is not None:
        edit_config(config)
    contents = {
        "metadata.json": json.dumps({"keras_version": KERAS_VERSION, "date_saved": "2026-01-01@00:00:00"}),
        "config.json": json.dumps(config),
        "model.weights.h5": buf.getvalue(),
    }
    if members is not None:
        contents = {k: v for k, v in contents.items() if k in members}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in contents.items():
            info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)


def write_legacy_h5(path, n_in, layers, with_config=True, bad_kernel=False, libver=None,
                    names=("input_layer", "t1", "t2", "relu2", "dropout", "t3", "t4"),
                    name="hgq_mlp"):
    counter = {"kbi": 0, "kif": 0}
    with h5py.File(path, "w", libver=libver) as f:
        if with_config:
            f.attrs["model_config"] = json.dumps(
                model_config(n_in, layers, True, name=name)).encode("utf8")
            f.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
            f.attrs["backend"] = b"jax"
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([n.encode("utf8") for n in names])
        mw.attrs["backend"] = b"jax"
        mw.attrs["keras_version"] = KERAS_VERSION.encode("utf8")
        by_name = {layer["name"]: layer for layer in layers}
        for name in sorted(names):
            g = mw.create_group(name)
            entries = []
            layer = by_name.get(name)
            if layer is not None:
                own = own_variables(layer)
                trainable = [v for v in own if v[0] in ("kernel", "bias", "gamma", "bn_gamma")]
                others = [v for v in own if v not in trainable]
                quant = []
                for which in ("iq", "kq", "bq"):
                    q = layer[which]
                    counter[q["type"]] += 1
                    inner = f"fixed_point_quantizer_{q['type']}_{counter[q['type']]}"
                    for vname, value in quantizer_variables(q):
                        quant.append((f"{name}/{name}_{which}/{inner}/{vname}", value))
                entries = [(f"sequential/{name}/{v}", val) for v, val in trainable] + quant + \
                          [(f"sequential/{name}/{v}", val) for v, val in others]
                if bad_kernel and name == "t3":
                    entries[0] = (entries[0][0], np.zeros((2, 2), dtype=F32))
            g.attrs["weight_names"] = np.array([e[0].encode("utf8") for e in entries])
            for wname, value in entries:
                g.create_dataset(wname, data=value)


# ---- the expected import ---------------------------------------------------------------------

def expected(n_in, layers):
    out = {"input_features": n_in, "layers": []}
    for layer in layers:
        kernel, bias = fold(layer)
        kq = layer["kq"]
        if layer.get("transposed"):
            kq = {key: (np.asarray(v).T if np.ndim(v) == 2 else v) for key, v in kq.items()}
        codes = quantize(kernel, kq).T          # [out][in]
        wk, wi, wf = (np.broadcast_to(a, kernel.shape).T for a in kif_of(kq))
        bk, bi, bf = (np.broadcast_to(a, bias.shape) for a in kif_of(layer["bq"]))
        ik, ii, i_f = (np.broadcast_to(a, (1, kernel.shape[0]))[0] for a in kif_of(layer["iq"]))
        relu = layer["activation"] == "relu" or layer["name"] == "t2"
        out["layers"].append({
            "name": layer["name"], "class": layer["class"],
            "in_features": int(kernel.shape[0]), "out_features": int(kernel.shape[1]),
            "relu": relu,
            "weight_codes": codes.tolist(),
            "weight_k": wk.astype(int).tolist(), "weight_i": wi.astype(int).tolist(),
            "weight_f": wf.astype(int).tolist(), "weight_overflow": layer["kq"]["overflow"],
            "bias_codes": quantize(bias, layer["bq"]).tolist(),
            "bias_k": bk.astype(int).tolist(), "bias_i": bi.astype(int).tolist(),
            "bias_f": bf.astype(int).tolist(), "bias_overflow": layer["bq"]["overflow"],
            "input_k": ik.astype(int).tolist(), "input_i": ii.astype(int).tolist(),
            "input_f": i_f.astype(int).tolist(), "input_overflow": layer["iq"]["overflow"],
            "stored_ebops": layer["ebops"]})
    out["total_ebops"] = sum(layer["ebops"] for layer in layers)
    return out


def build_jet_model(seed):
    """A model of the jet tagger's size (16-64-32-32-5) as HGQ2-examples' jsc/model.py builds it:
    three QEinsumDenseBatchnorm 'bc,cC->bC' with ReLU and a QDense; weights KBI SAT_SYM, biases
    KBI WRAP, inputs KIF WRAP (signed for the first layer). Random widths with about a third of
    the weights pruned: for timing msqx import on a real-sized model, not a trained network."""
    rng = np.random.default_rng(seed)
    n = [16, 64, 32, 32, 5]
    layers = []
    for index in range(4):
        last = index == 3
        kernel = rng.normal(0, 1.0 / np.sqrt(n[index]), size=(n[index], n[index + 1])).astype(F32)
        layer = {"name": f"d{index + 1}", "activation": "linear" if last else "relu",
                 "kernel_stored": kernel, "kernel_dense": kernel,
                 "bias": rng.normal(0, 0.2, size=n[index + 1]).astype(F32),
                 "iq": quantizer("kif", "WRAP", (1, n[index]), rng, k=1 if index == 0 else 0,
                                 i_range=(1, 3), total_range=(3, 8)),
                 "kq": quantizer("kbi", "SAT_SYM", (n[index], n[index + 1]), rng,
                                 i_range=(-2, 0), total_range=(-2, 5)),
                 "bq": quantizer("kbi", "WRAP", (n[index + 1],), rng, i_range=(0, 1),
                                 total_range=(3, 8)),
                 "iq_conf": qconf("kif", "datalane", "WRAP"),
                 "kq_conf": qconf("kbi", "weight", "SAT_SYM"), "bq_conf": qconf("kbi", "bias", "WRAP")}
        if last:
            layer.update({"class": "QDense", "units": n[4]})
        else:
            layer.update({"class": "QEinsumDenseBatchnorm", "equation": "bc,cC->bC", "bias_axes": "C",
                          "bn": {"gamma": rng.uniform(0.5, 1.5, size=n[index + 1]).astype(F32),
                                 "moving_mean": rng.normal(0, 0.5, size=n[index + 1]).astype(F32),
                                 "moving_variance": rng.uniform(0.2, 2.0, size=n[index + 1]).astype(F32),
                                 "epsilon": 1e-3}})
        layer["ebops"] = layer_ebops(layer)
        layers.append(layer)
    return n[0], layers


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--jet":
        out = Path(sys.argv[2])
        out.mkdir(parents=True, exist_ok=True)
        n_in, layers = build_jet_model(seed=42)
        write_keras(out / "jet_hgq.keras", n_in, layers, name="jet_hgq")
        write_legacy_h5(out / "jet_hgq.h5", n_in, layers,
                        names=["input_layer"] + [layer["name"] for layer in layers], name="jet_hgq")
        print(f"wrote {out}/jet_hgq.keras and .h5: EBOPs per layer {[layer['ebops'] for layer in layers]}")
        return
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/unit/hgq/fixtures"
    out.mkdir(parents=True, exist_ok=True)
    n_in, layers = build_model(seed=18)
    write_keras(out / "hgq_mlp.keras", n_in, layers)
    write_legacy_h5(out / "hgq_mlp.h5", n_in, layers)
    (out / "hgq_mlp.expected.json").write_text(json.dumps(expected(n_in, layers)) + "\n")

    # Error fixtures: an unsupported layer (named with its class), a missing quantizer, a weights
    # file without a model config, a kernel of the wrong shape, an archive without config.json.
    conv = lambda previous: keras_layer(
        "QConv1D", {"name": "conv_head", "filters": 2, "kernel_size": [3]}, previous,
        "hgq.layers.conv", "hgq>QConv1D")
    write_keras(out / "unsupported_layer.keras", n_in, layers, extra_after=conv)
    write_keras(out / "missing_quantizer.keras", n_in, layers, drop_quantizer=("t3", "kq"))
    # The error fixtures in HDF5's compact latest format (a third of the default's size).
    write_legacy_h5(out / "weights_only.h5", n_in, layers, with_config=False, libver="latest")
    write_legacy_h5(out / "bad_kernel.h5", n_in, layers, bad_kernel=True, libver="latest")
    write_keras(out / "no_config.keras", n_in, layers, members={"metadata.json", "model.weights.h5"})

    def wrong_types(config):  # values of types Keras never writes
        config["config"]["layers"][2]["config"]["units"] = "four"
        config["config"]["layers"][2]["config"]["kq_conf"]["config"]["round_mode"] = 3
    write_keras(out / "wrong_types.keras", n_in, layers, edit_config=wrong_types)
    print(f"wrote {out}: EBOPs per layer {[layer['ebops'] for layer in layers]}")


if __name__ == "__main__":
    main()
