"""Developer tools: code generation and checks run by the Makefile."""
