"""GPU speed of PyTorch's dropout against the bandwidth floor, when a CUDA device is present (issue 16).

    .venv/bin/python benchmarks/bench_gpu.py [--repeats 20]

For 10^6, 10^7 and 10^8 float32 values on the GPU: the median time of F.dropout at rates 0.1 and
0.5 and of a device-to-device copy of the same tensor (read x once, write y once: the floor),
timed with CUDA events in the same run, and their ratio. Without a GPU it says so and exits 0.
"""
from __future__ import annotations

import argparse
import statistics
import sys

import dropout_lab as dl


def cuda_median_ms(torch, action, repeats: int) -> float:
    """Median milliseconds of `action()` on the GPU, measured with CUDA events after a warm-up."""
    action()
    torch.cuda.synchronize()
    times = []
    for _ in range(repeats):
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        action()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end))
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    torch = dl.frameworks.load("torch")
    if not torch.cuda.is_available():
        print(f"No GPU: torch {torch.__version__} sees no CUDA device; nothing to measure "
              "(python -m dropout_lab.doctor says why).")
        return 0
    print(f"device: {torch.cuda.get_device_name(0)}, torch {torch.__version__}, CUDA {torch.version.cuda}")
    print(f"{'size':>8} {'copy ms':>9} {'rate':>5} {'dropout ms':>11} {'× copy':>7}")
    for size in (10**6, 10**7, 10**8):
        for line in measure(torch, size, args.repeats):
            print(line)
        torch.cuda.empty_cache()
    return 0


def measure(torch, size: int, repeats: int) -> list[str]:
    """One table row per rate: the copy floor and F.dropout on the same `size` float32 values."""
    x = torch.randn(size, device="cuda")
    y = torch.empty_like(x)
    copy_ms = cuda_median_ms(torch, lambda: y.copy_(x), repeats)
    rows = []
    for rate in (0.1, 0.5):
        ms = cuda_median_ms(torch, lambda rate=rate: torch.nn.functional.dropout(x, rate, training=True), repeats)
        rows.append(f"{size:>8.0e} {copy_ms:>9.3f} {rate:>5} {ms:>11.3f} {ms / copy_ms:>7.2f}")
    return rows


if __name__ == "__main__":
    sys.exit(main())
