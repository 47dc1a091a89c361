//! Log lines on standard error and, with the `otlp` feature and an OTLP endpoint in the
//! environment, the service's spans exported over OTLP/HTTP to a collector.
//!
//! The exporter follows the OpenTelemetry variables: `OTEL_EXPORTER_OTLP_ENDPOINT` (or
//! `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) turns it on, `OTEL_EXPORTER_OTLP_PROTOCOL` picks
//! `http/protobuf` (the default) or `http/json`, `OTEL_SERVICE_NAME` names the service
//! (`tokengate` otherwise), `OTEL_BSP_SCHEDULE_DELAY` sets how often spans are sent.

use std::io::IsTerminal;

use tokengate::LogFormat;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::Failure;

/// Installs the log lines (`RUST_LOG`, `info` by default; `TOKENGATE_LOG_FORMAT`) and, when
/// configured, the span exporter.
pub fn init() -> Result<(), Failure> {
    let format = LogFormat::from_env().map_err(|e| Failure(e.to_string(), 2))?;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let lines = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    let lines = match format {
        LogFormat::Json => lines.json().boxed(),
        LogFormat::Text => lines.boxed(),
    };
    let registry = tracing_subscriber::registry().with(lines.with_filter(filter));
    #[cfg(feature = "otlp")]
    let registry = registry.with(otlp::layer()?);
    registry.init();
    Ok(())
}

/// Sends the spans still waiting: called once the service has stopped.
pub fn flush() {
    #[cfg(feature = "otlp")]
    otlp::shutdown();
}

#[cfg(feature = "otlp")]
mod otlp {
    use std::sync::OnceLock;

    use opentelemetry::trace::TracerProvider as _;
    use opentelemetry_sdk::propagation::TraceContextPropagator;
    use opentelemetry_sdk::trace::SdkTracerProvider;
    use opentelemetry_sdk::Resource;
    use tracing_subscriber::registry::LookupSpan;
    use tracing_subscriber::{EnvFilter, Layer};

    use crate::Failure;

    static PROVIDER: OnceLock<SdkTracerProvider> = OnceLock::new();

    /// The OpenTelemetry layer, when an OTLP endpoint is configured: tokengate's spans down to
    /// debug (each verification), everything else from info.
    pub fn layer<S>() -> Result<Option<impl Layer<S>>, Failure>
    where
        S: tracing::Subscriber + for<'span> LookupSpan<'span>,
    {
        let configured = [
            "OTEL_EXPORTER_OTLP_ENDPOINT",
            "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
        ]
        .iter()
        .any(|name| std::env::var_os(name).is_some_and(|v| !v.is_empty()));
        if !configured {
            return Ok(None);
        }
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .build()
            .map_err(|e| Failure(format!("OTEL_EXPORTER_OTLP_ENDPOINT: {e}"), 2))?;
        let name = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| "tokengate".into());
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_resource(Resource::builder().with_service_name(name).build())
            .build();
        // Incoming `traceparent` headers continue the caller's trace (the core reads them).
        opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
        let tracer = provider.tracer("tokengate");
        let _ = PROVIDER.set(provider);
        let spans = tracing_opentelemetry::layer()
            .with_tracer(tracer)
            .with_filter(EnvFilter::new("info,tokengate=debug"));
        Ok(Some(spans))
    }

    pub fn shutdown() {
        if let Some(provider) = PROVIDER.get() {
            if let Err(error) = provider.shutdown() {
                eprintln!("warning: the last spans could not be sent: {error}");
            }
        }
    }
}
