#!/usr/bin/env python3
"""The paper's two-column AlexNet in PyTorch, loaded from `deploy/alexnet export --format
safetensors`; prints the top-5 classes of images, or goes on to ONNX.

    python3 deploy/export/alexnet_torch.py MODEL.safetensors IMAGE... [--ten-crop]
    python3 deploy/export/alexnet_torch.py MODEL.safetensors --tensor INPUT.f32 [--probabilities OUT.f32]
    python3 deploy/export/alexnet_torch.py MODEL.safetensors --onnx alexnet.onnx

The two columns are one layer per depth: conv2, conv4 and conv5 are grouped convolutions
(groups=2, one group per column), conv1, conv3 and the fc layers hold both columns' units
(column A's first), and local response normalisation sums over the maps of one column, so it
runs on each half of the channels (see org.alexnet.export.TorchAlexNet for the mapping).

Images are prepared as the training job prepares validation images: the short side resized to
256 (area averaging when shrinking, bicubic when enlarging) and stored as JPEG of quality 90,
the central 256x256 patch, the centre crop (or the paper's 10 views: corners, centre, mirrored,
softmax averaged) minus the same window of the training set's mean image, RGB, 0-255. Pillow's
resampling differs from OpenCV's in the last bits, so probabilities may differ slightly from
`deploy/alexnet classify`; with --tensor (raw little-endian float32, N x 3 x S x S, already
prepared) the network's output is the Java model's to float precision.

Needs torch and Pillow (Debian: apt-get install python3-torch python3-pil). The safetensors
package is used when installed; otherwise the file is read here (an 8-byte header length, a JSON
header, raw little-endian tensors).
"""
import argparse
import io
import json
import struct
import sys

import torch
from torch import nn
import torch.nn.functional as F

MEAN_SIDE = 256


def read_safetensors(path):
    """(tensors by name, metadata) of a safetensors file."""
    try:
        from safetensors import safe_open
        with safe_open(path, framework="pt") as f:
            return {k: f.get_tensor(k) for k in f.keys()}, f.metadata() or {}
    except ImportError:
        pass
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    metadata = header.pop("__metadata__", {})
    dtypes = {"F32": torch.float32, "F64": torch.float64}
    body = memoryview(data)[8 + n:]
    tensors = {}
    for name, t in header.items():
        begin, end = t["data_offsets"]
        flat = torch.frombuffer(bytearray(body[begin:end]), dtype=dtypes[t["dtype"]])
        tensors[name] = flat.reshape(t["shape"])
    return tensors, metadata


class AlexNet2012(nn.Module):
    """Krizhevsky et al. 2012, two columns as grouped layers; forward returns logits."""

    def __init__(self, arch, shapes):
        super().__init__()
        groups = 2 if arch["columns"] == 2 else 1
        self.groups = groups
        maps = [shapes["conv%d.weight" % i][0] for i in range(1, 6)]
        self.conv1 = nn.Conv2d(3, maps[0], 11, 4, arch["conv1_padding"])
        self.conv2 = nn.Conv2d(maps[0], maps[1], 5, 1, 2, groups=groups)
        self.conv3 = nn.Conv2d(maps[1], maps[2], 3, 1, 1)
        self.conv4 = nn.Conv2d(maps[2], maps[3], 3, 1, 1, groups=groups)
        self.conv5 = nn.Conv2d(maps[3], maps[4], 3, 1, 1, groups=groups)
        self.fc6 = nn.Linear(shapes["fc6.weight"][1], shapes["fc6.weight"][0])
        self.fc7 = nn.Linear(shapes["fc7.weight"][1], shapes["fc7.weight"][0])
        self.fc8 = nn.Linear(shapes["fc8.weight"][1], shapes["fc8.weight"][0])
        self.register_buffer("mean_image", torch.zeros(3, MEAN_SIDE, MEAN_SIDE))
        self.pool = nn.MaxPool2d(arch["pool_kernel"], arch["pool_stride"])
        self.act = nn.ReLU() if arch["activation"] == "relu" else nn.Tanh()
        lrn = arch.get("lrn")
        self.lrn = nn.LocalResponseNorm(lrn["size"], lrn["alpha"], lrn["beta"], lrn["k"]) if lrn else None

    def norm(self, x):
        if self.lrn is None:
            return x
        return torch.cat([self.lrn(column) for column in x.chunk(self.groups, dim=1)], dim=1)

    def forward(self, x):
        x = self.pool(self.norm(self.act(self.conv1(x))))
        x = self.pool(self.norm(self.act(self.conv2(x))))
        x = self.act(self.conv3(x))
        x = self.act(self.conv4(x))
        x = self.pool(self.act(self.conv5(x)))
        x = torch.flatten(x, 1)  # NCHW order, as DL4J flattens pool5 for fc6
        x = self.act(self.fc6(x))  # dropout is the identity at inference
        x = self.act(self.fc7(x))
        return self.fc8(x)


def load(path):
    tensors, metadata = read_safetensors(path)
    arch = json.loads(metadata["alexnet.architecture"])
    classes = json.loads(metadata["alexnet.classes"])
    model = AlexNet2012(arch, {k: list(v.shape) for k, v in tensors.items()})
    model.load_state_dict(tensors, strict=True)
    return model.eval(), arch, classes


def resize(img, size, shrink_filter, grow_filter):
    from PIL import Image
    grow = size[0] > img.width or size[1] > img.height
    return img.resize(size, getattr(Image, grow_filter if grow else shrink_filter))


def views(path, model, input_size, ten_crop):
    """The prepared views of an image file: [1 or 10, 3, S, S]."""
    from PIL import Image
    img = Image.open(path).convert("RGB")
    scale = MEAN_SIDE / min(img.width, img.height)
    img = resize(img, (max(MEAN_SIDE, round(img.width * scale)), max(MEAN_SIDE, round(img.height * scale))),
                 "BOX", "BICUBIC")
    stored = io.BytesIO()
    img.save(stored, "JPEG", quality=90)
    img = Image.open(stored).convert("RGB")
    x0, y0 = (img.width - MEAN_SIDE) // 2, (img.height - MEAN_SIDE) // 2
    patch = img.crop((x0, y0, x0 + MEAN_SIDE, y0 + MEAN_SIDE))
    mean = model.mean_image.unsqueeze(0)
    side = round(input_size * MEAN_SIDE / 224)  # the patch keeps the paper's 224/256 share
    if side != MEAN_SIDE:
        patch = resize(patch, (side, side), "BOX", "BILINEAR")
        mean = F.interpolate(mean, size=(side, side), mode="area" if side < MEAN_SIDE else "bilinear")
    pixels = torch.frombuffer(bytearray(patch.tobytes()), dtype=torch.uint8).reshape(side, side, 3)
    centred = pixels.permute(2, 0, 1).float().unsqueeze(0) - mean
    far, mid = side - input_size, (side - input_size) // 2
    corners = [(0, 0), (far, 0), (0, far), (far, far), (mid, mid)] if ten_crop else [(mid, mid)]
    crops = [centred[:, :, y:y + input_size, x:x + input_size] for x, y in corners]
    if ten_crop:
        crops += [torch.flip(c, dims=[3]) for c in crops]
    return torch.cat(crops)


def label(c):
    return c["wnid"] + (" (" + c["name"] + ")" if c.get("name") else "")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="a .safetensors file written by deploy/alexnet export")
    p.add_argument("images", nargs="*", help="image files")
    p.add_argument("--ten-crop", action="store_true", help="the paper's 10 views, softmax averaged")
    p.add_argument("--tensor", help="prepared input: raw little-endian float32, N x 3 x S x S")
    p.add_argument("--probabilities", help="with --tensor: write the softmax as raw little-endian float32")
    p.add_argument("--onnx", help="write the network to this ONNX file (torch.onnx.export) and stop")
    a = p.parse_intermixed_args()
    model, arch, classes = load(a.model)
    s = arch["input_size"]
    if a.onnx:
        torch.onnx.export(model, torch.zeros(1, 3, s, s), a.onnx, input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}}, opset_version=13)
        print("wrote", a.onnx)
        return 0
    batches = []
    if a.tensor:
        with open(a.tensor, "rb") as f:
            x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(-1, 3, s, s)
        batches.append((a.tensor, x, False))
    batches += [(image, views(image, model, s, a.ten_crop), a.ten_crop) for image in a.images]
    if not batches:
        p.error("give IMAGE files, --tensor or --onnx")
    with torch.no_grad():
        for name, x, averaged in batches:
            probabilities = F.softmax(model(x), dim=1)
            if a.tensor and name == a.tensor and a.probabilities:
                with open(a.probabilities, "wb") as f:
                    f.write(probabilities.numpy().astype("<f4").tobytes())
            prob = probabilities.mean(0)  # the 10 views of an image, or the rows of a tensor, averaged
            print(name + (" (10 views)" if averaged else "") + (" (%d rows, averaged)" % len(x) if len(x) > 1 and
                                                                  not averaged else ""))
            top = torch.topk(prob, min(5, prob.numel()))
            for rank, (pr, i) in enumerate(zip(top.values.tolist(), top.indices.tolist()), 1):
                print("  %d. %-50s %.4f" % (rank, label(classes[i]), pr))
    return 0


if __name__ == "__main__":
    sys.exit(main())
