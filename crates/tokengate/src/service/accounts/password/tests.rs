use super::*;

fn fast() -> PasswordHasher {
    PasswordHasher::new(Params::new(1024, 1, 1, None).unwrap())
}

#[tokio::test]
async fn hashes_are_argon2id_and_verify() {
    let hasher = fast();
    let phc = hasher.hash("correct horse".into()).await.unwrap();
    assert!(phc.starts_with("$argon2id$v=19$m=1024,t=1,p=1$"), "{phc}");
    assert!(!phc.contains("correct horse"));
    let check =
        |password: &str, phc: Option<&str>| hasher.verify(password.into(), phc.map(str::to_owned));
    assert_eq!(
        check("correct horse", Some(&phc)).await,
        Ok(PasswordCheck::Matches { rehashed: None })
    );
    assert_eq!(
        check("correct horsE", Some(&phc)).await,
        Ok(PasswordCheck::Wrong)
    );
    assert_eq!(check("correct horse", None).await, Ok(PasswordCheck::Wrong));
    assert_eq!(
        check("x", Some("not a hash")).await,
        Ok(PasswordCheck::Wrong)
    );
    assert_ne!(
        hasher.hash("correct horse".into()).await.unwrap(),
        phc,
        "salted"
    );
}

#[tokio::test]
async fn a_hash_with_old_parameters_is_remade_with_the_current_ones() {
    let old = fast().hash("pw".into()).await.unwrap();
    let current = PasswordHasher::new(Params::new(2048, 2, 1, None).unwrap());
    let Ok(PasswordCheck::Matches {
        rehashed: Some(new),
    }) = current.verify("pw".into(), Some(old.clone())).await
    else {
        panic!("the old hash verifies and is remade");
    };
    assert!(new.starts_with("$argon2id$v=19$m=2048,t=2,p=1$"), "{new}");
    assert_eq!(
        current.verify("pw".into(), Some(new)).await,
        Ok(PasswordCheck::Matches { rehashed: None })
    );
    assert_eq!(
        current.verify("pX".into(), Some(old)).await,
        Ok(PasswordCheck::Wrong),
        "a wrong password is never rehashed"
    );
}

#[tokio::test]
async fn checks_beyond_the_bound_are_refused_at_once_and_the_rest_answer() {
    // One worker, two may wait: of many checks sent at once, some are refused with a
    // Retry-After and every other one gets its real answer.
    let hasher = PasswordHasher::new(Params::new(8192, 4, 1, None).unwrap())
        .workers(NonZeroUsize::MIN)
        .max_waiting(2);
    let phc = hasher.hash("pw".into()).await.unwrap();
    let checks: Vec<_> = (0..16)
        .map(|_| {
            let (hasher, phc) = (hasher.clone(), phc.clone());
            tokio::spawn(async move { hasher.verify("pw".into(), Some(phc)).await })
        })
        .collect();
    let mut answers = Vec::new();
    for check in checks {
        answers.push(check.await.unwrap());
    }
    let refused = answers.iter().filter(|a| a.is_err()).count();
    assert!((13..=14).contains(&refused), "{answers:?}");
    for answer in &answers {
        match answer {
            Ok(check) => assert_eq!(check, &PasswordCheck::Matches { rehashed: None }),
            Err(busy) => assert!(busy.retry_after >= 1),
        }
    }
    // The queue has drained: checks are taken again.
    assert!(hasher.verify("pw".into(), Some(phc)).await.is_ok());
}
