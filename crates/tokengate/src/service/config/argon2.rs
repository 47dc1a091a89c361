//! `TOKENGATE_ARGON2_*`: the cost of new password hashes, never below OWASP's options, and
//! how many password checks may wait for a worker.

use argon2::Params;

use super::Vars;
use crate::service::accounts::password::MAX_MEMORY_KIB;
use crate::service::config_error::ConfigError;

const MEMORY: &str = "TOKENGATE_ARGON2_MEMORY_KIB";
const ITERATIONS: &str = "TOKENGATE_ARGON2_ITERATIONS";
const PARALLELISM: &str = "TOKENGATE_ARGON2_PARALLELISM";
const QUEUE: &str = "TOKENGATE_ARGON2_QUEUE";

/// OWASP's weakest Argon2id option: 7 MiB of memory (with 5 iterations).
const MIN_MEMORY_KIB: u32 = 7 * 1024;
/// OWASP's options all cost at least this much memory × iterations (e.g. 19 MiB × 2).
const MIN_MEMORY_TIMES_ITERATIONS: u64 = 35_840;
/// Beyond this a login takes many seconds even on a fast core.
const MAX_ITERATIONS: u32 = 100;
/// Lanes are computed one after the other by a worker: more only spread the same memory.
const MAX_PARALLELISM: u32 = 16;

/// The parameters of new password hashes: OWASP's default (19456 KiB, 2, 1) unless set.
pub(super) fn params(get: Vars<'_>) -> Result<Params, ConfigError> {
    let default = Params::default();
    let memory = number(
        get,
        MEMORY,
        default.m_cost(),
        MIN_MEMORY_KIB,
        MAX_MEMORY_KIB,
    )?;
    let iterations = number(get, ITERATIONS, default.t_cost(), 1, MAX_ITERATIONS)?;
    let parallelism = number(get, PARALLELISM, default.p_cost(), 1, MAX_PARALLELISM)?;
    if u64::from(memory) * u64::from(iterations) < MIN_MEMORY_TIMES_ITERATIONS {
        return Err(ConfigError::new(
            ITERATIONS,
            format!(
                "{iterations} iterations of {memory} KiB is weaker than OWASP's Argon2id options \
                 (memory × iterations at least {MIN_MEMORY_TIMES_ITERATIONS}: 19456 × 2, \
                 12288 × 3, 9216 × 4 or 7168 × 5)"
            ),
        ));
    }
    Params::new(memory, iterations, parallelism, None).map_err(|error| {
        ConfigError::new(
            PARALLELISM,
            format!("argon2 refuses these parameters: {error}"),
        )
    })
}

/// `TOKENGATE_ARGON2_QUEUE`: how many password checks may wait; unset, the workers measure
/// how many they can start within a few seconds.
pub(super) fn queue(get: Vars<'_>) -> Result<Option<usize>, ConfigError> {
    let Some(value) = get(QUEUE) else {
        return Ok(None);
    };
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Ok(Some(n)),
        _ => Err(ConfigError::new(
            QUEUE,
            "must be a whole number of waiting password checks greater than 0",
        )),
    }
}

fn number(
    get: Vars<'_>,
    variable: &'static str,
    default: u32,
    min: u32,
    max: u32,
) -> Result<u32, ConfigError> {
    let Some(value) = get(variable) else {
        return Ok(default);
    };
    match value.trim().parse::<u32>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        Ok(n) if n < min && variable == MEMORY => Err(ConfigError::new(
            variable,
            format!("{n} KiB is weaker than OWASP's Argon2id options: at least {min}"),
        )),
        _ => Err(ConfigError::new(
            variable,
            format!("must be a whole number from {min} to {max}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(vars: &[(&str, &str)]) -> Result<Params, ConfigError> {
        let lookup = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        params(&lookup)
    }

    #[test]
    fn owasp_default_unless_set() {
        let params = read(&[]).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (19456, 2, 1)
        );
        let params = read(&[(MEMORY, "46080"), (ITERATIONS, "1")]).unwrap();
        assert_eq!((params.m_cost(), params.t_cost()), (46080, 1));
        let params = read(&[(MEMORY, "7168"), (ITERATIONS, "5"), (PARALLELISM, "2")]).unwrap();
        assert_eq!(
            (params.m_cost(), params.t_cost(), params.p_cost()),
            (7168, 5, 2)
        );
    }

    #[test]
    fn weaker_than_owasp_or_nonsense_stops_start_up_naming_the_variable() {
        let cases = [
            (&[(MEMORY, "4096")][..], MEMORY),
            (&[(MEMORY, "19456"), (ITERATIONS, "1")][..], ITERATIONS),
            (&[(MEMORY, "7168")][..], ITERATIONS),
            (&[(ITERATIONS, "0")][..], ITERATIONS),
            (&[(ITERATIONS, "two")][..], ITERATIONS),
            (&[(MEMORY, "-1")][..], MEMORY),
            (&[(MEMORY, "99999999999")][..], MEMORY),
            (&[(PARALLELISM, "0")][..], PARALLELISM),
            (&[(PARALLELISM, "17")][..], PARALLELISM),
        ];
        for (vars, variable) in cases {
            let error = read(vars).unwrap_err();
            assert_eq!(error.variable, variable, "{vars:?}: {error}");
        }
    }

    #[test]
    fn the_queue_bound_is_a_positive_number() {
        let get = |value: &'static str| move |name: &str| (name == QUEUE).then(|| value.to_owned());
        assert_eq!(queue(&get("32")), Ok(Some(32)));
        assert_eq!(queue(&|_: &str| None), Ok(None));
        for bad in ["0", "-3", "many"] {
            assert_eq!(queue(&get(bad)).unwrap_err().variable, QUEUE);
        }
    }
}
