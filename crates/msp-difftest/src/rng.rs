//! A small deterministic random source. Programs are reproducible from a seed, and the
//! fuzz target can drive the same generator from its input bytes.

/// SplitMix64, optionally fed by a byte string first (for fuzzing: the input bytes pick
/// the choices, and once they run out the generator goes on deterministically).
#[derive(Clone, Debug)]
pub struct Rng {
    state: u64,
    bytes: Vec<u8>,
    pos: usize,
}

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng {
            state: seed ^ 0x9E37_79B9_7F4A_7C15,
            bytes: Vec::new(),
            pos: 0,
        }
    }

    /// A generator whose first choices come from `data`.
    pub fn from_bytes(data: &[u8]) -> Rng {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        for &b in data {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        Rng {
            state: h,
            bytes: data.to_vec(),
            pos: 0,
        }
    }

    fn splitmix(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn next_u64(&mut self) -> u64 {
        if self.pos + 8 <= self.bytes.len() {
            let mut b = [0u8; 8];
            b.copy_from_slice(&self.bytes[self.pos..self.pos + 8]);
            self.pos += 8;
            return u64::from_le_bytes(b) ^ self.splitmix();
        }
        self.splitmix()
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        if self.pos < self.bytes.len() && n <= 256 {
            let b = self.bytes[self.pos] as usize;
            self.pos += 1;
            return b % n;
        }
        (self.next_u64() % n as u64) as usize
    }

    /// A number in `lo..=hi`.
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        let span = (hi as i128 - lo as i128 + 1) as u128;
        (lo as i128 + (self.next_u64() as u128 % span) as i128) as i64
    }

    /// True with probability `num`/`den`.
    pub fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}
