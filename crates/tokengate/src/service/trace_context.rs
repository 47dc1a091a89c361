//! The span of a service route, continuing the caller's W3C trace: with the `otel` feature,
//! the `traceparent` (and `tracestate`) of the request become its parent, through the
//! propagator the app installed (`opentelemetry::global::set_text_map_propagator`), so a
//! login appears inside the trace of the gateway or client that sent it.

use crate::gate::source::RequestView;

/// The span `tokengate.request` for the route `route` of `request`.
pub(crate) fn route_span(request: &impl RequestView, route: &'static str) -> tracing::Span {
    let span = tracing::info_span!(
        "tokengate.request",
        http.route = route,
        http.request.method = request.method()
    );
    #[cfg(feature = "otel")]
    {
        use tracing_opentelemetry::OpenTelemetrySpanExt;
        let parent = opentelemetry::global::get_text_map_propagator(|propagator| {
            propagator.extract(&Headers(request))
        });
        // Without an OpenTelemetry layer the span has nowhere to carry a parent: nothing to do.
        let _ = span.set_parent(parent);
    }
    span
}

/// A request's headers, as the propagator reads them.
#[cfg(feature = "otel")]
struct Headers<'a, V>(&'a V);

#[cfg(feature = "otel")]
impl<V: RequestView> opentelemetry::propagation::Extractor for Headers<'_, V> {
    fn get(&self, key: &str) -> Option<&str> {
        match self.0.header(key) {
            crate::gate::source::HeaderValue::One(value) => std::str::from_utf8(value).ok(),
            // Sent twice, or not at all: no parent rather than a guess.
            _ => None,
        }
    }

    fn keys(&self) -> Vec<&str> {
        Vec::new()
    }
}
