"""gRPC edge of the bus: server bootstrap, interceptors, error mapping."""
