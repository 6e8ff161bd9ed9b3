//! TODO (static files)
