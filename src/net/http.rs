//! The HTTP protocol handler (connection side). Filled in by the HTTP issue.

/// Per-connection HTTP state kept beside the C struct.
#[derive(Default)]
pub struct HttpConnState {}
