//! The event loop on `mio`: manager, connections, I/O, wakeup, signals.
