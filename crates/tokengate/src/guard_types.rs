//! The two types every adapter exports with its own framework traits on them.

/// Defines an adapter's `Authenticated<C>` (the verified claims) and `Authorized<P, C>` (the
/// claims and the document id they grant `P` on), with their `Deref`s. The types must be
/// the adapter's own, so that it may implement its framework's extractor traits on them; the
/// macro keeps their shape one and the same. The doc comments are the adapter's.
#[doc(hidden)]
#[macro_export]
macro_rules! adapter_guard_types {
    ($(#[$authenticated:meta])* Authenticated; $(#[$authorized:meta])* Authorized;) => {
        $(#[$authenticated])*
        #[derive(Debug, Clone)]
        pub struct Authenticated<C = $crate::NoExtra>(pub $crate::Claims<C>);

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

        $(#[$authorized])*
        #[derive(Debug, Clone)]
        pub struct Authorized<P, C = $crate::NoExtra> {
            /// The verified claims.
            pub claims: $crate::Claims<C>,
            /// The document id taken from the path, percent-decoded.
            pub document: String,
            permission: ::std::marker::PhantomData<fn() -> P>,
        }

        impl<P, C> Authorized<P, C> {
            /// Claims that grant `P` on `document`, as the core checked them.
            #[allow(dead_code)]
            pub(crate) fn granted(claims: $crate::Claims<C>, document: String) -> Self {
                Authorized {
                    claims,
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
}
