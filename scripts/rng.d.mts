/** mulberry32 seeded by `seed`: numbers in [0, 1), the same sequence on every machine. */
export function rng(seed: number): () => number;
