#!/usr/bin/python3
"""Reference values for the randomized-smoothing statistics, computed with scipy.

Writes gpu-worker/src/test/resources/fixtures/clopper_pearson.json:
  - lowerBounds: (k, n, alpha, sigma) -> one-sided Clopper-Pearson lower bound
    scipy.stats.beta.ppf(alpha, k, n-k+1) (0 for k = 0), and radius sigma * norm.ppf(pA)
    (null where pA <= 1/2: ABSTAIN);
  - boundaries: for (n, alpha), the smallest k with pA > 1/2 (k-1 must abstain, k must not);
  - binomial: two-sided scipy.stats.binomtest(nA, nA+nB, 0.5).pvalue (PREDICT).

Run: /usr/bin/python3 tools/reference/clopper_pearson_fixture.py
"""
import json
import os

import scipy
from scipy.stats import beta, binomtest, norm

CASES = [
    (0, 100, 0.001), (1, 1, 0.001), (10, 10, 0.001), (100, 100, 0.001), (60, 100, 0.001),
    (99, 100, 0.05), (50, 100, 0.05), (1, 100_000, 0.001), (50_000, 100_000, 0.001),
    (50_500, 100_000, 0.001), (75_000, 100_000, 0.001), (99_000, 100_000, 0.001),
    (99_999, 100_000, 0.001), (100_000, 100_000, 0.001), (180, 200, 0.001), (200, 200, 0.001),
    (9_876, 10_000, 0.01), (5_200, 10_000, 0.01), (731, 1_000, 0.001), (1_000, 1_000, 0.1),
]
SIGMAS = [0.12, 0.25, 0.5, 1.0]
BOUNDARY = [(100, 0.001), (200, 0.001), (1_000, 0.001), (10_000, 0.001), (100_000, 0.001),
            (100, 0.05), (10, 0.001)]
BINOMIAL = [(60, 40), (55, 45), (50, 50), (100, 0), (1, 0), (5, 0), (11, 0), (0, 10), (520, 480),
            (5_300, 4_700), (51_000, 49_000), (50_200, 49_800), (30, 2), (7, 3), (90_000, 100)]


def lcb(k, n, alpha):
    return 0.0 if k == 0 else float(beta.ppf(alpha, k, n - k + 1))


def main():
    lower = []
    for k, n, alpha in CASES:
        p = lcb(k, n, alpha)
        for s in SIGMAS:
            lower.append(dict(k=k, n=n, alpha=alpha, sigma=s, pALower=p,
                              radius=(s * float(norm.ppf(p)) if p > 0.5 else None)))
    boundaries = []
    for n, alpha in BOUNDARY:
        lo, hi = 0, n + 1  # smallest k in [0, n] with lcb > 1/2, or n + 1 if none
        while lo < hi:
            mid = (lo + hi) // 2
            if lcb(mid, n, alpha) > 0.5:
                hi = mid
            else:
                lo = mid + 1
        boundaries.append(dict(n=n, alpha=alpha, firstCertifiedK=lo,
                               pAtK=lcb(lo, n, alpha) if lo <= n else None,
                               pBelow=lcb(lo - 1, n, alpha)))
    binomial = [dict(nA=a, nB=b, pValue=float(binomtest(a, a + b, 0.5).pvalue)) for a, b in BINOMIAL]
    out = dict(description="scipy " + scipy.__version__ + " reference (tools/reference/clopper_pearson_fixture.py)",
               lowerBounds=lower, boundaries=boundaries, binomial=binomial)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    path = os.path.join(root, "gpu-worker/src/test/resources/fixtures/clopper_pearson.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
    print("wrote", path)


if __name__ == "__main__":
    main()
