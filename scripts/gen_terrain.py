#!/usr/bin/env python3
# A wavy ground grid of N x N quads (2 N^2 triangles) as a binary PLY, placed
# under a splat scene whose robust bounds are read from its float PLY.
import struct, sys, math
scene, n, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
with open(scene, 'rb') as f:
    data = f.read()
end = data.index(b'end_header\n') + len(b'end_header\n')
header = data[:end].decode()
count = int(header.split('element vertex ')[1].split()[0])
props = [l.split()[-1] for l in header.splitlines() if l.startswith('property')]
stride = 4 * len(props)
xs, ys, zs = [], [], []
for i in range(0, count, 7):
    x, y, z = struct.unpack_from('<3f', data, end + i * stride)
    xs.append(x); ys.append(y); zs.append(z)
def q(v, p):
    v = sorted(v); return v[int(p * (len(v) - 1))]
lo = [q(xs, .02), q(ys, .02), q(zs, .02)]
hi = [q(xs, .98), q(ys, .98), q(zs, .98)]
size = max(h - l for h, l in zip(hi, lo))
cx, cz = (lo[0] + hi[0]) / 2, (lo[2] + hi[2]) / 2
floor = hi[1]  # up is -y: the floor is at the largest y
with open(out, 'wb') as f:
    verts = (n + 1) ** 2
    f.write(f"ply\nformat binary_little_endian 1.0\nelement vertex {verts}\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nelement face {2*n*n}\nproperty list uchar uint vertex_indices\nend_header\n".encode())
    for j in range(n + 1):
        for i in range(n + 1):
            u, v = i / n - .5, j / n - .5
            x, z = cx + u * 2 * size, cz + v * 2 * size
            y = floor + 0.02 * size * math.sin(40 * u) * math.cos(40 * v)
            f.write(struct.pack('<3f3B', x, y, z, 90 + int(60 * (u + .5)), 110, 90 + int(60 * (v + .5))))
    for j in range(n):
        for i in range(n):
            a = j * (n + 1) + i
            f.write(struct.pack('<B3I', 3, a, a + 1, a + n + 2))
            f.write(struct.pack('<B3I', 3, a, a + n + 2, a + n + 1))
print(f"{2*n*n} triangles under {scene}: floor y={floor:.3f}, size {size:.3f}")
