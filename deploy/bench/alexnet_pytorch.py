"""The paper's two-column AlexNet in PyTorch, for timing one training step against ours.

The same net as org.alexnet.model.AlexNet (full preset): conv1 as one 96-map convolution (both
columns read the image), conv2/conv4/conv5 grouped (groups=2: each column reads its own maps),
conv3 and the fc layers reading both columns, LRN k=2 n=5 alpha=1e-4 beta=0.75 in the paper's
formula (PyTorch divides alpha by n, so it gets 5e-4), overlapping 3/2 max pooling, dropout 0.5,
SGD with momentum 0.9 and weight decay 0.0005, softmax cross-entropy, fp32 on the CPU.
Prints: pytorch <version> batch=B threads=T: median S s/step, I images/s (steps: ...)
"""
import argparse
import os
import time

import torch
import torch.nn as nn


class AlexNet2012(nn.Module):
    def __init__(self, classes=1000):
        super().__init__()

        def lrn():
            return nn.LocalResponseNorm(5, alpha=5 * 1e-4, beta=0.75, k=2.0)

        self.features = nn.Sequential(
            nn.Conv2d(3, 96, 11, 4, 2), nn.ReLU(inplace=True), lrn(), nn.MaxPool2d(3, 2),
            nn.Conv2d(96, 256, 5, 1, 2, groups=2), nn.ReLU(inplace=True), lrn(), nn.MaxPool2d(3, 2),
            nn.Conv2d(256, 384, 3, 1, 1), nn.ReLU(inplace=True),
            nn.Conv2d(384, 384, 3, 1, 1, groups=2), nn.ReLU(inplace=True),
            nn.Conv2d(384, 256, 3, 1, 1, groups=2), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2))
        self.classifier = nn.Sequential(
            nn.Linear(9216, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
            nn.Linear(4096, 4096), nn.ReLU(inplace=True), nn.Dropout(0.5),
            nn.Linear(4096, classes))

    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--threads", type=int, default=os.cpu_count())
    p.add_argument("--profile", action="store_true", help="also print PyTorch's per-operator profile of one step")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    net = AlexNet2012()
    opt = torch.optim.SGD(net.parameters(), lr=0.01, momentum=0.9, weight_decay=5e-4)
    x = torch.randn(a.batch, 3, 224, 224) * 50
    y = torch.randint(0, 1000, (a.batch,))

    def step():
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        step()
    times = []
    for _ in range(a.steps):
        t = time.perf_counter()
        step()
        times.append(time.perf_counter() - t)
    s = sorted(times)
    median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
    print("pytorch %s batch=%d threads=%d: median %.3f s/step, %.2f images/s (steps: %s s)" % (
        torch.__version__, a.batch, torch.get_num_threads(), median, a.batch / median,
        " ".join("%.2f" % t for t in times)))
    if a.profile:
        with torch.autograd.profiler.profile() as prof:
            step()
        print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))


if __name__ == "__main__":
    main()
