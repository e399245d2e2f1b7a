"""Security: certificates for mutual TLS, and protection of reporters' identities."""
