#!/usr/bin/env python3
# Reference numbers for splatview's metric tests (src/metrics/test_images.rs).
# Run: python3 -m venv v && v/bin/pip install numpy scipy scikit-image flip-evaluator
#      v/bin/python scripts/metrics_reference.py
# Independent implementations: scikit-image (PSNR, SSIM interior), a NumPy/SciPy
# transcription of 3DGS utils/loss_utils.py::ssim (zero padding, full map), and
# NVIDIA's official Python FLIP (pip flip-evaluator).
import numpy as np
from scipy.signal import convolve2d
from skimage.metrics import structural_similarity, peak_signal_noise_ratio
import flip_evaluator as flip

M = 0xFFFFFFFF
def h(x, y, c, seed):
    v = ((x * 73856093) & M) ^ ((y * 19349663) & M) ^ ((c * 83492791) & M) ^ ((seed * 2654435761) & M)
    v ^= v >> 13
    v = (v * 1274126177) & M
    return v ^ (v >> 16)

def textured(w, hh):
    a = np.zeros((hh, w, 3), np.uint8)
    for y in range(hh):
        for x in range(w):
            for c in range(3):
                a[y, x, c] = (3 * x + 2 * y + 50 * c + h(x, y, c, 1) % 32) % 256
    return a

def noisy(w, hh):
    a = textured(w, hh).astype(np.int32)
    for y in range(hh):
        for x in range(w):
            for c in range(3):
                a[y, x, c] += h(x, y, c, 2) % 41 - 20
    return np.clip(a, 0, 255).astype(np.uint8)

def brightened_left(w, hh):
    a = textured(w, hh).astype(np.int32)
    a[:, : w // 2] += 30
    return np.clip(a, 0, 255).astype(np.uint8)

def ssim_3dgs(a, b):
    g = np.exp(-((np.arange(11) - 5) ** 2) / (2 * 1.5 ** 2)); g /= g.sum()
    win = np.outer(g, g)
    conv = lambda im: convolve2d(im, win, mode="same", boundary="fill", fillvalue=0)
    maps = []
    for c in range(3):
        x = a[:, :, c]; y = b[:, :, c]
        mx, my = conv(x), conv(y)
        sxx = conv(x * x) - mx * mx; syy = conv(y * y) - my * my; sxy = conv(x * y) - mx * my
        C1, C2 = 0.01 ** 2, 0.03 ** 2
        maps.append(((2 * mx * my + C1) * (2 * sxy + C2)) / ((mx * mx + my * my + C1) * (sxx + syy + C2)))
    return np.mean(maps)

W, H = 48, 40
A = textured(W, H)
for name, B in [("noisy", noisy(W, H)), ("brightened_left", brightened_left(W, H))]:
    a = A.astype(np.float64) / 255; b = B.astype(np.float64) / 255
    psnr = peak_signal_noise_ratio(a, b, data_range=1)
    sk = structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=1, channel_axis=2)
    full = ssim_3dgs(a, b)
    _, mean_flip, _ = flip.evaluate(a.astype(np.float32), b.astype(np.float32), "LDR")
    _, mean_flip_ba, _ = flip.evaluate(b.astype(np.float32), a.astype(np.float32), "LDR")
    print(f"{name}: psnr={psnr!r} ssim_3dgs_full={full!r} skimage_interior={sk!r} flip={mean_flip!r} flip_swapped={mean_flip_ba!r}")
