//! The guides, as pages of this documentation: the HTTP API of the reference service, what the
//! verifier enforces and why, the account service, wiring CKEditor 5 to the token endpoint, and
//! accepting the tokens of OpenID Connect providers. Each framework adapter has its own guide (`tokengate_axum::guide`, …).

/// The HTTP API: routes, bodies, statuses, headers, token rules and every `TOKENGATE_*`
/// variable.
pub mod http_api {
    #![doc = include_str!("../guides/http-api.md")]
}

/// The security model: what the verifier enforces, and why.
pub mod security {
    #![doc = include_str!("../guides/security.md")]
}

/// Accounts: signup, login, refresh rotation, logout, revocation, the schema.
pub mod accounts {
    #![doc = include_str!("../guides/accounts.md")]
}

/// CKEditor 5: the token endpoint, `tokenUrl`, and what the editor needs.
pub mod ckeditor {
    #![doc = include_str!("../guides/ckeditor.md")]
}

/// Resource-server mode: accepting the access tokens of OpenID Connect providers (Keycloak,
/// Auth0, Entra ID, …), with a copy-me program for each framework.
#[cfg(feature = "remote-keys")]
#[cfg_attr(docsrs, doc(cfg(feature = "remote-keys")))]
pub mod resource_server {
    #![doc = include_str!("../guides/resource-server.md")]
}
