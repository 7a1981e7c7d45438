#!/usr/bin/env python3
"""Writes the shipped network configs (configs/networks/*.json) from their published definitions.

The JSON files are committed; this script documents where every layer comes from and regenerates
them identically: python3 scripts/make_network_configs.py
"""
import json
import pathlib

OUT = pathlib.Path(__file__).resolve().parent.parent / "configs" / "networks"


class Net:
    def __init__(self, name, channels, size):
        self.name, self.layers = name, []
        self.input = {"channels": channels, "height": size, "width": size}

    def add(self, **layer):
        self.layers.append(layer)
        return layer["name"]

    def conv(self, name, out, k, stride=1, pad=0, groups=1, src=None, bias=False):
        layer = {"name": name, "type": "conv", "out_channels": out, "kernel": k}
        if stride != 1: layer["stride"] = stride
        if pad: layer["padding"] = pad
        if groups != 1: layer["groups"] = groups
        if bias: layer["bias"] = True
        if src: layer["input"] = src
        return self.add(**layer)

    def act(self, name, fn="relu", src=None):
        layer = {"name": name, "type": "act", "function": fn}
        if src: layer["input"] = src
        return self.add(**layer)

    def write(self):
        doc = {"name": self.name, "input": self.input, "weight_bits": 4, "act_bits": 4,
               "layers": self.layers}
        # One layer per line: diffs and reviews stay readable for networks of a hundred layers.
        head = json.dumps({k: v for k, v in doc.items() if k != "layers"}, indent=2)[:-2]
        rows = ",\n".join("    " + json.dumps(layer) for layer in self.layers)
        (OUT / f"{self.name}.json").write_text(f'{head},\n  "layers": [\n{rows}\n  ]\n}}\n')


def resnet18():
    """torchvision resnet18: BasicBlocks [2, 2, 2, 2], 1x1 stride-2 downsample convolutions."""
    n = Net("resnet18", 3, 224)
    n.conv("conv1", 64, 7, 2, 3)
    n.act("relu1")
    prev = n.add(name="maxpool", type="maxpool", kernel=3, stride=2, padding=1)
    channels = 64
    for stage, width in enumerate([64, 128, 256, 512], start=1):
        for block in range(2):
            p = f"layer{stage}.{block}"
            stride = 2 if stage > 1 and block == 0 else 1
            shortcut = prev
            n.conv(f"{p}.conv1", width, 3, stride, 1, src=prev)
            n.act(f"{p}.relu1")
            main = n.conv(f"{p}.conv2", width, 3, 1, 1)
            if stride != 1 or channels != width:
                shortcut = n.conv(f"{p}.downsample", width, 1, stride, src=prev)
            n.add(name=f"{p}.add", type="add", inputs=[main, shortcut])
            prev = n.act(f"{p}.relu2")
            channels = width
    n.add(name="avgpool", type="avgpool", **{"global": True})
    n.add(name="fc", type="fc", out_features=1000, bias=True)
    n.write()


def vgg16():
    """VGG-16 (configuration D): 13 3x3 convolutions, 5 max pools, 3 fully connected layers."""
    n = Net("vgg16", 3, 224)
    cfg = [[64, 64], [128, 128], [256, 256, 256], [512, 512, 512], [512, 512, 512]]
    for stage, widths in enumerate(cfg, start=1):
        for i, w in enumerate(widths, start=1):
            n.conv(f"conv{stage}_{i}", w, 3, 1, 1, bias=True)
            n.act(f"relu{stage}_{i}")
        n.add(name=f"pool{stage}", type="maxpool", kernel=2, stride=2)
    for i, out in enumerate([4096, 4096, 1000], start=6):
        n.add(name=f"fc{i}", type="fc", out_features=out, bias=True)
        if out != 1000:
            n.act(f"relu{i}")
    n.write()


def mobilenet_v2():
    """MobileNetV2 1.0 at 224 (Sandler et al. 2018, table 2): inverted residuals (t, c, n, s)."""
    n = Net("mobilenet_v2", 3, 224)
    n.conv("conv0", 32, 3, 2, 1)
    prev = n.act("conv0.relu6", "relu6")
    channels = 32
    settings = [(1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                (6, 160, 3, 2), (6, 320, 1, 1)]
    block = 0
    for t, c, repeat, s in settings:
        for i in range(repeat):
            block += 1
            stride = s if i == 0 else 1
            p = f"block{block}"
            block_input = prev
            hidden = channels * t
            if t != 1:
                n.conv(f"{p}.expand", hidden, 1, src=prev)
                n.act(f"{p}.expand.relu6", "relu6")
            n.conv(f"{p}.dw", hidden, 3, stride, 1, groups=hidden)
            n.act(f"{p}.dw.relu6", "relu6")
            prev = n.conv(f"{p}.project", c, 1)
            if stride == 1 and channels == c:
                prev = n.add(name=f"{p}.add", type="add", inputs=[prev, block_input])
            channels = c
    n.conv("conv_last", 1280, 1)
    n.act("conv_last.relu6", "relu6")
    n.add(name="avgpool", type="avgpool", **{"global": True})
    n.add(name="fc", type="fc", out_features=1000, bias=True)
    n.write()


def tiny():
    """A few small layers of every kind, small enough for per-cycle (pin) simulation in tests."""
    n = Net("tiny", 3, 16)
    n.conv("conv1", 8, 3, 1, 1)
    n.act("relu1")
    n.add(name="pool1", type="maxpool", kernel=2, stride=2)
    a = n.conv("conv2", 16, 3, 2, 1)
    n.act("relu2")
    n.conv("dw3", 16, 3, 1, 1, groups=16)
    n.act("relu3", "relu6")
    b = n.conv("pw3", 16, 1)
    n.add(name="add3", type="add", inputs=[b, a])
    n.add(name="pool3", type="avgpool", kernel=2, stride=2)
    n.add(name="gap", type="avgpool", **{"global": True})
    n.add(name="fc", type="fc", out_features=10, bias=True)
    n.write()


if __name__ == "__main__":
    resnet18()
    vgg16()
    mobilenet_v2()
    tiny()
