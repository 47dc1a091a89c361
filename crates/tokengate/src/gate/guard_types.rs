//! The types every adapter exports with its own framework traits on them.

/// Defines an adapter's guard types, each preceded by its doc comment: `Authenticated<C>`
/// (the verified claims), `Authorized<P, C>` (the claims and the document id they grant `P`
/// on), `Scoped<S, C>` (claims holding [`Scope`](crate::Scope) `S`), `MaybeAuthenticated<C>`
/// (claims if there is a token) and `TokenRejection` (a [`Refusal`](crate::Refusal)), with
/// their `Deref`s, `Display` and `Error`. Each holds its claims in a `Box`. The types must be
/// the adapter's own, so that it may implement its framework's traits on them; the macro
/// keeps their shape one and the same.
#[doc(hidden)]
#[macro_export]
macro_rules! adapter_guard_types {
    ($($(#[$doc:meta])* $kind:ident;)*) => {
        $($crate::adapter_guard_types!(@ $kind $(#[$doc])*);)*
    };
    (@ Authenticated $(#[$doc:meta])*) => {
        $(#[$doc])*
        ///
        /// The claims are boxed, so that the value the framework moves from future to future
        /// to handler is one pointer, not the claims' few hundred bytes. Their fields are read
        /// through `Deref` (`user.sub`), and [`into_claims`](Self::into_claims) moves them out.
        #[derive(Debug, Clone)]
        pub struct Authenticated<C = $crate::NoExtra>(pub ::std::boxed::Box<$crate::Claims<C>>);

        impl<C> ::std::ops::Deref for Authenticated<C> {
            type Target = $crate::Claims<C>;
            fn deref(&self) -> &$crate::Claims<C> {
                &self.0
            }
        }

        impl<C> ::std::ops::DerefMut for Authenticated<C> {
            fn deref_mut(&mut self) -> &mut $crate::Claims<C> {
                &mut self.0
            }
        }

        impl<C> Authenticated<C> {
            /// The verified claims, moved out of their box.
            pub fn into_claims(self) -> $crate::Claims<C> {
                *self.0
            }
        }

        impl<C> From<$crate::Claims<C>> for Authenticated<C> {
            /// Claims verified elsewhere, as the extractor's value (a middleware's, say).
            fn from(claims: $crate::Claims<C>) -> Self {
                Authenticated(::std::boxed::Box::new(claims))
            }
        }
    };
    (@ MaybeAuthenticated $(#[$doc:meta])*) => {
        $(#[$doc])*
        ///
        /// The claims are boxed, as in `Authenticated`.
        #[derive(Debug, Clone)]
        pub struct MaybeAuthenticated<C = $crate::NoExtra>(pub Option<::std::boxed::Box<$crate::Claims<C>>>);

        impl<C> ::std::ops::Deref for MaybeAuthenticated<C> {
            type Target = Option<::std::boxed::Box<$crate::Claims<C>>>;
            fn deref(&self) -> &Option<::std::boxed::Box<$crate::Claims<C>>> {
                &self.0
            }
        }

        impl<C> From<Option<$crate::Claims<C>>> for MaybeAuthenticated<C> {
            /// The claims of a request, if it sent a token.
            fn from(claims: Option<$crate::Claims<C>>) -> Self {
                MaybeAuthenticated(claims.map(::std::boxed::Box::new))
            }
        }
    };
    (@ Authorized $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct Authorized<P, C = $crate::NoExtra> {
            /// The verified claims (boxed, as in `Authenticated`).
            pub claims: ::std::boxed::Box<$crate::Claims<C>>,
            /// The document id taken from the path, percent-decoded.
            pub document: String,
            permission: ::std::marker::PhantomData<fn() -> P>,
        }

        impl<P, C> Authorized<P, C> {
            /// Claims that grant `P` on `document`, as the core checked them.
            pub(crate) fn granted(claims: $crate::Claims<C>, document: String) -> Self {
                Authorized {
                    claims: ::std::boxed::Box::new(claims),
                    document,
                    permission: ::std::marker::PhantomData,
                }
            }
        }

        impl<P, C> ::std::ops::Deref for Authorized<P, C> {
            type Target = $crate::Claims<C>;
            fn deref(&self) -> &$crate::Claims<C> {
                &self.claims
            }
        }
    };
    (@ Scoped $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct Scoped<S, C = $crate::NoExtra> {
            /// The verified claims, whose `scope` holds `S::SCOPE` (boxed, as in `Authenticated`).
            pub claims: ::std::boxed::Box<$crate::Claims<C>>,
            scope: ::std::marker::PhantomData<fn() -> S>,
        }

        impl<S: $crate::Scope, C> Scoped<S, C> {
            /// `claims` if they hold `S` (403 `insufficient_scope` otherwise), by the core's rule.
            pub(crate) fn check(
                gate: &$crate::Gate,
                claims: $crate::Claims<C>,
            ) -> Result<Self, $crate::Refusal> {
                gate.require_scope::<S, C>(&claims)?;
                Ok(Scoped {
                    claims: ::std::boxed::Box::new(claims),
                    scope: ::std::marker::PhantomData,
                })
            }
        }

        impl<S, C> ::std::ops::Deref for Scoped<S, C> {
            type Target = $crate::Claims<C>;
            fn deref(&self) -> &$crate::Claims<C> {
                &self.claims
            }
        }
    };
    (@ TokenRejection $(#[$doc:meta])*) => {
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct TokenRejection(pub $crate::Refusal);

        impl ::std::fmt::Display for TokenRejection {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl ::std::error::Error for TokenRejection {}

        impl From<$crate::Refusal> for TokenRejection {
            fn from(refusal: $crate::Refusal) -> Self {
                TokenRejection(refusal)
            }
        }
    };
}
