"""Writes a synthetic ImageNet-like tree for `deploy/alexnet bench preprocess` and trial runs:
OUT/train/<wnid>/<wnid>_<n>.JPEG with ImageNet's typical sizes (mostly ~500x375, some large,
a few small), photo-like content (blurred multi-scale noise, gradients, edges), JPEG q 85-95.
No real images ship with the project; benchmark figures on real ImageNet will differ.
Usage: python3 make_synthetic_imagenet.py OUT [IMAGES=400] [CLASSES=10]   (needs python3-pil)"""
import os
import random
import sys

from PIL import Image, ImageDraw, ImageFilter

SIZES = [(500, 375)] * 8 + [(500, 333)] * 4 + [(375, 500)] * 3 + [(500, 500)] * 2 + [
    (800, 600), (1024, 768), (1600, 1200), (2048, 1536), (3000, 2000), (200, 150), (300, 225)]


def photo(w, h, rnd):
    base = Image.effect_noise((max(w // 16, 2), max(h // 16, 2)), 60).convert('L')
    chans = []
    for i in range(3):
        coarse = Image.effect_noise((max(w // 32, 2), max(h // 32, 2)), 80).resize((w, h), Image.BICUBIC)
        fine = Image.effect_noise((w, h), 25).filter(ImageFilter.GaussianBlur(1.2))
        chans.append(Image.blend(coarse, fine, 0.35))
    im = Image.merge('RGB', chans)
    tint = Image.new('RGB', (w, h), tuple(rnd.randrange(40, 220) for _ in range(3)))
    im = Image.blend(im, tint, 0.45)
    d = ImageDraw.Draw(im)
    for _ in range(rnd.randrange(3, 10)):
        x0, y0 = rnd.randrange(w), rnd.randrange(h)
        x1, y1 = x0 + rnd.randrange(20, max(21, w // 2)), y0 + rnd.randrange(20, max(21, h // 2))
        fill = tuple(rnd.randrange(256) for _ in range(3))
        (d.ellipse if rnd.random() < 0.5 else d.rectangle)([x0, y0, x1, y1], fill=fill)
    del base
    return im.filter(ImageFilter.GaussianBlur(0.6))


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 400
    classes = int(sys.argv[3]) if len(sys.argv) > 3 else 10
    rnd = random.Random(2012)
    wnids = ['n%08d' % (1440764 + 1000 * i) for i in range(classes)]
    for i in range(n):
        wnid = wnids[i % classes]
        d = os.path.join(out, 'train', wnid)
        os.makedirs(d, exist_ok=True)
        w, h = rnd.choice(SIZES)
        photo(w, h, rnd).save(os.path.join(d, '%s_%d.JPEG' % (wnid, i)), 'JPEG', quality=rnd.randrange(85, 96))
    print('wrote %d images in %d classes under %s/train' % (n, classes, out))


if __name__ == '__main__':
    main()
