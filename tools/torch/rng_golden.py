"""Independent pure-Python xoshiro256** (seeded by SplitMix64) giving the golden values in RngTests.cs.

    python3 tools/torch/rng_golden.py
"""
M = (1 << 64) - 1


def splitmix64(state):
    state = (state + 0x9E3779B97F4A7C15) & M
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M
    return state, z ^ (z >> 31)


def rotl(x, k):
    return ((x << k) | (x >> (64 - k))) & M


class Xoshiro:
    def __init__(self, seed):
        s = []
        x = seed
        for _ in range(4):
            x, v = splitmix64(x)
            s.append(v)
        self.s = s

    def next(self):
        s = self.s
        result = (rotl((s[1] * 5) & M, 7) * 9) & M
        t = (s[1] << 17) & M
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result


for seed in (0, 42):
    g = Xoshiro(seed)
    print(seed, [hex(g.next()) for _ in range(4)])
