//! tokengate's security schemes for an app's own utoipa document (feature `openapi`).

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{Components, OpenApi};
use utoipa::Modify;

use super::{ACCESS_TOKEN_HEADER_SCHEME, BEARER_SCHEME};

/// A utoipa [`Modify`] that adds the schemes tokengate's guards accept to an app's own
/// document: [`BEARER_SCHEME`] (`Authorization: Bearer`, JWT) and
/// [`ACCESS_TOKEN_HEADER_SCHEME`] (`x-access-token`). Name them in `security(...)` of the
/// operations your guards protect.
///
/// ```
/// use tokengate::service::openapi::SecuritySchemes;
/// use utoipa::OpenApi;
///
/// #[derive(OpenApi)]
/// #[openapi(modifiers(&SecuritySchemes))]
/// struct ApiDoc;
///
/// let schemes = ApiDoc::openapi().components.unwrap().security_schemes;
/// assert!(schemes.contains_key("bearerAuth"));
/// assert!(schemes.contains_key("accessTokenHeader"));
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, openapi: &mut OpenApi) {
        let components = openapi.components.get_or_insert_with(Components::new);
        components.add_security_scheme(
            BEARER_SCHEME,
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
        components.add_security_scheme(
            ACCESS_TOKEN_HEADER_SCHEME,
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-access-token"))),
        );
    }
}
