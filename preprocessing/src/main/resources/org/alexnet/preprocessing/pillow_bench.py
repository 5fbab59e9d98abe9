"""Pillow reference for `deploy/alexnet bench preprocess`: the same files, the same work
(decode with draft, resize to a 256 short side, encode JPEG q90), one process per core.
Usage: python3 pillow_bench.py FILE_LIST PROCESSES WARMUP_IMAGES. Prints 'pillow_images_per_second X'."""
import io
import sys
import time
from multiprocessing import Pool

from PIL import Image

SIZE = 256


def target(w, h):
    return (SIZE, round(h * SIZE / w)) if w <= h else (round(w * SIZE / h), SIZE)


def transform(data):
    im = Image.open(io.BytesIO(data))
    size = target(*im.size)
    im.draft('RGB', size)
    im = im.convert('RGB').resize(size)  # Pillow's default filter (bicubic, antialiased)
    out = io.BytesIO()
    im.save(out, 'JPEG', quality=90)
    return len(out.getvalue())


def work(chunk):
    ok = 0
    for data in chunk:
        try:
            transform(data)
            ok += 1
        except Exception:
            pass
    return ok


def main():
    files = [line.rstrip('\n') for line in open(sys.argv[1]) if line.strip()]
    procs = int(sys.argv[2])
    warmup = int(sys.argv[3])
    blobs = [open(f, 'rb').read() for f in files]
    chunks = [blobs[i::procs] for i in range(procs)]
    with Pool(procs) as pool:
        pool.map(work, [c[:warmup] for c in chunks])
        start = time.perf_counter()
        ok = sum(pool.map(work, chunks))
        elapsed = time.perf_counter() - start
    print('pillow_images %d' % ok)
    print('pillow_seconds %.4f' % elapsed)
    print('pillow_images_per_second %.2f' % (ok / elapsed))


if __name__ == '__main__':
    main()
