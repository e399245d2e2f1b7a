"""A node: the gRPC edge for one area (VN or a province) and its local store of cases."""
