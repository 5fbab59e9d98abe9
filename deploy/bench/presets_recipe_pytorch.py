"""Recipe experiments for the small and tiny presets (issue 15), in PyTorch: fast (~5 s an epoch of
1,400 glyph images for small on 2 cores), so a recipe can be tried before it is built into the job.

The net is the job's two-column AlexNet at width 1/4 (small, 128x128) or 1/16 (tiny, 64x64) as
grouped layers, initialised by the job's fan-in rule (--init fanin; or uniform --std S, or kaiming),
biases 1 in conv2/4/5 and fc6/7, LRN as the paper (k 2, n 5, alpha 1e-4 in the paper's formula),
dropout 0.5, SGD 0.01 / momentum 0.9 / weight decay 5e-4, raw pixels minus the mean image, random
crops and flips. --fc8-lr-mult scales the output layer's learning rate. Reads class folders of
images (deploy/alexnet make-sample-data --kind glyphs output), caches the decoded patches.
Prints the validation top-1 error per epoch. Example (docs/presets.md):
    /usr/bin/python3 deploy/bench/presets_recipe_pytorch.py --data /tmp/g14-raw --preset small --fc8-lr-mult 0.04
"""
import argparse, glob, math, os, time
import numpy as np
import torch, torch.nn as nn
from PIL import Image

def load(split, root, patch):
    xs, ys = [], []
    classes = sorted(os.listdir(os.path.join(root, split)))
    for ci, c in enumerate(classes):
        for f in sorted(glob.glob(os.path.join(root, split, c, '*'))):
            try:
                im = Image.open(f).convert('RGB')
            except Exception:
                continue
            w, h = im.size; s = 256.0 / min(w, h)
            im = im.resize((max(256, round(w * s)), max(256, round(h * s))), Image.BILINEAR)
            w, h = im.size; l, t = (w - 256) // 2, (h - 256) // 2
            im = im.crop((l, t, l + 256, t + 256)).resize((patch, patch), Image.BILINEAR)
            xs.append(np.asarray(im, dtype=np.uint8).transpose(2, 0, 1)); ys.append(ci)
    return torch.tensor(np.stack(xs)), torch.tensor(ys), len(classes)

def lrn():
    return nn.LocalResponseNorm(5, alpha=5e-4, beta=0.75, k=2.0)

class Net(nn.Module):
    def __init__(self, w, classes, size, fc_bias=1.0, conv_bias=1.0, dropout=0.5):
        super().__init__()
        m = lambda n: max(1, round(n * w))
        c1, c2, c3, c4, c5, f = 2*m(48), 2*m(128), 2*m(192), 2*m(192), 2*m(128), 2*m(2048)
        self.conv = nn.ModuleList([nn.Conv2d(3, c1, 11, 4, 2), nn.Conv2d(c1, c2, 5, 1, 2, groups=2),
            nn.Conv2d(c2, c3, 3, 1, 1), nn.Conv2d(c3, c4, 3, 1, 1, groups=2), nn.Conv2d(c4, c5, 3, 1, 1, groups=2)])
        with torch.no_grad():
            s = self.features(torch.zeros(1, 3, size, size)).shape[1]
        self.fc = nn.ModuleList([nn.Linear(s, f), nn.Linear(f, f), nn.Linear(f, classes)])
        self.drop = nn.Dropout(dropout)
        self.biases = [0, conv_bias, 0, conv_bias, conv_bias, fc_bias, fc_bias, 0]
    def features(self, x):
        r = torch.relu; mp = lambda t: nn.functional.max_pool2d(t, 3, 2)
        x = mp(lrn()(r(self.conv[0](x)))); x = mp(lrn()(r(self.conv[1](x))))
        x = r(self.conv[2](x)); x = r(self.conv[3](x)); x = mp(r(self.conv[4](x)))
        return torch.flatten(x, 1)
    def forward(self, x):
        x = self.features(x)
        x = self.drop(torch.relu(self.fc[0](x))); x = self.drop(torch.relu(self.fc[1](x)))
        return self.fc[2](x)
    def layers(self):
        return list(self.conv) + list(self.fc)

PAPER_FANIN = [3*121, 48*25, 256*9, 192*9, 192*9, 9216, 4096, 4096]

def main():
    p = argparse.ArgumentParser()
    p.add_argument('--data', default='/tmp/g14-raw'); p.add_argument('--preset', default='small')
    p.add_argument('--epochs', type=int, default=15); p.add_argument('--batch', type=int, default=32)
    p.add_argument('--lr', type=float, default=0.01); p.add_argument('--wd', type=float, default=5e-4)
    p.add_argument('--std', type=float, default=None, help='uniform std; default fan-in rule')
    p.add_argument('--init', default='fanin', help='fanin|uniform|kaiming')
    p.add_argument('--fc-bias', type=float, default=1.0); p.add_argument('--conv-bias', type=float, default=1.0)
    p.add_argument('--fc8-std', type=float, default=None); p.add_argument('--dropout', type=float, default=0.5)
    p.add_argument('--seed', type=int, default=1); p.add_argument('--threads', type=int, default=2)
    p.add_argument('--fc8-lr-mult', type=float, default=1.0); p.add_argument('--input-scale', type=float, default=1.0)
    p.add_argument('--per-image-crops', action='store_true', help='a crop and flip per image (default: per batch)')
    p.add_argument('--print-steps', action='store_true', help="print the first epoch's loss at every step")
    a = p.parse_args()
    torch.set_num_threads(a.threads); torch.manual_seed(a.seed)
    w, size = {'small': (0.25, 128), 'tiny': (1/16, 64), 'full': (1.0, 224)}[a.preset]
    patch = round(size * 256 / 224)
    cache = os.path.join(os.environ.get('TMPDIR', '/tmp'), 'presets-recipe-%s-%d.pt' % (os.path.basename(a.data.rstrip('/')), patch))
    if os.path.exists(cache):
        xt, yt, xv, yv, k = torch.load(cache)
    else:
        xt, yt, k = load('train', a.data, patch); xv, yv, _ = load('val', a.data, patch)
        torch.save((xt, yt, xv, yv, k), cache)
    mean = xt.float().mean(0)
    net = Net(w, k, size, a.fc_bias, a.conv_bias, a.dropout)
    with torch.no_grad():
        for i, l in enumerate(net.layers()):
            fan = l.weight[0].numel()
            if a.init == 'uniform': s = a.std
            elif a.init == 'kaiming': s = math.sqrt(2.0 / fan)
            else: s = (a.std or 0.01) * math.sqrt(PAPER_FANIN[i] / fan)
            if i == 7 and a.fc8_std is not None: s = a.fc8_std
            l.weight.normal_(0, s); l.bias.fill_(net.biases[i])
    params = [{'params': [q for l in net.layers()[:7] for q in l.parameters()]},
              {'params': list(net.fc[2].parameters()), 'lr': a.lr * a.fc8_lr_mult}]
    opt = torch.optim.SGD(params, lr=a.lr, momentum=0.9, weight_decay=a.wd)
    n = len(yt); g = torch.Generator().manual_seed(a.seed)
    off = (patch - size) // 2
    xvc = xv[:, :, off:off+size, off:off+size].float() - mean[:, off:off+size, off:off+size]
    t0 = time.time(); hist = []
    for ep in range(a.epochs):
        net.train(); perm = torch.randperm(n, generator=g); tl, nb = 0.0, 0
        for b in range(0, n - a.batch + 1, a.batch):
            idx = perm[b:b+a.batch]
            xs = torch.randint(0, patch - size + 1, (1,), generator=g).item()
            ys_ = torch.randint(0, patch - size + 1, (1,), generator=g).item()
            if a.per_image_crops:
                xb = xt[idx].float() - mean; parts = []
                for j in range(len(idx)):
                    ox = torch.randint(0, patch - size + 1, (1,), generator=g).item(); oy = torch.randint(0, patch - size + 1, (1,), generator=g).item()
                    v = xb[j, :, oy:oy+size, ox:ox+size]
                    if torch.rand(1, generator=g).item() < 0.5: v = v.flip(2)
                    parts.append(v)
                x = torch.stack(parts)
            else:
                x = xt[idx][:, :, ys_:ys_+size, xs:xs+size].float() - mean[:, ys_:ys_+size, xs:xs+size]
                if torch.rand(1, generator=g).item() < 0.5: x = x.flip(3)
            loss = nn.functional.cross_entropy(net(x * a.input_scale), yt[idx])
            opt.zero_grad(); loss.backward(); opt.step()
            tl += loss.item() if math.isfinite(loss.item()) else float("nan"); nb += 1
            if ep == 0 and a.print_steps: print("%.2f" % loss.item(), end=" ", flush=True)
        net.eval()
        with torch.no_grad():
            err = (net(xvc * a.input_scale).argmax(1) != yv).float().mean().item()
        hist.append(err)
        print('epoch %2d loss %.3f val-err %.1f%%  (%.0fs)' % (ep + 1, tl / nb, 100 * err, time.time() - t0), flush=True)
    print('RESULT', vars(a), 'errs', ' '.join('%.1f' % (100 * e) for e in hist))

main()
