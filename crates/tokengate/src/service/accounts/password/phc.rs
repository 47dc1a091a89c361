//! Argon2 hashes as PHC strings, computed in memory the caller owns.
//!
//! The `argon2` crate's `PasswordHasher` trait allocates the Argon2 memory (19 MiB by default)
//! for every hash and frees it after. Under glibc, memory freed by many threads stays in each
//! thread's arena, so a burst of logins left hundreds of megabytes resident. Here each worker
//! lends its own block of memory to every hash it computes instead.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{Output, ParamsString, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

/// A worker's Argon2 memory: as many blocks as the current parameters need, allocated at
/// its first hash and kept for every later one.
pub(super) struct Memory {
    blocks: Vec<Block>,
    size: usize,
}

impl Memory {
    /// Memory for hashes made with `params` (nothing is allocated yet).
    pub(super) fn for_params(params: &Params) -> Self {
        Memory {
            blocks: Vec::new(),
            size: params.block_count(),
        }
    }

    /// At least `needed` blocks: the worker's own memory when it is large enough; otherwise
    /// `spare`, filled for this hash alone (a stored hash made with more memory than the
    /// current parameters, until it is re-hashed).
    fn at_least<'a>(&'a mut self, needed: usize, spare: &'a mut Vec<Block>) -> &'a mut [Block] {
        if needed > self.size {
            *spare = vec![Block::default(); needed];
            return spare;
        }
        if self.blocks.is_empty() {
            self.blocks = vec![Block::default(); self.size];
        }
        &mut self.blocks[..needed]
    }
}

/// Hashes `password` with `params` (Argon2id, version 0x13) and a fresh salt.
pub(super) fn hash(params: &Params, password: &[u8], memory: &mut Memory) -> String {
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes = salt
        .decode_b64(&mut salt_bytes)
        .expect("a generated salt decodes");
    let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
    let mut spare = Vec::new();
    let blocks = memory.at_least(params.block_count(), &mut spare);
    let length = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let output = Output::init_with(length, |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut *blocks)?)
    })
    .expect("argon2 accepts any password under 4 GiB and a generated salt");
    PasswordHash {
        algorithm: Algorithm::Argon2id.ident(),
        version: Some(Version::V0x13.into()),
        params: ParamsString::try_from(params).expect("valid parameters print"),
        salt: Some(salt.as_salt()),
        hash: Some(output),
    }
    .to_string()
}

/// What checking a password against a stored hash found.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Check {
    /// The password is right. `current` is whether the hash was made with `params`.
    Matches {
        /// Whether the stored hash already uses the current parameters.
        current: bool,
    },
    /// The password is wrong, or the stored string is not an Argon2 PHC hash.
    Wrong,
}

/// Checks `password` against the PHC string `phc`, with the hash's own algorithm, version and
/// parameters (so hashes made before a change of `current` keep verifying). The outputs are
/// compared in constant time.
pub(super) fn check(current: &Params, phc: &str, password: &[u8], memory: &mut Memory) -> Check {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return Check::Wrong;
    };
    let (Ok(algorithm), Ok(params)) = (
        Algorithm::try_from(parsed.algorithm),
        Params::try_from(&parsed),
    ) else {
        return Check::Wrong;
    };
    if params.m_cost() > super::MAX_MEMORY_KIB {
        // Not a hash this service could have made: checking it would allocate its memory.
        return Check::Wrong;
    }
    let version = match parsed.version.map(Version::try_from) {
        None => Version::V0x13,
        Some(Ok(version)) => version,
        Some(Err(_)) => return Check::Wrong,
    };
    let (Some(salt), Some(expected)) = (parsed.salt, parsed.hash) else {
        return Check::Wrong;
    };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt_bytes) = salt.decode_b64(&mut salt_bytes) else {
        return Check::Wrong;
    };
    let argon2 = Argon2::new(algorithm, version, params.clone());
    let mut spare = Vec::new();
    let blocks = memory.at_least(params.block_count(), &mut spare);
    let computed = Output::init_with(expected.len(), |out| {
        Ok(argon2.hash_password_into_with_memory(password, salt_bytes, out, &mut *blocks)?)
    });
    match computed {
        // `Output`'s equality is constant-time.
        Ok(computed) if computed == expected => Check::Matches {
            current: algorithm == Algorithm::Argon2id
                && version == Version::V0x13
                && same_cost(&params, current),
        },
        _ => Check::Wrong,
    }
}

fn same_cost(a: &Params, b: &Params) -> bool {
    (a.m_cost(), a.t_cost(), a.p_cost()) == (b.m_cost(), b.t_cost(), b.p_cost())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::PasswordHasher as _;

    fn small() -> Params {
        Params::new(1024, 1, 1, None).unwrap()
    }

    #[test]
    fn a_hash_checks_and_matches_the_crates_own_verifier() {
        let mut memory = Memory::for_params(&small());
        let phc = hash(&small(), b"correct horse", &mut memory);
        assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{phc}");
        let parsed = PasswordHash::new(&phc).unwrap();
        use argon2::password_hash::PasswordVerifier as _;
        assert!(Argon2::default()
            .verify_password(b"correct horse", &parsed)
            .is_ok());
        assert_eq!(
            check(&small(), &phc, b"correct horse", &mut memory),
            Check::Matches { current: true }
        );
        assert_eq!(
            check(&small(), &phc, b"correct horsE", &mut memory),
            Check::Wrong
        );
    }

    #[test]
    fn a_hash_made_elsewhere_checks_with_its_own_parameters() {
        // Made by the crate itself, with more memory and another variant than the
        // current settings: the worker's smaller memory is not enough, a spare one is used.
        let other = Params::new(2048, 2, 2, None).unwrap();
        let argon2i = Argon2::new(Algorithm::Argon2i, Version::V0x13, other);
        let salt = SaltString::generate(&mut OsRng);
        let phc = argon2i.hash_password(b"pw", &salt).unwrap().to_string();
        let mut memory = Memory::for_params(&small());
        assert_eq!(
            check(&small(), &phc, b"pw", &mut memory),
            Check::Matches { current: false }
        );
        assert_eq!(
            memory.blocks.len(),
            0,
            "a larger hash never grows the worker's memory"
        );
        hash(&small(), b"pw", &mut memory);
        assert_eq!(memory.blocks.len(), small().block_count());
        assert_eq!(check(&small(), &phc, b"px", &mut memory), Check::Wrong);
    }

    #[test]
    fn strings_that_are_not_argon2_hashes_never_match() {
        let mut memory = Memory::for_params(&small());
        for phc in [
            "",
            "not a hash",
            "$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$",
            "$argon2id$v=99$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$scrypt$ln=4,r=8,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
            "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA",
        ] {
            assert_eq!(
                check(&small(), phc, b"", &mut memory),
                Check::Wrong,
                "{phc}"
            );
        }
    }
}
